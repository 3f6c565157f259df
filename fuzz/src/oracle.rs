//! Target `p1_oracle`: wasmtime-wasi 48 as a reference oracle (issue 19,
//! part 2). Built only with feature `oracle`, which brings in
//! `wasmtime-wasi` as a dependency of this fuzz crate alone, never of the
//! library.
//!
//! A case is a sequence of preview 1 filesystem calls ([`gen_op`]) made
//! through the same wrapping core module twice: on the crate's preview 1
//! and on wasmtime-wasi 48's, each over its own copy of the same host tree
//! ([`seed_tree`], with canaries beside it). Every answer (errno, bytes,
//! listing, stat) and the resulting trees must be the same, except for
//! the differences [`accepted`] lists, each with its reason (also in
//! DESIGN.md, "Fuzzing"); any other difference is a finding.

use crate::targets::canary;
use crate::targets::fs_ops::{Op, gen_op, seed_tree};
use crate::targets::fs_p1::P1;
use crate::targets::input::Input;
use crate::targets::p1_calls::{Setup, wrapping};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use wasmtime::{Engine, Linker, Store};

/// Cases and operations run so far, and operations whose answers differed
/// in an accepted way, for the reports.
pub static COUNTS: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];

/// With `WASI_HOST_ORACLE_SURVEY` set, differences are counted by kind
/// (the operation and both answers) instead of failing the case, and
/// [`survey`] reports them: for judging what differs, all at once.
fn surveying() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("WASI_HOST_ORACLE_SURVEY").is_some())
}

/// The differences seen in survey mode: kind -> count and a first example.
static SURVEY: std::sync::Mutex<BTreeMap<String, (u64, String)>> =
    std::sync::Mutex::new(BTreeMap::new());

/// The differences counted in survey mode, most frequent first.
pub fn survey() -> String {
    let seen = SURVEY.lock().unwrap_or_else(|p| p.into_inner());
    let mut rows: Vec<_> = seen.iter().collect();
    rows.sort_by_key(|row| std::cmp::Reverse(row.1.0));
    rows.iter()
        .map(|(kind, (n, example))| format!("{n:>8}  {kind}\n          e.g. {example}\n"))
        .collect()
}

/// The kind of a difference: the operation's name and the two answers
/// cut to their errnos or first words.
fn kind(op: &Op, ours: &str, theirs: &str) -> String {
    let name = format!("{op:?}");
    let name = name.split(['(', ' ']).next().unwrap_or("");
    let short = |s: &str| s.chars().take(24).collect::<String>();
    format!("{name}: ours {} / theirs {}", short(ours), short(theirs))
}

/// The store data of wasmtime-wasi's side.
pub struct Theirs {
    wasi: wasmtime_wasi::p1::WasiP1Ctx,
}

fn setup() -> &'static Setup<Theirs> {
    static SETUP: OnceLock<Setup<Theirs>> = OnceLock::new();
    SETUP.get_or_init(|| {
        let engine = Engine::default();
        let mut linker = Linker::<Theirs>::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |s| &mut s.wasi).expect("link p1");
        let wasi = wasmtime_wasi::WasiCtxBuilder::new().build_p1();
        let mut store = Store::new(&engine, Theirs { wasi });
        wrapping(&engine, linker, &mut store)
    })
}

/// Answers in which the two hosts differ, with reasons judged acceptable:
/// `ours` and `theirs` are the answers to `op`. Each is listed in
/// DESIGN.md ("Fuzzing", the reference oracle); the Linux answers quoted
/// there were checked on Linux 6.18.
///
/// 1. A path ending with a slash. POSIX resolves `name/` as a directory:
///    a symlink there is followed (`stat("dangling/")` is `noent`), and a
///    non-directory is `notdir` (`unlink("file/")`, `stat("file/")`,
///    `rmdir("link/")`, `rename(dir, "dir/")` succeeds). The crate answers
///    as Linux; wasmtime-wasi passes such paths to cap-std, which drops
///    the slash for some calls (`stat("file/")` succeeds, `unlink("link/")`
///    is `noent` or `perm`).
/// 2. Two things wrong at once. When both answers are errors and one of
///    the paths is wrong in itself (empty, absolute, with a NUL, naming
///    `.` or `..`, or climbing out with `..`), the crate refuses that path
///    before resolving anything; wasmtime-wasi resolves the first path
///    first and reports what it finds there. Both refuse the call.
/// 3. `O_DIRECTORY` without following, on a symlink: Linux and the crate
///    answer `notdir`, wasmtime-wasi `loop`.
pub fn accepted(op: &Op, ours: &str, theirs: &str) -> bool {
    let failed = |s: &str| s.contains("errno");
    let paths: Vec<&str> = match op {
        Op::Rename(a, b) | Op::Link(a, b, _) | Op::Symlink(a, b) => vec![a, b],
        Op::Mkdir(p)
        | Op::Truncate(p, _)
        | Op::Unlink(p)
        | Op::Rmdir(p)
        | Op::List(p)
        | Op::Stat(p, _)
        | Op::Readlink(p)
        | Op::Open(p, _, _)
        | Op::Hold(p)
        | Op::SetTimes(p) => vec![p],
        Op::Write { path, .. } | Op::Read { path, .. } => vec![path],
        Op::ReadHeld(_) | Op::WriteHeld(..) | Op::Release => vec![],
    };
    // 1: a trailing slash (`name/`, `name/.`).
    if paths.iter().any(|p| p.ends_with('/') || p.ends_with("/.")) {
        return true;
    }
    // 2: both refused, one path wrong in itself.
    if failed(ours) && failed(theirs) && paths.len() == 2 && paths.iter().any(|p| wrong(p)) {
        return true;
    }
    // 3.
    matches!(op, Op::Open(_, bits, false) if bits & 1 != 0)
        && ours == "errno 54"
        && theirs == "errno 32"
}

/// A path wrong whatever the tree holds: empty, absolute, with a NUL,
/// naming `.` or `..` last, or climbing above its directory.
fn wrong(path: &str) -> bool {
    if path.is_empty() || path.starts_with('/') || path.contains('\0') {
        return true;
    }
    if matches!(path.rsplit('/').next(), Some("." | "..")) {
        return true;
    }
    let mut depth = 0i32;
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// A host tree as text: path -> kind, size, contents or target.
fn tree(root: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("list") {
            let path = entry.expect("entry").path();
            let rel = path
                .strip_prefix(root)
                .expect("beneath")
                .display()
                .to_string();
            let meta = std::fs::symlink_metadata(&path).expect("lstat");
            let seen = if meta.is_dir() {
                todo.push(path.clone());
                "dir".to_string()
            } else if meta.is_symlink() {
                format!("-> {:?}", std::fs::read_link(&path).expect("readlink"))
            } else {
                let bytes = std::fs::read(&path).expect("read");
                format!("file {} {:?}", bytes.len(), String::from_utf8_lossy(&bytes))
            };
            out.insert(rel, seen);
        }
    }
    out
}

/// One case; panics on a finding.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let root = tempfile::tempdir().expect("a temporary directory");
    let p = root.path();
    canary::plant(p);
    for side in ["ours", "theirs"] {
        seed_tree(&p.join(side)).expect("seed");
    }
    let outside = canary::outside_of(p, &["ours", "theirs"]);
    let mut b = wasi_host::WasiCtxBuilder::new();
    b.preopened_dir(p.join("ours"), "/host", wasi_host::FsPerms::ReadWrite)
        .expect("preopen");
    let (mut ours, _) = P1::new(b.build_p1());
    let mut b = wasmtime_wasi::WasiCtxBuilder::new();
    b.preopened_dir(p.join("theirs"), "/host", wasmtime_wasi::FsPerms::ReadWrite)
        .expect("preopen");
    let (mut theirs, _) = P1::with(setup(), Theirs { wasi: b.build_p1() });
    COUNTS[0].fetch_add(1, Relaxed);
    let mut log = Vec::new();
    for i in 0..48 {
        if input.is_empty() {
            break;
        }
        let op = gen_op(&mut input);
        let (a, b) = (ours.run(0, &op), theirs.run(0, &op));
        COUNTS[1].fetch_add(1, Relaxed);
        log.push(format!("{i}: {op:?} -> {a}"));
        if a != b {
            if accepted(&op, &a, &b) {
                COUNTS[2].fetch_add(1, Relaxed);
                continue;
            }
            if surveying() {
                let mut seen = SURVEY.lock().unwrap_or_else(|p| p.into_inner());
                let entry = seen
                    .entry(kind(&op, &a, &b))
                    .or_insert_with(|| (0, format!("{op:?}: {a} / {b}")));
                entry.0 += 1;
                // The trees may differ from here on: the case ends.
                return;
            }
            panic!(
                "op {i}: {op:?}\n ours:          {a}\n wasmtime-wasi: {b}\nops:\n{}",
                log.join("\n")
            );
        }
    }
    drop((ours, theirs));
    let log = log.join("\n");
    assert_eq!(
        tree(&p.join("ours")),
        tree(&p.join("theirs")),
        "trees differ\nops:\n{log}"
    );
    assert_eq!(
        outside,
        canary::outside_of(p, &["ours", "theirs"]),
        "outside changed\nops:\n{log}"
    );
}
