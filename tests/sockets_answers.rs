//! Socket answers that programs written for other hosts (wasmtime 48
//! above all) check, through the `sockets_answers` guest in every mode:
//! buffer sizes that read back as they were set (TCP, UDP, and a
//! connection accepted from a listener that had them set), UDP streams
//! that permit sending at once, and the address policy's say over listens,
//! accepted peers and the datagrams of unconnected UDP streams (with a
//! check that answers at once and with one that takes its time).

use crate::common;
use common::{Mode, Outcome, Run, cases, check_cases, guests};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use wasi_host::SocketAddrUse;

/// A host-side UDP echo peer on 127.0.0.1: every datagram goes back to its
/// sender. Stops (and its thread ends) when dropped.
struct EchoPeer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EchoPeer {
    fn start() -> Self {
        let socket = UdpSocket::bind("127.0.0.1:0").expect("bind a UDP peer");
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr = socket.local_addr().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = vec![0u8; 65536];
            while !stopped.load(Ordering::Relaxed) {
                if let Ok((n, from)) = socket.recv_from(&mut buf) {
                    let _ = socket.send_to(&buf[..n], from);
                }
            }
        });
        EchoPeer {
            addr,
            stop,
            thread: Some(thread),
        }
    }

    fn port(&self) -> String {
        self.addr.port().to_string()
    }
}

impl Drop for EchoPeer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A run of `sockets_answers CASE ARGS...` with TCP and UDP allowed to any
/// address.
fn answers(args: &[&str]) -> Run {
    Run::new(guests::SOCKETS_ANSWERS)
        .args(args.iter().copied())
        .configure(|b| {
            b.allow_tcp(true).allow_udp(true).inherit_network();
        })
}

/// The result of case `name`, failing the test if it is missing.
#[track_caller]
fn result(out: &Outcome, name: &str) -> String {
    cases(out)
        .get(name)
        .cloned()
        .unwrap_or_else(|| panic!("no case {name:?}:\n{out:?}"))
}

/// A `net.core` limit of this machine (`rmem_max`, `wmem_max`).
fn net_core(name: &str) -> Option<u64> {
    std::fs::read_to_string(format!("/proc/sys/net/core/{name}"))
        .ok()?
        .trim()
        .parse()
        .ok()
}

#[test]
fn buffer_sizes_read_back_as_set() {
    const SET: &[&str] = &["ok ()"];
    const K64: &[&str] = &["ok 65536"];
    let mut expected: Vec<(&str, &[&str])> = vec![];
    // Linux doubles what setsockopt gets; the guest reads what it set.
    for p in [
        "tcp-64k",
        "listener-64k",
        "listening",
        "accepted",
        "udp-64k",
        "udp-bound",
    ] {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        if !matches!(p, "listening" | "accepted" | "udp-bound") {
            expected.push((leak(format!("{p}-set")), SET));
        }
        expected.push((leak(format!("{p}-rcvbuf")), K64));
        expected.push((leak(format!("{p}-sndbuf")), K64));
    }
    expected.extend([
        ("client-32k-set", SET),
        ("client-32k-rcvbuf", &["ok 32768"][..]),
        ("client-32k-sndbuf", &["ok 32768"]),
        ("connected-rcvbuf", &["ok 32768"]),
        ("connected-sndbuf", &["ok 32768"]),
        ("accepted-48k-set", SET),
        ("accepted-48k-rcvbuf", &["ok 49152"]),
        ("accepted-48k-sndbuf", &["ok 49152"]),
        ("listening-16k-set", SET),
        ("listening-16k-rcvbuf", &["ok 16384"]),
        ("listening-16k-sndbuf", &["ok 16384"]),
        ("accepted-16k-rcvbuf", &["ok 16384"]),
        ("accepted-16k-sndbuf", &["ok 16384"]),
        ("udp-24k-set", SET),
        ("udp-24k-rcvbuf", &["ok 24576"]),
        ("udp-24k-sndbuf", &["ok 24576"]),
        ("tcp-zero-set", &["invalid-argument"]),
        ("udp-zero-set", &["invalid-argument"]),
    ]);
    for mode in Mode::ALL {
        let out = answers(&["buffers"]).run(mode);
        out.assert_success().assert_line("done");
        check_cases(&out, &expected);
    }
}

#[test]
fn capped_buffer_sizes_read_back_as_in_effect() {
    // 1 and u64::MAX are accepted; what reads back is the size in effect,
    // in the guest's units: setting it again changes nothing, and a
    // request above the machine's limit reads as that limit.
    for mode in Mode::ALL {
        let out = answers(&["buffers"]).run(mode);
        out.assert_success().assert_line("done");
        let mut expected: Vec<(String, &[&str])> = vec![];
        for p in ["tcp-1", "tcp-max", "udp-1", "udp-max"] {
            expected.push((format!("{p}-set"), &["ok ()"]));
            expected.push((format!("{p}-rcvbuf-again"), &["ok same"]));
            expected.push((format!("{p}-sndbuf-again"), &["ok same"]));
        }
        let expected: Vec<(&str, &[&str])> =
            expected.iter().map(|(n, r)| (n.as_str(), *r)).collect();
        check_cases(&out, &expected);
        for p in ["tcp-1", "udp-1"] {
            for b in ["rcvbuf", "sndbuf"] {
                let r = result(&out, &format!("{p}-{b}"));
                let n: u64 = r
                    .strip_prefix("ok ")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                assert!(
                    n > 1 && n < 65536,
                    "{mode:?}: {p}-{b} read {r:?} after a set of 1"
                );
            }
        }
        for (p, b, limit) in [
            ("tcp-max", "rcvbuf", "rmem_max"),
            ("tcp-max", "sndbuf", "wmem_max"),
            ("udp-max", "rcvbuf", "rmem_max"),
            ("udp-max", "sndbuf", "wmem_max"),
        ] {
            let r = result(&out, &format!("{p}-{b}"));
            match net_core(limit) {
                Some(max) => assert_eq!(r, format!("ok {max}"), "{mode:?}: {p}-{b}"),
                None => eprintln!("no /proc/sys/net/core/{limit}: {p}-{b} read {r:?}"),
            }
        }
    }
}

#[test]
fn a_fresh_datagram_stream_permits_sending_at_once() {
    // `check-send` right after `stream`, with no wait on a pollable first:
    // at least 2, connected or not, in both linker flavours; and the
    // permit is real (two datagrams go out on it).
    let peer = EchoPeer::start();
    let mut expected: Vec<(&str, &[&str])> = vec![];
    for p in [
        "unconnected",
        "connected",
        "replaced-unconnected",
        "replaced-connected",
    ] {
        let leak = |s: String| -> &'static str { Box::leak(s.into_boxed_str()) };
        expected.push((leak(format!("{p}-check-send")), &["ok at-least-2"]));
        expected.push((leak(format!("{p}-send")), &["ok 2"]));
        expected.push((leak(format!("{p}-echo")), &["ok"]));
    }
    for mode in Mode::ALL {
        for _ in 0..5 {
            let out = answers(&["check-send", &peer.port()]).run(mode);
            out.assert_success().assert_line("done");
            check_cases(&out, &expected);
        }
    }
}

/// A TCP port on 127.0.0.1 that nothing uses (a listener's, closed again).
fn free_tcp_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().unwrap().port()
}

/// A UDP port on 127.0.0.1 that nothing uses.
fn free_udp_port() -> u16 {
    let s = UdpSocket::bind("127.0.0.1:0").expect("bind a free port");
    s.local_addr().unwrap().port()
}

/// Every question the policy was asked.
type Seen = Arc<Mutex<Vec<(SocketAddr, SocketAddrUse)>>>;

/// A run of `sockets_answers CASE ARGS...` with TCP and UDP allowed and a
/// policy that refuses what `refuse` says, answering at once or (`wait`)
/// after a sleep, so that its verdict is pending when first asked; every
/// question is recorded in `seen`.
fn with_policy(
    args: &[String],
    wait: bool,
    seen: &Seen,
    refuse: impl Fn(SocketAddr, SocketAddrUse) -> bool + Send + Sync + Copy + 'static,
) -> Run {
    let seen = seen.clone();
    Run::new(guests::SOCKETS_ANSWERS)
        .args(args.iter().cloned())
        .configure(move |b| {
            let seen = seen.clone();
            b.allow_tcp(true)
                .allow_udp(true)
                .socket_addr_check(move |addr, addr_use| {
                    seen.lock().unwrap().push((addr, addr_use));
                    async move {
                        if wait {
                            tokio::time::sleep(Duration::from_millis(1)).await;
                        }
                        !refuse(addr, addr_use)
                    }
                });
        })
}

fn localhost(port: u16) -> SocketAddr {
    SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port)
}

/// Whether the policy was asked about `addr_use` for an address other than
/// `not`, on 127.0.0.1 and a port other than 0.
fn asked_other(seen: &Seen, addr_use: SocketAddrUse, not: SocketAddr) -> bool {
    seen.lock()
        .unwrap()
        .iter()
        .any(|&(a, u)| u == addr_use && a != not && a.ip() == Ipv4Addr::LOCALHOST && a.port() != 0)
}

#[test]
fn policy_refuses_a_listen_address() {
    for wait in [false, true] {
        for mode in Mode::ALL {
            let denied = free_tcp_port();
            let seen = Seen::default();
            let out = with_policy(
                &["listen-policy".into(), denied.to_string()],
                wait,
                &seen,
                move |a, u| u == SocketAddrUse::TcpListen && a.port() == denied,
            )
            .run(mode);
            out.assert_success().assert_line("done");
            check_cases(
                &out,
                &[
                    ("listen-denied", &["access-denied"]),
                    // A refused listen leaves the socket bound.
                    ("denied is-listening", &["ok false"]),
                    ("denied local-port", &["ok true"]),
                    ("denied finish-listen", &["not-in-progress"]),
                    ("listen-denied-again", &["access-denied"]),
                    ("listen-allowed", &["ok ()"]),
                    ("allowed is-listening", &["ok true"]),
                ],
            );
            let what = format!("{mode:?}, wait {wait}");
            let refused = (localhost(denied), SocketAddrUse::TcpListen);
            assert!(seen.lock().unwrap().contains(&refused), "{what}: {seen:?}");
            // The allowed listen was asked with the port the OS chose.
            assert!(
                asked_other(&seen, SocketAddrUse::TcpListen, localhost(denied)),
                "{what}: {seen:?}"
            );
        }
    }
}

#[test]
fn policy_refuses_one_accepted_peer_and_accepts_another() {
    for wait in [false, true] {
        for mode in Mode::ALL {
            let denied = free_tcp_port();
            let seen = Seen::default();
            let out = with_policy(
                &["accept-policy".into(), denied.to_string()],
                wait,
                &seen,
                move |a, u| u == SocketAddrUse::TcpAccept && a.port() == denied,
            )
            .run(mode);
            out.assert_success().assert_line("done");
            check_cases(
                &out,
                &[
                    // The kernel completes the handshake; the policy is
                    // asked when the guest accepts.
                    ("refused connect", &["ok ()"]),
                    ("accept", &["ok allowed peer"]),
                    ("accepted data", &["ok hi"]),
                    ("accept again", &["would-block"]),
                    // Closed by the host, never seen by the guest.
                    ("refused peer reads", &["ok closed", "ok connection-reset"]),
                    ("listening after", &["ok true"]),
                ],
            );
            let what = format!("{mode:?}, wait {wait}");
            let refused = (localhost(denied), SocketAddrUse::TcpAccept);
            assert!(seen.lock().unwrap().contains(&refused), "{what}: {seen:?}");
            assert!(
                asked_other(&seen, SocketAddrUse::TcpAccept, localhost(denied)),
                "{what}: {seen:?}"
            );
        }
    }
}

#[test]
fn policy_refuses_a_send_destination_and_drops_a_refused_source() {
    for wait in [false, true] {
        for mode in Mode::ALL {
            let (denied_send, denied_receive) = (free_udp_port(), free_udp_port());
            let seen = Seen::default();
            let out = with_policy(
                &[
                    "udp-policy".into(),
                    denied_send.to_string(),
                    denied_receive.to_string(),
                ],
                wait,
                &seen,
                move |a, u| {
                    (u == SocketAddrUse::UdpSend && a.port() == denied_send)
                        || (u == SocketAddrUse::UdpReceive && a.port() == denied_receive)
                },
            )
            .run(mode);
            out.assert_success().assert_line("done");
            check_cases(
                &out,
                &[
                    ("permit", &["ok true"]),
                    ("send-denied", &["access-denied"]),
                    ("send-allowed", &["ok 1"]),
                    ("sent-arrived", &["ok [\"to good\"]"]),
                    // Only the allowed source's datagrams, in order; the
                    // refused ones are dropped, not delayed.
                    (
                        "received",
                        &["ok [\"good 1\", \"good 3\"] from-allowed true"],
                    ),
                    ("received-late", &["ok 0"]),
                    // Connected: the peer was judged at `stream`.
                    ("connected-send", &["ok 1"]),
                    ("connected-received", &["ok [\"bad connected\"]"]),
                ],
            );
            let what = format!("{mode:?}, wait {wait}");
            let seen_now = seen.lock().unwrap().clone();
            for expected in [
                (localhost(denied_send), SocketAddrUse::UdpSend),
                // The older name is the same use.
                (localhost(denied_send), SocketAddrUse::UdpOutgoingDatagram),
                (localhost(denied_receive), SocketAddrUse::UdpReceive),
                (localhost(denied_receive), SocketAddrUse::UdpConnect),
            ] {
                assert!(
                    seen_now.contains(&expected),
                    "{what}: {expected:?} not in {seen_now:?}"
                );
            }
            assert!(
                asked_other(&seen, SocketAddrUse::UdpReceive, localhost(denied_receive)),
                "{what}: {seen_now:?}"
            );
        }
    }
}
