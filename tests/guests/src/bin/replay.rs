//! Record and replay (tests/replay.rs): reads a line of stdin, the wall
//! clock, sleeps 30 ms on the monotonic clock, draws a random hash key,
//! reads the host file `argv[1]` if given, and prints all of it; with
//! `net` as `argv[1]`, connects to 127.0.0.1:9 and prints the result. The
//! same source is the preview 1 guest of tests/guests-p1.
use std::hash::{BuildHasher, RandomState};
use std::io::BufRead;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub fn main() {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).expect("stdin");
    println!("stdin {:?}", line.trim_end());
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    println!("wall {}.{:09}", wall.as_secs(), wall.subsec_nanos());
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(30));
    let slept = start.elapsed();
    assert!(slept >= Duration::from_millis(30), "slept {slept:?}");
    println!("slept {}", slept.as_nanos());
    println!("random {:x}", RandomState::new().hash_one(42u64));
    match std::env::args().nth(1).as_deref() {
        Some("net") => {
            let r = std::net::TcpStream::connect("127.0.0.1:9");
            println!("net {:?}", r.map(drop).map_err(|e| e.kind()));
        }
        Some(path) => println!(
            "file {:?}",
            std::fs::read_to_string(path).expect("read the file")
        ),
        None => {}
    }
}
