//! Host-call fuel for core modules (`Store::set_hostcall_fuel`): preview 1
//! charges the guest data it reads itself (paths, iovec lists and the
//! bytes they name, subscription lists) and answers `nomem` beyond the
//! fuel, without reading or allocating; small calls still work, and at
//! wasmtime's default fuel nothing answers `nomem` (`tests/wat/p1_fuel.wat`).

use crate::common;
use common::p1::{self, CallResult, P1Mode};
use common::{Run, tempdir};

const SUCCESS: i32 = 0;
const NOMEM: i32 = 48;

/// The big calls, which need more than 1,000 bytes of fuel.
const BIG: &[&str] = &[
    "case_iovs_many",
    "case_write_big",
    "case_path_long",
    "case_p0_path_long",
    "case_symlink_two_paths",
    "case_poll_many",
    "case_read_big_buffer",
];

/// The small calls, which succeed with 1,000.
const SMALL: &[&str] = &[
    "case_write_small",
    "case_read_small",
    "case_path_small",
    "case_poll_small",
];

fn run_cases(fuel: Option<usize>, mode: P1Mode) -> Vec<(&'static str, CallResult)> {
    let tmp = tempdir();
    std::fs::write(tmp.path().join("data.txt"), "hello\n").unwrap();
    let mut run = Run::new(&p1::wat("p1_fuel.wat"))
        .stdin("input")
        .preopen_rw(tmp.path(), "/w");
    if let Some(fuel) = fuel {
        run = run.hostcall_fuel(fuel);
    }
    let names: Vec<&str> = BIG.iter().chain(SMALL).copied().collect();
    let (results, _) = p1::call_exports(&run, mode, &names);
    names.into_iter().zip(results).collect()
}

#[test]
fn calls_beyond_a_small_fuel_answer_nomem_and_small_ones_work() {
    for mode in P1Mode::ALL {
        let results = run_cases(Some(1000), mode);
        for (name, got) in results {
            let want = if BIG.contains(&name) { NOMEM } else { SUCCESS };
            assert_eq!(got, Ok(want), "{mode:?} {name}");
        }
    }
}

#[test]
fn the_default_fuel_refuses_none_of_them() {
    for mode in P1Mode::ALL {
        for (name, got) in run_cases(None, mode) {
            let errno = got.unwrap_or_else(|e| panic!("{mode:?} {name}: trapped: {e}"));
            assert_ne!(errno, NOMEM, "{mode:?} {name}");
            if SMALL.contains(&name) {
                assert_eq!(errno, SUCCESS, "{mode:?} {name}");
            }
        }
    }
}
