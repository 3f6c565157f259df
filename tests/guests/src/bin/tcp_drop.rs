//! Drops TCP sockets in every state, including with a connect or accept
//! pending, and opens and drops many sockets, so the host test can check
//! that nothing stays behind.
//!
//! Usage: `tcp_drop PENDING_ADDR PORT N` where a connect to PENDING_ADDR
//! (an IPv4 loopback address) never completes (the host's policy check
//! never answers for it), PORT is a host listener on 127.0.0.1, and N is
//! how many sockets to open and drop per state. Prints `dropped <state>`
//! lines and `done`.
use wasip2::io::poll::poll;
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::{ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};
use wasip2::sockets::tcp::TcpSocket;
use wasip2::sockets::tcp_create_socket::create_tcp_socket;

fn addr(text: &str) -> IpSocketAddress {
    let sa: std::net::SocketAddrV4 = text.parse().expect("an IPv4 socket address");
    let [a, b, c, d] = sa.ip().octets();
    IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port: sa.port(),
        address: (a, b, c, d),
    })
}

fn socket() -> TcpSocket {
    create_tcp_socket(IpAddressFamily::Ipv4).expect("create (a socket was not released?)")
}

fn finish<T>(s: &TcpSocket, mut f: impl FnMut() -> Result<T, ErrorCode>) -> T {
    let pollable = s.subscribe();
    for _ in 0..10_000 {
        match f() {
            Err(ErrorCode::WouldBlock) => pollable.block(),
            r => return r.expect("finish"),
        }
    }
    panic!("would-block forever")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let pending = addr(&args[1]);
    let port: u16 = args[2].parse().expect("PORT");
    let n: usize = args[3].parse().expect("N");
    let net = instance_network();
    let any = addr("127.0.0.1:0");
    let peer = addr(&format!("127.0.0.1:{port}"));

    for _ in 0..n {
        drop(socket());
    }
    println!("dropped unbound");

    for _ in 0..n {
        let s = socket();
        s.start_bind(&net, any).expect("start-bind");
        drop(s);
    }
    println!("dropped bind-in-progress");

    for _ in 0..n {
        let s = socket();
        s.start_bind(&net, any).expect("start-bind");
        finish(&s, || s.finish_bind());
        drop(s);
    }
    println!("dropped bound");

    for _ in 0..n {
        let s = socket();
        s.start_bind(&net, any).expect("start-bind");
        finish(&s, || s.finish_bind());
        s.start_listen().expect("start-listen");
        drop(s);
    }
    println!("dropped listen-in-progress");

    // Listening with an accept pending: a pollable waited on (with a
    // clock that fires first), then everything dropped.
    for _ in 0..n {
        let s = socket();
        s.start_bind(&net, any).expect("start-bind");
        finish(&s, || s.finish_bind());
        s.start_listen().expect("start-listen");
        finish(&s, || s.finish_listen());
        assert_eq!(s.accept().err(), Some(ErrorCode::WouldBlock));
        let pollable = s.subscribe();
        let timeout = wasip2::clocks::monotonic_clock::subscribe_duration(0);
        poll(&[&pollable, &timeout]);
        drop((pollable, timeout, s));
    }
    println!("dropped listening");

    // Connect pending forever (the policy never answers).
    for _ in 0..n.min(1000) {
        let s = socket();
        s.start_connect(&net, pending).expect("start-connect");
        assert_eq!(s.finish_connect().err(), Some(ErrorCode::WouldBlock));
        let pollable = s.subscribe();
        let timeout = wasip2::clocks::monotonic_clock::subscribe_duration(0);
        poll(&[&pollable, &timeout]);
        drop((pollable, timeout, s));
    }
    println!("dropped connect-in-progress");

    for _ in 0..n.min(2000) {
        let s = socket();
        s.start_connect(&net, peer).expect("start-connect");
        let (input, output) = finish(&s, || s.finish_connect());
        drop((s, input, output));
    }
    println!("dropped connected");

    // Refused: by `start-connect` at once, or by `finish-connect`.
    let s = socket();
    let _ = s.start_connect(&net, addr("127.0.0.1:1"));
    let pollable = s.subscribe();
    for _ in 0..10_000 {
        match s.finish_connect() {
            Err(ErrorCode::WouldBlock) => pollable.block(),
            Ok(_) => panic!("a connect to port 1 succeeded"),
            Err(_) => break,
        }
    }
    drop((pollable, s));
    println!("dropped closed");
    println!("done");
}
