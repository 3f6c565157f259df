//! `wasi:sockets` as the host answers it before sockets exist: direct calls
//! of `instance-network`, `create-tcp-socket`, `create-udp-socket` and
//! `resolve-addresses` (with the stream's first answer), then the same
//! through Rust std (`TcpStream`, `TcpListener`, `UdpSocket`,
//! `to_socket_addrs`). Prints one
//! `case <name>: <result>` line per call, where the result is `ok` or the
//! spec error code (direct calls) or the `io::ErrorKind` (std). Never traps:
//! the host test compares the lines with the context's policy.
use std::net::{TcpListener, TcpStream, ToSocketAddrs, UdpSocket};
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::ip_name_lookup::resolve_addresses;
use wasip2::sockets::network::{ErrorCode, IpAddressFamily};
use wasip2::sockets::tcp_create_socket::create_tcp_socket;
use wasip2::sockets::udp_create_socket::create_udp_socket;

fn case<T>(name: &str, r: Result<T, ErrorCode>) {
    match r {
        Ok(_) => println!("case {name}: ok"),
        Err(e) => println!("case {name}: {}", e.name()),
    }
}

fn std_case<T>(name: &str, r: std::io::Result<T>) {
    match r {
        Ok(_) => println!("case {name}: ok"),
        Err(e) => {
            eprintln!("{name}: {e} ({e:?})");
            println!("case {name}: {:?}", e.kind());
        }
    }
}

fn main() {
    let network = instance_network();
    println!("case instance-network: ok");

    case("tcp-ipv4", create_tcp_socket(IpAddressFamily::Ipv4));
    case("tcp-ipv6", create_tcp_socket(IpAddressFamily::Ipv6));
    case("udp-ipv4", create_udp_socket(IpAddressFamily::Ipv4));
    case("udp-ipv6", create_udp_socket(IpAddressFamily::Ipv6));

    for name in ["localhost", "127.0.0.1", "", "a.b<&>", "127.0.0.1:80"] {
        // The first answer of the stream (a refusal may come from either
        // call).
        let first = resolve_addresses(&network, name).and_then(|stream| {
            stream.subscribe().block();
            stream.resolve_next_address()
        });
        case(&format!("resolve {name:?}"), first);
    }
    drop(network);

    std_case("std-tcp-connect", TcpStream::connect("127.0.0.1:80"));
    std_case("std-tcp-bind", TcpListener::bind("127.0.0.1:0"));
    std_case("std-udp-bind", UdpSocket::bind("127.0.0.1:0"));
    std_case("std-lookup", ("localhost", 80).to_socket_addrs());
    println!("done");
}
