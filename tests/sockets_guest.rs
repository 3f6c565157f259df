//! `wasi:sockets` policy answers from a guest: the `sockets` guest calls `instance-network`, `create-tcp-socket`, `create-udp-socket` and
//! `resolve-addresses` directly and through Rust std, and every answer must
//! follow the context's policy:
//! - `create-*-socket`: `access-denied` unless the context allows that kind
//!   of socket; otherwise the socket is created (`tests/sockets_tcp.rs`
//!   and `tests/sockets_udp.rs` test what they do);
//! - `resolve-addresses`: `invalid-argument` for a malformed name (checked
//!   first); unless lookups are allowed, a stream that answers
//!   `permanent-resolver-failure`; otherwise the addresses
//!   (`tests/sockets_lookup.rs`).

use crate::common;
use common::{Mode, Run, check_cases, guests};

const OK: &[&str] = &["ok"];
const DENIED: &[&str] = &["access-denied"];
const RESOLVER_FAILURE: &[&str] = &["permanent-resolver-failure"];
const INVALID: &[&str] = &["invalid-argument"];

/// The malformed names (always `invalid-argument`).
const MALFORMED: [&str; 3] = [
    r#"resolve """#,
    r#"resolve "a.b<&>""#,
    r#"resolve "127.0.0.1:80""#,
];
/// The well-formed names (the policy decides).
const VALID: [&str; 2] = [r#"resolve "localhost""#, r#"resolve "127.0.0.1""#];
const CREATE: [&str; 4] = ["tcp-ipv4", "tcp-ipv6", "udp-ipv4", "udp-ipv6"];

/// The expected cases: `create` for the create-* calls, `lookup` for the
/// well-formed names, `std` for the four std calls (in the guest's order:
/// connect, TCP bind, UDP bind, lookup). wasi-libc maps `access-denied` to
/// `EACCES` (`PermissionDenied`) and `not-supported` to `ENOTSUP`
/// (`Unsupported`); `getaddrinfo` reports `permanent-resolver-failure` as
/// `EAI_FAIL`, which std has no kind for (`Uncategorized`, "Non-recoverable
/// error").
fn expected(
    create: &'static [&'static str],
    lookup: &'static [&'static str],
    std: [&'static [&'static str]; 4],
) -> Vec<(&'static str, &'static [&'static str])> {
    let mut e = vec![("instance-network", OK)];
    e.extend(CREATE.iter().map(|c| (*c, create)));
    e.extend(VALID.iter().map(|c| (*c, lookup)));
    e.extend(MALFORMED.iter().map(|c| (*c, INVALID)));
    e.extend(
        [
            "std-tcp-connect",
            "std-tcp-bind",
            "std-udp-bind",
            "std-lookup",
        ]
        .into_iter()
        .zip(std),
    );
    e
}

#[test]
fn nothing_allowed_denies_everything() {
    let expected = expected(
        DENIED,
        RESOLVER_FAILURE,
        [
            &["PermissionDenied"],
            &["PermissionDenied"],
            &["PermissionDenied"],
            &["Uncategorized"],
        ],
    );
    for mode in Mode::ALL {
        let out = Run::new(guests::SOCKETS).run(mode);
        out.assert_success().assert_line("done");
        check_cases(&out, &expected);
    }
}

#[test]
fn everything_allowed_works() {
    let expected = expected(
        OK,
        OK,
        [
            // Nothing listens on port 80 of the test machine's loopback
            // (or something does).
            &["ConnectionRefused", "ok"],
            &["ok"],
            &["ok"],
            &["ok"],
        ],
    );
    for mode in Mode::ALL {
        let out = Run::new(guests::SOCKETS)
            .configure(|b| {
                b.allow_tcp(true)
                    .allow_udp(true)
                    .allow_ip_name_lookup(true)
                    .inherit_network();
            })
            .run(mode);
        out.assert_success().assert_line("done");
        check_cases(&out, &expected);
    }
}
