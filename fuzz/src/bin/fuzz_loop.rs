//! Runs a target on seeded random inputs, on stable Rust:
//! `fuzz-loop TARGET CASES [FIRST_SEED]`. Prints the cases run, the time
//! taken and the rate; a finding panics with the seed to reproduce it.
//! With `FUZZ_LOOP_SECONDS=N` it stops after N seconds if the cases are
//! not done by then; with `FUZZ_LOOP_KEEP_GOING=1` a finding prints its
//! seed and the run goes on (the findings are counted at the end).

use std::time::Instant;
use wasi_host_fuzz::targets;

/// The target `name`: one of [`targets::NAMES`], or `p1_oracle` when built
/// with feature `oracle`.
fn by_name(name: &str) -> Option<fn(&[u8])> {
    #[cfg(feature = "oracle")]
    if name == "p1_oracle" {
        return Some(wasi_host_fuzz::oracle::run);
    }
    targets::by_name(name)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: fuzz-loop TARGET CASES [FIRST_SEED]";
    let target = args.get(1).expect(usage);
    let cases: u64 = args.get(2).and_then(|n| n.parse().ok()).expect(usage);
    let first: u64 = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(0);
    let run = by_name(target)
        .unwrap_or_else(|| panic!("no target {target:?}; the targets: {:?}", targets::NAMES));
    let limit = std::env::var("FUZZ_LOOP_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(std::time::Duration::from_secs);
    let keep_going = std::env::var_os("FUZZ_LOOP_KEEP_GOING").is_some();
    let mut findings = 0u64;
    let start = Instant::now();
    let mut cases = cases;
    for seed in first..first + cases {
        if limit.is_some_and(|limit| start.elapsed() >= limit) {
            cases = seed - first;
            break;
        }
        let data = targets::input::seeded(seed);
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            eprintln!("finding: target {target}, seed {seed}");
            if !keep_going {
                std::panic::resume_unwind(panic);
            }
            findings += 1;
        }
        if (seed - first + 1).is_multiple_of(100_000) {
            eprintln!("{} cases, {:.1?}", seed - first + 1, start.elapsed());
        }
    }
    let took = start.elapsed();
    #[cfg(feature = "oracle")]
    if target == "p1_oracle" {
        print!("{}", wasi_host_fuzz::oracle::survey());
    }
    println!(
        "{target}: {cases} cases in {took:.1?} ({:.0} cases/s), seeds {first}..{}, {findings} findings",
        cases as f64 / took.as_secs_f64(),
        first + cases
    );
}
