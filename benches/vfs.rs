//! Issue 9: the same `wasi:filesystem` work on a host directory, an
//! in-memory mount and an overlay, in one run, through the crate's sync
//! `Host` traits (what a guest's calls reach):
//!
//! * `small_files`: one cycle is create + write 1 KiB + close, open + read
//!   + close, unlink of a file;
//! * `readdir_10k`: a full listing of a directory of 10,000 entries.
//!
//! `cargo bench --bench vfs`.

use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Duration;
use wasi_host::bindings::filesystem::preopens::Host as _;
use wasi_host::bindings::sync::filesystem::types::{
    DescriptorFlags as DF, HostDescriptor, HostDirectoryEntryStream, OpenFlags as OF,
    PathFlags as PF,
};
use wasi_host::filesystem::Descriptor;
use wasi_host::filesystem::WasiFilesystemView as _;
use wasi_host::vfs::{MemoryFs, Mount, Overlay};
use wasi_host::{DirPerms, FilePerms, FsPerms, WasiCtxBuilder};
use wasmtime::component::Resource;

mod common;
use common::Host;

/// The three kinds of mount, each at `/d`, with a subdirectory `big`
/// holding 10,000 empty files.
fn setups() -> Vec<(&'static str, Host, u32, tempfile::TempDir)> {
    let mut out = Vec::new();
    for kind in ["host", "memory", "overlay"] {
        let tmp = tempfile::tempdir().unwrap();
        let mut b = WasiCtxBuilder::new();
        b.allow_blocking_current_thread(true);
        let big = |root: &std::path::Path| {
            std::fs::create_dir(root.join("big")).unwrap();
            for i in 0..10_000 {
                std::fs::write(root.join(format!("big/f{i:05}")), "").unwrap();
            }
        };
        match kind {
            "host" => {
                big(tmp.path());
                b.preopened_dir(tmp.path(), "/d", FsPerms::ReadWrite)
                    .unwrap();
            }
            "memory" => {
                let fs = MemoryFs::with_limits(1 << 30, 1 << 20);
                fs.create_dir_all("big").unwrap();
                for i in 0..10_000 {
                    fs.write_file(&format!("big/f{i:05}"), b"").unwrap();
                }
                b.mount("/d", Mount::memory(fs), DirPerms::all(), FilePerms::all());
            }
            _ => {
                big(tmp.path());
                let overlay =
                    Overlay::with_upper(tmp.path(), MemoryFs::with_limits(1 << 30, 1 << 20))
                        .unwrap();
                b.mount("/d", overlay.mount(), DirPerms::all(), FilePerms::all());
            }
        }
        let mut w = Host::new(b.build());
        let dirs = w.filesystem().get_directories().unwrap();
        let root = dirs[0].0.rep();
        out.push((kind, w, root, tmp));
    }
    out
}

fn b(rep: u32) -> Resource<Descriptor> {
    Resource::new_borrow(rep)
}

fn small_files(c: &mut Criterion) {
    let mut g = c.benchmark_group("small_files");
    let data = vec![0x5a; 1024];
    for (kind, mut w, root, _tmp) in setups() {
        g.bench_function(kind, |bench| {
            bench.iter(|| {
                let f = w
                    .filesystem()
                    .open_at(
                        b(root),
                        PF::empty(),
                        "f".into(),
                        OF::CREATE | OF::TRUNCATE,
                        DF::WRITE,
                    )
                    .unwrap();
                HostDescriptor::write(&mut w.filesystem(), b(f.rep()), data.clone(), 0).unwrap();
                HostDescriptor::drop(&mut w.filesystem(), f).unwrap();
                let f = w
                    .filesystem()
                    .open_at(b(root), PF::empty(), "f".into(), OF::empty(), DF::READ)
                    .unwrap();
                let (bytes, _) = w.filesystem().read(b(f.rep()), 4096, 0).unwrap();
                assert_eq!(bytes.len(), 1024);
                HostDescriptor::drop(&mut w.filesystem(), f).unwrap();
                w.filesystem().unlink_file_at(b(root), "f".into()).unwrap();
            })
        });
    }
    g.finish();
}

fn readdir_10k(c: &mut Criterion) {
    let mut g = c.benchmark_group("readdir_10k");
    for (kind, mut w, root, _tmp) in setups() {
        g.bench_function(kind, |bench| {
            bench.iter(|| {
                let d = w
                    .filesystem()
                    .open_at(b(root), PF::empty(), "big".into(), OF::DIRECTORY, DF::READ)
                    .unwrap();
                let s = w.filesystem().read_directory(b(d.rep())).unwrap();
                let mut n = 0;
                while w
                    .filesystem()
                    .read_directory_entry(Resource::new_borrow(s.rep()))
                    .unwrap()
                    .is_some()
                {
                    n += 1;
                }
                assert_eq!(n, 10_000);
                HostDirectoryEntryStream::drop(&mut w.filesystem(), s).unwrap();
                HostDescriptor::drop(&mut w.filesystem(), d).unwrap();
            })
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = small_files, readdir_10k
}
criterion_main!(benches);
