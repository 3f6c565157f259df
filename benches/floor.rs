//! What the engine leaves to a 0.2 host (issue 20): the listing and
//! file-read cells of the side-by-side harness, run by the same kind of
//! guest (Rust `std` over wasi-libc: `tests/guests/src/bin/bench_p2.rs`,
//! cases `std-list` and `std-read`) three ways:
//!
//! * **native**: this process lists the folder / reads the file with `std`;
//! * **ours**: the guest through this crate's sync linker;
//! * **floor**: the same linker with the per-entry and per-read host
//!   functions replaced (`Linker::allow_shadowing`) by the cheapest
//!   functions of the same type that still give the guest a valid answer:
//!   `read-directory-entry` hands out prepared names (a `String` clone
//!   each, which any host returning an entry pays), `metadata-hash-at`
//!   answers a constant, `input-stream.blocking-read` copies from a 64 KiB
//!   buffer already in cache. No system call, no table lookup, no lock.
//!
//! What is left in the floor is the guest's own work (std, wasi-libc, its
//! allocator) and wasmtime's per call: the trampolines, the component
//! model's task bookkeeping, lifting the borrowed handle and the path
//! string, lowering the result through the guest's `cabi_realloc` and
//! copying it into guest memory. A real host pays that plus the kernel's
//! work, which is native's figure, so `floor + native` is the least any
//! host on this engine can take; the figures below put it beside ours.
//!
//! `cargo bench --bench floor` prints one table (best of a few runs each,
//! the three taken in turn; a guest run is timed by the guest's monotonic
//! clock around the workload, so instantiation is not counted). Figures to
//! compare, never pass/fail.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use wasi_host::bindings::sync::filesystem::types::{
    DescriptorType, DirectoryEntry, ErrorCode, MetadataHashValue, PathFlags,
};
use wasi_host::bindings::sync::io::streams::StreamError;
use wasi_host::pipe::{MemoryOutputPipe, SinkOutputStream};
use wasi_host::vfs::Mount;
use wasi_host::{DirPerms, FilePerms, WasiCtxBuilder};
use wasi_host::{InputStream, filesystem::Descriptor, filesystem::ReaddirStream};
use wasi_host_test_artifacts as guests;
use wasmtime::component::{Component, Linker, Resource};
use wasmtime::{Engine, Store};

mod common;
mod guest_run;
use common::Host;

/// Runs of each cell; the best counts.
const RUNS: usize = 5;
/// Entries of the listed folder.
const ENTRIES: usize = 10_000;
/// Listings per run.
const LISTINGS: u64 = 10;
/// Bytes of the read file.
const FILE_SIZE: usize = 256 << 20;
/// What one read asks for (the guest's buffer).
const CHUNK: usize = 64 << 10;

/// How a guest run is linked.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Linking {
    /// This crate's sync linker.
    Ours,
    /// The same with the hot functions shadowed by the floor's.
    Floor,
}

/// The floor's state, shared by its functions.
#[derive(Default)]
struct Floor {
    /// The names the floor's listing hands out (those of the real folder).
    names: Vec<String>,
    /// The next name to hand out; the end resets it.
    next: AtomicUsize,
    /// Bytes the floor's file stream has left to give.
    left: AtomicU64,
    /// Calls of each floored function (listing entry, hash, read).
    calls: [AtomicU64; 3],
}

struct Bench {
    engine: Engine,
    guest: Component,
    dir: tempfile::TempDir,
    floor: Arc<Floor>,
}

impl Bench {
    fn new() -> Bench {
        let engine = Engine::default();
        let guest = Component::from_file(&engine, guests::BENCH_P2).expect("0.2 guest");
        let dir = guest_run::bench_dir(ENTRIES, FILE_SIZE);
        let names = (0..ENTRIES).map(guest_run::entry_name).collect();
        let floor = Arc::new(Floor {
            names,
            ..Floor::default()
        });
        Bench {
            engine,
            guest,
            dir,
            floor,
        }
    }

    /// The sync linker, with the floor's functions over the hot ones for
    /// [`Linking::Floor`].
    fn linker(&self, host: Linking) -> Linker<Host> {
        let mut linker = Linker::<Host>::new(&self.engine);
        wasi_host::p2::add_to_linker_sync(&mut linker).expect("link");
        if host == Linking::Floor {
            linker.allow_shadowing(true);
            shadow(&mut linker, &self.floor).expect("shadow");
        }
        linker
    }

    /// One guest run with `args`: the workload's time and the guest's
    /// report.
    fn guest(&self, host: Linking, args: &[&str]) -> (Duration, String) {
        let stderr = MemoryOutputPipe::new(1 << 16);
        let mut b = WasiCtxBuilder::new();
        let mut argv = vec!["bench"];
        argv.extend(args);
        b.args(&argv)
            .stdout(SinkOutputStream)
            .stderr(stderr.clone());
        let mount = Mount::host_dir(self.dir.path()).expect("the bench folder");
        b.mount("/bench", mount, DirPerms::all(), FilePerms::all());
        self.floor.left.store(FILE_SIZE as u64, Ordering::Relaxed);
        let mut store = Store::new(&self.engine, Host::new(b.build()));
        let linker = self.linker(host);
        let result =
            wasi_host::p2::bindings::sync::Command::instantiate(&mut store, &self.guest, &linker)
                .and_then(|cmd| cmd.wasi_cli_run().call_run(&mut store));
        guest_run::report((host, args), result, &stderr.contents())
    }
}

/// The floor's functions, over the ones `add_to_linker_sync` defined.
fn shadow(linker: &mut Linker<Host>, floor: &Arc<Floor>) -> wasmtime::Result<()> {
    let mut types = linker.instance("wasi:filesystem/types@0.2.12")?;
    let f = floor.clone();
    types.func_wrap(
        "[method]directory-entry-stream.read-directory-entry",
        move |_, (_,): (Resource<ReaddirStream>,)| {
            f.calls[0].fetch_add(1, Ordering::Relaxed);
            let i = f.next.fetch_add(1, Ordering::Relaxed);
            let entry = f.names.get(i).map(|name| DirectoryEntry {
                type_: DescriptorType::RegularFile,
                name: name.clone(),
            });
            if entry.is_none() {
                f.next.store(0, Ordering::Relaxed);
            }
            Ok((Ok::<_, ErrorCode>(entry),))
        },
    )?;
    let f = floor.clone();
    types.func_wrap(
        "[method]descriptor.metadata-hash-at",
        move |_, (_, _, path): (Resource<Descriptor>, PathFlags, String)| {
            f.calls[1].fetch_add(1, Ordering::Relaxed);
            let hash = MetadataHashValue {
                lower: path.len() as u64,
                upper: 1,
            };
            Ok((Ok::<_, ErrorCode>(hash),))
        },
    )?;
    let mut streams = linker.instance("wasi:io/streams@0.2.12")?;
    let f = floor.clone();
    let data = vec![3u8; CHUNK];
    streams.func_wrap(
        "[method]input-stream.blocking-read",
        move |_, (_, len): (Resource<InputStream>, u64)| {
            f.calls[2].fetch_add(1, Ordering::Relaxed);
            let left = f.left.load(Ordering::Relaxed);
            if left == 0 {
                return Ok((Err(StreamError::Closed),));
            }
            let n = left.min(len).min(CHUNK as u64);
            f.left.store(left - n, Ordering::Relaxed);
            Ok((Ok(data[..n as usize].to_vec()),))
        },
    )?;
    Ok(())
}

/// Native `std` doing each cell's work.
mod native {
    use super::*;

    pub fn list(path: &Path) -> Duration {
        let start = Instant::now();
        let mut names = 0;
        for _ in 0..LISTINGS {
            for entry in std::fs::read_dir(path).expect("read_dir") {
                names += entry.expect("entry").file_name().len();
            }
        }
        std::hint::black_box(names);
        start.elapsed()
    }

    pub fn read(path: &Path) -> Duration {
        let start = Instant::now();
        let mut f = std::fs::File::open(path).expect("open");
        let mut buf = vec![0u8; CHUNK];
        let mut total = 0;
        loop {
            match f.read(&mut buf).expect("read") {
                0 => break,
                n => total += n,
            }
        }
        assert_eq!(total, FILE_SIZE);
        start.elapsed()
    }
}

/// The best of [`RUNS`] runs of each of the floor, ours and native, taken
/// in turn (floor, ours, native, floor, ...) so that a machine whose speed
/// drifts during the bench weighs on all three alike.
fn best3(
    mut guest: impl FnMut(Linking) -> Duration,
    mut native: impl FnMut() -> Duration,
) -> [Duration; 3] {
    let mut best = [Duration::MAX; 3];
    for _ in 0..RUNS {
        let took = [guest(Linking::Floor), guest(Linking::Ours), native()];
        for (b, t) in best.iter_mut().zip(took) {
            *b = (*b).min(t);
        }
    }
    best
}

fn main() {
    let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    let bench = Bench::new();
    println!(
        "{:<28} {:>10} {:>10} {:>10} {:>12} {:>10}",
        "cell", "native", "floor", "ours", "floor+native", "ours/nat"
    );
    if wanted("listing") {
        let listings = LISTINGS.to_string();
        let args = ["std-list", "/bench/list", listings.as_str()];
        let expected = format!("listed {}", ENTRIES as u64 * LISTINGS);
        let guest = |host| {
            let (took, report) = bench.guest(host, &args);
            assert!(report.starts_with(&expected), "{host:?}: {report}");
            took
        };
        let [floor, ours, native] = best3(guest, || native::list(&bench.dir.path().join("list")));
        let per = |d: Duration| d.as_nanos() as f64 / 1e3 / (ENTRIES as f64 * LISTINGS as f64);
        row(
            "listing 10,000 (us/entry)",
            per(native),
            per(floor),
            per(ours),
        );
    }
    if wanted("read") {
        let args = ["std-read", "/bench/in.bin"];
        let expected = format!("read {FILE_SIZE}");
        let guest = |host| {
            let (took, report) = bench.guest(host, &args);
            assert_eq!(report, expected, "{host:?}");
            took
        };
        let [floor, ours, native] = best3(guest, || native::read(&bench.dir.path().join("in.bin")));
        let per = |d: Duration| d.as_nanos() as f64 / 1e3 / (FILE_SIZE / CHUNK) as f64;
        row("64 KiB read (us/read)", per(native), per(floor), per(ours));
    }
    let calls: Vec<u64> = bench
        .floor
        .calls
        .iter()
        .map(|c| c.load(Ordering::Relaxed))
        .collect();
    println!("floor calls (entry, hash, read): {calls:?}");
}

/// One line of the table: times per unit, and ours and the least any host
/// can take against native.
fn row(name: &str, native: f64, floor: f64, ours: f64) {
    println!(
        "{name:<28} {native:>10.3} {floor:>10.3} {ours:>10.3} {:>12.3} {:>9.2}x   (floor+native = {:.2}x native)",
        floor + native,
        ours / native,
        (floor + native) / native
    );
}
