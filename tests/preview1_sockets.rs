//! Preview 1 sockets: listeners preopened with
//! `WasiCtxBuilder::preopened_tcp_listener` and the connections accepted
//! from them, driven by host-side clients on 127.0.0.1, in every linker
//! mode, a peer the address policy refuses that the guest never sees; and
//! a `std::net` server through the `run` example's `--tcplisten`.

use crate::common;
use common::p1::{self, P1Mode};
use common::{Run, guests, run_example};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;
use wasi_host::SocketAddrUse;

/// A listener on a free loopback port.
fn listener() -> TcpListener {
    TcpListener::bind("127.0.0.1:0").unwrap()
}

/// The `p1_suite` group `group` with `listeners` preopened (fds 3, 4...).
fn suite_with(group: &str, args: &[&str], listeners: Vec<TcpListener>) -> Run {
    let mut run = Run::new(guests::p1::P1_SUITE).arg(group);
    for a in args {
        run = run.arg(*a);
    }
    run.configure(move |b| {
        for l in &listeners {
            b.preopened_tcp_listener(l.try_clone().unwrap());
        }
    })
}

/// A client that connects to `addr`, sends `ping\n` and reads until the
/// guest shuts its side down.
fn ping_client(addr: std::net::SocketAddr) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(b"ping\n").unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        got
    })
}

#[test]
fn raw_socket_calls_on_preopened_listeners() {
    for mode in P1Mode::ALL {
        let (main, idle) = (listener(), listener());
        let client = ping_client(main.local_addr().unwrap());
        let out = p1::run(&suite_with("net", &[], vec![main, idle]), mode);
        out.assert_success()
            .assert_line("ok listener-fdstat")
            .assert_line("ok listener-errors")
            .assert_line("ok connection-errors")
            .assert_line("ok connection")
            .assert_line("done net");
        assert_eq!(client.join().unwrap(), b"pong\n!\n", "{mode:?}");
    }
}

/// Sends `line` on a new connection to `addr` and returns the answer line.
fn ask(addr: &str, line: &str) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    s.write_all(line.as_bytes()).unwrap();
    let mut answer = String::new();
    BufReader::new(s).read_line(&mut answer).unwrap();
    answer
}

#[test]
fn std_server_on_a_preopened_listener() {
    for mode in P1Mode::ALL {
        let l = listener();
        let addr = l.local_addr().unwrap().to_string();
        let client = thread::spawn(move || {
            (0..3)
                .map(|i| ask(&addr, &format!("hello {i}\n")))
                .collect::<Vec<_>>()
        });
        let out = p1::run(&suite_with("std_server", &["3"], vec![l]), mode);
        out.assert_success().assert_line("ok served 3");
        assert_eq!(
            client.join().unwrap(),
            ["HELLO 0\n", "HELLO 1\n", "HELLO 2\n"],
            "{mode:?}"
        );
    }
}

/// A client of `to` whose own address is 127.0.0.1:`port`.
fn connect_from(port: u16, to: SocketAddr) -> TcpStream {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let stream = rt.block_on(async {
        let s = tokio::net::TcpSocket::new_v4().unwrap();
        s.bind(SocketAddr::from(([127, 0, 0, 1], port))).unwrap();
        s.connect(to).await.unwrap().into_std().unwrap()
    });
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
}

#[test]
fn a_peer_the_policy_refuses_never_reaches_sock_accept() {
    // The preopened listener's connections go through `socket_addr_check`
    // (`TcpAccept`, the peer's address): the refused one, first in the
    // queue, is closed by the host and the server serves the next two.
    for wait in [false, true] {
        for mode in P1Mode::ALL {
            let l = listener();
            let addr = l.local_addr().unwrap();
            let denied = listener().local_addr().unwrap().port();
            let mut refused = connect_from(denied, addr);
            refused.write_all(b"refused\n").unwrap();
            let seen: Arc<Mutex<Vec<(SocketAddr, SocketAddrUse)>>> = Arc::default();
            let record = seen.clone();
            let run = suite_with("std_server", &["2"], vec![l]).configure(move |b| {
                let record = record.clone();
                b.socket_addr_check(move |peer, addr_use| {
                    record.lock().unwrap().push((peer, addr_use));
                    async move {
                        if wait {
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                        !(addr_use == SocketAddrUse::TcpAccept && peer.port() == denied)
                    }
                });
            });
            let client = thread::spawn(move || {
                (0..2)
                    .map(|i| ask(&addr.to_string(), &format!("hello {i}\n")))
                    .collect::<Vec<_>>()
            });
            let out = p1::run(&run, mode);
            out.assert_success().assert_line("ok served 2");
            let what = format!("{mode:?}, wait {wait}");
            assert_eq!(client.join().unwrap(), ["HELLO 0\n", "HELLO 1\n"], "{what}");
            // Closed unanswered: the end of the stream, or a reset (the
            // host closed it with the line unread).
            let mut got = Vec::new();
            match refused.read_to_end(&mut got) {
                Ok(_) => assert!(got.is_empty(), "{what}: the refused peer got {got:?}"),
                Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{what}"),
            }
            let refused_peer = (
                SocketAddr::from(([127, 0, 0, 1], denied)),
                SocketAddrUse::TcpAccept,
            );
            assert!(
                seen.lock().unwrap().contains(&refused_peer),
                "{what}: {seen:?}"
            );
        }
    }
}

#[test]
fn run_example_serves_on_tcplisten() {
    for mode in [&[][..], &["--async"]] {
        let port = listener().local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let child = Command::new(run_example())
            .args(mode)
            .args([
                "--tcplisten",
                &addr,
                guests::p1::P1_SUITE,
                "std_server",
                "2",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The example needs a moment to listen: retry, boundedly.
        let first = (0..3000).find_map(|_| match TcpStream::connect(&addr) {
            Ok(s) => Some(s),
            Err(_) => {
                thread::sleep(Duration::from_millis(20));
                None
            }
        });
        let mut first = first.expect("the run example never listened");
        first
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        first.write_all(b"one\n").unwrap();
        let mut answer = String::new();
        BufReader::new(first).read_line(&mut answer).unwrap();
        assert_eq!(answer, "ONE\n");
        assert_eq!(ask(&addr, "two\n"), "TWO\n");
        let out = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("ok served 2"), "{stdout}");
    }
}

#[test]
fn a_bad_tcplisten_address_is_a_setup_error() {
    let out = Command::new(run_example())
        .args([
            "--tcplisten",
            "not-an-address",
            guests::p1::P1_SUITE,
            "std_server",
        ])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--tcplisten not-an-address"), "{stderr}");
}
