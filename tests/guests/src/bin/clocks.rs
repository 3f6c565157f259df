//! `wasi:clocks`. `argv[1]`:
//! - `check`: wall-clock now/resolution, monotonic now/resolution,
//!   subscribe-instant in the past, subscribe-duration(0), a 20 ms duration
//!   and a 20 ms instant that really wait, u64::MAX durations/instants that
//!   never become ready; prints `waited-ms=N` for the 20 ms duration.
//! - `print`: prints `wall S N`, `wall-res S N`, `mono T`, `mono-res R`
//!   (for host-provided clocks).
use wasi_guests::{arg, unknown_case};
use wasip2::clocks::{monotonic_clock, wall_clock};

fn main() {
    match arg(1).as_str() {
        "check" => check(),
        "print" => {
            let w = wall_clock::now();
            println!("wall {} {}", w.seconds, w.nanoseconds);
            let r = wall_clock::resolution();
            println!("wall-res {} {}", r.seconds, r.nanoseconds);
            println!("mono {}", monotonic_clock::now());
            println!("mono-res {}", monotonic_clock::resolution());
            let st = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            println!("std-systemtime {} {}", st.as_secs(), st.subsec_nanos());
        }
        other => unknown_case(other),
    }
}

fn check() {
    let w = wall_clock::now();
    assert!(w.nanoseconds < 1_000_000_000, "wall-clock nanoseconds {}", w.nanoseconds);
    assert!(w.seconds > 1_600_000_000, "wall-clock seconds {}", w.seconds);
    let wr = wall_clock::resolution();
    assert!(wr.nanoseconds < 1_000_000_000);
    assert!(wr.seconds > 0 || wr.nanoseconds > 0, "wall-clock resolution is zero");
    println!("wall ok");

    let a = monotonic_clock::now();
    let b = monotonic_clock::now();
    assert!(b >= a, "monotonic clock went back: {a} then {b}");
    assert!(monotonic_clock::resolution() > 0, "monotonic resolution is zero");
    println!("monotonic ok");

    // Instants in the past and zero durations: ready at once.
    let now = monotonic_clock::now();
    for p in [
        monotonic_clock::subscribe_instant(0),
        monotonic_clock::subscribe_instant(now.saturating_sub(1)),
        monotonic_clock::subscribe_instant(now),
        monotonic_clock::subscribe_duration(0),
    ] {
        assert!(p.ready(), "a past instant or zero duration is not ready");
        p.block();
    }
    println!("past ok");

    // Overflowing durations and far instants: never ready, no host failure.
    let never = [
        monotonic_clock::subscribe_duration(u64::MAX),
        monotonic_clock::subscribe_duration(u64::MAX - 1),
        monotonic_clock::subscribe_instant(u64::MAX),
    ];
    for p in &never {
        assert!(!p.ready(), "a u64::MAX timer is ready");
    }
    println!("overflow ok");

    // A 20 ms duration waits about 20 ms.
    let t0 = monotonic_clock::now();
    let p = monotonic_clock::subscribe_duration(20_000_000);
    assert!(!p.ready(), "a 20 ms timer is ready at once");
    p.block();
    let waited = monotonic_clock::now() - t0;
    assert!(waited >= 20_000_000, "20 ms duration returned after {waited} ns");
    assert!(p.ready());
    println!("waited-ms={}", waited / 1_000_000);

    // A 20 ms instant likewise.
    let target = monotonic_clock::now() + 20_000_000;
    let p = monotonic_clock::subscribe_instant(target);
    p.block();
    let after = monotonic_clock::now();
    assert!(after >= target, "instant timer fired {} ns early", target - after);
    println!("instant ok");

    // std's view agrees.
    let i = std::time::Instant::now();
    std::thread::sleep(std::time::Duration::from_millis(5));
    assert!(i.elapsed() >= std::time::Duration::from_millis(5));
    println!("std ok");
}
