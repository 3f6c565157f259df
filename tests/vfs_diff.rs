//! Issue 9: differential testing of the in-memory backend against the host
//! backend. A seeded generator makes sequences of filesystem operations
//! (creates, writes at offsets, truncates, renames over existing names,
//! links, symlinks with `..`, removals, listings, stats, reads of files
//! kept open across unlinks, and hostile paths); each operation is made
//! through the crate's `wasi:filesystem` host implementation (the sync
//! `Host` traits, as a guest's calls arrive) once on a preopened host
//! temporary directory and once on an in-memory mount, and every result
//! (error code, bytes read, listing, type, size, link count) must be the
//! same. The whole tree is compared after each sequence.
//!
//! `cargo test` runs at least 10,000 operations; set `WASI_HOST_VFS_OPS`
//! for more (and `WASI_HOST_VFS_SEED` to start from another seed).

use crate::fuzz_loops::targets::fs_ops::{Choose, Op, gen_op, host_quirk, seed_tree};
use crate::fuzz_loops::targets::fs_p2::P2;
use wasi_host::vfs::{MemoryFs, Mount, Overlay};
use wasi_host::{DirPerms, FilePerms, FsPerms, WasiCtxBuilder};

/// A small seeded generator (xorshift64*).
struct Rng(u64);

impl Choose for Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % n
    }
}

/// The host side (preopen 0) and the virtual side (preopen 1) of one
/// context, and the directories and tree they live in.
struct Harness {
    p2: P2,
    _tmp: tempfile::TempDir,
    _lower: tempfile::TempDir,
    mem_fs: MemoryFs,
}

impl Harness {
    fn new() -> Harness {
        Self::seeded(false)
    }

    /// With `overlay`, both sides start from the same seeded tree: the
    /// host side in a temporary directory, the virtual side as an overlay
    /// of a second copy of it.
    fn seeded(overlay: bool) -> Harness {
        let tmp = tempfile::tempdir().unwrap();
        let lower = tempfile::tempdir().unwrap();
        let (mount, mem_fs) = if overlay {
            for dir in [tmp.path(), lower.path()] {
                seed_tree(dir).unwrap();
            }
            let overlay = Overlay::new(lower.path()).unwrap();
            (overlay.mount(), overlay.upper().clone())
        } else {
            let fs = MemoryFs::new();
            (Mount::memory(fs.clone()), fs)
        };
        let mut b = WasiCtxBuilder::new();
        b.preopened_dir(tmp.path(), "/host", FsPerms::ReadWrite)
            .unwrap();
        b.mount("/mem", mount, DirPerms::all(), FilePerms::all());
        let (p2, names) = P2::new(b.build());
        assert_eq!(names, ["/host", "/mem"]);
        Harness {
            p2,
            _tmp: tmp,
            _lower: lower,
            mem_fs,
        }
    }

    /// Runs `op` on the host side or the virtual side.
    fn run(&mut self, host: bool, op: &Op) -> String {
        self.p2.run(usize::from(!host), op)
    }

    fn snapshot(&mut self, host: bool) -> Vec<String> {
        self.p2.snapshot(usize::from(!host))
    }
}

/// Runs `ops` operations of sequence `seed` on an empty tree.
fn run_sequence(seed: u64, ops: usize) {
    run_sequence_on(Harness::new(), seed, ops)
}

/// Runs `ops` operations of sequence `seed`; panics at the first difference.
fn run_sequence_on(mut h: Harness, seed: u64, ops: usize) {
    let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut log = Vec::new();
    for i in 0..ops {
        let op = gen_op(&mut rng);
        let a = h.run(true, &op);
        let b = h.run(false, &op);
        log.push(format!("{i}: {op:?} -> {a}"));
        if a != b && !host_quirk(&op) {
            let start = log.len().saturating_sub(25);
            let tree = h.snapshot(true).join("\n");
            panic!(
                "seed {seed}, op {i}: {op:?}\n host:   {a}\n memory: {b}\nrecent ops:\n{}\nhost tree after:\n{tree}",
                log[start..].join("\n")
            );
        }
    }
    let (a, b) = (h.snapshot(true), h.snapshot(false));
    assert_eq!(a, b, "seed {seed}: trees differ after {ops} ops");
    // What the embedder reads back is what the guest saw.
    let files = h.mem_fs.paths();
    assert!(
        files.len() <= a.len() + 1,
        "seed {seed}: {files:?} vs {a:?}"
    );
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

#[test]
fn memory_backend_matches_host() {
    let total = env_u64("WASI_HOST_VFS_OPS").unwrap_or(10_000).max(10_000) as usize;
    let first = env_u64("WASI_HOST_VFS_SEED").unwrap_or(1);
    let per_sequence = 250;
    let sequences = total.div_ceil(per_sequence);
    for seed in first..first + sequences as u64 {
        run_sequence(seed, per_sequence);
    }
}

/// Prints what the host backend answers to a fixed set of edge cases
/// (`cargo test --test vfs_diff probe -- --ignored --nocapture`).
#[test]
#[ignore]
fn probe() {
    let setup = [
        Op::Write {
            path: "f".into(),
            oflags: 0,
            offset: 0,
            len: 3,
        },
        Op::Mkdir("d".into()),
        Op::Symlink("f".into(), "lf".into()),
        Op::Symlink("d".into(), "ld".into()),
        Op::Symlink("nowhere".into(), "dang".into()),
        Op::Symlink("lp".into(), "lp".into()),
    ];
    let cases: Vec<Op> = std::env::var("PROBE")
        .unwrap_or_default()
        .split(';')
        .filter(|s| !s.is_empty())
        .map(|s| {
            let v: Vec<&str> = s.split(',').collect();
            match v[0] {
                "symlink" => Op::Symlink(v[1].into(), v[2].into()),
                "link" => Op::Link(v[1].into(), v[2].into(), v[3] == "1"),
                "rename" => Op::Rename(v[1].into(), v[2].into()),
                "mkdir" => Op::Mkdir(v[1].into()),
                "unlink" => Op::Unlink(v[1].into()),
                "rmdir" => Op::Rmdir(v[1].into()),
                "stat" => Op::Stat(v[1].into(), v[2] == "1"),
                "open" => Op::Open(v[1].into(), v[2].parse().unwrap(), v[3] == "1"),
                "write" => Op::Write {
                    path: v[1].into(),
                    oflags: v[2].parse().unwrap(),
                    offset: 0,
                    len: 2,
                },
                "readlink" => Op::Readlink(v[1].into()),
                "list" => Op::List(v[1].into()),
                _ => panic!("{s}"),
            }
        })
        .collect();
    for op in &cases {
        let mut h = Harness::new();
        for op in &setup {
            h.run(true, op);
            h.run(false, op);
        }
        let a = h.run(true, op);
        let b = h.run(false, op);
        println!("{op:?}\n   host {a}\n   mem  {b}");
    }
}

/// The same against an overlay of a host directory (the virtual side)
/// and a copy of that directory (the host side).
#[test]
fn overlay_backend_matches_host() {
    let total = env_u64("WASI_HOST_VFS_OPS").unwrap_or(5_000).max(5_000) as usize;
    let first = env_u64("WASI_HOST_VFS_SEED").unwrap_or(1);
    let per_sequence = 250;
    for seed in first..first + total.div_ceil(per_sequence) as u64 {
        run_sequence_on(Harness::seeded(true), seed, per_sequence);
    }
}

/// The findings of fuzz target `fs_seq` (issue 19), each answered as Linux
/// answers it, by the host backend and the overlay alike, on the seeded
/// tree (`e` a file, `a` a directory, `b` a dangling symlink, `a/d` a
/// symlink to `e`, `d/c` a directory).
#[test]
fn fuzz_findings_answer_as_linux() {
    let long = "n".repeat(300);
    let cases = [
        // A name longer than NAME_MAX: `name-too-long`, also on a virtual
        // mount, and only once the name is looked up.
        (
            Op::Symlink("e".into(), long.clone()),
            "Err(\"name-too-long\")",
        ),
        (Op::Mkdir(long.clone()), "Err(\"name-too-long\")"),
        (
            Op::Rename(long.clone(), "e/a".into()),
            "Err(\"not-directory\")",
        ),
        (
            Op::Link("d/c".into(), long.clone(), false),
            "Err(\"name-too-long\")",
        ),
        (
            Op::Rename("e/".into(), long.clone()),
            "Err(\"name-too-long\")",
        ),
        // A non-directory renamed to a name with a trailing slash.
        (
            Op::Rename("e".into(), "a/".into()),
            "Err(\"not-directory\")",
        ),
        (
            Op::Rename("e".into(), "zz/".into()),
            "Err(\"not-directory\")",
        ),
        (
            Op::Rename("e".into(), "../".into()),
            "Err(\"not-permitted\")",
        ),
        (Op::Rename("b/.".into(), "c/".into()), "Err(\"no-entry\")"),
        // `link` of `symlink/`: what the target is.
        (
            Op::Link("b/".into(), "x".into(), false),
            "Err(\"no-entry\")",
        ),
        (
            Op::Link("a/d/".into(), "x".into(), false),
            "Err(\"not-directory\")",
        ),
        // An empty symlink target before the new path (fs_seq, seed
        // 2009207).
        (Op::Symlink(String::new(), "e/".into()), "Err(\"no-entry\")"),
        // The flags before the path: `create` with `directory`.
        (Op::Open(String::new(), 9, true), "invalid"),
    ];
    for (op, want) in cases {
        let mut h = Harness::seeded(true);
        let (host, virt) = (h.run(true, &op), h.run(false, &op));
        assert_eq!((host.as_str(), virt.as_str()), (want, want), "{op:?}");
        assert_eq!(h.snapshot(true), h.snapshot(false), "{op:?}");
    }
}
