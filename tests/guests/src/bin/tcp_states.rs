//! The TCP state machine of `wasi:sockets/tcp`, through direct calls: every
//! state, every transition, the `invalid-state`/`not-in-progress`/
//! `concurrency-conflict` answers of calls in the wrong state, address
//! validation, every option's validation, `subscribe` readiness, shutdown,
//! and a connection to itself (listen, connect, accept, transfer).
//!
//! Usage: `tcp_states v4 REFUSED_PORT` or `tcp_states v6 REFUSED_PORT`,
//! where nothing listens on REFUSED_PORT of the loopback address. Prints
//! one `case <name>: <result>` line per check (`ok`, `ok <value>` or the
//! error code) and `done` at the end; the host test compares them.
use wasip2::io::poll::Pollable;
use wasip2::io::streams::{InputStream, OutputStream, StreamError};
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress, Network,
};
use wasip2::sockets::tcp::{ShutdownType, TcpSocket};
use wasip2::sockets::tcp_create_socket::create_tcp_socket;

/// Waits on a pollable at most this many times in one loop.
const MAX_WAITS: usize = 10_000;

fn show<T: std::fmt::Debug>(name: &str, r: &Result<T, ErrorCode>) {
    match r {
        Ok(v) => println!("case {name}: ok {v:?}"),
        Err(e) => println!("case {name}: {}", e.name()),
    }
}

fn case<T: std::fmt::Debug>(name: &str, r: Result<T, ErrorCode>) -> Option<T> {
    show(name, &r);
    r.ok()
}

fn v4(a: (u8, u8, u8, u8), port: u16) -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address: a })
}

fn v6(a: [u16; 8], port: u16) -> IpSocketAddress {
    IpSocketAddress::Ipv6(Ipv6SocketAddress {
        port,
        flow_info: 0,
        address: (a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7]),
        scope_id: 0,
    })
}

/// Whether two addresses are both there and equal.
fn same(a: Option<IpSocketAddress>, b: Option<IpSocketAddress>) -> bool {
    a.is_some() && format!("{a:?}") == format!("{b:?}")
}

fn port_of(a: &IpSocketAddress) -> u16 {
    match a {
        IpSocketAddress::Ipv4(a) => a.port,
        IpSocketAddress::Ipv6(a) => a.port,
    }
}

/// Calls `finish` until it stops answering `would-block`, waiting on the
/// socket's pollable in between.
fn finish<T>(
    pollable: &Pollable,
    mut finish: impl FnMut() -> Result<T, ErrorCode>,
) -> Result<T, ErrorCode> {
    for _ in 0..MAX_WAITS {
        match finish() {
            Err(ErrorCode::WouldBlock) => pollable.block(),
            r => return r,
        }
    }
    panic!("still would-block after {MAX_WAITS} waits");
}

fn bind(s: &TcpSocket, net: &Network, addr: IpSocketAddress) -> Result<(), ErrorCode> {
    s.start_bind(net, addr)?;
    finish(&s.subscribe(), || s.finish_bind())
}

fn listen(s: &TcpSocket) -> Result<(), ErrorCode> {
    s.start_listen()?;
    finish(&s.subscribe(), || s.finish_listen())
}

fn connect(
    s: &TcpSocket,
    net: &Network,
    addr: IpSocketAddress,
) -> Result<(InputStream, OutputStream), ErrorCode> {
    s.start_connect(net, addr)?;
    finish(&s.subscribe(), || s.finish_connect())
}

fn write_all(out: &OutputStream, mut data: &[u8]) {
    let pollable = out.subscribe();
    while !data.is_empty() {
        let permit = out.check_write().expect("check-write") as usize;
        if permit == 0 {
            pollable.block();
            continue;
        }
        let n = permit.min(data.len());
        out.write(&data[..n]).expect("write");
        data = &data[n..];
    }
    out.blocking_flush().expect("flush");
}

/// Reads until `len` bytes arrived or the stream ends.
fn read_exact(input: &InputStream, len: usize) -> Result<Vec<u8>, String> {
    let mut got = Vec::new();
    while got.len() < len {
        match input.blocking_read((len - got.len()) as u64) {
            Ok(bytes) => got.extend(bytes),
            Err(StreamError::Closed) => return Err("closed".into()),
            Err(StreamError::LastOperationFailed(e)) => return Err(e.to_debug_string()),
        }
    }
    Ok(got)
}

/// What reading shows after the peer stopped sending: `closed`, or the
/// failure.
fn read_end(input: &InputStream) -> String {
    for _ in 0..MAX_WAITS {
        match input.blocking_read(100) {
            Ok(bytes) if bytes.is_empty() => continue,
            Ok(bytes) => return format!("data {}", bytes.len()),
            Err(StreamError::Closed) => return "closed".into(),
            Err(StreamError::LastOperationFailed(e)) => return e.to_debug_string(),
        }
    }
    "no end".into()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let ipv6 = args.get(1).map(String::as_str) == Some("v6");
    let refused_port: u16 = args[2].parse().expect("REFUSED_PORT");
    let (family, other_family) = if ipv6 {
        (IpAddressFamily::Ipv6, IpAddressFamily::Ipv4)
    } else {
        (IpAddressFamily::Ipv4, IpAddressFamily::Ipv6)
    };
    let loopback = |port| {
        if ipv6 {
            v6([0, 0, 0, 0, 0, 0, 0, 1], port)
        } else {
            v4((127, 0, 0, 1), port)
        }
    };
    let unspecified = |port| {
        if ipv6 {
            v6([0; 8], port)
        } else {
            v4((0, 0, 0, 0), port)
        }
    };
    let multicast = |port| {
        if ipv6 {
            v6([0xff02, 0, 0, 0, 0, 0, 0, 1], port)
        } else {
            v4((224, 0, 0, 1), port)
        }
    };
    let wrong_family = |port| {
        if ipv6 {
            v4((127, 0, 0, 1), port)
        } else {
            v6([0, 0, 0, 0, 0, 0, 0, 1], port)
        }
    };
    let net = instance_network();

    // --- unbound
    let s = create_tcp_socket(family).expect("create");
    case(
        "create other family",
        create_tcp_socket(other_family).map(|_| ()),
    );
    println!(
        "case address-family: ok {}",
        if s.address_family() == family {
            "same"
        } else {
            "other"
        }
    );
    case("unbound local-address", s.local_address());
    case("unbound remote-address", s.remote_address());
    case("unbound start-listen", s.start_listen());
    case("unbound accept", s.accept().map(|_| ()));
    case("unbound finish-bind", s.finish_bind());
    case("unbound finish-connect", s.finish_connect().map(|_| ()));
    case("unbound finish-listen", s.finish_listen());
    case("unbound shutdown", s.shutdown(ShutdownType::Both));
    println!("case unbound is-listening: ok {}", s.is_listening());
    println!("case unbound ready: ok {}", s.subscribe().ready());

    // --- bind: address validation
    case("bind wrong family", s.start_bind(&net, wrong_family(0)));
    case("bind multicast", s.start_bind(&net, multicast(0)));
    if ipv6 {
        case(
            "bind ipv4-mapped",
            s.start_bind(&net, v6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1], 0)),
        );
    } else {
        case(
            "bind broadcast",
            s.start_bind(&net, v4((255, 255, 255, 255), 0)),
        );
    }
    let not_local = if ipv6 {
        v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 0)
    } else {
        v4((192, 0, 2, 1), 0)
    };
    case("bind not local", bind(&s, &net, not_local));

    // --- bind-in-progress, bound
    case("start-bind", s.start_bind(&net, loopback(0)));
    case(
        "bind-in-progress start-bind",
        s.start_bind(&net, loopback(0)),
    );
    case("bind-in-progress local-address", s.local_address());
    case("finish-bind", finish(&s.subscribe(), || s.finish_bind()));
    case("bound finish-bind", s.finish_bind());
    case("bound start-bind", s.start_bind(&net, loopback(0)));
    let local = s.local_address().expect("local-address");
    println!("case bound port: ok {}", port_of(&local) != 0);
    case("bound remote-address", s.remote_address());
    case("bound accept", s.accept().map(|_| ()));
    case("bound shutdown", s.shutdown(ShutdownType::Both));
    println!("case bound is-listening: ok {}", s.is_listening());

    // --- listen-in-progress, listening
    case("set-listen-backlog-size 0", s.set_listen_backlog_size(0));
    case("set-listen-backlog-size 10", s.set_listen_backlog_size(10));
    case("start-listen", s.start_listen());
    case("listen-in-progress start-listen", s.start_listen());
    case(
        "listen-in-progress start-connect",
        s.start_connect(&net, loopback(1)),
    );
    case(
        "finish-listen",
        finish(&s.subscribe(), || s.finish_listen()),
    );
    case("listening finish-listen", s.finish_listen());
    println!("case listening is-listening: ok {}", s.is_listening());
    case("listening start-listen", s.start_listen());
    case("listening start-bind", s.start_bind(&net, loopback(0)));
    case(
        "listening start-connect",
        s.start_connect(&net, loopback(1)),
    );
    case("listening remote-address", s.remote_address());
    case("listening shutdown", s.shutdown(ShutdownType::Both));
    case("listening accept", s.accept().map(|_| ()));
    println!("case listening ready: ok {}", s.subscribe().ready());
    case(
        "listening set-listen-backlog-size",
        s.set_listen_backlog_size(u64::MAX),
    );
    // Another socket on the port of a listening one.
    let t = create_tcp_socket(family).expect("create");
    case("bind in use", bind(&t, &net, loopback(port_of(&local))));
    drop(t);
    println!(
        "case listening local-address: ok {}",
        same(s.local_address().ok(), Some(local))
    );

    // --- connect: address validation on a fresh socket
    let c = create_tcp_socket(family).expect("create");
    case(
        "connect wrong family",
        c.start_connect(&net, wrong_family(port_of(&local))),
    );
    case(
        "connect unspecified",
        c.start_connect(&net, unspecified(port_of(&local))),
    );
    case("connect port 0", c.start_connect(&net, loopback(0)));
    case(
        "connect multicast",
        c.start_connect(&net, multicast(port_of(&local))),
    );
    if ipv6 {
        case(
            "connect ipv4-mapped",
            c.start_connect(
                &net,
                v6([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1], port_of(&local)),
            ),
        );
    } else {
        case(
            "connect broadcast",
            c.start_connect(&net, v4((255, 255, 255, 255), 80)),
        );
    }

    // --- connect-in-progress, connected
    let pollable = c.subscribe();
    case("start-connect", c.start_connect(&net, local));
    case(
        "connect-in-progress start-connect",
        c.start_connect(&net, local),
    );
    case(
        "connect-in-progress start-bind",
        c.start_bind(&net, loopback(0)),
    );
    case("connect-in-progress start-listen", c.start_listen());
    case(
        "connect-in-progress set-listen-backlog-size",
        c.set_listen_backlog_size(5),
    );
    let (c_in, c_out) = finish(&pollable, || c.finish_connect()).expect("finish-connect");
    println!("case finish-connect: ok");
    case("connected finish-connect", c.finish_connect().map(|_| ()));
    case("connected start-connect", c.start_connect(&net, local));
    case("connected start-bind", c.start_bind(&net, loopback(0)));
    case("connected start-listen", c.start_listen());
    case("connected accept", c.accept().map(|_| ()));
    case(
        "connected set-listen-backlog-size",
        c.set_listen_backlog_size(5),
    );
    println!("case connected is-listening: ok {}", c.is_listening());
    println!("case connected ready: ok {}", pollable.ready());
    println!(
        "case connected remote-address: ok {}",
        same(c.remote_address().ok(), Some(local))
    );

    // --- accept
    let (a, a_in, a_out) = finish(&s.subscribe(), || s.accept()).expect("accept");
    println!("case accept: ok");
    println!(
        "case accepted address-family: ok {}",
        if a.address_family() == family {
            "same"
        } else {
            "other"
        }
    );
    println!("case accepted is-listening: ok {}", a.is_listening());
    println!(
        "case accepted addresses: ok {}",
        same(a.remote_address().ok(), c.local_address().ok())
            && same(a.local_address().ok(), c.remote_address().ok())
    );
    case("accepted start-listen", a.start_listen());
    case("accepted accept again", s.accept().map(|_| ()));

    // --- data both ways
    let msg: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
    write_all(&c_out, &msg);
    println!(
        "case client to server: ok {}",
        read_exact(&a_in, msg.len())
            .map(|d| d == msg)
            .unwrap_or(false)
    );
    write_all(&a_out, b"pong");
    println!(
        "case server to client: ok {}",
        read_exact(&c_in, 4).map(|d| d == b"pong").unwrap_or(false)
    );
    // A small send buffer, so the kernel takes the zeroes in parts.
    a.set_send_buffer_size(4096).expect("set-send-buffer-size");
    let permit = a_out.check_write().expect("check-write").min(200_000);
    a_out.write_zeroes(permit).expect("write-zeroes");
    let zeroes = read_exact(&c_in, permit as usize);
    a_out
        .blocking_write_zeroes_and_flush(4096)
        .expect("blocking-write-zeroes-and-flush");
    let more = read_exact(&c_in, 4096);
    println!(
        "case write-zeroes: ok {}",
        zeroes.is_ok_and(|d| d.iter().all(|&b| b == 0))
            && more.is_ok_and(|d| d.iter().all(|&b| b == 0))
    );
    case("read 0 bytes", c_in.read(0).map_err(|_| ErrorCode::Unknown));

    // --- shutdown
    case("shutdown send", c.shutdown(ShutdownType::Send));
    case("shutdown send again", c.shutdown(ShutdownType::Send));
    println!(
        "case after shutdown send, peer reads: ok {}",
        read_end(&a_in)
    );
    println!(
        "case after shutdown send, check-write: ok {}",
        match c_out.check_write() {
            Err(StreamError::Closed) => "closed".to_string(),
            other => format!("{other:?}"),
        }
    );
    case("shutdown receive", c.shutdown(ShutdownType::Receive));
    println!(
        "case after shutdown receive, read: ok {}",
        match c_in.read(10) {
            Err(StreamError::Closed) => "closed".to_string(),
            other => format!("{other:?}"),
        }
    );
    case("shutdown both", a.shutdown(ShutdownType::Both));
    drop((c_in, c_out, pollable, c));
    drop((a_in, a_out, a));

    // --- a peer reset: the peer closes with unread data (the kernel then
    // resets the connection), and reads fail with `connection-reset`
    let c2 = create_tcp_socket(family).expect("create");
    let (c2_in, c2_out) = connect(&c2, &net, local).expect("connect");
    let (a2, a2_in, a2_out) = finish(&s.subscribe(), || s.accept()).expect("accept");
    write_all(&c2_out, b"never read");
    a2_in.subscribe().block();
    drop((a2_in, a2_out, a2));
    println!(
        "case read after a peer reset: ok {}",
        match read_end(&c2_in) {
            text if text.contains("connection-reset") => "connection-reset".to_string(),
            other => other,
        }
    );
    drop((c2_in, c2_out, c2));

    // --- options, on a fresh socket
    let o = create_tcp_socket(family).expect("create");
    case(
        "set-keep-alive-enabled true",
        o.set_keep_alive_enabled(true),
    );
    case("keep-alive-enabled", o.keep_alive_enabled());
    case(
        "set-keep-alive-enabled false",
        o.set_keep_alive_enabled(false),
    );
    case("keep-alive-enabled after false", o.keep_alive_enabled());
    case("set-keep-alive-idle-time 0", o.set_keep_alive_idle_time(0));
    case(
        "set-keep-alive-idle-time 1ns",
        o.set_keep_alive_idle_time(1),
    );
    case("keep-alive-idle-time", o.keep_alive_idle_time());
    case(
        "set-keep-alive-idle-time max",
        o.set_keep_alive_idle_time(u64::MAX),
    );
    case("keep-alive-idle-time max", o.keep_alive_idle_time());
    case("set-keep-alive-interval 0", o.set_keep_alive_interval(0));
    case(
        "set-keep-alive-interval 2s",
        o.set_keep_alive_interval(2_000_000_000),
    );
    case("keep-alive-interval", o.keep_alive_interval());
    case(
        "set-keep-alive-interval max",
        o.set_keep_alive_interval(u64::MAX),
    );
    case("set-keep-alive-count 0", o.set_keep_alive_count(0));
    case("set-keep-alive-count 5", o.set_keep_alive_count(5));
    case("keep-alive-count", o.keep_alive_count());
    case("set-keep-alive-count max", o.set_keep_alive_count(u32::MAX));
    case("set-hop-limit 0", o.set_hop_limit(0));
    case("set-hop-limit 42", o.set_hop_limit(42));
    case("hop-limit", o.hop_limit());
    case("set-receive-buffer-size 0", o.set_receive_buffer_size(0));
    case(
        "set-receive-buffer-size 64k",
        o.set_receive_buffer_size(1 << 16),
    );
    println!(
        "case receive-buffer-size: ok {}",
        o.receive_buffer_size().map(|n| n > 0).unwrap_or(false)
    );
    case(
        "set-receive-buffer-size max",
        o.set_receive_buffer_size(u64::MAX),
    );
    case("set-send-buffer-size 0", o.set_send_buffer_size(0));
    case("set-send-buffer-size 64k", o.set_send_buffer_size(1 << 16));
    println!(
        "case send-buffer-size: ok {}",
        o.send_buffer_size().map(|n| n > 0).unwrap_or(false)
    );
    case("set-send-buffer-size max", o.set_send_buffer_size(u64::MAX));
    case(
        "set-listen-backlog-size max",
        o.set_listen_backlog_size(u64::MAX),
    );
    drop(o);

    // --- a refused connection ends in `closed`
    let r = create_tcp_socket(family).expect("create");
    case(
        "connect refused",
        connect(&r, &net, loopback(refused_port)).map(|_| ()),
    );
    case("closed local-address", r.local_address());
    case(
        "closed start-connect",
        r.start_connect(&net, loopback(refused_port)),
    );
    case("closed start-bind", r.start_bind(&net, loopback(0)));
    case("closed keep-alive-enabled", r.keep_alive_enabled());
    case("closed finish-connect", r.finish_connect().map(|_| ()));
    println!("case closed ready: ok {}", r.subscribe().ready());
    drop(r);

    drop(s);
    println!("done");
}
