//! What a deterministic run must reproduce: `determinism MEM [HOST]` prints
//! both clocks and their resolutions, sleeps an hour (std's `sleep`, two
//! half hours) and reads the clocks again, draws random numbers (secure,
//! insecure, the insecure seed, `getrandom`, std's hash keys), waits on 100
//! clock pollables of different durations at once (printing the order they
//! fire in and when), writes and renames files under `MEM`, lists it and
//! stats its files, and lists `HOST` (names only) if given.
//!
//! Every line is a pure function of the run's seed in a deterministic run.
//!
//! `determinism mixed MS`: one poll of stdin's pollable and a clock
//! pollable of MS milliseconds; prints which is ready (`stdin`,
//! `deadline`) and the monotonic reading after it.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasi_guests::arg;
use wasip2::clocks::{monotonic_clock, wall_clock};
use wasip2::random::{insecure, insecure_seed, random};

fn main() {
    let mem = arg(1);
    if mem == "mixed" {
        return mixed(wasi_guests::num(2));
    }
    clocks("start");
    let r = monotonic_clock::resolution();
    let wr = wall_clock::resolution();
    println!("resolutions mono {r} wall {} {}", wr.seconds, wr.nanoseconds);

    std::thread::sleep(Duration::from_secs(1800));
    std::thread::sleep(Duration::from_secs(1800));
    clocks("after an hour");

    println!("random {}", hex(&random::get_random_bytes(16)));
    println!("random u64 {}", random::get_random_u64());
    println!("insecure {}", hex(&insecure::get_insecure_random_bytes(16)));
    println!("insecure u64 {}", insecure::get_insecure_random_u64());
    let (a, b) = insecure_seed::insecure_seed();
    println!("insecure seed {a} {b}");
    let mut buf = [0u8; 16];
    getrandom::fill(&mut buf).expect("getrandom");
    println!("getrandom {}", hex(&buf));
    println!("hash keys {}", RandomState::new().hash_one(42u32));

    timers();
    files(&mem);
    if let Some(host) = std::env::args().nth(2) {
        let names: Vec<String> = std::fs::read_dir(&host)
            .expect("read_dir host")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        println!("host listing {}", names.join(" "));
    }
    clocks("end");
}

/// A wait on stdin and on a deadline together.
fn mixed(ms: u64) {
    let stdin = wasip2::cli::stdin::get_stdin();
    let input = stdin.subscribe();
    let deadline = monotonic_clock::subscribe_duration(ms * 1_000_000);
    let ready = wasip2::io::poll::poll(&[&input, &deadline]);
    let names: Vec<&str> = ready
        .iter()
        .map(|&i| if i == 0 { "stdin" } else { "deadline" })
        .collect();
    println!("ready {} mono {}", names.join(" "), monotonic_clock::now());
}

/// Prints the monotonic reading and the wall clock (through wasi and std).
fn clocks(when: &str) {
    let w = wall_clock::now();
    let st = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970");
    println!(
        "{when}: mono {} wall {} {} std {} {}",
        monotonic_clock::now(),
        w.seconds,
        w.nanoseconds,
        st.as_secs(),
        st.subsec_nanos()
    );
}

/// 100 clock pollables of 1 to 100 ms in a scrambled order, polled together
/// until all fired; prints `timer <i> at <ms since start>` as they fire.
fn timers() {
    let start = monotonic_clock::now();
    let mut pending: Vec<(usize, wasip2::io::poll::Pollable)> = (0..100)
        .map(|i| {
            let ms = (i * 37 % 100 + 1) as u64;
            (i, monotonic_clock::subscribe_duration(ms * 1_000_000))
        })
        .collect();
    let mut order = Vec::new();
    while !pending.is_empty() {
        let list: Vec<&wasip2::io::poll::Pollable> = pending.iter().map(|(_, p)| p).collect();
        let ready = wasip2::io::poll::poll(&list);
        let at = (monotonic_clock::now() - start) / 1_000_000;
        let mut ready: Vec<usize> = ready.into_iter().map(|r| r as usize).collect();
        ready.sort_unstable();
        for &r in ready.iter().rev() {
            let (i, _) = pending.remove(r);
            order.push(format!("{i}@{at}"));
        }
    }
    println!("timers {}", order.join(" "));
}

/// Writes, renames and lists files under `dir`, and stats them.
fn files(dir: &str) {
    std::fs::create_dir_all(format!("{dir}/out")).expect("mkdir");
    for i in [3, 1, 2] {
        let body = format!("file {i} {}\n", random::get_random_u64());
        std::fs::write(format!("{dir}/out/f{i}.txt"), body).expect("write");
        std::thread::sleep(Duration::from_millis(250));
    }
    std::fs::rename(format!("{dir}/out/f2.txt"), format!("{dir}/out/b.txt")).expect("rename");
    for entry in std::fs::read_dir(format!("{dir}/out")).expect("read_dir") {
        let entry = entry.expect("entry");
        let meta = entry.metadata().expect("metadata");
        let mtime = meta
            .modified()
            .expect("mtime")
            .duration_since(UNIX_EPOCH)
            .expect("after 1970");
        println!(
            "entry {} len {} mtime {} {}",
            entry.file_name().to_string_lossy(),
            meta.len(),
            mtime.as_secs(),
            mtime.subsec_nanos()
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
