//! Runs a target on seeded random inputs, on stable Rust:
//! `fuzz-loop TARGET CASES [FIRST_SEED]`. Prints the cases run, the time
//! taken and the rate; a finding panics with the seed to reproduce it.

use std::time::Instant;
use wasi_host_fuzz::targets;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: fuzz-loop TARGET CASES [FIRST_SEED]";
    let target = args.get(1).expect(usage);
    let cases: u64 = args.get(2).and_then(|n| n.parse().ok()).expect(usage);
    let first: u64 = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(0);
    let run = targets::by_name(target)
        .unwrap_or_else(|| panic!("no target {target:?}; the targets: {:?}", targets::NAMES));
    let start = Instant::now();
    for seed in first..first + cases {
        let data = targets::input::seeded(seed);
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            eprintln!("finding: target {target}, seed {seed}");
            std::panic::resume_unwind(panic);
        }
        if (seed - first + 1).is_multiple_of(100_000) {
            eprintln!("{} cases, {:.1?}", seed - first + 1, start.elapsed());
        }
    }
    let took = start.elapsed();
    println!(
        "{target}: {cases} cases in {took:.1?} ({:.0} cases/s), seeds {first}..{}",
        cases as f64 / took.as_secs_f64(),
        first + cases
    );
}
