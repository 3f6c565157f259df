//! wasi:random through the `random` guest, with the host's generators and
//! with generators and seeds supplied through the builder.

use crate::common;
use common::{Exit, Mode, Run, guests};
use wasi_host::Deterministic;

#[test]
fn random_sources_work() {
    for mode in Mode::ALL {
        let out = Run::new(guests::RANDOM).arg("check").run(mode);
        out.assert_success().assert_line("random ok");
    }
}

#[test]
fn insecure_seed_comes_from_the_builder() {
    let seed: u128 = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210;
    for mode in Mode::ALL {
        let out = Run::new(guests::RANDOM)
            .arg("print")
            .configure(move |b| {
                b.insecure_random_seed(seed);
            })
            .run(mode);
        out.assert_success();
        out.assert_line(&format!("seed {} {}", seed as u64, (seed >> 64) as u64));
    }
}

#[test]
fn builder_generators_are_used() {
    let run = |seed: u64, mode| {
        Run::new(guests::RANDOM)
            .arg("print")
            .configure(move |b| {
                b.secure_random(Deterministic::new(seed))
                    .insecure_random(Deterministic::new(seed + 1000));
            })
            .run(mode)
    };
    for mode in Mode::ALL {
        let a = run(1, mode);
        let b = run(1, mode);
        let c = run(2, mode);
        a.assert_success();
        for key in ["secure ", "secure-u64 ", "insecure ", "insecure-u64 "] {
            assert_eq!(
                a.value(key),
                b.value(key),
                "{key}: same seed, different output"
            );
            assert_ne!(
                a.value(key),
                c.value(key),
                "{key}: different seeds, same output"
            );
        }
    }
}

#[test]
fn default_generators_differ_between_runs() {
    for mode in Mode::ALL {
        let a = Run::new(guests::RANDOM).arg("print").run(mode);
        let b = Run::new(guests::RANDOM).arg("print").run(mode);
        a.assert_success();
        assert_ne!(a.value("secure "), b.value("secure "));
    }
}

/// A huge request must not take the host down: either a trap, or a
/// bounded answer.
fn check_huge(out: &common::Outcome, max: u64) {
    match &out.exit {
        Exit::Trap(_) => {}
        Exit::Code(0) => {
            let got: u64 = out.value("got ").parse().unwrap();
            assert!(
                got <= max,
                "asked for a huge buffer, got {got} bytes (bound {max})"
            );
        }
        other => panic!("unexpected end {other:?}:\n{out:?}"),
    }
    out.assert_line(&format!("asking {}", out.value("asking ")));
}

#[test]
fn huge_random_requests_are_bounded() {
    for mode in Mode::ALL {
        for case in ["huge", "huge-insecure"] {
            let out = Run::new(guests::RANDOM)
                .args([case, &(1u64 << 40).to_string()])
                .run(mode);
            check_huge(&out, 1 << 30);
            let out = Run::new(guests::RANDOM)
                .args([case, &u64::MAX.to_string()])
                .run(mode);
            check_huge(&out, 1 << 30);
        }
    }
}

#[test]
fn max_random_size_is_enforced() {
    for mode in Mode::ALL {
        for case in ["huge", "huge-insecure"] {
            // Within the bound: the exact length.
            let out = Run::new(guests::RANDOM)
                .args([case, "1024"])
                .configure(|b| {
                    b.max_random_size(1024);
                })
                .run(mode);
            out.assert_success().assert_line("got 1024");
            // Beyond it: a trap or at most the bound.
            let out = Run::new(guests::RANDOM)
                .args([case, "1025"])
                .configure(|b| {
                    b.max_random_size(1024);
                })
                .run(mode);
            check_huge(&out, 1024);
        }
    }
}
