//! `wasi:sockets/udp` through guests, in every mode: send and receive
//! against a host-side echo peer on 127.0.0.1 (unconnected, connected,
//! batches, large datagrams), every invalid-state and invalid-argument
//! path, the options' validation, the address policy, the `check-send`
//! permit, sockets dropped in every state, and a std `UdpSocket` echo
//! client (also through the `run` example). IPv6 cases run where the host
//! has an IPv6 loopback and say `skipped` otherwise.

use crate::common;
use common::{Mode, Outcome, Run, cases, check_cases, guests, run_example};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use wasi_host::SocketAddrUse;

const OK: &[&str] = &["ok"];
const INVALID_STATE: &[&str] = &["invalid-state"];
const INVALID_ARGUMENT: &[&str] = &["invalid-argument"];
const NOT_IN_PROGRESS: &[&str] = &["not-in-progress"];
const ACCESS_DENIED: &[&str] = &["access-denied"];

/// A host-side UDP echo peer: every datagram goes back to its sender.
/// Stops (and its thread ends) when dropped.
struct EchoPeer {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EchoPeer {
    fn start(ip: std::net::IpAddr) -> Option<Self> {
        let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).ok()?;
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
        Some(EchoPeer {
            addr,
            stop,
            thread: Some(thread),
        })
    }

    fn v4() -> Self {
        EchoPeer::start(Ipv4Addr::LOCALHOST.into()).expect("bind a UDP peer on 127.0.0.1")
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

/// A run of `udp_direct` with UDP allowed and any address.
fn udp_direct(args: &[&str]) -> Run {
    Run::new(guests::UDP_DIRECT)
        .args(args.iter().copied())
        .configure(|b| {
            b.allow_udp(true).inherit_network();
        })
}

#[test]
fn echo_unconnected_with_batches() {
    let peer = EchoPeer::v4();
    for mode in Mode::ALL {
        let out = udp_direct(&["echo", &peer.port()]).run(mode);
        out.assert_success().assert_line("done");
        check_cases(
            &out,
            &[
                ("local", OK),
                ("remote-unconnected", INVALID_STATE),
                ("send-one", &["ok 1"]),
                ("echo-one", OK),
                ("send-batch", &["ok 5"]),
                ("echo-batch", OK),
                ("receive-zero", &["ok 0"]),
                ("send-big", &["ok 1"]),
                ("echo-big", OK),
                ("send-too-large", &["datagram-too-large"]),
            ],
        );
    }
}

#[test]
fn connected_mode_and_replaced_streams() {
    let peer = EchoPeer::v4();
    for mode in Mode::ALL {
        let out = udp_direct(&["connected", &peer.port()]).run(mode);
        out.assert_success().assert_line("done");
        check_cases(
            &out,
            &[
                ("remote", OK),
                ("send-connected", &["ok 2"]),
                ("send-other-address", INVALID_ARGUMENT),
                ("echo-connected", OK),
                ("old-incoming", INVALID_STATE),
                ("old-outgoing", INVALID_STATE),
                ("old-pollable-ready", OK),
                ("remote-after-disconnect", INVALID_STATE),
                ("local-kept", OK),
                ("send-unconnected-again", &["ok 1"]),
                ("echo-unconnected-again", OK),
            ],
        );
    }
}

#[test]
fn invalid_states_and_arguments() {
    for mode in Mode::ALL {
        let out = udp_direct(&["states"]).run(mode);
        out.assert_success().assert_line("done");
        let mut expected: Vec<(&str, &[&str])> = vec![
            ("family-v4", &["ok IpAddressFamily::Ipv4"]),
            ("finish-unstarted", NOT_IN_PROGRESS),
            ("stream-unbound", INVALID_STATE),
            ("local-unbound", INVALID_STATE),
            ("remote-unbound", INVALID_STATE),
            ("bind-wrong-family", INVALID_ARGUMENT),
            ("bind-multicast", INVALID_ARGUMENT),
            ("bind", &["ok ()"]),
            ("local-bind-started", INVALID_STATE),
            ("stream-bind-started", INVALID_STATE),
            ("bind-twice", INVALID_STATE),
            ("socket-ready", OK),
            ("finish", &["ok ()"]),
            ("finish-twice", NOT_IN_PROGRESS),
            ("bind-after-bound", INVALID_STATE),
            ("stream-port-0", INVALID_ARGUMENT),
            ("stream-unspecified", INVALID_ARGUMENT),
            ("stream-multicast", INVALID_ARGUMENT),
            ("stream-broadcast", INVALID_ARGUMENT),
            ("stream-wrong-family", INVALID_ARGUMENT),
            ("send-empty", &["ok 0"]),
            ("send-no-address", INVALID_ARGUMENT),
            ("send-multicast", INVALID_ARGUMENT),
            ("send-broadcast", INVALID_ARGUMENT),
            ("send-port-0", INVALID_ARGUMENT),
            ("send-unspecified", INVALID_ARGUMENT),
            ("send-wrong-family", INVALID_ARGUMENT),
        ];
        if ipv6_case(&out, "v6") {
            expected.extend([
                ("family-v6", &["ok IpAddressFamily::Ipv6"][..]),
                ("v6-bind-mapped", INVALID_ARGUMENT),
                ("v6-bind-v4", INVALID_ARGUMENT),
                ("v6-stream-mapped", INVALID_ARGUMENT),
                ("v6-stream-multicast", INVALID_ARGUMENT),
                ("v6-send-mapped", INVALID_ARGUMENT),
            ]);
        }
        check_cases(&out, &expected);
    }
}

/// Whether the IPv6 part of a guest ran (`case NAME: ok`); prints why not.
fn ipv6_case(out: &Outcome, name: &str) -> bool {
    match cases(out).get(name) {
        Some(r) if r.starts_with("skipped") => {
            eprintln!("IPv6 cases skipped ({:?}): {r}", out.mode);
            false
        }
        _ => true,
    }
}

#[test]
fn options_are_validated_and_clamped() {
    for mode in Mode::ALL {
        let out = udp_direct(&["options"]).run(mode);
        out.assert_success().assert_line("done");
        let mut expected = Vec::new();
        for p in ["v4", "v6"] {
            if p == "v6" && !ipv6_case(&out, "v6") {
                continue;
            }
            let case = |s: &str| -> &'static str { Box::leak(format!("{p}-{s}").into_boxed_str()) };
            expected.extend([
                (case("hop-default"), OK),
                (case("hop-zero"), INVALID_ARGUMENT),
                (case("hop-set"), &["ok ()"][..]),
                (case("hop-get"), &["ok 42"][..]),
                (case("hop-after-bind"), &["ok ()"][..]),
                (case("hop-get-after-bind"), &["ok 7"][..]),
            ]);
            for b in ["rcvbuf", "sndbuf"] {
                expected.extend([
                    (case(&format!("{b}-default")), OK),
                    (case(&format!("{b}-zero")), INVALID_ARGUMENT),
                    (case(&format!("{b}-max")), &["ok ()"][..]),
                    (case(&format!("{b}-after-max")), OK),
                    (case(&format!("{b}-8k")), &["ok ()"][..]),
                    (case(&format!("{b}-8k-get")), OK),
                ]);
            }
        }
        check_cases(&out, &expected);
    }
}

#[test]
fn policy_refuses_one_port_and_lets_another_through() {
    let peer = EchoPeer::v4();
    // A port nobody listens on; the policy refuses it for every use.
    let denied = EchoPeer::v4().addr.port();
    for mode in Mode::ALL {
        let seen: Arc<Mutex<Vec<(SocketAddr, SocketAddrUse)>>> = Arc::default();
        let record = seen.clone();
        let out = Run::new(guests::UDP_DIRECT)
            .args(["policy".to_string(), denied.to_string(), peer.port()])
            .configure(move |b| {
                let record = record.clone();
                b.allow_udp(true).socket_addr_check(move |addr, addr_use| {
                    record.lock().unwrap().push((addr, addr_use));
                    async move { addr.port() != denied }
                });
            })
            .run(mode);
        out.assert_success().assert_line("done");
        check_cases(
            &out,
            &[
                ("bind-denied", ACCESS_DENIED),
                ("bind-other", &["ok ()"]),
                ("connect-denied", ACCESS_DENIED),
                ("connect-allowed", &["ok ()"]),
                ("send-denied", ACCESS_DENIED),
                // The first datagram goes out; the refused second ends the
                // batch without an error (the spec: an error after a
                // datagram was sent is not reported).
                ("send-partial", &["ok 1"]),
                ("echo-allowed", OK),
            ],
        );
        let seen = seen.lock().unwrap();
        let local = |port| SocketAddr::new(Ipv4Addr::LOCALHOST.into(), port);
        for expected in [
            (local(denied), SocketAddrUse::UdpBind),
            (local(0), SocketAddrUse::UdpBind),
            (local(denied), SocketAddrUse::UdpConnect),
            (peer.addr, SocketAddrUse::UdpConnect),
            (local(denied), SocketAddrUse::UdpOutgoingDatagram),
            (peer.addr, SocketAddrUse::UdpOutgoingDatagram),
        ] {
            assert!(
                seen.contains(&expected),
                "{mode:?}: the policy was not asked {expected:?}; it was asked {seen:?}"
            );
        }
    }
}

#[test]
fn a_policy_that_waits_is_awaited() {
    // The check sleeps before answering, so its future is pending at first:
    // the async flavour awaits it, the sync one parks in `block_on`.
    let peer = EchoPeer::v4();
    let denied = EchoPeer::v4().addr.port();
    for mode in Mode::ALL {
        let out = Run::new(guests::UDP_DIRECT)
            .args(["policy".to_string(), denied.to_string(), peer.port()])
            .configure(move |b| {
                b.allow_udp(true)
                    .socket_addr_check(move |addr, _| async move {
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        addr.port() != denied
                    });
            })
            .run(mode);
        out.assert_success().assert_line("done");
        check_cases(
            &out,
            &[
                ("bind-denied", ACCESS_DENIED),
                ("bind-other", &["ok ()"]),
                ("connect-denied", ACCESS_DENIED),
                ("connect-allowed", &["ok ()"]),
                ("send-denied", ACCESS_DENIED),
                ("send-partial", &["ok 1"]),
                ("echo-allowed", OK),
            ],
        );
    }
}

#[test]
fn everything_is_denied_without_a_policy() {
    // `allow_udp` alone: the default policy refuses every address.
    for mode in Mode::ALL {
        let out = Run::new(guests::UDP_DIRECT)
            .args(["policy", "1", "2"])
            .configure(|b| {
                b.allow_udp(true);
            })
            .run(mode);
        out.assert_success().assert_line("done");
        check_cases(
            &out,
            &[
                ("bind-denied", ACCESS_DENIED),
                ("bind-other", ACCESS_DENIED),
                ("stream", INVALID_STATE),
            ],
        );
    }
}

#[test]
fn a_connected_send_to_a_closed_port_is_refused() {
    // A port nobody listens on (bound, then closed, by the host).
    let closed = UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for mode in Mode::ALL {
        let out = udp_direct(&["refused", &closed.to_string()]).run(mode);
        out.assert_success().assert_line("done");
        check_cases(
            &out,
            &[
                ("send", &["ok 1"]),
                ("readable", OK),
                ("receive", &["connection-refused"]),
                // The OS reports the error once.
                ("receive-again", &["ok 0"]),
            ],
        );
    }
}

#[test]
fn send_beyond_the_permit_traps() {
    for mode in Mode::ALL {
        let out = udp_direct(&["overpermit"]).run(mode);
        let trap = out.assert_trap();
        assert!(trap.contains("permitted by check-send"), "{mode:?}: {trap}");
        out.assert_line("sending without check-send");
    }
}

/// The number of open descriptors of this process.
fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .map(|d| d.count())
        .unwrap_or(0)
}

#[test]
fn sockets_dropped_in_every_state_release_their_descriptors() {
    const N: u64 = 3000;
    for mode in Mode::ALL {
        let before = open_fds();
        let out = udp_direct(&["drops", &N.to_string()]).run(mode);
        out.assert_success().assert_line(&format!("dropped {N}"));
        let after = open_fds();
        // Other tests of this binary run at the same time and hold a few
        // descriptors; a leak would be thousands.
        assert!(
            after < before + 200,
            "{mode:?}: {before} descriptors before, {after} after {N} sockets"
        );
    }
}

/// The lines the std echo client prints when every echo came back.
fn check_std_echo(out: &str, what: &str) {
    let expected = [
        "echo ping 0 from true",
        "echo ping 1 from true",
        "echo ping 2 from true",
        "peer true",
        "echo connected",
        "done",
    ];
    for line in expected {
        assert!(
            out.lines().any(|l| l == line),
            "{what}: no line {line:?} in:\n{out}"
        );
    }
}

#[test]
fn std_udp_echo_client() {
    let peer = EchoPeer::v4();
    for mode in Mode::ALL {
        let out = Run::new(guests::UDP_ECHO_STD)
            .arg(peer.addr.to_string())
            .configure(|b| {
                b.allow_udp(true).inherit_network();
            })
            .run(mode);
        out.assert_success();
        out.assert_line("bound 127.0.0.1");
        check_std_echo(&out.stdout(), &format!("{mode:?}"));
    }
}

#[test]
fn std_udp_echo_client_ipv6() {
    let Some(peer) = EchoPeer::start(Ipv6Addr::LOCALHOST.into()) else {
        eprintln!("skipped: this machine has no IPv6 loopback ([::1])");
        return;
    };
    for mode in Mode::ALL {
        let out = Run::new(guests::UDP_ECHO_STD)
            .arg(peer.addr.to_string())
            .configure(|b| {
                b.allow_udp(true).inherit_network();
            })
            .run(mode);
        out.assert_success();
        out.assert_line("bound ::1");
        check_std_echo(&out.stdout(), &format!("{mode:?}"));
    }
}

#[test]
fn std_udp_echo_through_the_run_example() {
    let peer = EchoPeer::v4();
    for flags in [&[][..], &["--async"][..]] {
        let out = std::process::Command::new(run_example())
            .args(flags)
            .args(["--inherit-network", "--allow-udp", "--allow-ip-name-lookup"])
            .arg(guests::UDP_ECHO_STD)
            .arg(peer.addr.to_string())
            .output()
            .expect("run the run example");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{flags:?}:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        check_std_echo(&stdout, &format!("run {flags:?}"));
    }
}
