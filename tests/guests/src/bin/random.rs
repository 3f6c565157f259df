//! `wasi:random`. `argv[1]`:
//! - `check`: get-random-bytes of lengths 0, 1, 16, 1000 and 1 MiB (exact
//!   lengths, not all zero, two draws differ), get-random-u64 twice (differ),
//!   the same for insecure, insecure-seed returns; prints `random ok`.
//! - `print`: prints 16 bytes of each source in hex and the seed
//!   (`secure HEX`, `secure-u64 N`, `insecure HEX`, `insecure-u64 N`,
//!   `seed A B`), for host-provided generators.
//! - `huge LEN`: asks get-random-bytes for LEN bytes; prints `got N` if the
//!   host returns at all (a host may trap instead).
//! - `huge-insecure LEN`: the same with the insecure source.
use wasi_guests::{arg, num, unknown_case};
use wasip2::random::{insecure, insecure_seed, random};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn main() {
    match arg(1).as_str() {
        "check" => check(),
        "print" => {
            println!("secure {}", hex(&random::get_random_bytes(16)));
            println!("secure-u64 {}", random::get_random_u64());
            println!("insecure {}", hex(&insecure::get_insecure_random_bytes(16)));
            println!("insecure-u64 {}", insecure::get_insecure_random_u64());
            let (a, b) = insecure_seed::insecure_seed();
            println!("seed {a} {b}");
        }
        "huge" => {
            let len = num(2);
            println!("asking {len}");
            let got = random::get_random_bytes(len);
            println!("got {}", got.len());
        }
        "huge-insecure" => {
            let len = num(2);
            println!("asking {len}");
            let got = insecure::get_insecure_random_bytes(len);
            println!("got {}", got.len());
        }
        other => unknown_case(other),
    }
}

fn check_source(name: &str, get: impl Fn(u64) -> Vec<u8>, get_u64: impl Fn() -> u64) {
    for len in [0u64, 1, 16, 1000, 1 << 20] {
        let b = get(len);
        assert_eq!(b.len() as u64, len, "{name} bytes({len}) length");
        if len >= 16 {
            assert!(b.iter().any(|&x| x != 0), "{name} bytes({len}) all zero");
        }
    }
    let a = get(32);
    let b = get(32);
    assert_ne!(a, b, "{name}: two 32-byte draws are equal");
    let (x, y, z) = (get_u64(), get_u64(), get_u64());
    assert!(!(x == y && y == z), "{name}: u64 draws repeat: {x}");
}

fn check() {
    check_source("random", random::get_random_bytes, random::get_random_u64);
    check_source(
        "insecure",
        insecure::get_insecure_random_bytes,
        insecure::get_insecure_random_u64,
    );
    let (a, b) = insecure_seed::insecure_seed();
    println!("seed-nonzero={}", a != 0 || b != 0);
    // std's HashMap seeds itself from this; it must just work.
    let mut m = std::collections::HashMap::new();
    m.insert(1, 2);
    assert_eq!(m[&1], 2);
    let mut g = [0u8; 64];
    getrandom::fill(&mut g).expect("getrandom");
    assert!(g.iter().any(|&x| x != 0));
    println!("random ok");
}
