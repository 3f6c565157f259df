//! `wasi:sockets/ip-name-lookup` called directly, and through std. For each
//! argument prints one `case <arg>: <result>` line:
//! - `NAME`: `resolve-addresses(NAME)`, then `resolve-next-address` until
//!   `none` (waiting on the stream's pollable, at most 10 s per wait, on
//!   `would-block`): `ok A B ...` with the addresses in order, or the error
//!   code of either call;
//! - `std:NAME`: `(NAME, 80).to_socket_addrs()`: `ok A B ...` or the
//!   `io::ErrorKind`;
//! - `drop:NAME`: starts a lookup and drops the stream at once: `ok`.
//!
//! Then `done`.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, ToSocketAddrs};
use wasip2::clocks::monotonic_clock;
use wasip2::io::poll::poll;
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::ip_name_lookup::resolve_addresses;
use wasip2::sockets::network::{ErrorCode, IpAddress, Network};

fn main() {
    let net = instance_network();
    for name in std::env::args().skip(1) {
        let result = if let Some(host) = name.strip_prefix("std:") {
            match (host, 80).to_socket_addrs() {
                Ok(addrs) => Ok(addrs.map(|a| a.ip()).collect()),
                Err(e) => {
                    eprintln!("{name}: {e}");
                    Err(format!("{:?}", e.kind()))
                }
            }
        } else if let Some(host) = name.strip_prefix("drop:") {
            resolve_addresses(&net, host)
                .map(|stream| {
                    drop(stream);
                    Vec::new()
                })
                .map_err(|e| e.name().to_string())
        } else {
            resolve(&net, &name).map_err(|e| e.name().to_string())
        };
        match result {
            Ok(addrs) => {
                let list: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
                println!("case {name}: ok {}", list.join(" "));
            }
            Err(e) => println!("case {name}: {e}"),
        }
    }
    println!("done");
}

fn resolve(net: &Network, name: &str) -> Result<Vec<IpAddr>, ErrorCode> {
    let stream = resolve_addresses(net, name)?;
    let mut addrs = Vec::new();
    let mut waits = 0;
    loop {
        match stream.resolve_next_address() {
            Ok(Some(a)) => addrs.push(ip(a)),
            Ok(None) => return Ok(addrs),
            Err(ErrorCode::WouldBlock) if waits < 10 => {
                waits += 1;
                let p = stream.subscribe();
                let timeout = monotonic_clock::subscribe_duration(10_000_000_000);
                poll(&[&p, &timeout]);
            }
            Err(e) => return Err(e),
        }
    }
}

fn ip(a: IpAddress) -> IpAddr {
    match a {
        IpAddress::Ipv4((a, b, c, d)) => Ipv4Addr::new(a, b, c, d).into(),
        IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => Ipv6Addr::new(a, b, c, d, e, f, g, h).into(),
    }
}
