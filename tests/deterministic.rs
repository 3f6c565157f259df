//! Deterministic runs (`WasiCtxBuilder::deterministic`): the same guest run
//! twice with one seed gives byte-identical stdout and mount contents, in
//! every linker mode of every front-end (preview 1, 0.2, 0.3); another seed
//! gives other output; an hour of guest sleeps takes no time; 100
//! concurrent timers end in deadline order at their deadlines; host
//! directories list in name order; nothing granted before the switch
//! survives it, what is granted after it does; a wait that also involves
//! real I/O follows the I/O.
//!
//! The guests (`determinism` for preview 1 and 0.2, `p3_determinism`)
//! print everything a run could vary in: both clocks, resolutions, random
//! numbers from every source, timer order, file listings and stats.

use crate::common;
use common::p1::{self, P1Mode};
use common::{Mode, Outcome, Run, guests, tempdir};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use wasi_host::cli::AsyncStdinStream;
use wasi_host::pipe::MemoryOutputPipe;
use wasi_host::vfs::{MemoryFs, Mount};
use wasi_host::{DirPerms, FilePerms, ResourceTable, WasiCtxBuilder};

/// The front-ends and their modes.
#[derive(Clone, Copy, Debug)]
enum Front {
    P1(P1Mode),
    P2(Mode),
    P3(Mode),
}

fn fronts() -> Vec<Front> {
    let mut all: Vec<Front> = P1Mode::ALL.into_iter().map(Front::P1).collect();
    all.extend(Mode::ALL.into_iter().map(Front::P2));
    all.extend(Mode::ASYNC.into_iter().map(Front::P3));
    all
}

/// A host directory whose entries were created out of name order.
fn host_dir() -> tempfile::TempDir {
    let dir = tempdir();
    for name in ["zeta", "alpha", "Mid", "beta", "0x", "delta", "gamma"] {
        std::fs::write(dir.path().join(name), name).expect("write");
    }
    dir
}

/// One deterministic run of the front-end's guest with `seed`, a fresh
/// memory mount at `/mem` and `host` at `/host`: its outcome and the
/// mount's contents afterwards (path and bytes of every file).
fn run(front: Front, seed: u64, host: &std::path::Path) -> (Outcome, Vec<(String, Vec<u8>)>) {
    let fs = MemoryFs::new();
    let mount = fs.clone();
    let wasm = match front {
        Front::P1(_) => guests::p1::DETERMINISM,
        Front::P2(_) => guests::DETERMINISM,
        Front::P3(_) => guests::p3::P3_DETERMINISM,
    };
    let mut r = Run::new(wasm)
        .deterministic(seed)
        .args(["/mem", "/host"])
        .preopen(host, "/host", DirPerms::READ, FilePerms::READ)
        .configure(move |b| {
            b.mount(
                "/mem",
                Mount::memory(mount.clone()),
                DirPerms::all(),
                FilePerms::all(),
            );
        });
    let out = match front {
        Front::P1(mode) => p1::run(&r, mode),
        Front::P2(mode) => r.run(mode),
        Front::P3(mode) => {
            r.p3 = true;
            r.run(mode)
        }
    };
    out.assert_success();
    let files = fs
        .paths()
        .into_iter()
        .filter_map(|p| fs.read_file(&p).map(|b| (p, b)))
        .collect();
    (out, files)
}

/// The 100 timers of the guests: timer `i` lasts `i * 37 % 100 + 1` ms, so
/// they end in that order, each at its deadline.
fn expected_timers() -> String {
    let mut timers: Vec<(u64, u64)> = (0..100).map(|i| (i * 37 % 100 + 1, i)).collect();
    timers.sort_unstable();
    let order: Vec<String> = timers.iter().map(|(ms, i)| format!("{i}@{ms}")).collect();
    format!("timers {}", order.join(" "))
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let host = host_dir();
    for front in fronts() {
        let (first, first_files) = run(front, 7, host.path());
        let (second, second_files) = run(front, 7, host.path());
        let (other, other_files) = run(front, 8, host.path());
        assert_eq!(
            first.stdout(),
            second.stdout(),
            "{front:?}: one seed, two outputs"
        );
        assert_eq!(first_files, second_files, "{front:?}: one seed, two trees");
        assert_ne!(first.stdout(), other.stdout(), "{front:?}: seeds 7 and 8");
        if !matches!(front, Front::P3(_)) {
            assert!(!first_files.is_empty(), "{front:?}: the guest wrote files");
            assert_ne!(
                first_files, other_files,
                "{front:?}: seeds 7 and 8 wrote alike"
            );
        }
        // An hour of sleeps, and the timers, took no real time (the bound
        // is loose: it only has to tell an hour from a moment).
        assert!(
            first.elapsed < Duration::from_secs(60),
            "{front:?}: took {:?}",
            first.elapsed
        );
    }
}

#[test]
fn virtual_time_starts_at_the_epoch_and_moves_only_with_waits() {
    let host = host_dir();
    for front in fronts() {
        let (out, _) = run(front, 1, host.path());
        let lines = out.lines();
        let start = lines
            .iter()
            .find(|l| l.starts_with("start: "))
            .expect("start");
        let hour = lines
            .iter()
            .find(|l| l.starts_with("after an hour: "))
            .expect("after an hour");
        match front {
            Front::P1(_) => {
                assert_eq!(
                    start,
                    "start: mono 0 wall 1640995200000000000 std 1640995200 0"
                );
                assert_eq!(
                    hour,
                    "after an hour: mono 3600000000000 wall 1640998800000000000 std 1640998800 0"
                );
                out.assert_line("resolutions mono 1 wall 1");
            }
            Front::P2(_) => {
                assert_eq!(start, "start: mono 0 wall 1640995200 0 std 1640995200 0");
                assert_eq!(
                    hour,
                    "after an hour: mono 3600000000000 wall 1640998800 0 std 1640998800 0"
                );
                out.assert_line("resolutions mono 1 wall 0 1");
            }
            Front::P3(_) => {
                assert_eq!(start, "start: mono 0 wall 1640995200 0");
                assert_eq!(hour, "after an hour: mono 3600000000000 wall 1640998800 0");
                out.assert_line("resolutions mono 1 wall 1");
            }
        }
        out.assert_line(&expected_timers());
    }
}

#[test]
fn listings_come_in_name_order() {
    let host = host_dir();
    for front in fronts() {
        if matches!(front, Front::P3(_)) {
            continue; // the 0.3 guest lists nothing
        }
        let (out, _) = run(front, 1, host.path());
        out.assert_line("host listing 0x Mid alpha beta delta gamma zeta");
        let entries: Vec<String> = out
            .lines()
            .into_iter()
            .filter_map(|l| l.strip_prefix("entry ").map(|e| e.to_string()))
            .collect();
        let names: Vec<&str> = entries
            .iter()
            .map(|e| e.split(' ').next().unwrap_or(""))
            .collect();
        assert_eq!(names, ["b.txt", "f1.txt", "f3.txt"], "{front:?}");
        // Virtual time stamps the files: written 250 ms apart, an hour in.
        assert!(
            entries[2].contains(" mtime 1640998800100000000")
                || entries[2].contains(" mtime 1640998800 100000000"),
            "{front:?}: {}",
            entries[2]
        );
    }
}

#[test]
fn the_epoch_can_be_chosen() {
    for mode in Mode::ALL {
        let out = Run::new(guests::CLOCKS)
            .deterministic(3)
            .arg("print")
            .configure(|b| {
                b.deterministic_epoch(Duration::from_secs(1_000_000_000));
            })
            .run(mode);
        out.assert_success()
            .assert_line("wall 1000000000 0")
            .assert_line("mono 0");
    }
}

/// Runs the `environment` guest with the context `configure` builds.
fn environment(mode: Mode, configure: impl Fn(&mut WasiCtxBuilder)) -> Vec<String> {
    let stdout = MemoryOutputPipe::new(1 << 20);
    let mut b = WasiCtxBuilder::new();
    b.stdout(stdout.clone());
    configure(&mut b);
    let state = common::Ctx {
        table: ResourceTable::new(),
        wasi: b.build(),
    };
    let exit = common::run_in(mode, &common::component(guests::ENVIRONMENT), state);
    assert_eq!(exit, common::Exit::Code(0), "{mode:?}");
    String::from_utf8_lossy(&stdout.contents())
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn nothing_granted_before_the_switch_survives_it() {
    for mode in Mode::ALL {
        let lines = environment(mode, |b| {
            b.arg("before").env("BEFORE", "1").inherit_env();
            b.deterministic(1);
        });
        assert_eq!(lines, ["cwd none"], "{mode:?}");
        let lines = environment(mode, |b| {
            b.deterministic(1);
            b.arg("after").env("AFTER", "2");
        });
        assert_eq!(lines, ["arg after", "env AFTER=2", "cwd none"], "{mode:?}");
    }
}

/// A 0.2 `poll` on stdin and a deadline, with stdin fed by the test after
/// `delay` of real time (never, for `None`).
fn mixed(mode: Mode, ms: u64, delay: Option<Duration>) -> Outcome {
    let (mut writer, reader) = tokio::io::duplex(1024);
    let reader = Arc::new(Mutex::new(Some(reader)));
    let started = Run::new(guests::DETERMINISM)
        .deterministic(5)
        .args(["mixed", &ms.to_string()])
        .configure(move |b| {
            if let Some(reader) = reader.lock().expect("stdin slot").take() {
                b.stdin(AsyncStdinStream::new(reader));
            }
        })
        .start(mode);
    if let Some(delay) = delay {
        std::thread::sleep(delay);
        common::runtime()
            .block_on(writer.write_all(b"x"))
            .expect("write stdin");
    }
    let out = started.wait();
    drop(writer);
    out
}

#[test]
fn a_wait_on_real_io_follows_the_io() {
    for mode in Mode::ALL {
        // The I/O comes first: the clock did not move.
        let out = mixed(mode, 3_600_000, Some(Duration::from_millis(50)));
        out.assert_success().assert_line("ready stdin mono 0");
        // The I/O never comes: the deadline ends the wait after its length
        // in real time, and the clock moves to it.
        let out = mixed(mode, 100, None);
        out.assert_success()
            .assert_line("ready deadline mono 100000000");
        assert!(
            out.elapsed >= Duration::from_millis(100),
            "{mode:?}: {:?}",
            out.elapsed
        );
    }
}
