//! What a deterministic run must reproduce, through preview 1:
//! `determinism MEM [HOST]` prints both clocks and their resolutions,
//! sleeps an hour (std's `sleep`, two half hours) and reads the clocks
//! again, draws random numbers (`random_get`, std's hash keys), waits on
//! 100 clock subscriptions of different timeouts at once (printing the
//! order they fire in and when), writes and renames files under `MEM`,
//! lists it and stats its files (inode numbers included), and lists `HOST`
//! (names only) if given.
//!
//! Every line is a pure function of the run's seed in a deterministic run.

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::os::fd::AsRawFd;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasi_guests_p1::*;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mem = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| fail("usage: determinism MEM [HOST]"));
    clocks("start");
    let mono_res = ok("clock_res_get", unsafe { clock_res_get(CLOCKID_MONOTONIC) });
    let wall_res = ok("clock_res_get", unsafe { clock_res_get(CLOCKID_REALTIME) });
    println!("resolutions mono {mono_res} wall {wall_res}");

    std::thread::sleep(Duration::from_secs(1800));
    std::thread::sleep(Duration::from_secs(1800));
    clocks("after an hour");

    let mut buf = [0u8; 16];
    ok("random_get", unsafe {
        random_get(buf.as_mut_ptr(), buf.len())
    });
    println!("random {}", hex(&buf));
    println!("hash keys {}", RandomState::new().hash_one(42u32));

    timers();
    files(&mem);
    if let Some(host) = args.get(2) {
        let names: Vec<String> = std::fs::read_dir(host)
            .expect("read_dir host")
            .map(|e| e.expect("entry").file_name().into_string().expect("utf-8"))
            .collect();
        println!("host listing {}", names.join(" "));
    }
    clocks("end");
}

fn now(id: Clockid) -> u64 {
    ok("clock_time_get", unsafe { clock_time_get(id, 1) })
}

/// Prints the monotonic reading and the wall clock (through wasi and std).
fn clocks(when: &str) {
    let st = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    println!(
        "{when}: mono {} wall {} std {} {}",
        now(CLOCKID_MONOTONIC),
        now(CLOCKID_REALTIME),
        st.as_secs(),
        st.subsec_nanos()
    );
}

/// 100 absolute clock subscriptions of 1 to 100 ms from now in a scrambled
/// order, polled together until all fired; prints `timer <i>@<ms>` in the
/// order they fire.
fn timers() {
    let start = now(CLOCKID_MONOTONIC);
    let mut pending: Vec<Subscription> = (0..100u64)
        .map(|i| {
            let at = start + (i * 37 % 100 + 1) * 1_000_000;
            clock_sub(
                i,
                CLOCKID_MONOTONIC,
                at,
                SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
            )
        })
        .collect();
    let mut order = Vec::new();
    while !pending.is_empty() {
        let mut events: Vec<Event> = Vec::with_capacity(pending.len());
        let n = ok("poll_oneoff", unsafe {
            poll_oneoff(pending.as_ptr(), events.as_mut_ptr(), pending.len())
        });
        unsafe { events.set_len(n) };
        let at = (now(CLOCKID_MONOTONIC) - start) / 1_000_000;
        let mut fired: Vec<u64> = events.iter().map(|e| e.userdata).collect();
        fired.sort_unstable();
        for i in fired {
            order.push(format!("{i}@{at}"));
        }
        pending.retain(|s| events.iter().all(|e| e.userdata != s.userdata));
    }
    println!("timers {}", order.join(" "));
}

/// Writes, renames and lists files under `dir`, and stats them.
fn files(dir: &str) {
    std::fs::create_dir_all(format!("{dir}/out")).expect("mkdir");
    for i in [3, 1, 2] {
        let mut r = [0u8; 8];
        ok("random_get", unsafe { random_get(r.as_mut_ptr(), r.len()) });
        let body = format!("file {i} {}\n", u64::from_le_bytes(r));
        std::fs::write(format!("{dir}/out/f{i}.txt"), body).expect("write");
        std::thread::sleep(Duration::from_millis(250));
    }
    std::fs::rename(format!("{dir}/out/f2.txt"), format!("{dir}/out/b.txt")).expect("rename");
    for entry in std::fs::read_dir(format!("{dir}/out")).expect("read_dir") {
        let entry = entry.expect("entry");
        let file = std::fs::File::open(entry.path()).expect("open");
        let st = ok("fd_filestat_get", unsafe {
            fd_filestat_get(file.as_raw_fd() as Fd)
        });
        println!(
            "entry {} len {} ino {} dev {} mtime {} atime {} ctime {}",
            entry.file_name().to_string_lossy(),
            st.size,
            st.ino,
            st.dev,
            st.mtim,
            st.atim,
            st.ctim
        );
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
