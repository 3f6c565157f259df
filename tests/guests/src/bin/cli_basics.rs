//! The program of issue 2's "Done when": everything an ordinary CLI program
//! does through `std`, printed so the host test can compare it with what
//! the same program prints natively (`cargo run` on the host).
use std::io::Read;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("argc={}", args.len());
    for (i, a) in args.iter().enumerate() {
        println!("arg[{i}]={a}");
    }

    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    for (k, v) in &vars {
        println!("env {k}={v}");
    }

    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .expect("read_to_string(stdin)");
    println!("stdin bytes={}", input.len());
    for line in input.lines() {
        println!("stdin> {line}");
    }

    eprintln!("stderr: hello from cli_basics");

    let now = SystemTime::now();
    let since = now.duration_since(UNIX_EPOCH).expect("SystemTime before 1970");
    // 2020-09-13 .. 2100-01-01: a plausible wall clock.
    println!(
        "systemtime plausible={}",
        since.as_secs() > 1_600_000_000 && since.as_secs() < 4_102_444_800
    );

    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(10));
    let elapsed = start.elapsed();
    println!("slept>=10ms={}", elapsed >= Duration::from_millis(10));
    eprintln!("stderr: slept {elapsed:?}");

    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).expect("getrandom");
    println!("getrandom nonzero={}", buf.iter().any(|&b| b != 0));

    println!("exiting with 3");
    std::process::exit(3);
}
