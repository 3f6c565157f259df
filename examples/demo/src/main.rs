//! The bundled demo of `wasi-host`: a plain Rust program for `wasm32-wasip2`
//! that prints what the host gave it (arguments, environment, clocks and
//! random numbers) through the standard library.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn main() {
    println!("Hello from a WASI 0.2 component, run by wasi-host!");
    println!();

    let args: Vec<String> = std::env::args().collect();
    println!("arguments ({}):", args.len());
    for (i, arg) in args.iter().enumerate() {
        println!("  argv[{i}] = {arg:?}");
    }

    let mut vars: Vec<(String, String)> = std::env::vars().collect();
    vars.sort();
    println!("environment variables ({}):", vars.len());
    for (key, value) in &vars {
        println!("  {key}={value}");
    }

    // wasi:clocks/wall-clock
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(since_epoch) => println!(
            "wall clock: {} ({} s since the Unix epoch)",
            utc(since_epoch),
            since_epoch.as_secs()
        ),
        Err(_) => println!("wall clock: before the Unix epoch"),
    }

    // wasi:clocks/monotonic-clock, and a sleep (a pollable on that clock).
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(20));
    println!("monotonic clock: a 20 ms sleep took {:?}", start.elapsed());

    // wasi:random/random
    let mut bytes = [0u8; 16];
    match getrandom::fill(&mut bytes) {
        Ok(()) => {
            let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            println!("random bytes: {hex}");
        }
        Err(e) => println!("random bytes: unavailable ({e})"),
    }
    let dice: Vec<String> = (0..6)
        .map(|_| match getrandom::u32() {
            Ok(n) => (n % 6 + 1).to_string(),
            Err(_) => "?".to_string(),
        })
        .collect();
    println!("six dice: {}", dice.join(" "));

    println!();
    println!("Run your own component: cargo run --release --example run -- FILE.wasm [ARGS...]");
}

/// `since_epoch` as an ISO 8601 UTC date and time.
fn utc(since_epoch: Duration) -> String {
    let secs = since_epoch.as_secs();
    let (days, rem) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60,
        since_epoch.subsec_millis()
    )
}
