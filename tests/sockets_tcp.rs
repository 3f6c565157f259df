//! TCP (`wasi:sockets/tcp`) from guests, in every mode, against peers on
//! the loopback interface: the state machine and its errors
//! (`tcp_states`), std programs (`tcp_std`: echo, 64 MiB both ways, a
//! server, an HTTP client, a peer reset, policy denials), and dropping
//! sockets in every state (`tcp_drop`). Every peer runs on a host thread;
//! every loop is bounded, and nothing asserts on time.

use crate::common;
use common::{Mode, Run, check_cases, guests};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread::{self, JoinHandle};
use std::time::Duration;

const OK: &[&str] = &["ok"];
const INVALID_STATE: &[&str] = &["invalid-state"];
const NOT_IN_PROGRESS: &[&str] = &["not-in-progress"];
const CONFLICT: &[&str] = &["concurrency-conflict"];
const INVALID_ARGUMENT: &[&str] = &["invalid-argument"];

/// A run with TCP allowed to any address.
fn tcp_run(wasm: &str) -> Run {
    Run::new(wasm).configure(|b| {
        b.allow_tcp(true).inherit_network();
    })
}

/// A port on `ip` that nothing listens on (a listener's port, closed again).
fn refused_port(ip: &str) -> u16 {
    let l = TcpListener::bind((ip, 0)).expect("bind a free port");
    l.local_addr().unwrap().port()
}

/// Whether the machine has an IPv6 loopback interface.
fn have_ipv6() -> bool {
    TcpListener::bind("[::1]:0").is_ok()
}

/// The expected cases of `tcp_states` for one family.
fn state_cases(ipv6: bool) -> Vec<(&'static str, &'static [&'static str])> {
    let mut e: Vec<(&str, &[&str])> = vec![
        ("create other family", OK),
        ("address-family", &["ok same"]),
        ("unbound local-address", INVALID_STATE),
        ("unbound remote-address", INVALID_STATE),
        ("unbound start-listen", INVALID_STATE),
        ("unbound accept", INVALID_STATE),
        ("unbound finish-bind", NOT_IN_PROGRESS),
        ("unbound finish-connect", NOT_IN_PROGRESS),
        ("unbound finish-listen", NOT_IN_PROGRESS),
        ("unbound shutdown", INVALID_STATE),
        ("unbound is-listening", &["ok false"]),
        ("unbound ready", &["ok true"]),
        ("bind wrong family", INVALID_ARGUMENT),
        ("bind multicast", INVALID_ARGUMENT),
        ("bind not local", &["address-not-bindable"]),
        ("start-bind", OK),
        ("bind-in-progress start-bind", CONFLICT),
        ("bind-in-progress local-address", INVALID_STATE),
        ("finish-bind", OK),
        ("bound finish-bind", NOT_IN_PROGRESS),
        ("bound start-bind", INVALID_STATE),
        ("bound port", &["ok true"]),
        ("bound remote-address", INVALID_STATE),
        ("bound accept", INVALID_STATE),
        ("bound shutdown", INVALID_STATE),
        ("bound is-listening", &["ok false"]),
        ("set-listen-backlog-size 0", INVALID_ARGUMENT),
        ("set-listen-backlog-size 10", OK),
        ("start-listen", OK),
        ("listen-in-progress start-listen", CONFLICT),
        ("listen-in-progress start-connect", CONFLICT),
        ("finish-listen", OK),
        ("listening finish-listen", NOT_IN_PROGRESS),
        ("listening is-listening", &["ok true"]),
        ("listening start-listen", INVALID_STATE),
        ("listening start-bind", INVALID_STATE),
        ("listening start-connect", INVALID_STATE),
        ("listening remote-address", INVALID_STATE),
        ("listening shutdown", INVALID_STATE),
        ("listening accept", &["would-block"]),
        ("listening ready", &["ok false"]),
        ("listening set-listen-backlog-size", OK),
        ("bind in use", &["address-in-use"]),
        ("listening local-address", &["ok true"]),
        ("connect wrong family", INVALID_ARGUMENT),
        ("connect unspecified", INVALID_ARGUMENT),
        ("connect port 0", INVALID_ARGUMENT),
        ("connect multicast", INVALID_ARGUMENT),
        ("start-connect", OK),
        ("connect-in-progress start-connect", CONFLICT),
        ("connect-in-progress start-bind", CONFLICT),
        ("connect-in-progress start-listen", CONFLICT),
        ("connect-in-progress set-listen-backlog-size", INVALID_STATE),
        ("finish-connect", OK),
        ("connected finish-connect", NOT_IN_PROGRESS),
        ("connected start-connect", INVALID_STATE),
        ("connected start-bind", INVALID_STATE),
        ("connected start-listen", INVALID_STATE),
        ("connected accept", INVALID_STATE),
        ("connected set-listen-backlog-size", INVALID_STATE),
        ("connected is-listening", &["ok false"]),
        ("connected ready", &["ok true"]),
        ("connected remote-address", &["ok true"]),
        ("accept", OK),
        ("accepted address-family", &["ok same"]),
        ("accepted is-listening", &["ok false"]),
        ("accepted addresses", &["ok true"]),
        ("accepted start-listen", INVALID_STATE),
        ("accepted accept again", &["would-block"]),
        ("client to server", &["ok true"]),
        ("server to client", &["ok true"]),
        ("write-zeroes", &["ok true"]),
        ("read 0 bytes", &["ok []"]),
        ("shutdown send", OK),
        ("shutdown send again", OK),
        ("after shutdown send, peer reads", &["ok closed"]),
        ("after shutdown send, check-write", &["ok closed"]),
        ("shutdown receive", OK),
        ("after shutdown receive, read", &["ok closed"]),
        ("shutdown both", OK),
        ("set-keep-alive-enabled true", OK),
        ("keep-alive-enabled", &["ok true"]),
        ("set-keep-alive-enabled false", OK),
        ("keep-alive-enabled after false", &["ok false"]),
        ("set-keep-alive-idle-time 0", INVALID_ARGUMENT),
        ("set-keep-alive-idle-time 1ns", OK),
        ("keep-alive-idle-time", &["ok 1000000000"]),
        ("set-keep-alive-idle-time max", OK),
        ("keep-alive-idle-time max", &["ok 32767000000000"]),
        ("set-keep-alive-interval 0", INVALID_ARGUMENT),
        ("set-keep-alive-interval 2s", OK),
        ("keep-alive-interval", &["ok 2000000000"]),
        ("set-keep-alive-interval max", OK),
        ("set-keep-alive-count 0", INVALID_ARGUMENT),
        ("set-keep-alive-count 5", OK),
        ("keep-alive-count", &["ok 5"]),
        ("set-keep-alive-count max", OK),
        ("set-hop-limit 0", INVALID_ARGUMENT),
        ("set-hop-limit 42", OK),
        ("hop-limit", &["ok 42"]),
        ("set-receive-buffer-size 0", INVALID_ARGUMENT),
        ("set-receive-buffer-size 64k", OK),
        ("receive-buffer-size", &["ok true"]),
        ("set-receive-buffer-size max", OK),
        ("set-send-buffer-size 0", INVALID_ARGUMENT),
        ("set-send-buffer-size 64k", OK),
        ("send-buffer-size", &["ok true"]),
        ("set-send-buffer-size max", OK),
        ("set-listen-backlog-size max", OK),
        ("connect refused", &["connection-refused"]),
        ("closed local-address", INVALID_STATE),
        ("closed start-connect", INVALID_STATE),
        ("closed start-bind", INVALID_STATE),
        ("closed keep-alive-enabled", INVALID_STATE),
        ("closed finish-connect", NOT_IN_PROGRESS),
        ("closed ready", &["ok true"]),
        ("read after a peer reset", &["ok connection-reset"]),
    ];
    if ipv6 {
        e.push(("bind ipv4-mapped", INVALID_ARGUMENT));
        e.push(("connect ipv4-mapped", INVALID_ARGUMENT));
    } else {
        e.push(("bind broadcast", INVALID_ARGUMENT));
        e.push(("connect broadcast", INVALID_ARGUMENT));
    }
    e
}

#[test]
fn state_machine_ipv4() {
    let expected = state_cases(false);
    for mode in Mode::ALL {
        let port = refused_port("127.0.0.1");
        let out = tcp_run(guests::TCP_STATES)
            .args(["v4", &port.to_string()])
            .run(mode);
        out.assert_success().assert_line("done");
        check_cases(&out, &expected);
    }
}

#[test]
fn state_machine_ipv6() {
    if !have_ipv6() {
        eprintln!("skipped: this machine has no IPv6 loopback ([::1])");
        return;
    }
    let expected = state_cases(true);
    for mode in Mode::ALL {
        let port = refused_port("::1");
        let out = tcp_run(guests::TCP_STATES)
            .args(["v6", &port.to_string()])
            .run(mode);
        out.assert_success().assert_line("done");
        check_cases(&out, &expected);
    }
}

/// A host peer on 127.0.0.1 serving `conns` connections with `serve`, on
/// its own thread.
fn peer(conns: usize, serve: impl Fn(TcpStream) + Send + 'static) -> (SocketAddr, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind the peer");
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        for _ in 0..conns {
            let (stream, _) = listener.accept().expect("accept");
            stream
                .set_read_timeout(Some(Duration::from_secs(60)))
                .unwrap();
            serve(stream);
        }
    });
    (addr, handle)
}

/// Echoes until the peer closes.
fn echo(mut s: TcpStream) {
    let mut buf = [0u8; 64 * 1024];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if s.write_all(&buf[..n]).is_err() {
                    return;
                }
            }
        }
    }
}

#[test]
fn std_echo_of_64_byte_messages() {
    for mode in Mode::ALL {
        let (addr, peer) = peer(1, echo);
        let out = tcp_run(guests::TCP_STD)
            .args(["echo", &addr.to_string(), "2000"])
            .run(mode);
        out.assert_success().assert_line("echoed 2000");
        peer.join().unwrap();
    }
}

const BULK: u64 = 64 << 20;

fn pattern(i: u64) -> u8 {
    (i % 251) as u8
}

fn pattern_sum(len: u64) -> u64 {
    (0..len).fold(0u64, |s, i| s.wrapping_add(pattern(i) as u64))
}

#[test]
fn std_bulk_64_mib_guest_to_host() {
    let sum = pattern_sum(BULK);
    for mode in Mode::ALL {
        let (addr, peer) = peer(1, |mut s| {
            let mut buf = vec![0u8; 256 * 1024];
            let (mut count, mut sum, mut wrong) = (0u64, 0u64, 0u64);
            loop {
                let n = s.read(&mut buf).expect("peer read");
                if n == 0 {
                    break;
                }
                for &b in &buf[..n] {
                    if b != pattern(count) {
                        wrong += 1;
                    }
                    count += 1;
                    sum = sum.wrapping_add(b as u64);
                }
            }
            writeln!(s, "got {count} {sum} wrong {wrong}").expect("answer");
        });
        let out = tcp_run(guests::TCP_STD)
            .args(["send", &addr.to_string(), &BULK.to_string()])
            .run(mode);
        out.assert_success()
            .assert_line(&format!("got {BULK} {sum} wrong 0"));
        peer.join().unwrap();
    }
}

#[test]
fn std_bulk_64_mib_host_to_guest() {
    let sum = pattern_sum(BULK);
    for mode in Mode::ALL {
        let (addr, peer) = peer(1, |mut s| {
            let mut buf = vec![0u8; 256 * 1024];
            let mut sent = 0u64;
            while sent < BULK {
                let n = (BULK - sent).min(buf.len() as u64) as usize;
                for (k, b) in buf[..n].iter_mut().enumerate() {
                    *b = pattern(sent + k as u64);
                }
                s.write_all(&buf[..n]).expect("peer write");
                sent += n as u64;
            }
        });
        let out = tcp_run(guests::TCP_STD)
            .args(["recv", &addr.to_string()])
            .run(mode);
        out.assert_success()
            .assert_line(&format!("received {BULK} {sum}"));
        peer.join().unwrap();
    }
}

/// Connects to `addr`, retrying (boundedly) while the guest is starting.
fn connect_retrying(addr: &str) -> TcpStream {
    for _ in 0..3000 {
        match TcpStream::connect(addr) {
            Ok(s) => return s,
            Err(_) => thread::sleep(Duration::from_millis(20)),
        }
    }
    panic!("the guest never listened on {addr}");
}

#[test]
fn std_echo_server_in_the_guest() {
    for mode in Mode::ALL {
        let port = refused_port("127.0.0.1");
        let run = tcp_run(guests::TCP_STD).args(["serve", &port.to_string(), "2"]);
        let guest = thread::spawn(move || run.run(mode));
        let addr = format!("127.0.0.1:{port}");
        for round in 0..2 {
            let mut s = connect_retrying(&addr);
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let msg: Vec<u8> = (0..50_000u32).map(|i| (i * 7 + round) as u8).collect();
            s.write_all(&msg).unwrap();
            let mut back = vec![0u8; msg.len()];
            s.read_exact(&mut back).unwrap();
            assert_eq!(back, msg, "{mode:?}: echo of round {round}");
        }
        let out = guest.join().unwrap();
        out.assert_success().assert_line("served 2");
    }
}

/// A one-request HTTP/1.1 server; returns the request's first line.
fn http_peer() -> (SocketAddr, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().unwrap();
    let handle = thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.ends_with(b"\r\n\r\n") {
            let n = s.read(&mut buf).expect("read the request");
            assert!(n > 0, "request cut short: {request:?}");
            request.extend_from_slice(&buf[..n]);
        }
        let body = "hello from the host";
        write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        String::from_utf8_lossy(&request)
            .lines()
            .next()
            .unwrap_or_default()
            .to_string()
    });
    (addr, handle)
}

#[test]
fn std_http_client() {
    for mode in Mode::ALL {
        let (addr, server) = http_peer();
        let out = tcp_run(guests::TCP_STD)
            .args(["http", &addr.to_string(), "/index.html"])
            .run(mode);
        out.assert_success()
            .assert_line("status: HTTP/1.1 200 OK")
            .assert_line("body: hello from the host");
        assert_eq!(server.join().unwrap(), "GET /index.html HTTP/1.1");
    }
}

/// Closes `s` with a reset (`SO_LINGER` 0).
fn reset(s: TcpStream) {
    use std::os::fd::AsRawFd;
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: a valid socket and a correctly sized option value.
    let rc = unsafe {
        libc::setsockopt(
            s.as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "SO_LINGER");
    drop(s);
}

/// wasi-libc turns every `last-operation-failed` of a socket stream into
/// `EIO` (it does not ask `network-error-code`), so std sees an error, not
/// the end of the stream; `tcp_states` and the host-side test below check
/// the `connection-reset` code itself.
#[test]
fn peer_reset_is_a_read_error_in_std() {
    for mode in Mode::ALL {
        let (addr, peer) = peer(1, |mut s| {
            let mut hi = [0u8; 2];
            s.read_exact(&mut hi).unwrap();
            s.write_all(b"some data").unwrap();
            reset(s);
        });
        let out = tcp_run(guests::TCP_STD)
            .args(["reset", &addr.to_string()])
            .run(mode);
        out.assert_success();
        let kind = out.value("read error: ");
        assert!(
            kind != "end of stream",
            "{mode:?}: a reset read as the end of the stream:\n{out:?}"
        );
        peer.join().unwrap();
    }
}

#[test]
fn policy_refusing_one_port_lets_another_through() {
    for mode in Mode::ALL {
        let denied = TcpListener::bind("127.0.0.1:0").unwrap();
        let allowed = TcpListener::bind("127.0.0.1:0").unwrap();
        let denied_port = denied.local_addr().unwrap().port();
        let a = format!("127.0.0.1:{denied_port}");
        let b = allowed.local_addr().unwrap().to_string();
        let out = Run::new(guests::TCP_STD)
            .args(["connect", &a, &b])
            .configure(move |builder| {
                builder
                    .allow_tcp(true)
                    .socket_addr_check(move |addr, _| async move { addr.port() != denied_port });
            })
            .run(mode);
        out.assert_success();
        let (ka, kb) = (format!("connect {a}"), format!("connect {b}"));
        check_cases(
            &out,
            &[(ka.as_str(), &["PermissionDenied"]), (kb.as_str(), OK)],
        );
    }
}

#[test]
fn policy_refusing_every_connect_is_a_clean_error() {
    for mode in Mode::ALL {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let out = Run::new(guests::TCP_STD)
            .args(["connect", &addr])
            .configure(|builder| {
                builder
                    .allow_tcp(true)
                    .socket_addr_check(|_, use_| async move {
                        use_ != wasi_host::SocketAddrUse::TcpConnect
                    });
            })
            .run(mode);
        out.assert_success();
        let key = format!("connect {addr}");
        check_cases(&out, &[(key.as_str(), &["PermissionDenied"])]);
    }
}

#[test]
fn dropping_sockets_in_every_state_releases_them() {
    // Lower this process's descriptor limit, so that sockets that were not
    // released would make the guest fail long before the end.
    let limit = libc::rlimit {
        rlim_cur: 4096,
        rlim_max: libc::RLIM_INFINITY,
    };
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: valid pointers to rlimit structures.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut old), 0);
        let new = libc::rlimit {
            rlim_max: old.rlim_max,
            rlim_cur: limit.rlim_cur.min(old.rlim_cur),
        };
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &new), 0);
    }
    let n = "6000";
    let pending: SocketAddr = "127.0.0.1:9".parse().unwrap();
    for mode in Mode::ALL {
        // A peer that accepts and drops every connection.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop2 = stop.clone();
        let acceptor = thread::spawn(move || {
            while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((s, _)) => drop(s),
                    Err(_) => thread::sleep(Duration::from_millis(1)),
                }
            }
        });
        let run = Run::new(guests::TCP_DROP)
            .args([&pending.to_string(), &port.to_string(), n])
            .configure(move |b| {
                b.allow_tcp(true)
                    .socket_addr_check(move |addr, _| async move {
                        if addr == pending {
                            // Never answers: the connect stays in progress.
                            std::future::pending::<()>().await;
                        }
                        true
                    });
            });
        let out = if mode == Mode::AsyncCurrentThread {
            // On a runtime of the test's own, to count its tasks afterwards.
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let out = run_on(&rt, &run);
            assert_eq!(
                rt.metrics().num_alive_tasks(),
                0,
                "tasks left running after the guest dropped its sockets"
            );
            out
        } else {
            run.run(mode)
        };
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        acceptor.join().unwrap();
        out.assert_success().assert_line("done");
        for state in [
            "unbound",
            "bind-in-progress",
            "bound",
            "listen-in-progress",
            "listening",
            "connect-in-progress",
            "connected",
            "closed",
        ] {
            out.assert_line(&format!("dropped {state}"));
        }
    }
}

/// Runs `run` through the async linker on `rt`.
fn run_on(rt: &tokio::runtime::Runtime, run: &Run) -> common::Outcome {
    let component = common::component(&run.wasm);
    let (ctx, stdout, stderr) = run.build_ctx();
    let state = common::Ctx {
        table: wasi_host::ResourceTable::new(),
        wasi: ctx,
    };
    let exit = rt.block_on(common::run_async(&component, state));
    common::Outcome {
        mode: Mode::AsyncCurrentThread,
        name: run.name.clone(),
        exit,
        stdout: stdout.contents().to_vec(),
        stderr: stderr.contents().to_vec(),
        elapsed: Duration::ZERO,
    }
}

/// `network-error-code` of the error a reset connection's read returns is
/// `connection-reset` (through the `Host` traits, as a guest would call
/// them).
#[test]
fn network_error_code_of_a_reset_is_connection_reset() {
    use wasi_host::WasiCtxBuilder;
    use wasi_host::bindings::io::streams;
    use wasi_host::bindings::sockets::network::{
        self, ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress,
    };
    use wasi_host::bindings::sockets::{instance_network, tcp, tcp_create_socket};
    use wasi_host::sockets::WasiSocketsView;
    use wasmtime::component::Resource;

    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let mut state = common::Ctx {
        table: wasi_host::ResourceTable::new(),
        wasi: WasiCtxBuilder::new()
            .allow_tcp(true)
            .inherit_network()
            .build(),
    };
    let mut host = state.sockets();
    let net = instance_network::Host::instance_network(&mut host).unwrap();
    let socket =
        tcp_create_socket::Host::create_tcp_socket(&mut host, IpAddressFamily::Ipv4).unwrap();
    let borrow = || Resource::<wasi_host::sockets::TcpSocket>::new_borrow(socket.rep());
    let addr = IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port,
        address: (127, 0, 0, 1),
    });
    tcp::HostTcpSocket::start_connect(&mut host, borrow(), Resource::new_borrow(net.rep()), addr)
        .unwrap();
    let (input, _output) = (0..10_000)
        .find_map(
            |_| match tcp::HostTcpSocket::finish_connect(&mut host, borrow()) {
                Ok(pair) => Some(pair),
                Err(e) => {
                    assert_eq!(e.downcast_ref(), Some(&ErrorCode::WouldBlock));
                    thread::sleep(Duration::from_millis(1));
                    None
                }
            },
        )
        .expect("connected");
    let (peer, _) = listener.accept().unwrap();
    reset(peer);
    let err = (0..10_000)
        .find_map(|_| {
            match streams::HostInputStream::read(
                &mut *host.table,
                Resource::new_borrow(input.rep()),
                10,
            ) {
                Ok(bytes) => {
                    assert!(bytes.is_empty(), "data from a reset peer");
                    thread::sleep(Duration::from_millis(1));
                    None
                }
                Err(e) => Some(e),
            }
        })
        .expect("the read failed");
    let err = match streams::Host::convert_stream_error(&mut *host.table, err).unwrap() {
        streams::StreamError::LastOperationFailed(e) => e,
        streams::StreamError::Closed => panic!("a reset read as closed"),
    };
    let code = network::Host::network_error_code(&mut host, Resource::new_borrow(err.rep()));
    assert_eq!(code.unwrap(), Some(ErrorCode::ConnectionReset));
}

/// The README's loopback-only policy (`README.md`, "Granting the
/// network"), word for word.
fn readme_loopback_only(b: &mut wasi_host::WasiCtxBuilder) {
    use wasi_host::SocketAddrUse;
    b.allow_tcp(true)
        .socket_addr_check(|addr, use_| async move {
            // Binds, connects, listens and accepted peers on 127.0.0.1 / ::1 only.
            matches!(
                use_,
                SocketAddrUse::TcpBind
                    | SocketAddrUse::TcpConnect
                    | SocketAddrUse::TcpListen
                    | SocketAddrUse::TcpAccept
            ) && addr.ip().is_loopback()
        });
}

/// The README's loopback-only policy: loopback connects work, any other
/// address is refused before a packet leaves; a server on the loopback
/// interface listens and accepts.
#[test]
fn readme_loopback_only_policy() {
    for mode in Mode::ALL {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let local = listener.local_addr().unwrap().to_string();
        let out = Run::new(guests::TCP_STD)
            .args(["connect", &local, "192.0.2.1:80"])
            .configure(readme_loopback_only)
            .run(mode);
        out.assert_success();
        let ka = format!("connect {local}");
        check_cases(
            &out,
            &[
                (ka.as_str(), OK),
                ("connect 192.0.2.1:80", &["PermissionDenied"]),
            ],
        );

        let port = refused_port("127.0.0.1");
        let run = Run::new(guests::TCP_STD)
            .args(["serve", &port.to_string(), "1"])
            .configure(readme_loopback_only);
        let guest = thread::spawn(move || run.run(mode));
        let mut s = connect_retrying(&format!("127.0.0.1:{port}"));
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(b"loopback").unwrap();
        let mut back = [0u8; 8];
        s.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"loopback", "{mode:?}");
        drop(s);
        guest
            .join()
            .unwrap()
            .assert_success()
            .assert_line("served 1");
    }
}
