//! `wasi:io/poll` over many pollables. `argv[1]`:
//! - `many N`: N pollables cycling through six kinds, three ready at once
//!   (subscribe-instant in the past, subscribe-duration(0), stdout's
//!   subscribe) and three never ready within the test (subscribe-duration of
//!   u64::MAX, subscribe-instant of u64::MAX, a 1 hour duration). Checks
//!   `ready` on each, that `poll` returns only ready indices (no duplicates,
//!   in range, at least one), then waits on a 5 ms timer among the never-ready
//!   ones, polls the same pollable twice in one list, and uses `block`.
//!   Prints `ready-returned=K expected-ready=M`.
//! - `repeat N R`: R polls of N fresh zero-duration pollables (leak check).
//! - `empty`: poll of an empty list (must trap).
//! - `stdin`: stdin's pollable is ready when the host's stdin has data or is
//!   closed.
use std::collections::HashSet;
use wasi_guests::{arg, num, unknown_case};
use wasip2::clocks::monotonic_clock;
use wasip2::io::poll::{poll, Pollable};

fn main() {
    match arg(1).as_str() {
        "many" => many(num(2) as usize),
        "repeat" => repeat(num(2) as usize, num(3) as usize),
        "empty" => {
            println!("polling an empty list");
            let r = poll(&[]);
            println!("poll(empty) returned {r:?}");
        }
        "stdin" => {
            let stdin = wasip2::cli::stdin::get_stdin();
            let p = stdin.subscribe();
            let r = poll(&[&p]);
            assert_eq!(r, vec![0]);
            assert!(p.ready());
            println!("stdin ready");
        }
        other => unknown_case(other),
    }
}

fn many(n: usize) {
    let stdout = wasip2::cli::stdout::get_stdout();
    let start = monotonic_clock::now();
    let mut pollables: Vec<Pollable> = Vec::with_capacity(n);
    let mut ready_expected = HashSet::new();
    for i in 0..n {
        let p = match i % 6 {
            0 => monotonic_clock::subscribe_instant(start.saturating_sub(1_000_000)),
            1 => monotonic_clock::subscribe_duration(u64::MAX),
            2 => monotonic_clock::subscribe_duration(0),
            3 => monotonic_clock::subscribe_instant(u64::MAX),
            4 => stdout.subscribe(),
            _ => monotonic_clock::subscribe_duration(3_600_000_000_000),
        };
        if matches!(i % 6, 0 | 2 | 4) {
            ready_expected.insert(i as u32);
        }
        pollables.push(p);
    }
    for (i, p) in pollables.iter().enumerate() {
        let want = ready_expected.contains(&(i as u32));
        assert_eq!(p.ready(), want, "pollable {i} (kind {}) ready()", i % 6);
    }
    let refs: Vec<&Pollable> = pollables.iter().collect();
    let got = poll(&refs);
    assert!(!got.is_empty(), "poll returned no index");
    let mut seen = HashSet::new();
    for &i in &got {
        assert!((i as usize) < n, "poll returned index {i} out of range");
        assert!(seen.insert(i), "poll returned index {i} twice");
        assert!(ready_expected.contains(&i), "poll returned never-ready index {i} (kind {})", i % 6);
    }
    println!("ready-returned={} expected-ready={}", got.len(), ready_expected.len());

    // Only never-ready pollables plus one 5 ms timer: poll waits for the timer.
    let mut waiting: Vec<&Pollable> = pollables
        .iter()
        .enumerate()
        .filter(|(i, _)| !ready_expected.contains(&(*i as u32)))
        .map(|(_, p)| p)
        .collect();
    let timer = monotonic_clock::subscribe_duration(5_000_000);
    waiting.push(&timer);
    let t0 = monotonic_clock::now();
    let got = poll(&waiting);
    let waited = monotonic_clock::now() - t0;
    assert_eq!(got, vec![(waiting.len() - 1) as u32], "only the timer should be ready");
    assert!(waited >= 4_000_000, "poll returned after {waited} ns, before the 5 ms timer");
    println!("timer among {} never-ready: ok", waiting.len() - 1);

    // The same pollable twice in one list.
    let ready = monotonic_clock::subscribe_duration(0);
    let got = poll(&[&ready, &ready]);
    assert!(!got.is_empty() && got.iter().all(|&i| i < 2), "duplicate pollable: {got:?}");

    // block: immediate when ready, waits otherwise.
    ready.block();
    let t = monotonic_clock::subscribe_duration(5_000_000);
    let t0 = monotonic_clock::now();
    t.block();
    let waited = monotonic_clock::now() - t0;
    assert!(waited >= 4_000_000, "block returned after {waited} ns, before 5 ms");
    assert!(t.ready(), "a timer is not ready after block");
    println!("block ok");
    drop(waiting);
    drop(pollables);
}

fn repeat(n: usize, rounds: usize) {
    for _ in 0..rounds {
        let ps: Vec<Pollable> = (0..n).map(|_| monotonic_clock::subscribe_duration(0)).collect();
        let refs: Vec<&Pollable> = ps.iter().collect();
        let got = poll(&refs);
        assert!(!got.is_empty());
    }
    println!("repeat ok");
}
