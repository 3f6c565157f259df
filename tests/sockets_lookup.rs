//! `wasi:sockets/ip-name-lookup` through a guest, in every mode: IP
//! literals, IPv6 ones also in brackets (returned as they are, IPv4-mapped
//! IPv6 as IPv4; malformed bracket forms `invalid-argument`), `localhost`
//! through the system resolver, invalid names, a name that cannot exist,
//! the policy, std's `to_socket_addrs`, and a lookup dropped while pending.

use crate::common;
use common::{Mode, Outcome, Run, cases, check_cases, guests};

fn lookup(names: &[&str], allowed: bool) -> Run {
    Run::new(guests::LOOKUP_DIRECT)
        .args(names.iter().copied())
        .configure(move |b| {
            b.allow_ip_name_lookup(allowed);
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

#[test]
fn ip_literals_resolve_to_themselves() {
    for mode in Mode::ALL {
        let out = lookup(
            &[
                "127.0.0.1",
                "::1",
                "0.0.0.0",
                "::ffff:10.1.2.3",
                "fe80::1",
                "[::1]",
                "[::]",
                "[fe80::1:2]",
                "[::ffff:10.1.2.3]",
            ],
            true,
        )
        .run(mode);
        out.assert_success().assert_line("done");
        check_cases(
            &out,
            &[
                ("127.0.0.1", &["ok 127.0.0.1"]),
                ("::1", &["ok ::1"]),
                ("0.0.0.0", &["ok 0.0.0.0"]),
                // Never an IPv4-mapped IPv6 address (the spec).
                ("::ffff:10.1.2.3", &["ok 10.1.2.3"]),
                ("fe80::1", &["ok fe80::1"]),
                // In brackets, as a URL writes them: the same, no DNS.
                ("[::1]", &["ok ::1"]),
                ("[::]", &["ok ::"]),
                ("[fe80::1:2]", &["ok fe80::1:2"]),
                ("[::ffff:10.1.2.3]", &["ok 10.1.2.3"]),
            ],
        );
    }
}

#[test]
fn localhost_resolves_through_the_system_resolver() {
    for mode in Mode::ALL {
        let out = lookup(&["localhost", "localhost.", "std:localhost"], true).run(mode);
        out.assert_success().assert_line("done");
        for name in ["localhost", "localhost.", "std:localhost"] {
            let r = result(&out, name);
            let addrs: Vec<&str> = r.strip_prefix("ok ").unwrap_or("").split(' ').collect();
            assert!(
                addrs.contains(&"127.0.0.1") || addrs.contains(&"::1"),
                "{mode:?}: {name} gave {r:?}\n{out:?}"
            );
            // No duplicates, no IPv4-mapped addresses.
            let mut unique = addrs.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), addrs.len(), "{mode:?}: {name} gave {r:?}");
            assert!(!r.contains("::ffff:"), "{mode:?}: {name} gave {r:?}");
        }
    }
}

#[test]
fn invalid_names_are_invalid_argument() {
    let names = [
        "",
        "a..b",
        "127.0.0.1:80",
        "[::1]:80",
        "[::1",
        "::1]",
        "[]",
        "[1.2.3.4]",
        "[localhost]",
        "exa mple.com",
        "-a.com",
    ];
    for mode in Mode::ALL {
        let out = lookup(&names, true).run(mode);
        out.assert_success().assert_line("done");
        let expected: Vec<(&str, &[&str])> = names
            .iter()
            .map(|n| (*n, &["invalid-argument"][..]))
            .collect();
        check_cases(&out, &expected);
    }
}

#[test]
fn a_name_that_cannot_exist_is_a_resolver_error() {
    // `.invalid` never resolves (RFC 6761); how the resolver says so
    // depends on the machine's DNS, but it is one of the resolver codes.
    for mode in Mode::ALL {
        let out = lookup(&["nonexistent.invalid"], true).run(mode);
        out.assert_success().assert_line("done");
        check_cases(
            &out,
            &[(
                "nonexistent.invalid",
                &[
                    "name-unresolvable",
                    "temporary-resolver-failure",
                    "permanent-resolver-failure",
                ],
            )],
        );
    }
}

#[test]
fn lookups_are_refused_unless_allowed() {
    // A refused lookup is the resolver's permanent failure (what programs
    // written for wasmtime check), literals included; nothing is looked up.
    for mode in Mode::ALL {
        let out = lookup(
            &[
                "localhost",
                "127.0.0.1",
                "[::1]",
                "std:localhost",
                "",
                "[::1",
            ],
            false,
        )
        .run(mode);
        out.assert_success().assert_line("done");
        check_cases(
            &out,
            &[
                ("localhost", &["permanent-resolver-failure"]),
                ("127.0.0.1", &["permanent-resolver-failure"]),
                ("[::1]", &["permanent-resolver-failure"]),
                // wasi-libc's `EAI_FAIL`, which std has no kind for.
                ("std:localhost", &["Uncategorized"]),
                // The name is checked first.
                ("", &["invalid-argument"]),
                ("[::1", &["invalid-argument"]),
            ],
        );
    }
}

#[test]
fn dropping_a_pending_lookup_is_fine() {
    for mode in Mode::ALL {
        let names: Vec<String> = (0..20).map(|i| format!("drop:host{i}.invalid")).collect();
        let mut args: Vec<&str> = names.iter().map(String::as_str).collect();
        args.push("drop:localhost");
        args.push("127.0.0.1");
        let out = lookup(&args, true).run(mode);
        out.assert_success().assert_line("done");
        check_cases(
            &out,
            &[
                ("drop:host0.invalid", &["ok"]),
                ("drop:host19.invalid", &["ok"]),
                ("drop:localhost", &["ok"]),
                ("127.0.0.1", &["ok 127.0.0.1"]),
            ],
        );
    }
}
