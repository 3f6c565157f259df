//! `wasi:sockets@0.3.0` through the `p3_net` guest (both ends of each
//! connection inside the guest, over loopback), on both tokio runtime
//! kinds: TCP echo of 64 MiB each way on IPv4 and IPv6, a listener's
//! accept stream, UDP both ways, name lookup allowed and refused, the
//! context's address policy, and send and receive streams dropped
//! half-way.

use crate::common;
use common::{Mode, Run, guests};
use std::time::Duration;
use wasi_host::SocketAddrUse;

/// A 0.3 run of `p3_net` with `args` and the whole network allowed.
fn net(args: &[&str]) -> Run {
    let mut run = Run::new(guests::p3::P3_NET).args(args.iter().copied());
    run.p3 = true;
    run.timeout(Duration::from_secs(120)).configure(|b| {
        b.allow_tcp(true)
            .allow_udp(true)
            .allow_ip_name_lookup(true)
            .inherit_network();
    })
}

#[test]
fn tcp_echo_of_64_mib_each_way() {
    let size = (64 << 20).to_string();
    for mode in Mode::ASYNC {
        let out = net(&["tcp", &size]).run(mode);
        out.assert_success();
        out.assert_line(&format!("echoed {size} v4"));
        out.assert_line(&format!("echoed {size} v6"));
    }
}

#[test]
fn listener_accepts_a_stream_of_sockets() {
    for mode in Mode::ASYNC {
        let out = net(&["accept", "20"]).run(mode);
        out.assert_success();
        out.assert_line("accepted 20");
        out.assert_line("then ErrorCode::ConnectionRefused");
    }
}

#[test]
fn udp_both_ways() {
    for mode in Mode::ASYNC {
        let out = net(&["udp"]).run(mode);
        out.assert_success();
        out.assert_line("udp v4 ok");
        out.assert_line("udp v6 ok");
    }
}

#[test]
fn name_lookup_allowed_and_refused() {
    for mode in Mode::ASYNC {
        net(&["lookup"])
            .run(mode)
            .assert_success()
            .assert_line("lookup ok");
        let out = net(&["lookup-refused"])
            .configure(|b| {
                b.allow_ip_name_lookup(false);
            })
            .run(mode);
        out.assert_success();
        for name in ["localhost", "127.0.0.1", "example.com"] {
            out.assert_line(&format!("{name} Err(ErrorCode::PermanentResolverFailure)"));
        }
    }
}

#[test]
fn the_address_policy_refuses_what_it_refuses() {
    for mode in Mode::ASYNC {
        let out = net(&["policy"])
            .configure(|b| {
                b.socket_addr_check(|addr, using| async move {
                    let other: std::net::IpAddr = [127, 0, 0, 2].into();
                    match using {
                        SocketAddrUse::UdpReceive | SocketAddrUse::TcpAccept => addr.ip() != other,
                        _ => addr.port() != 9,
                    }
                });
            })
            .run(mode);
        out.assert_success();
        out.assert_line("udp-send Err(ErrorCode::AccessDenied)");
        out.assert_line("udp-receive [2]");
        out.assert_line("tcp-connect Err(ErrorCode::AccessDenied)");
        out.assert_line("tcp-accept only-allowed true");
        out.assert_line("udp-bind Err(ErrorCode::AccessDenied)");
        out.assert_line("udp-connect Err(ErrorCode::AccessDenied)");
        out.assert_line("tcp-bind Err(ErrorCode::AccessDenied)");
    }
}

#[test]
fn tcp_without_permission_is_refused() {
    for mode in Mode::ASYNC {
        let out = net(&["tcp", "10"])
            .configure(|b| {
                b.allow_tcp(false);
            })
            .run(mode);
        assert!(
            out.code() != Some(0),
            "{mode:?}: TCP ran without permission"
        );
        assert!(out.stderr().contains("AccessDenied"), "{}", out.stderr());
    }
}

#[test]
fn send_streams_ended_half_way() {
    for mode in Mode::ASYNC {
        let out = net(&["drop-send"]).run(mode);
        out.assert_success();
        out.assert_line("peer read 1048576 (future dropped: false)");
        out.assert_line("peer read 1048576 (future dropped: true)");
    }
}

#[test]
fn receive_stream_dropped_half_way() {
    for mode in Mode::ASYNC {
        let out = net(&["drop-receive"]).run(mode);
        out.assert_success();
        out.assert_line("receiver dropped: Ok(())");
        // The peer is gone: the sender learns it, or its bytes went into
        // the kernel's buffers before the reset; it never hangs.
        let ended = out.value("send ended ");
        assert!(ended == "ok" || ended == "with an error", "{ended}");
    }
}
