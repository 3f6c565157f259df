//! Target `fs_seq`: sequences of filesystem calls through preview 1 or
//! 0.2, on a host preopen and a virtual mount side by side (issue 19,
//! part 2, "filesystem sequences").
//!
//! The first byte chooses the front-end (preview 1 through a core
//! module's calls, or the 0.2 host traits) and the virtual side (a memory
//! mount, or an overlay of a host directory). Both sides start from the
//! same tree ([`seed_tree`]), whose symlinks lead out of the sandbox, at
//! themselves and at each other; beside them are a read-only host preopen
//! and a read-only memory mount of the same tree. Up to 48 operations
//! follow ([`gen_op`]: any open flags, reads, writes, truncates, renames,
//! links, symlinks with any target, removals, listings, stats, set-times,
//! files kept open), each made on both sides of the read-write pair or,
//! one time in six, of the read-only pair.
//!
//! Oracles (a panic is a finding):
//! * no host panic or trap;
//! * the host and the virtual side answer alike (the differential test's
//!   rules: [`host_quirk`] lists the answers not compared), and their
//!   trees are equal at the end;
//! * nothing outside the sandbox changed: the canaries beside it, the
//!   overlay's host layer, the read-only host preopen ([`super::canary`]),
//!   checked after every case with the guest's descriptors closed;
//! * the read-only memory mount's tree is as it was.

use super::canary;
use super::fs_ops::{Choose, Op, gen_op, host_quirk, seed_tree};
use super::fs_p1::P1;
use super::fs_p2::P2;
use super::input::Input;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use wasi_host::vfs::{MemoryFs, Mount, Overlay};
use wasi_host::{DirPerms, FilePerms, FsPerms, WasiCtxBuilder};

/// Cases and operations run so far, and operations whose answers were
/// not compared (a [`host_quirk`]), for the reports.
pub static COUNTS: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

/// The guest paths of the four sides.
const HOST: &str = "/host";
const VIRTUAL: &str = "/mem";
const HOST_RO: &str = "/ro";
const MEMORY_RO: &str = "/memro";

/// A case's host tree and mounts.
struct World {
    root: tempfile::TempDir,
    virtual_rw: Mount,
    memory_ro: MemoryFs,
}

impl World {
    fn new(overlay: bool) -> World {
        let root = tempfile::tempdir().expect("a temporary directory");
        let p = root.path();
        canary::plant(p);
        for dir in ["sandbox", "ro"] {
            seed_tree(&p.join(dir)).expect("seed");
        }
        let virtual_rw = if overlay {
            seed_tree(&p.join("lower")).expect("seed");
            Overlay::new(p.join("lower")).expect("overlay").mount()
        } else {
            Mount::memory(MemoryFs::copy_from_host(p.join("sandbox")).expect("copy"))
        };
        let memory_ro = MemoryFs::copy_from_host(p.join("ro")).expect("copy");
        World {
            root,
            virtual_rw,
            memory_ro,
        }
    }

    fn path(&self) -> &Path {
        self.root.path()
    }

    /// A context with the four sides.
    fn ctx(&self) -> WasiCtxBuilder {
        let mut b = WasiCtxBuilder::new();
        b.preopened_dir(self.path().join("sandbox"), HOST, FsPerms::ReadWrite)
            .expect("preopen");
        b.mount(
            VIRTUAL,
            self.virtual_rw.clone(),
            DirPerms::all(),
            FilePerms::all(),
        );
        b.preopened_dir(self.path().join("ro"), HOST_RO, FsPerms::ReadOnly)
            .expect("preopen");
        b.mount(
            MEMORY_RO,
            Mount::memory(self.memory_ro.clone()),
            DirPerms::READ,
            FilePerms::READ,
        );
        b
    }

    /// The trees of the four sides, as seen through 0.2.
    fn trees(&self) -> [Vec<String>; 4] {
        let (mut p2, names) = P2::new(self.ctx().build());
        [HOST, VIRTUAL, HOST_RO, MEMORY_RO].map(|n| p2.snapshot(index(&names, n)))
    }
}

fn index(names: &[String], name: &str) -> usize {
    names.iter().position(|n| n == name).expect("a side")
}

/// A front-end with the four sides.
enum Front {
    P1(Box<P1>),
    P2(Box<P2>),
}

impl Front {
    fn run(&mut self, side: usize, op: &Op) -> String {
        match self {
            Front::P1(p1) => p1.run(side, op),
            Front::P2(p2) => p2.run(side, op),
        }
    }
}

/// One case; panics on a finding.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let mode = input.u8();
    let world = World::new(mode & 2 != 0);
    let outside = canary::outside(world.path());
    let before = world.trees();
    let (mut front, names) = if mode & 1 != 0 {
        let (p1, names) = P1::new(world.ctx().build_p1());
        (Front::P1(Box::new(p1)), names)
    } else {
        let (p2, names) = P2::new(world.ctx().build());
        (Front::P2(Box::new(p2)), names)
    };
    let [host, virt, host_ro, memory_ro] =
        [HOST, VIRTUAL, HOST_RO, MEMORY_RO].map(|n| index(&names, n));
    let mut log = Vec::new();
    COUNTS[0].fetch_add(1, Relaxed);
    for i in 0..48 {
        if input.is_empty() {
            break;
        }
        let (a, b) = if input.below(6) == 0 {
            (host_ro, memory_ro)
        } else {
            (host, virt)
        };
        let op = gen_op(&mut input);
        let (x, y) = (front.run(a, &op), front.run(b, &op));
        COUNTS[1].fetch_add(1, Relaxed);
        log.push(format!("{i}: {op:?} on {} -> {x}", names[a]));
        if x != y {
            if host_quirk(&op) {
                COUNTS[2].fetch_add(1, Relaxed);
                continue;
            }
            panic!(
                "mode {mode}, op {i}: {op:?} on {} and {}\n host:    {x}\n virtual: {y}\nops:\n{}",
                names[a],
                names[b],
                log.join("\n")
            );
        }
    }
    drop(front);
    let after = world.trees();
    let log = log.join("\n");
    assert_eq!(after[0], after[1], "mode {mode}: trees differ\nops:\n{log}");
    assert_eq!(after[2], before[2], "mode {mode}: /ro changed\nops:\n{log}");
    assert_eq!(
        after[3], before[3],
        "mode {mode}: /memro changed\nops:\n{log}"
    );
    let now = canary::outside(world.path());
    assert_eq!(
        outside, now,
        "mode {mode}: outside the sandbox changed\nops:\n{log}"
    );
}
