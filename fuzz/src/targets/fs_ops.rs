//! The filesystem operations of target `fs_seq` and of the differential
//! test `tests/vfs_diff.rs`: what an operation is, how a sequence of them
//! is drawn, and the tree both sides start from.
//!
//! Paths come from a small alphabet (`a` to `e`, `.`, `..`, trailing
//! slashes) with hostile paths mixed in: absolute paths, NUL, empty
//! names, names too long for any host, escapes through `..`, and the seed
//! tree's symlinks that point out of the sandbox, at themselves and at
//! each other.

use super::input::Input;

/// Where the choices of a sequence come from: a seeded generator or the
/// fuzzer's bytes.
pub trait Choose {
    /// A number below `n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64;

    /// True `percent` times in 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// One of `items`.
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

impl Choose for Input<'_> {
    fn below(&mut self, n: u64) -> u64 {
        u64::from(self.u16()) % n
    }
}

/// The names most paths are made of.
pub const NAMES: &[&str] = &["a", "b", "c", "d", "e"];

/// A name longer than any host allows (`NAME_MAX` is 255).
const LONG: &str = "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn";

/// A path for an operation: mostly one to three names, sometimes `.` and
/// `..`, trailing slashes, and hostile paths.
pub fn path(rng: &mut impl Choose) -> String {
    if rng.chance(5) {
        return rng
            .pick(&[
                "",
                "/",
                "/a",
                "a\0b",
                "..",
                "../a",
                "a/../..",
                "a/../../a",
                ".",
                "./",
                "a//b",
                "a/./b/",
                "d/../a",
                "//",
                "a/b/../../../c",
                "out",
                "out/inner.txt",
                "out/",
                "outf",
                "self",
                "self/a",
                "ping/a",
                "a/d/../outf",
                LONG,
                "d/../../sandbox/a",
            ])
            .to_string();
    }
    let n = 1 + rng.below(3);
    let mut parts = Vec::new();
    for _ in 0..n {
        parts.push(if rng.chance(6) {
            rng.pick(&[".", ".."]).to_string()
        } else {
            rng.pick(NAMES).to_string()
        });
    }
    let mut p = parts.join("/");
    if rng.chance(8) {
        p.push('/');
    }
    p
}

/// A symlink target: relative, often with `..`, sometimes absolute,
/// leading out of the sandbox or looping back on itself.
pub fn target(rng: &mut impl Choose) -> String {
    match rng.below(7) {
        0 => rng.pick(&["/etc", "/", "/a"]).to_string(),
        1 => format!("../{}", rng.pick(NAMES)),
        2 => format!("{}/../{}", rng.pick(NAMES), rng.pick(NAMES)),
        3 => format!("{}/", rng.pick(NAMES)),
        4 => rng
            .pick(&["../canary.txt", "../canary_dir", "../../canary.txt", "out"])
            .to_string(),
        _ => path(rng).replace('\0', "x"),
    }
}

/// One filesystem operation, as both front-ends make it.
#[derive(Debug)]
pub enum Op {
    /// Create a directory.
    Mkdir(String),
    /// Open (creating as `oflags` says, see [`oflags`]), write `len`
    /// bytes at `offset`, close.
    Write {
        /// The file.
        path: String,
        /// Bit 0: exclusive; bit 1: truncate; bit 2: no create.
        oflags: u8,
        /// Where to write.
        offset: u64,
        /// How many bytes.
        len: usize,
    },
    /// Open, read `len` bytes at `offset`, close.
    Read {
        /// The file.
        path: String,
        /// Where to read.
        offset: u64,
        /// How many bytes at most.
        len: u64,
    },
    /// Open for writing and set the size.
    Truncate(String, u64),
    /// Rename the first path to the second.
    Rename(String, String),
    /// Hard-link the first path (following a symlink if true) as the
    /// second.
    Link(String, String, bool),
    /// Create a symlink with the first target at the second path.
    Symlink(String, String),
    /// Remove a non-directory.
    Unlink(String),
    /// Remove an empty directory.
    Rmdir(String),
    /// List a directory.
    List(String),
    /// Stat a path (following a symlink if true).
    Stat(String, bool),
    /// Read a symlink.
    Readlink(String),
    /// Open with the flags of the bits (1: directory, 2: read, 4: write,
    /// 8: create), following symlinks if true, look at the descriptor and
    /// close it.
    Open(String, u8, bool),
    /// Open a file for reading and writing and keep it open.
    Hold(String),
    /// Read and stat a kept file.
    ReadHeld(usize),
    /// Write to a kept file.
    WriteHeld(usize, u64),
    /// Close the last kept file.
    Release,
    /// Set a path's modification time, then stat it.
    SetTimes(String),
}

/// The next operation of a sequence.
pub fn gen_op(rng: &mut impl Choose) -> Op {
    match rng.below(100) {
        0..=9 => Op::Mkdir(path(rng)),
        10..=24 => Op::Write {
            path: path(rng),
            oflags: rng.below(8) as u8,
            offset: rng.below(40),
            len: rng.below(30) as usize,
        },
        25..=32 => Op::Read {
            path: path(rng),
            offset: rng.below(40),
            len: rng.below(50),
        },
        33..=37 => Op::Truncate(path(rng), rng.below(60)),
        38..=45 => Op::Rename(path(rng), path(rng)),
        46..=50 => Op::Link(path(rng), path(rng), rng.chance(50)),
        51..=56 => Op::Symlink(target(rng), path(rng)),
        57..=63 => Op::Unlink(path(rng)),
        64..=68 => Op::Rmdir(path(rng)),
        69..=74 => Op::List(path(rng)),
        75..=81 => Op::Stat(path(rng), rng.chance(50)),
        82..=84 => Op::Readlink(path(rng)),
        85..=89 => Op::Open(path(rng), rng.below(16) as u8, rng.chance(50)),
        90..=92 => Op::Hold(path(rng)),
        93..=94 => Op::ReadHeld(rng.below(4) as usize),
        95 => Op::WriteHeld(rng.below(4) as usize, rng.below(20)),
        96 => Op::Release,
        _ => Op::SetTimes(path(rng)),
    }
}

/// The bytes an [`Op::Write`] writes.
pub fn write_data(oflags: u8, len: usize) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(7) ^ oflags)
        .collect()
}

/// The modification time [`Op::SetTimes`] sets: seconds and nanoseconds.
pub const SET_TIME: (u64, u32) = (1_000_000, 5);

/// Where the host backend is not POSIX and the virtual backends do not
/// follow it, the results are not compared:
///
/// * cap-std's `stat` without following symlinks, of a path ending in `/.`
///   after a non-directory (`file/.`), answers the metadata of `file`
///   itself, where POSIX (and the virtual resolver) answer `not-directory`;
/// * a path ending with a slash that has a `.` component after a symlink
///   (`link/./`): the host's answers depend on how cap-std splits such a
///   path (its `lstat` quirk above, applied before some operations but not
///   others).
///
/// Left alone (reported).
pub fn host_quirk(op: &Op) -> bool {
    let dot_slash = |p: &String| p.ends_with('/') && p.split('/').skip(1).any(|c| c == ".");
    match op {
        Op::Stat(p, false) | Op::SetTimes(p) if p.ends_with("/.") => true,
        Op::Rename(a, b) | Op::Link(a, b, _) => dot_slash(a) || dot_slash(b),
        Op::Mkdir(p) | Op::Unlink(p) | Op::Rmdir(p) | Op::Symlink(_, p) => dot_slash(p),
        _ => false,
    }
}

/// The starting tree of a sequence on a seeded tree: files, directories
/// and symlinks under the generator's names (one with `..`, one
/// dangling), and symlinks that leave the tree (`out`, `outf`), point at
/// themselves (`self`) and at each other (`ping`, `pong`).
pub fn seed_tree(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::symlink;
    std::fs::create_dir_all(dir.join("a/b"))?;
    std::fs::create_dir_all(dir.join("d/c/a"))?;
    std::fs::write(dir.join("d/c/a/b"), "deep")?;
    std::fs::write(dir.join("d/e"), "d/e")?;
    std::fs::write(dir.join("a/c"), "host file a/c")?;
    std::fs::write(dir.join("a/b/e"), vec![7u8; 3000])?;
    std::fs::write(dir.join("e"), "")?;
    symlink("../e", dir.join("a/d"))?;
    symlink("nowhere", dir.join("b"))?;
    symlink("../canary_dir", dir.join("out"))?;
    symlink("../canary.txt", dir.join("outf"))?;
    symlink("self", dir.join("self"))?;
    symlink("pong", dir.join("ping"))?;
    symlink("ping", dir.join("pong"))?;
    Ok(())
}
