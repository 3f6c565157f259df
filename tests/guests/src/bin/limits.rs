//! The context's limits (`WasiCtxBuilder::limits`), reached by a guest.
//! Built for wasm32-wasip2 and wasm32-wasip1 (`tests/guests-p1`); the modes
//! marked 0.2 call `wasi:sockets` directly and exist only in the 0.2 build.
//!
//! - `files PATH N`: opens `PATH` up to N times, holding every file:
//!   `opened K then ERRNO` (the raw OS error of the refusal), then closes
//!   them and opens once more: `reopened`.
//! - `write PATH N`: writes N blocks of 100 bytes to a new file `PATH`
//!   with std: `wrote K then ERRNO`.
//! - `stdout N`: writes lines of 100 bytes to stdout up to N times with
//!   std: on stderr, `stdout wrote K then KIND` (the `io::ErrorKind` of the
//!   refusal, or `none`), then `still running`.
//! - `accept FD N`: accepts up to N connections from the preopened
//!   listener `FD`, holding them: `accepted K then ERRNO`.
//! - `tcp N`, `udp N` (0.2): creates up to N sockets, holding them:
//!   `tcp created K then CODE`; then drops them and creates one:
//!   `tcp again ok`.
//! - `accept-self` (0.2): a listener and a client that connects to it;
//!   `accept` with the budget spent (limit 2): `accept CODE`; with the
//!   client dropped, the queued connection is accepted: `accepted`.
//! - `send-budget LIMIT` (0.2; the context's `socket_send_bytes` is
//!   LIMIT): two connections to a listener of its own, A and B. A's first
//!   permit: `first permit P`; B's while A holds it: `second permit P
//!   ready R`; after A wrote 10 bytes: `after a write: ready R permit P`.
//!   Then A writes until a write is left to send in the background, and
//!   B's permit is smaller than LIMIT: `b's permit below the limit: true`;
//!   the peer of A reads every byte, in order: `a's bytes arrived`, and A
//!   grants again: `a grants again`.
//! - `send-nonblock FD`: accepts two connections from the preopened
//!   listener `FD`, and writes to each, non-blocking, until it would
//!   block: `a wrote K then ERRNO`, `b wrote K then ERRNO`; the bytes are
//!   `pattern` from 0.
//! - `lookups NAME N` (0.2): starts up to N lookups of NAME, holding each:
//!   `held K then CODE` (a stream whose first answer is an error), then
//!   drops them and resolves once more: `again ok` or `again CODE`.
//! - `resolve NAME N` (0.2): resolves NAME to the end N times, one after
//!   another: `resolved K then CODE`.
//!
//! Then `done` (if stdout takes it).

use std::io::Write;

fn arg(i: usize) -> String {
    std::env::args().nth(i).unwrap_or_default()
}

fn num(i: usize) -> usize {
    arg(i).parse().expect("a number")
}

pub fn main() {
    match arg(1).as_str() {
        "files" => files(&arg(2), num(3)),
        "stdout" => stdout(num(2)),
        "write" => write(&arg(2), num(3)),
        "accept" => accept(num(2), num(3)),
        "send-nonblock" => send_nonblock(num(2)),
        #[cfg(target_env = "p2")]
        other => direct::run(other),
        #[cfg(not(target_env = "p2"))]
        other => panic!("unknown mode {other}"),
    }
    // Not `println!`, which panics once stdout is closed (`stdout` mode).
    let _ = writeln!(std::io::stdout(), "done");
}

fn files(path: &str, n: usize) {
    let mut held = Vec::new();
    let mut end = "none".to_string();
    for _ in 0..n {
        match std::fs::File::open(path) {
            Ok(f) => held.push(f),
            Err(e) => {
                end = format!("{:?}", e.raw_os_error());
                break;
            }
        }
    }
    println!("opened {} then {end}", held.len());
    held.clear();
    std::fs::File::open(path).expect("open after closing");
    println!("reopened");
}

fn write(path: &str, n: usize) {
    let mut f = std::fs::File::create(path).expect("create");
    let mut wrote = 0;
    let mut end = "none".to_string();
    for _ in 0..n {
        match f.write_all(&[b'w'; 100]) {
            Ok(()) => wrote += 1,
            Err(e) => {
                end = format!("{:?}", e.raw_os_error());
                break;
            }
        }
    }
    println!("wrote {wrote} then {end}");
}

fn stdout(n: usize) {
    let line = format!("{}\n", "x".repeat(99));
    let mut out = std::io::stdout();
    let mut wrote = 0;
    let mut end = "none".to_string();
    for _ in 0..n {
        match out.write_all(line.as_bytes()).and_then(|()| out.flush()) {
            Ok(()) => wrote += 1,
            Err(e) => {
                end = format!("{:?}", e.kind());
                break;
            }
        }
    }
    eprintln!("stdout wrote {wrote} then {end}");
    eprintln!("still running");
}

fn accept(fd: usize, n: usize) {
    use std::os::fd::FromRawFd;
    let fd = i32::try_from(fd).expect("a descriptor");
    // SAFETY: the host preopened a listener as `fd`, owned by no one else
    // in this program.
    let listener = unsafe { std::net::TcpListener::from_raw_fd(fd) };
    let mut held = Vec::new();
    let mut end = "none".to_string();
    for _ in 0..n {
        match listener.accept() {
            Ok((s, _)) => held.push(s),
            Err(e) => {
                end = format!("{:?}", e.raw_os_error());
                break;
            }
        }
    }
    println!("accepted {} then {end}", held.len());
}

/// The byte at `offset` of what the `send-*` modes write.
fn pattern(offset: usize) -> u8 {
    (offset % 251) as u8
}

fn send_nonblock(fd: usize) {
    use std::io::ErrorKind;
    use std::os::fd::FromRawFd;
    let fd = i32::try_from(fd).expect("a descriptor");
    // SAFETY: as in `accept`.
    let listener = unsafe { std::net::TcpListener::from_raw_fd(fd) };
    let a = listener.accept().expect("accept a").0;
    let b = listener.accept().expect("accept b").0;
    for (name, mut s) in [("a", &a), ("b", &b)] {
        s.set_nonblocking(true).expect("non-blocking");
        let mut wrote = 0;
        let end = loop {
            let chunk: Vec<u8> = (wrote..wrote + (64 << 10)).map(pattern).collect();
            match s.write(&chunk) {
                Ok(n) => wrote += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => break format!("{:?}", e.raw_os_error()),
            }
            assert!(wrote < 1 << 30, "the peer never stopped taking bytes");
        };
        println!("{name} wrote {wrote} then {end}");
    }
}

#[cfg(target_env = "p2")]
mod direct {
    use super::{arg, num, pattern};
    use wasip2::io::poll::Pollable;
    use wasip2::io::streams::{InputStream, OutputStream};
    use wasip2::sockets::instance_network::instance_network;
    use wasip2::sockets::ip_name_lookup::{ResolveAddressStream, resolve_addresses};
    use wasip2::sockets::network::{
        ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Network,
    };
    use wasip2::sockets::tcp::TcpSocket;
    use wasip2::sockets::tcp_create_socket::create_tcp_socket;
    use wasip2::sockets::udp_create_socket::create_udp_socket;

    pub fn run(mode: &str) {
        let net = instance_network();
        match mode {
            "tcp" | "udp" => sockets(mode, num(2)),
            "accept-self" => accept_self(&net),
            "send-budget" => send_budget(&net, num(2)),
            "lookups" => lookups(&net, &arg(2), num(3)),
            "resolve" => resolve_many(&net, &arg(2), num(3)),
            other => panic!("unknown mode {other}"),
        }
    }

    fn create(kind: &str) -> Result<Box<dyn std::any::Any>, ErrorCode> {
        let v4 = IpAddressFamily::Ipv4;
        Ok(match kind {
            "tcp" => Box::new(create_tcp_socket(v4)?),
            _ => Box::new(create_udp_socket(v4)?),
        })
    }

    fn sockets(kind: &str, n: usize) {
        let mut held = Vec::new();
        let mut end = "none".to_string();
        for _ in 0..n {
            match create(kind) {
                Ok(s) => held.push(s),
                Err(e) => {
                    end = e.name().to_string();
                    break;
                }
            }
        }
        println!("{kind} created {} then {end}", held.len());
        held.clear();
        match create(kind) {
            Ok(_) => println!("{kind} again ok"),
            Err(e) => println!("{kind} again {}", e.name()),
        }
    }

    /// Calls `f` until it stops answering `would-block`, waiting on
    /// `pollable` in between.
    fn finish<T>(
        pollable: &Pollable,
        mut f: impl FnMut() -> Result<T, ErrorCode>,
    ) -> Result<T, ErrorCode> {
        for _ in 0..1000 {
            match f() {
                Err(ErrorCode::WouldBlock) => pollable.block(),
                r => return r,
            }
        }
        panic!("still would-block after 1000 waits");
    }

    /// A listener on 127.0.0.1 and its address.
    fn listen(net: &Network) -> (TcpSocket, IpSocketAddress) {
        let any = IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port: 0,
            address: (127, 0, 0, 1),
        });
        let listener = create_tcp_socket(IpAddressFamily::Ipv4).expect("create the listener");
        listener.start_bind(net, any).expect("bind");
        finish(&listener.subscribe(), || listener.finish_bind()).expect("bind");
        listener.start_listen().expect("listen");
        finish(&listener.subscribe(), || listener.finish_listen()).expect("listen");
        let addr = listener.local_address().expect("address");
        (listener, addr)
    }

    /// A client connected to `addr`, and its streams.
    fn connect(net: &Network, addr: IpSocketAddress) -> (TcpSocket, (InputStream, OutputStream)) {
        let client = create_tcp_socket(IpAddressFamily::Ipv4).expect("create the client");
        client.start_connect(net, addr).expect("connect");
        let streams = finish(&client.subscribe(), || client.finish_connect()).expect("connect");
        (client, streams)
    }

    fn send_budget(net: &Network, limit: usize) {
        let (listener, addr) = listen(net);
        let (a_socket, (_, a)) = connect(net, addr);
        let (peer_a_socket, peer_a, _) =
            finish(&listener.subscribe(), || listener.accept()).expect("accept a");
        let (b_socket, (_, b)) = connect(net, addr);
        let peer_b = finish(&listener.subscribe(), || listener.accept()).expect("accept b");
        let permit = |s: &OutputStream| s.check_write().expect("check-write");

        println!("first permit {}", permit(&a));
        let second = permit(&b);
        println!("second permit {second} ready {}", b.subscribe().ready());
        a.write(&[7; 10]).expect("write");
        let ready = b.subscribe().ready();
        println!("after a write: ready {ready} permit {}", permit(&b));

        // A's permit is below the limit now: B holds 10 of it.
        let mut sent = 10;
        loop {
            let n = permit(&a) as usize;
            if n == 0 {
                break;
            }
            let chunk: Vec<u8> = (sent..sent + n).map(pattern).collect();
            a.write(&chunk).expect("write");
            sent += n;
            assert!(sent < 1 << 30, "the kernel never stopped taking bytes");
        }
        println!(
            "b's permit below the limit: {}",
            (permit(&b) as usize) < limit
        );

        let mut got = 0;
        while got < sent {
            let bytes = peer_a.blocking_read(64 << 10).expect("read");
            for (k, byte) in bytes.iter().enumerate() {
                let want = if got + k < 10 { 7 } else { pattern(got + k) };
                assert_eq!(*byte, want, "byte {} of {sent}", got + k);
            }
            got += bytes.len();
        }
        println!("a's bytes arrived");
        a.subscribe().block();
        assert!(permit(&a) > 0);
        println!("a grants again");
        // Children before their sockets.
        drop((a, b, peer_a));
        drop((a_socket, b_socket, peer_a_socket));
        close(peer_b);
    }

    fn accept_self(net: &Network) {
        let (listener, addr) = listen(net);
        let (client, streams) = connect(net, addr);
        match listener.accept() {
            Ok(accepted) => {
                close(accepted);
                println!("accept ok")
            }
            Err(e) => println!("accept {}", e.name()),
        }
        drop(streams);
        drop(client);
        // A statement (`;` below), so that its pollable goes before the
        // listener does.
        match finish(&listener.subscribe(), || listener.accept()) {
            Ok(accepted) => {
                close(accepted);
                println!("accepted")
            }
            Err(e) => println!("accepted {}", e.name()),
        };
    }

    /// Drops an accepted connection, its streams (the socket's children)
    /// first.
    fn close((socket, input, output): (TcpSocket, InputStream, OutputStream)) {
        drop((input, output));
        drop(socket);
    }

    /// The first answer of `stream` that is not `would-block`.
    fn first(stream: &ResolveAddressStream) -> Result<(), ErrorCode> {
        finish(&stream.subscribe(), || stream.resolve_next_address()).map(|_| ())
    }

    fn lookups(net: &Network, name: &str, n: usize) {
        let mut held = Vec::new();
        let mut end = "none".to_string();
        for _ in 0..n {
            let stream = resolve_addresses(net, name).expect("resolve-addresses");
            match stream.resolve_next_address() {
                Err(ErrorCode::WouldBlock) | Ok(_) => held.push(stream),
                Err(e) => {
                    end = e.name().to_string();
                    break;
                }
            }
        }
        println!("held {} then {end}", held.len());
        held.clear();
        let stream = resolve_addresses(net, name).expect("resolve-addresses");
        match first(&stream) {
            Ok(()) => println!("again ok"),
            Err(e) => println!("again {}", e.name()),
        }
    }

    fn resolve_many(net: &Network, name: &str, n: usize) {
        let mut done = 0;
        let mut end = "none".to_string();
        for _ in 0..n {
            let stream = resolve_addresses(net, name).expect("resolve-addresses");
            match first(&stream) {
                Ok(()) => done += 1,
                Err(e) => {
                    end = e.name().to_string();
                    break;
                }
            }
        }
        println!("resolved {done} then {end}");
    }
}
