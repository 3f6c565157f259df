//! What the benches that run a guest of `tests/guests/src/bin/bench_p2.rs`
//! (or its 0.3 twin) share: the folder of their files, and reading the time
//! the guest reports.

use std::path::Path;
use std::time::Duration;

/// A folder of `entries` empty files named `entry-NNNNN` (`list/`) and a
/// file of `file_size` bytes (`in.bin`), in memory where the machine has
/// it (`/dev/shm`): a cell then measures the host, not the disk's
/// writeback, as the side-by-side harness does.
pub fn bench_dir(entries: usize, file_size: usize) -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    let dir = match shm.is_dir() {
        true => tempfile::tempdir_in(shm),
        false => tempfile::tempdir(),
    }
    .expect("temp dir");
    std::fs::write(dir.path().join("in.bin"), vec![3u8; file_size]).expect("in.bin");
    let list = dir.path().join("list");
    std::fs::create_dir(&list).expect("list/");
    for i in 0..entries {
        std::fs::write(list.join(entry_name(i)), b"").expect("entry");
    }
    dir
}

/// The name of entry `i` of [`bench_dir`]'s `list/`.
pub fn entry_name(i: usize) -> String {
    format!("entry-{i:05}")
}

/// The time the guest measured around its workload (its `ns T` line on
/// stderr) and the line after it (what it did), once `result`, its run,
/// is known to have succeeded; a failed run panics naming `what`, with
/// the guest's `stderr`.
pub fn report(
    what: impl std::fmt::Debug,
    result: wasmtime::Result<Result<(), ()>>,
    stderr: &[u8],
) -> (Duration, String) {
    let err = String::from_utf8_lossy(stderr);
    match result {
        Ok(Ok(())) => {}
        other => panic!("{what:?}: {other:?}\n{err}"),
    }
    let ns = err
        .lines()
        .find_map(|l| l.strip_prefix("ns "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{what:?}: no time in {err:?}"));
    let done = err.lines().nth(1).unwrap_or_default().to_string();
    (Duration::from_nanos(ns), done)
}
