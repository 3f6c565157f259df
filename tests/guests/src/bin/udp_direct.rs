//! `wasi:sockets/udp` called directly. `argv[1]` selects the case; each
//! prints `case <name>: <result>` lines (`ok ...` or the spec error code)
//! for the host test to compare, then `done`. Every wait is bounded (5 s per
//! wait, a few waits per datagram), so a missing datagram shows up as a
//! `timeout` result, never as a hang.
//! - `echo PORT`: unconnected send/receive with a host echo peer on
//!   127.0.0.1:PORT: one datagram, a batch of five received in batches of
//!   at most 2 and then `u64::MAX`, a 60000-byte datagram, a 70000-byte one.
//! - `connected PORT`: `stream` with the peer, sends with and without the
//!   address, with another address, then `stream(none)` again.
//! - `states`: every invalid-state / invalid-argument path of the socket.
//! - `options`: the options' validation and clamping.
//! - `policy DENIED ALLOWED`: the host's check refuses port DENIED.
//! - `refused PORT`: connected to a port nobody listens on, a send, then a
//!   receive (the OS reports the ICMP port-unreachable as refused).
//! - `overpermit`: a send beyond the `check-send` permit (must trap).
//! - `drops N`: N sockets created and dropped in every state.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use wasi_guests::{arg, num, unknown_case};
use wasip2::clocks::monotonic_clock;
use wasip2::io::poll::{poll, Pollable};
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress, Network,
};
use wasip2::sockets::udp::{
    IncomingDatagram, IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream, UdpSocket,
};
use wasip2::sockets::udp_create_socket::create_udp_socket;

fn main() {
    let net = instance_network();
    match arg(1).as_str() {
        "echo" => echo(&net, port(2)),
        "connected" => connected(&net, port(2)),
        "states" => states(&net),
        "options" => options(&net),
        "policy" => policy(&net, port(2), port(3)),
        "overpermit" => overpermit(&net),
        "refused" => refused(&net, port(2)),
        "drops" => drops(&net, num(2)),
        other => unknown_case(other),
    }
    println!("done");
}

fn port(n: usize) -> u16 {
    num(n) as u16
}

fn case<T: std::fmt::Debug>(name: &str, r: Result<T, ErrorCode>) {
    match r {
        Ok(v) => println!("case {name}: ok {v:?}"),
        Err(e) => println!("case {name}: {}", e.name()),
    }
}

fn result(name: &str, ok: bool, detail: impl std::fmt::Debug) {
    if ok {
        println!("case {name}: ok");
    } else {
        println!("case {name}: wrong {detail:?}");
    }
}

fn wasi_addr(a: SocketAddr) -> IpSocketAddress {
    match a {
        SocketAddr::V4(a) => {
            let [b0, b1, b2, b3] = a.ip().octets();
            IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: a.port(),
                address: (b0, b1, b2, b3),
            })
        }
        SocketAddr::V6(a) => {
            let [s0, s1, s2, s3, s4, s5, s6, s7] = a.ip().segments();
            IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port: a.port(),
                flow_info: a.flowinfo(),
                address: (s0, s1, s2, s3, s4, s5, s6, s7),
                scope_id: a.scope_id(),
            })
        }
    }
}

fn std_addr(a: IpSocketAddress) -> SocketAddr {
    match a {
        IpSocketAddress::Ipv4(a) => {
            let (b0, b1, b2, b3) = a.address;
            SocketAddr::new(IpAddr::V4(Ipv4Addr::new(b0, b1, b2, b3)), a.port)
        }
        IpSocketAddress::Ipv6(a) => {
            let (s0, s1, s2, s3, s4, s5, s6, s7) = a.address;
            SocketAddr::new(
                IpAddr::V6(Ipv6Addr::new(s0, s1, s2, s3, s4, s5, s6, s7)),
                a.port,
            )
        }
    }
}

fn same(a: IpSocketAddress, b: IpSocketAddress) -> bool {
    std_addr(a) == std_addr(b)
}

fn addr(s: &str) -> IpSocketAddress {
    wasi_addr(s.parse().unwrap())
}

fn localhost(port: u16) -> IpSocketAddress {
    wasi_addr(SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port))
}

fn bind(net: &Network, sock: &UdpSocket, a: IpSocketAddress) -> Result<(), ErrorCode> {
    sock.start_bind(net, a)?;
    wait(&sock.subscribe());
    sock.finish_bind()
}

/// A bound IPv4 socket on 127.0.0.1 (ephemeral port).
fn bound(net: &Network) -> UdpSocket {
    let sock = create_udp_socket(IpAddressFamily::Ipv4).expect("create");
    bind(net, &sock, localhost(0)).expect("bind");
    sock
}

/// Waits for `p`, at most 5 s. Returns whether it became ready.
fn wait(p: &Pollable) -> bool {
    let timeout = monotonic_clock::subscribe_duration(5_000_000_000);
    poll(&[p, &timeout]).contains(&0)
}

fn dg(data: &[u8], to: Option<IpSocketAddress>) -> OutgoingDatagram {
    OutgoingDatagram {
        data: data.to_vec(),
        remote_address: to,
    }
}

/// Sends `datagrams` (after `check-send`, waiting for a permit).
fn send(out: &OutgoingDatagramStream, datagrams: &[OutgoingDatagram]) -> Result<u64, ErrorCode> {
    let mut permit = out.check_send()?;
    for _ in 0..10 {
        if permit > 0 {
            break;
        }
        wait(&out.subscribe());
        permit = out.check_send()?;
    }
    let n = datagrams.len().min(permit as usize);
    out.send(&datagrams[..n])
}

/// Receives `count` datagrams, at most `max` per `receive` call (checking
/// that no call returns more), waiting when none is there.
fn receive(inc: &IncomingDatagramStream, count: usize, max: u64) -> Vec<IncomingDatagram> {
    let mut got = Vec::new();
    let mut waits = 0;
    let mut calls = 0;
    while got.len() < count && waits < 4 && calls < 1000 {
        calls += 1;
        match inc.receive(max) {
            Ok(batch) if batch.is_empty() => {
                if !wait(&inc.subscribe()) {
                    waits += 1;
                }
            }
            Ok(batch) => {
                assert!(batch.len() as u64 <= max, "receive returned {} > {max}", batch.len());
                got.extend(batch);
            }
            Err(e) => {
                println!("receive error: {}", e.name());
                break;
            }
        }
    }
    got
}

fn echo(net: &Network, peer_port: u16) {
    let peer = localhost(peer_port);
    let sock = bound(net);
    let local = sock.local_address().map(std_addr);
    result(
        "local",
        matches!(local, Ok(a) if a.ip() == Ipv4Addr::LOCALHOST && a.port() != 0),
        local,
    );
    case("remote-unconnected", sock.remote_address());
    let (inc, out) = sock.stream(None).expect("stream");

    case("send-one", send(&out, &[dg(b"one", Some(peer))]));
    let got = receive(&inc, 1, 1);
    result(
        "echo-one",
        got.len() == 1 && got[0].data == b"one" && same(got[0].remote_address, peer),
        got.iter().map(|d| d.data.len()).collect::<Vec<_>>(),
    );

    let batch: Vec<_> = (0..5)
        .map(|i| dg(format!("b{i}").as_bytes(), Some(peer)))
        .collect();
    case("send-batch", send(&out, &batch));
    let mut got = receive(&inc, 2, 2);
    got.extend(receive(&inc, 5 - got.len(), u64::MAX));
    let mut names: Vec<String> = got
        .iter()
        .map(|d| String::from_utf8_lossy(&d.data).into_owned())
        .collect();
    names.sort();
    result("echo-batch", names == ["b0", "b1", "b2", "b3", "b4"], names);

    case("receive-zero", inc.receive(0).map(|v| v.len()));

    let big = vec![7u8; 60000];
    case("send-big", send(&out, &[dg(&big, Some(peer))]));
    let got = receive(&inc, 1, 8);
    result(
        "echo-big",
        got.len() == 1 && got[0].data == big,
        got.iter().map(|d| d.data.len()).collect::<Vec<_>>(),
    );

    let huge = vec![7u8; 70000];
    case("send-too-large", send(&out, &[dg(&huge, Some(peer))]));
}

fn connected(net: &Network, peer_port: u16) {
    let peer = localhost(peer_port);
    let sock = bound(net);
    let local_before = sock.local_address();
    let (inc, out) = sock.stream(Some(peer)).expect("stream");
    result(
        "remote",
        sock.remote_address().is_ok_and(|r| same(r, peer)),
        sock.remote_address(),
    );
    case(
        "send-connected",
        send(&out, &[dg(b"c1", None), dg(b"c2", Some(peer))]),
    );
    let other = localhost(peer_port.wrapping_add(1).max(1));
    case("send-other-address", send(&out, &[dg(b"x", Some(other))]));
    let got = receive(&inc, 2, 16);
    let mut names: Vec<_> = got.iter().map(|d| d.data.clone()).collect();
    names.sort();
    result(
        "echo-connected",
        names == [b"c1".to_vec(), b"c2".to_vec()] && got.iter().all(|d| same(d.remote_address, peer)),
        names,
    );

    let (inc2, out2) = sock.stream(None).expect("stream again");
    case("old-incoming", inc.receive(1).map(|v| v.len()));
    case("old-outgoing", out.check_send());
    result("old-pollable-ready", wait(&inc.subscribe()), "not ready");
    case("remote-after-disconnect", sock.remote_address());
    result(
        "local-kept",
        sock.local_address().map(std_addr) == local_before.map(std_addr),
        (sock.local_address(), local_before),
    );
    drop((inc, out));
    case("send-unconnected-again", send(&out2, &[dg(b"u", Some(peer))]));
    let got = receive(&inc2, 1, 1);
    result(
        "echo-unconnected-again",
        got.len() == 1 && got[0].data == b"u",
        got.len(),
    );
}

fn states(net: &Network) {
    let sock = create_udp_socket(IpAddressFamily::Ipv4).expect("create");
    case("family-v4", Ok::<_, ErrorCode>(sock.address_family()));
    case("finish-unstarted", sock.finish_bind());
    case("stream-unbound", sock.stream(None).map(|_| ()));
    case("local-unbound", sock.local_address());
    case("remote-unbound", sock.remote_address());
    case("bind-wrong-family", sock.start_bind(net, addr("[::1]:0")));
    case("bind-multicast", sock.start_bind(net, addr("224.0.0.1:0")));
    case("bind", sock.start_bind(net, localhost(0)));
    case("local-bind-started", sock.local_address());
    case("stream-bind-started", sock.stream(None).map(|_| ()));
    case("bind-twice", sock.start_bind(net, localhost(0)));
    result("socket-ready", sock.subscribe().ready(), "not ready");
    case("finish", sock.finish_bind());
    case("finish-twice", sock.finish_bind());
    case("bind-after-bound", sock.start_bind(net, localhost(0)));
    for (name, a) in [
        ("stream-port-0", "127.0.0.1:0"),
        ("stream-unspecified", "0.0.0.0:9"),
        ("stream-multicast", "224.0.0.1:9"),
        ("stream-broadcast", "255.255.255.255:9"),
        ("stream-wrong-family", "[::1]:9"),
    ] {
        case(name, sock.stream(Some(addr(a))).map(|_| ()));
    }
    let (_inc, out) = sock.stream(None).expect("stream");
    case("send-empty", send(&out, &[]));
    for (name, to) in [
        ("send-no-address", None),
        ("send-multicast", Some(addr("224.0.0.1:9"))),
        ("send-broadcast", Some(addr("255.255.255.255:9"))),
        ("send-port-0", Some(addr("127.0.0.1:0"))),
        ("send-unspecified", Some(addr("0.0.0.0:9"))),
        ("send-wrong-family", Some(addr("[::1]:9"))),
    ] {
        case(name, send(&out, &[dg(b"x", to)]));
    }

    // IPv6: only where the host has an IPv6 loopback.
    let v6 = match create_udp_socket(IpAddressFamily::Ipv6) {
        Ok(s) => s,
        Err(e) => {
            println!("case v6: skipped (create: {})", e.name());
            return;
        }
    };
    case("family-v6", Ok::<_, ErrorCode>(v6.address_family()));
    case("v6-bind-mapped", v6.start_bind(net, addr("[::ffff:127.0.0.1]:0")));
    case("v6-bind-v4", v6.start_bind(net, localhost(0)));
    match bind(net, &v6, addr("[::1]:0")) {
        Ok(()) => {}
        Err(e) => {
            println!("case v6: skipped (bind [::1]: {})", e.name());
            return;
        }
    }
    println!("case v6: ok");
    case(
        "v6-stream-mapped",
        v6.stream(Some(addr("[::ffff:127.0.0.1]:9"))).map(|_| ()),
    );
    case("v6-stream-multicast", v6.stream(Some(addr("[ff02::1]:9"))).map(|_| ()));
    let (_i, out) = v6.stream(None).expect("v6 stream");
    case(
        "v6-send-mapped",
        send(&out, &[dg(b"x", Some(addr("[::ffff:127.0.0.1]:9")))]),
    );
}

fn options(net: &Network) {
    for family in [IpAddressFamily::Ipv4, IpAddressFamily::Ipv6] {
        let p = match family {
            IpAddressFamily::Ipv4 => "v4",
            IpAddressFamily::Ipv6 => "v6",
        };
        let sock = match create_udp_socket(family) {
            Ok(s) => s,
            Err(e) => {
                println!("case {p}: skipped (create: {})", e.name());
                continue;
            }
        };
        let hop = sock.unicast_hop_limit();
        result(&format!("{p}-hop-default"), matches!(hop, Ok(h) if h > 0), hop);
        case(&format!("{p}-hop-zero"), sock.set_unicast_hop_limit(0));
        case(&format!("{p}-hop-set"), sock.set_unicast_hop_limit(42));
        case(&format!("{p}-hop-get"), sock.unicast_hop_limit());
        for (name, get, set) in [
            (
                "rcvbuf",
                UdpSocket::receive_buffer_size as fn(&UdpSocket) -> Result<u64, ErrorCode>,
                UdpSocket::set_receive_buffer_size as fn(&UdpSocket, u64) -> Result<(), ErrorCode>,
            ),
            (
                "sndbuf",
                UdpSocket::send_buffer_size,
                UdpSocket::set_send_buffer_size,
            ),
        ] {
            let v = get(&sock);
            result(&format!("{p}-{name}-default"), matches!(v, Ok(n) if n > 0), v);
            case(&format!("{p}-{name}-zero"), set(&sock, 0));
            case(&format!("{p}-{name}-max"), set(&sock, u64::MAX));
            let v = get(&sock);
            result(&format!("{p}-{name}-after-max"), matches!(v, Ok(n) if n > 0), v);
            case(&format!("{p}-{name}-8k"), set(&sock, 8192));
            let v = get(&sock);
            result(&format!("{p}-{name}-8k-get"), matches!(v, Ok(n) if n >= 4096), v);
        }
        let local = match family {
            IpAddressFamily::Ipv4 => localhost(0),
            IpAddressFamily::Ipv6 => addr("[::1]:0"),
        };
        if let Err(e) = bind(net, &sock, local) {
            println!("case {p}-bind: {}", e.name());
            continue;
        }
        case(&format!("{p}-hop-after-bind"), sock.set_unicast_hop_limit(7));
        case(&format!("{p}-hop-get-after-bind"), sock.unicast_hop_limit());
    }
}

fn policy(net: &Network, denied: u16, allowed: u16) {
    let sock = create_udp_socket(IpAddressFamily::Ipv4).expect("create");
    case("bind-denied", sock.start_bind(net, localhost(denied)));
    case("bind-other", bind(net, &sock, localhost(0)));
    case(
        "connect-denied",
        sock.stream(Some(localhost(denied))).map(|_| ()),
    );
    case(
        "connect-allowed",
        sock.stream(Some(localhost(allowed))).map(|_| ()),
    );
    let (inc, out) = match sock.stream(None) {
        Ok(streams) => streams,
        Err(e) => {
            println!("case stream: {}", e.name());
            return;
        }
    };
    case("send-denied", send(&out, &[dg(b"d", Some(localhost(denied)))]));
    case(
        "send-partial",
        send(
            &out,
            &[
                dg(b"a", Some(localhost(allowed))),
                dg(b"d", Some(localhost(denied))),
                dg(b"a2", Some(localhost(allowed))),
            ],
        ),
    );
    let got = receive(&inc, 1, 4);
    result(
        "echo-allowed",
        got.len() == 1 && got[0].data == b"a",
        got.iter().map(|d| d.data.clone()).collect::<Vec<_>>(),
    );
}

fn refused(net: &Network, closed: u16) {
    let sock = bound(net);
    let (inc, out) = sock.stream(Some(localhost(closed))).expect("stream");
    case("send", send(&out, &[dg(b"x", None)]));
    result("readable", wait(&inc.subscribe()), "not ready within 5 s");
    case("receive", inc.receive(1).map(|v| v.len()));
    case("receive-again", inc.receive(1).map(|v| v.len()));
}

fn overpermit(net: &Network) {
    let sock = bound(net);
    let (_inc, out) = sock.stream(None).expect("stream");
    println!("sending without check-send");
    let r = out.send(&[dg(b"x", Some(localhost(9)))]);
    println!("send returned {r:?}");
}

fn drops(net: &Network, n: u64) {
    for i in 0..n {
        let sock = create_udp_socket(IpAddressFamily::Ipv4).expect("create");
        match i % 6 {
            0 => drop(sock),
            1 => {
                sock.start_bind(net, localhost(0)).expect("start-bind");
                drop(sock);
            }
            2 => {
                bind(net, &sock, localhost(0)).expect("bind");
                let p = sock.subscribe();
                drop(p);
                drop(sock);
            }
            3 => {
                bind(net, &sock, localhost(0)).expect("bind");
                let (inc, out) = sock.stream(Some(localhost(9))).expect("stream");
                let (pi, po) = (inc.subscribe(), out.subscribe());
                drop((pi, po, inc, out));
                drop(sock);
            }
            4 => {
                // The socket first, then its streams.
                bind(net, &sock, localhost(0)).expect("bind");
                let streams = sock.stream(None).expect("stream");
                drop(sock);
                drop(streams);
            }
            _ => {
                // Streams replaced by a second call, all dropped.
                bind(net, &sock, localhost(0)).expect("bind");
                let first = sock.stream(None).expect("stream");
                let second = sock.stream(Some(localhost(9))).expect("stream");
                drop((first, second, sock));
            }
        }
    }
    println!("dropped {n}");
}
