//! Issue 19, part 2: the fuzz targets of `fuzz/` (their cases are in
//! `fuzz/src/targets/`, included here) run on seeded random inputs on
//! every `cargo test`: `WASI_HOST_FUZZ_CASES` cases of each (default
//! 2,000), from seed `WASI_HOST_FUZZ_SEED` (default 0). A finding fails
//! with the seed that reproduces it
//! (`cargo run --release --manifest-path fuzz/Cargo.toml --bin fuzz-loop -- TARGET 1 SEED`).

#[path = "../fuzz/src/targets/mod.rs"]
#[allow(dead_code)]
pub(crate) mod targets;

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|v| v.parse().ok())
}

/// Runs `target` on the seeded inputs, naming the seed of a finding.
fn seeded(target: &str) {
    let run = targets::by_name(target).expect("a target");
    let cases = env_u64("WASI_HOST_FUZZ_CASES").unwrap_or(2_000);
    let first = env_u64("WASI_HOST_FUZZ_SEED").unwrap_or(0);
    let start = std::time::Instant::now();
    for seed in first..first + cases {
        let data = targets::input::seeded(seed);
        if let Err(panic) = std::panic::catch_unwind(|| run(&data)) {
            eprintln!("finding: target {target}, seed {seed}");
            std::panic::resume_unwind(panic);
        }
    }
    println!("{target}: {cases} cases in {:.1?}", start.elapsed());
}

/// The call counts of `p1_calls` so far.
fn p1_counts() -> [u64; 3] {
    let c = &targets::p1_calls::CALLS;
    std::array::from_fn(|i| c[i].load(std::sync::atomic::Ordering::Relaxed))
}

#[test]
fn p1_calls() {
    seeded("p1_calls");
    let [calls, succeeded, ended] = p1_counts();
    println!("p1_calls: {calls} calls, {succeeded} with errno 0, {ended} ended in a trap or exit");
    // The cases reach the functions, and not only their argument checks.
    assert!(
        succeeded * 20 > calls,
        "{succeeded} of {calls} calls succeeded"
    );
}

#[test]
fn p2_sockets() {
    seeded("p2_sockets");
    let c = &targets::p2_sockets::CALLS;
    let [calls, ok] = [0, 1].map(|i| c[i].load(std::sync::atomic::Ordering::Relaxed));
    println!("p2_sockets: {calls} calls, {ok} succeeded");
    assert!(ok * 10 > calls, "{ok} of {calls} calls succeeded");
}

#[test]
fn fs_seq() {
    seeded("fs_seq");
    let c = &targets::fs_seq::COUNTS;
    let [cases, ops, quirks] = [0, 1, 2].map(|i| c[i].load(std::sync::atomic::Ordering::Relaxed));
    println!("fs_seq: {cases} cases, {ops} operations on both sides, {quirks} not compared");
    assert!(ops > cases * 10, "{ops} operations in {cases} cases");
}
