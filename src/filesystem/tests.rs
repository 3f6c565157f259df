//! Unit tests: error mapping, path checks, permissions, the sandbox (with a
//! generated set of hostile paths), timestamps, hashes, listings, bounded
//! reads and stream positions. The operations are called directly on the
//! backend types, both inline (as in sync mode) and on a tokio runtime with
//! the blocking pool (as in async mode).

use super::error::{errno_code, io_error_code};
use super::stat::{datetime, identity_hash, system_time};
use super::*;
use crate::clocks::Datetime;
use crate::filesystem::{
    DescriptorFlags as DF, DescriptorType, NewTimestamp, OpenFlags as OF, PathFlags as PF,
};
use crate::io::{HostInputStream, HostOutputStream, StreamError, Subscribe};
use crate::runtime::block_on;
use bytes::Bytes;
use cap_std::fs::MetadataExt as _;
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

#[path = "../../tests/support/no_openat2.rs"]
mod no_openat2;

/// A fresh host directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "wasi-host-fs-unit-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// The ways blocking work can run: inline (sync mode or
/// `allow_blocking_current_thread`), `block_in_place` on a multi-threaded
/// runtime, or the blocking pool from a current-thread runtime.
const MODES: [(bool, bool); 3] = [(true, true), (false, true), (false, false)];

fn runtime(multi_thread: bool) -> tokio::runtime::Runtime {
    if multi_thread {
        tokio::runtime::Runtime::new().unwrap()
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }
}

/// The host root of `path`, as `WasiCtxBuilder::preopened_dir` makes it.
fn open_root(
    path: &Path,
    dp: DirPerms,
    fp: FilePerms,
    inline: bool,
    budget: FdBudget,
) -> io::Result<Dir> {
    let crate::filesystem::vfs::MountKind::Host { dir, .. } =
        crate::filesystem::vfs::Mount::host_dir(path)?.kind
    else {
        unreachable!("host_dir mounts a host directory")
    };
    Ok(Dir::new_preopen(
        dir,
        dp,
        fp,
        host::Blocking::new(inline, crate::limits::Budget::new(usize::MAX)),
        budget,
        crate::limits::ByteCount::new(u64::MAX),
    ))
}

fn preopen(path: &Path, dp: DirPerms, fp: FilePerms, inline: bool) -> Dir {
    open_root(path, dp, fp, inline, FdBudget::new(DEFAULT_MAX_OPEN_FILES)).unwrap()
}

/// `Limits::background_tasks`: on a current-thread runtime a host mount's
/// blocking jobs (here file stream writes, each left in the background)
/// hold slots of the context's budget of background tasks, never more than
/// it has; with the budget spent the write runs on the calling thread, and
/// every byte reaches its file.
#[test]
fn background_tasks_stay_within_their_budget() {
    let t = TempDir::new();
    for max in [0, 1, 3] {
        let tasks = crate::limits::Budget::new(max);
        let crate::filesystem::vfs::MountKind::Host { dir, .. } =
            crate::filesystem::vfs::Mount::host_dir(&t.0).unwrap().kind
        else {
            unreachable!("host_dir mounts a host directory")
        };
        let d = Dir::new_preopen(
            dir,
            DirPerms::all(),
            FilePerms::all(),
            host::Blocking::new(false, tasks.clone()),
            FdBudget::new(DEFAULT_MAX_OPEN_FILES),
            crate::limits::ByteCount::new(u64::MAX),
        );
        runtime(false).block_on(async {
            let mut streams = Vec::new();
            for i in 0..8 {
                let f = d
                    .open_at(
                        PF::empty(),
                        format!("bg{i}"),
                        OF::CREATE | OF::TRUNCATE,
                        DF::WRITE,
                    )
                    .await
                    .unwrap();
                let mut w = f.file().unwrap().write_via_stream(0).unwrap();
                w.write(Bytes::from(vec![b'0' + i as u8; 100_000])).unwrap();
                assert!(tasks.in_use() <= max, "{} of {max}", tasks.in_use());
                // With no slot, the write ran here: the stream is ready.
                if max == 0 {
                    assert!(w.check_write().unwrap() > 0);
                }
                streams.push(w);
            }
            let peak = tasks.figures().peak;
            assert!(
                peak <= max && (max == 0 || peak > 0),
                "peak {peak} of {max}"
            );
            for mut w in streams {
                w.ready().await;
                w.flush().unwrap();
            }
        });
        for i in 0..8u8 {
            let bytes = fs::read(t.0.join(format!("bg{i}"))).unwrap();
            assert_eq!(bytes, vec![b'0' + i; 100_000], "max {max}, file {i}");
        }
        assert_eq!(tasks.in_use(), 0);
    }
}

/// A listing longer than one batch holds its two descriptors until its
/// last entry is read, and `.`/`..` come with it in one call.
#[test]
fn long_listing_holds_its_descriptors_until_the_end() {
    let t = TempDir::new();
    for i in 0..(super::host::BATCH + 10) {
        fs::write(t.0.join(format!("f{i}")), "").unwrap();
    }
    let budget = FdBudget::new(8);
    let d = open_root(
        &t.0,
        DirPerms::all(),
        FilePerms::all(),
        true,
        budget.clone(),
    )
    .unwrap();
    let dots = block_on(d.read_directory_with_dots()).unwrap();
    let here = block_on(DirectoryOps::stat(&d)).unwrap().ino;
    assert_eq!(
        (dots.here, dots.parent),
        (here, here),
        "root's `..` is itself"
    );
    let mut listing = dots.stream;
    assert_eq!(budget.in_use(), 2);
    let mut n = 0;
    while block_on(listing.next()).unwrap().is_some() {
        n += 1;
    }
    assert_eq!(n, super::host::BATCH + 10);
    assert_eq!(budget.in_use(), 0);
}

/// Issue 6: every host descriptor a guest holds comes out of its context's
/// budget; a spent budget is `insufficient-memory`, and closing gives the
/// slots back.
#[test]
fn descriptor_budget() {
    let t = TempDir::new();
    fs::write(t.0.join("f"), "x").unwrap();
    fs::create_dir(t.0.join("sub")).unwrap();
    let budget = FdBudget::new(4);
    let d = open_root(
        &t.0,
        DirPerms::all(),
        FilePerms::all(),
        true,
        budget.clone(),
    )
    .unwrap();
    let open = |path: &str| block_on(d.open_at(PF::empty(), s(path), OF::empty(), DF::READ));
    let full = Some(ErrorCode::TooManyOpenFiles);
    let f1 = open("f").unwrap();
    let f2 = open("f").unwrap();
    let sub = open("sub").unwrap();
    assert_eq!(budget.in_use(), 3);
    // A listing takes two.
    assert_eq!(code(block_on(d.read_directory())), full);
    let f3 = open("f").unwrap();
    assert_eq!(code(open("f")), full);
    assert_eq!(code(open("sub")), full);
    assert_eq!(code(block_on(d.read_directory())), full);
    assert_eq!(
        code(block_on(d.open_at(
            PF::empty(),
            s("g"),
            OF::CREATE,
            DF::WRITE
        ))),
        full
    );
    assert!(!t.0.join("g").exists(), "created although refused");
    // Syncing a directory needs one for a moment.
    assert_eq!(code(block_on(d.sync())), full);
    // Clones (as streams hold) share one slot; dropping the last frees it.
    let f1_clone = f1.clone();
    drop(f1);
    assert_eq!(budget.in_use(), 4);
    let stream = f2.file().unwrap().read_via_stream(0).unwrap();
    drop((f1_clone, f2));
    assert_eq!(budget.in_use(), 3);
    drop(stream);
    assert_eq!(budget.in_use(), 2);
    block_on(d.sync()).unwrap();
    // A listing takes two descriptors while it opens; one that its first
    // batch exhausts (this short directory) gives them back at once.
    let mut listing = block_on(d.read_directory()).unwrap();
    assert_eq!(budget.in_use(), 2);
    while block_on(listing.next()).unwrap().is_some() {}
    assert_eq!(budget.in_use(), 2);
    drop((listing, sub, f3));
    assert_eq!(budget.in_use(), 0);
    // A larger budget applies at once.
    budget.set_max(10);
    let many: Vec<_> = (0..10).map(|_| open("f").unwrap()).collect();
    assert_eq!(code(open("f")), full);
    drop(many);
    assert_eq!(budget.in_use(), 0);
}

fn code<T>(r: FsResult<T>) -> Option<ErrorCode> {
    match r {
        Ok(_) => None,
        Err(e) => Some(e.downcast().expect("an error code, not a trap")),
    }
}

fn s(x: &str) -> String {
    x.to_owned()
}

/// Everything below `path`: relative name -> (kind, contents or link).
fn snapshot(path: &Path) -> BTreeMap<PathBuf, String> {
    let mut out = BTreeMap::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let entry = entry.unwrap();
            let p = entry.path();
            let meta = fs::symlink_metadata(&p).unwrap();
            let rel = p.strip_prefix(path).unwrap().to_path_buf();
            let what = if meta.file_type().is_symlink() {
                format!("link {:?}", fs::read_link(&p).unwrap())
            } else if meta.is_dir() {
                stack.push(p.clone());
                format!("dir {}", meta.mode())
            } else {
                format!(
                    "file {} {:?} {}",
                    meta.mode(),
                    fs::read(&p).unwrap(),
                    meta.mtime()
                )
            };
            out.insert(rel, what);
        }
    }
    out
}

#[test]
fn errno_mapping() {
    use rustix::io::Errno as E;
    for (errno, expected) in [
        (E::NOENT, ErrorCode::NoEntry),
        (E::EXIST, ErrorCode::Exist),
        (E::NOTDIR, ErrorCode::NotDirectory),
        (E::ISDIR, ErrorCode::IsDirectory),
        (E::NOTEMPTY, ErrorCode::NotEmpty),
        (E::LOOP, ErrorCode::Loop),
        (E::NAMETOOLONG, ErrorCode::NameTooLong),
        (E::ACCESS, ErrorCode::Access),
        (E::PERM, ErrorCode::NotPermitted),
        (E::XDEV, ErrorCode::CrossDevice),
        (E::INVAL, ErrorCode::Invalid),
        (E::ROFS, ErrorCode::ReadOnly),
        (E::NOSPC, ErrorCode::InsufficientSpace),
        (E::NOSYS, ErrorCode::Unsupported),
        (E::OPNOTSUPP, ErrorCode::Unsupported),
        (E::WOULDBLOCK, ErrorCode::WouldBlock),
        // Too many open files: a code the guest can handle (issue 6).
        (E::MFILE, ErrorCode::TooManyOpenFiles),
        (E::NFILE, ErrorCode::TooManyOpenFiles),
    ] {
        assert_eq!(errno_code(errno), Some(expected), "{errno:?}");
        let err = io::Error::from_raw_os_error(errno.raw_os_error());
        assert_eq!(io_error_code(&err), Some(expected));
    }
    // No spec code: a trap carrying the host's text.
    assert_eq!(errno_code(E::CHILD), None);
    let err: FsError = io::Error::from_raw_os_error(E::CHILD.raw_os_error()).into();
    assert!(err.downcast_ref().is_none());
    assert!(err.to_string().contains("child"), "{err}");
    // Errors made in user space, without an OS number.
    let escape = io::Error::new(
        io::ErrorKind::PermissionDenied,
        "a path led outside of the filesystem",
    );
    assert_eq!(io_error_code(&escape), Some(ErrorCode::NotPermitted));
    let nul = io::Error::new(io::ErrorKind::InvalidInput, "nul byte");
    assert_eq!(io_error_code(&nul), Some(ErrorCode::Invalid));
    let other = io::Error::other("something odd");
    assert_eq!(io_error_code(&other), None);
}

#[test]
fn path_checks() {
    assert_eq!(code(path::check("")), Some(ErrorCode::NoEntry));
    assert_eq!(code(path::check("/etc")), Some(ErrorCode::NotPermitted));
    assert_eq!(code(path::check("//x")), Some(ErrorCode::NotPermitted));
    assert_eq!(code(path::check("a\0b")), Some(ErrorCode::Invalid));
    for plain in ["CON", "nul", "aux.txt", "C:", "a\\..\\..\\b", "COM1", "."] {
        assert!(path::check(plain).is_ok(), "{plain}");
    }
    assert!(path::follows(PF::empty(), "link/"));
    assert!(!path::follows(PF::empty(), "link"));
    assert!(path::follows(PF::SYMLINK_FOLLOW, "link"));
}

#[test]
fn windows_device_names_are_plain_files() {
    let t = TempDir::new();
    let d = preopen(&t.0, DirPerms::all(), FilePerms::all(), true);
    for name in ["CON", "NUL", "aux.txt", "COM1", "LPT1.log", "C:", "a\\b"] {
        let f = block_on(d.open_at(PF::empty(), s(name), OF::CREATE, DF::WRITE)).unwrap();
        block_on(f.file().unwrap().write(b"x".to_vec(), 0)).unwrap();
        assert_eq!(fs::read(t.0.join(name)).unwrap(), b"x", "{name}");
    }
}

/// The tree of the sandbox tests: `root/sandbox` is preopened, `root/outside`
/// must never change.
fn sandbox_tree() -> (TempDir, PathBuf, PathBuf) {
    let t = TempDir::new();
    let sb = t.0.join("sandbox");
    let out = t.0.join("outside");
    fs::create_dir_all(sb.join("sub/deeper")).unwrap();
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("secret.txt"), "secret").unwrap();
    fs::write(sb.join("file.txt"), "inside").unwrap();
    symlink(out.join("secret.txt"), sb.join("link_abs")).unwrap();
    symlink(&out, sb.join("link_abs_dir")).unwrap();
    symlink("../outside", sb.join("link_out")).unwrap();
    symlink("../../outside/secret.txt", sb.join("sub/link_up")).unwrap();
    symlink("file.txt", sb.join("link_in")).unwrap();
    symlink("sub", sb.join("link_sub")).unwrap();
    symlink("loop_b", sb.join("loop_a")).unwrap();
    symlink("loop_a", sb.join("loop_b")).unwrap();
    symlink("../outside/new.txt", sb.join("dangling_out")).unwrap();
    (t, sb, out)
}

#[test]
fn known_escapes_fail_with_spec_codes() {
    no_openat2::disable_openat2_if_asked();
    let (_t, sb, out) = sandbox_tree();
    let before = snapshot(&out);
    for (inline, multi_thread) in MODES {
        let rt = runtime(multi_thread);
        let d = preopen(&sb, DirPerms::all(), FilePerms::all(), inline);
        let run = |f: std::pin::Pin<Box<dyn std::future::Future<Output = Option<ErrorCode>>>>| {
            rt.block_on(f)
        };
        let np = Some(ErrorCode::NotPermitted);
        let open = |p: &str, pf: PF, of: OF, df: DF| {
            let d = d.clone();
            let p = s(p);
            Box::pin(async move { code(d.open_at(pf, p, of, df).await) })
                as std::pin::Pin<Box<dyn std::future::Future<Output = _>>>
        };
        let f = PF::SYMLINK_FOLLOW;
        let n = PF::empty();
        assert_eq!(
            run(open("../outside/secret.txt", n, OF::empty(), DF::READ)),
            np
        );
        assert_eq!(
            run(open("sub/../../outside", n, OF::DIRECTORY, DF::READ)),
            np
        );
        assert_eq!(run(open("/etc/passwd", f, OF::empty(), DF::READ)), np);
        assert_eq!(run(open("link_abs", f, OF::empty(), DF::READ)), np);
        assert_eq!(
            run(open("link_out/secret.txt", n, OF::empty(), DF::READ)),
            np
        );
        assert_eq!(run(open("sub/link_up", f, OF::empty(), DF::READ)), np);
        assert_eq!(run(open("link_abs_dir/", n, OF::empty(), DF::READ)), np);
        assert_eq!(run(open("link_out/", n, OF::DIRECTORY, DF::READ)), np);
        assert_eq!(
            run(open("dangling_out", f, OF::CREATE, DF::WRITE | DF::READ)),
            np
        );
        assert_eq!(
            run(open("link_abs", n, OF::empty(), DF::READ)),
            Some(ErrorCode::Loop)
        );
        assert_eq!(
            run(open("loop_a", f, OF::empty(), DF::READ)),
            Some(ErrorCode::Loop)
        );
        assert_eq!(
            run(open("link_in/", n, OF::empty(), DF::READ)),
            Some(ErrorCode::NotDirectory)
        );
        assert_eq!(
            run(open("file.txt/", n, OF::empty(), DF::READ)),
            Some(ErrorCode::NotDirectory)
        );
        // stat-at with a trailing slash resolves the link, inside the sandbox.
        let d2 = d.clone();
        assert_eq!(
            rt.block_on(async move { code(d2.stat_at(n, s("link_out/")).await) }),
            np
        );
        let d2 = d.clone();
        let st = rt
            .block_on(async move { d2.stat_at(n, s("link_sub/")).await })
            .unwrap();
        assert_eq!(st.type_, DescriptorType::Directory);
        let d2 = d.clone();
        let st = rt
            .block_on(async move { d2.stat_at(n, s("link_sub")).await })
            .unwrap();
        assert_eq!(st.type_, DescriptorType::SymbolicLink);
        // Removal never acts on a link's target through a trailing slash.
        let d2 = d.clone();
        assert_eq!(
            rt.block_on(async move { code(d2.remove_directory_at(s("link_out/")).await) }),
            Some(ErrorCode::NotDirectory)
        );
        // readlink of an absolute target: not-permitted, as the spec says.
        let d2 = d.clone();
        assert_eq!(
            rt.block_on(async move { code(d2.readlink_at(s("link_abs")).await) }),
            np
        );
        let d2 = d.clone();
        assert_eq!(
            rt.block_on(async move { code(d2.symlink_at(s("/etc"), s("x")).await) }),
            np
        );
    }
    assert_eq!(before, snapshot(&out), "outside the preopen changed");
}

/// A small deterministic generator (xorshift) for the hostile paths.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

/// Every operation on thousands of generated paths made of `..`, `.`,
/// links out of the sandbox, loops and names of the outside: nothing
/// outside changes, nothing outside is opened or stat-ed, and no operation
/// panics or traps.
#[test]
fn generated_hostile_paths_never_escape() {
    no_openat2::disable_openat2_if_asked();
    let (t, sb, out) = sandbox_tree();
    let before = snapshot(&out);
    let secret = fs::metadata(out.join("secret.txt")).unwrap();
    let outside = fs::metadata(&out).unwrap();
    let root = fs::metadata(&t.0).unwrap();
    let forbidden = [
        (secret.dev(), secret.ino()),
        (outside.dev(), outside.ino()),
        (root.dev(), root.ino()),
    ];
    let forbidden_hashes: Vec<_> = [&secret, &outside, &root]
        .iter()
        .map(|m| identity_hash(m.dev(), m.ino()))
        .map(|h| (h.lower, h.upper))
        .collect();
    let d = preopen(&sb, DirPerms::all(), FilePerms::all(), true);
    let parts = [
        "..",
        ".",
        "sub",
        "deeper",
        "file.txt",
        "link_abs",
        "link_abs_dir",
        "link_out",
        "link_in",
        "link_sub",
        "sub/link_up",
        "loop_a",
        "dangling_out",
        "outside",
        "secret.txt",
        "new.txt",
        "",
        "sandbox",
    ];
    let mut g = Gen(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let len = 1 + g.next() % 5;
        let mut path = String::new();
        if g.next().is_multiple_of(8) {
            path.push('/');
        }
        for i in 0..len {
            if i > 0 {
                path.push('/');
            }
            path.push_str(g.pick(&parts));
        }
        if g.next().is_multiple_of(4) {
            path.push('/');
        }
        let pf = if g.next().is_multiple_of(2) {
            PF::SYMLINK_FOLLOW
        } else {
            PF::empty()
        };
        hostile_op(
            &d,
            g.next() % HOSTILE_OPS,
            pf,
            &path,
            &forbidden,
            &forbidden_hashes,
        );
    }
    assert_eq!(before, snapshot(&out), "outside the preopen changed");
}

/// Issue 6, item 5: symlinks whose target ends in `/`, the layout that led
/// out of the preopen through cap-std's fallback resolver before 3.4.6
/// (`link -> "evil/"`, `evil -> outside`). Relative and absolute targets,
/// through one and two links, every operation kind of the hostile-path
/// test, with and without `symlink-follow`; run a second time with
/// `openat2` disabled (see `sandbox_tests_pass_without_openat2`).
#[test]
fn trailing_slash_link_targets_never_escape() {
    no_openat2::disable_openat2_if_asked();
    let (t, sb, out) = sandbox_tree();
    fs::create_dir(out.join("inner")).unwrap();
    fs::write(out.join("inner/deep.txt"), "deep").unwrap();
    let abs_out = format!("{}/", out.display());
    let ts_links: Vec<(&str, String)> = vec![
        // One link.
        ("ts_rel", s("../outside/")),
        ("ts_abs", abs_out.clone()),
        ("ts_rel_file", s("../outside/secret.txt/")),
        ("sub/ts_up", s("../../outside/")),
        // Two links: the first target ends in a slash, the second leads out.
        ("evil_rel", s("../outside")),
        ("evil_abs", out.display().to_string()),
        ("ts_chain_rel", s("evil_rel/")),
        ("ts_chain_abs", s("evil_abs/")),
        ("ts_chain_slash", s("ts_rel/")),
        ("sub/ts_chain_up", s("../evil_rel/")),
        // Inside: a trailing slash in a target is fine when it stays inside.
        ("ts_in", s("sub/")),
        ("ts_in_chain", s("ts_in/")),
    ];
    // Puts back what an operation legitimately changed inside the sandbox
    // (an unlinked or renamed link, a removed directory), so that every
    // case runs against the full layout.
    let restore = || {
        for (name, target) in &ts_links {
            let p = sb.join(name);
            match fs::symlink_metadata(&p) {
                Ok(m) if m.file_type().is_symlink() => continue,
                Ok(m) if m.is_dir() => fs::remove_dir_all(&p).unwrap(),
                Ok(_) => fs::remove_file(&p).unwrap(),
                Err(_) => {}
            }
            symlink(target, &p).unwrap();
        }
        fs::create_dir_all(sb.join("sub/deeper")).unwrap();
        if !sb.join("file.txt").exists() {
            fs::write(sb.join("file.txt"), "inside").unwrap();
        }
    };
    restore();
    let before = snapshot(&out);
    let (forbidden, forbidden_hashes) = outside_identities(&t.0, &out);
    let d = preopen(&sb, DirPerms::all(), FilePerms::all(), true);
    let links = [
        "ts_rel",
        "ts_abs",
        "ts_rel_file",
        "sub/ts_up",
        "ts_chain_rel",
        "ts_chain_abs",
        "ts_chain_slash",
        "sub/ts_chain_up",
        "ts_in",
        "ts_in_chain",
    ];
    let suffixes = [
        "",
        "/",
        "/.",
        "/secret.txt",
        "/new.txt",
        "/inner",
        "/inner/",
        "/inner/deep.txt",
        "/deeper",
        "/..",
    ];
    for link in links {
        for suffix in suffixes {
            let path = format!("{link}{suffix}");
            for pf in [PF::empty(), PF::SYMLINK_FOLLOW] {
                for kind in 0..HOSTILE_OPS {
                    restore();
                    hostile_op(&d, kind, pf, &path, &forbidden, &forbidden_hashes);
                }
                restore();
                // Whatever directory the path opens (to list it) is inside.
                if let Ok(Descriptor::Dir(sub)) =
                    block_on(d.open_at(pf, path.clone(), OF::DIRECTORY, DF::READ))
                {
                    let m = sub.dir.dir_metadata().unwrap();
                    assert!(
                        !forbidden.contains(&(m.dev(), m.ino())),
                        "{path:?} opened a directory outside"
                    );
                    let mut listing = block_on(sub.read_directory()).unwrap();
                    while block_on(listing.next()).unwrap_or(None).is_some() {}
                }
            }
        }
    }
    assert_eq!(before, snapshot(&out), "outside the preopen changed");
    restore();
    // The escapes are refused, the inside links still work.
    let np = Some(ErrorCode::NotPermitted);
    for link in [
        "ts_rel",
        "ts_abs",
        "ts_chain_rel",
        "ts_chain_abs",
        "ts_chain_slash",
    ] {
        for pf in [PF::empty(), PF::SYMLINK_FOLLOW] {
            let r = block_on(d.open_at(pf, format!("{link}/secret.txt"), OF::empty(), DF::READ));
            assert_eq!(code(r), np, "{link}/secret.txt");
        }
        let r = block_on(d.open_at(PF::SYMLINK_FOLLOW, s(link), OF::DIRECTORY, DF::READ));
        assert_eq!(code(r), np, "{link}");
    }
    for link in ["ts_in", "ts_in_chain"] {
        let r = block_on(d.open_at(
            PF::SYMLINK_FOLLOW,
            format!("{link}/deeper"),
            OF::DIRECTORY,
            DF::READ,
        ));
        assert!(r.is_ok(), "{link}/deeper");
    }
}

/// `(dev, ino)` pairs, or the two halves of metadata hashes.
type Identities = Vec<(u64, u64)>;

/// `(dev, ino)` of the objects outside the preopen (the outside tree's
/// secret, the outside directory and the common root), and their metadata
/// hashes.
fn outside_identities(root: &Path, out: &Path) -> (Identities, Identities) {
    let metas: Vec<fs::Metadata> = [
        out.join("secret.txt"),
        out.to_path_buf(),
        root.to_path_buf(),
    ]
    .iter()
    .chain(
        [out.join("inner"), out.join("inner/deep.txt")]
            .iter()
            .filter(|p| p.exists()),
    )
    .map(|p| fs::metadata(p).unwrap())
    .collect();
    let ids = metas.iter().map(|m| (m.dev(), m.ino())).collect();
    let hashes = metas
        .iter()
        .map(|m| identity_hash(m.dev(), m.ino()))
        .map(|h| (h.lower, h.upper))
        .collect();
    (ids, hashes)
}

/// Issue 6, item 5: the sandbox tests again, in a child process where
/// `openat2` answers `ENOSYS`, so cap-std's fallback resolver is the one
/// under test (`tests/support/no_openat2.rs`).
#[test]
fn sandbox_tests_pass_without_openat2() {
    if no_openat2::asked() {
        return;
    }
    no_openat2::rerun_without_openat2(&[
        "filesystem::tests::known_escapes_fail_with_spec_codes",
        "filesystem::tests::generated_hostile_paths_never_escape",
        "filesystem::tests::trailing_slash_link_targets_never_escape",
    ]);
}

/// The number of operation kinds [`hostile_op`] knows.
const HOSTILE_OPS: u64 = 9;

/// Operation `kind` of the hostile-path tests on `path`: open (read,
/// create+write, truncate), mkdir, unlink+rmdir, rename both ways,
/// set-times+link, symlink+follow, metadata-hash. Whatever is opened or
/// hashed must not be one of the `forbidden` objects, and every failure
/// must be a spec code, never a trap or a panic.
fn hostile_op(
    d: &Dir,
    kind: u64,
    pf: PF,
    path: &str,
    forbidden: &[(u64, u64)],
    forbidden_hashes: &[(u64, u64)],
) {
    let path = path.to_string();
    let check_identity = |dev: u64, ino: u64| {
        assert!(
            !forbidden.contains(&(dev, ino)),
            "{path:?} reached an object outside the preopen"
        );
    };
    match kind {
        0 => {
            if let Ok(Descriptor::File(f)) =
                block_on(d.open_at(pf, path.clone(), OF::empty(), DF::READ))
            {
                let m = f.file.metadata().unwrap();
                check_identity(m.dev(), m.ino());
            } else if let Ok(Descriptor::Dir(sub)) =
                block_on(d.open_at(pf, path.clone(), OF::empty(), DF::READ))
            {
                let m = sub.dir.dir_metadata().unwrap();
                check_identity(m.dev(), m.ino());
            }
        }
        1 => {
            let r = block_on(d.open_at(pf, path.clone(), OF::CREATE, DF::WRITE));
            if let Ok(Descriptor::File(f)) = r {
                let _ = block_on(f.write(b"scribble".to_vec(), 0));
            }
        }
        2 => {
            let _ = block_on(d.open_at(pf, path.clone(), OF::TRUNCATE, DF::WRITE));
        }
        3 => {
            let _ = block_on(d.create_directory_at(path.clone()));
        }
        4 => {
            let _ = block_on(d.unlink_file_at(path.clone()));
            let _ = block_on(d.remove_directory_at(path.clone()));
        }
        5 => {
            let _ = block_on(d.rename_at(path.clone(), d, s("renamed")));
            let _ = block_on(d.rename_at(s("renamed"), d, path.clone()));
        }
        6 => {
            let _ =
                block_on(d.set_times_at(pf, path.clone(), NewTimestamp::Now, NewTimestamp::Now));
            let _ = block_on(d.link_at(pf, path.clone(), d, s("hard")));
            let _ = block_on(d.unlink_file_at(s("hard")));
        }
        7 => {
            let _ = block_on(d.symlink_at(path.clone(), s("made_link")));
            if let Ok(Descriptor::File(f)) =
                block_on(d.open_at(PF::SYMLINK_FOLLOW, s("made_link"), OF::empty(), DF::READ))
            {
                let m = f.file.metadata().unwrap();
                check_identity(m.dev(), m.ino());
            }
            let _ = block_on(d.unlink_file_at(s("made_link")));
        }
        _ => {
            // stat-at: a result must describe an object inside.
            if let Ok(h) = block_on(d.metadata_hash_at(pf, path.clone())) {
                assert!(
                    !forbidden_hashes.contains(&(h.lower, h.upper)),
                    "{path:?} hashed an outside object"
                );
            }
        }
    }
    // Any failure must be a spec code, not a trap.
    if let Err(e) = block_on(d.stat_at(pf, path.clone())) {
        assert!(e.downcast_ref().is_some(), "{path:?}: trap {e}");
    }
}

#[test]
fn permissions_of_preopens() {
    let t = TempDir::new();
    fs::write(t.0.join("f"), "keep").unwrap();
    fs::create_dir(t.0.join("sub")).unwrap();
    let before = snapshot(&t.0);
    let ro = preopen(&t.0, DirPerms::READ, FilePerms::READ, true);
    let rof = |r| code(block_on(r));
    // Refused by the preopen's permissions: `not-permitted` (issue 6).
    let read_only = Some(ErrorCode::NotPermitted);
    assert_eq!(
        rof(ro.open_at(PF::empty(), s("f"), OF::TRUNCATE, DF::READ)),
        read_only
    );
    assert_eq!(
        rof(ro.open_at(PF::empty(), s("f"), OF::empty(), DF::WRITE)),
        read_only
    );
    assert_eq!(
        rof(ro.open_at(PF::empty(), s("n"), OF::CREATE, DF::READ)),
        read_only
    );
    assert_eq!(
        rof(ro.open_at(PF::empty(), s("sub"), OF::DIRECTORY, DF::MUTATE_DIRECTORY)),
        read_only
    );
    assert_eq!(code(block_on(ro.create_directory_at(s("x")))), read_only);
    assert_eq!(code(block_on(ro.unlink_file_at(s("f")))), read_only);
    assert_eq!(code(block_on(ro.rename_at(s("f"), &ro, s("g")))), read_only);
    assert_eq!(code(block_on(ro.symlink_at(s("f"), s("l")))), read_only);
    assert_eq!(
        code(block_on(ro.set_times_at(
            PF::empty(),
            s("f"),
            NewTimestamp::Now,
            NewTimestamp::Now
        ))),
        read_only
    );
    // Reading works, and a file opened for reading cannot be written.
    let f = block_on(ro.open_at(PF::empty(), s("f"), OF::empty(), DF::READ)).unwrap();
    let f = f.file().unwrap().clone();
    assert_eq!(block_on(f.read(100, 0)).unwrap(), (b"keep".to_vec(), true));
    // The preopen's permission is checked before the descriptor's mode.
    assert_eq!(code(block_on(f.write(b"x".to_vec(), 0))), read_only);
    assert_eq!(code(block_on(f.set_size(0))), read_only);
    assert_eq!(code(f.write_via_stream(0).map(|_| ())), read_only);
    assert_eq!(code(f.append_via_stream().map(|_| ())), read_only);
    assert_eq!(
        code(block_on(f.set_times(NewTimestamp::Now, NewTimestamp::Now))),
        read_only
    );
    // A subdirectory inherits the preopen's permissions.
    let sub = block_on(ro.open_at(PF::empty(), s("sub"), OF::DIRECTORY, DF::READ)).unwrap();
    assert_eq!(
        code(block_on(sub.dir().unwrap().create_directory_at(s("x")))),
        read_only
    );
    assert_eq!(before, snapshot(&t.0));

    // Files read-only in a mutable directory: truncate alone needs WRITE.
    let rofiles = preopen(&t.0, DirPerms::all(), FilePerms::READ, true);
    assert_eq!(
        rof(rofiles.open_at(PF::empty(), s("f"), OF::TRUNCATE, DF::READ)),
        read_only
    );
    assert_eq!(fs::read(t.0.join("f")).unwrap(), b"keep");

    // No READ on files: contents cannot be opened for reading.
    let nofiles = preopen(&t.0, DirPerms::READ, FilePerms::empty(), true);
    assert_eq!(
        rof(nofiles.open_at(PF::empty(), s("f"), OF::empty(), DF::READ)),
        Some(ErrorCode::NotPermitted)
    );
    // No READ on the directory: nothing is listed or looked up.
    let blind = preopen(&t.0, DirPerms::empty(), FilePerms::all(), true);
    assert_eq!(
        code(block_on(blind.read_directory()).map(|_| ())),
        Some(ErrorCode::NotPermitted)
    );
    assert_eq!(
        code(block_on(blind.stat_at(PF::empty(), s("f")))),
        Some(ErrorCode::NotPermitted)
    );
}

#[test]
fn links_and_renames_between_preopens_are_refused() {
    let t = TempDir::new();
    fs::create_dir_all(t.0.join("a")).unwrap();
    fs::create_dir_all(t.0.join("b")).unwrap();
    fs::write(t.0.join("a/f"), "a").unwrap();
    let a = preopen(&t.0.join("a"), DirPerms::all(), FilePerms::all(), true);
    let b = preopen(&t.0.join("b"), DirPerms::all(), FilePerms::all(), true);
    let a_ro = preopen(&t.0.join("a"), DirPerms::READ, FilePerms::READ, true);
    let xdev = Some(ErrorCode::CrossDevice);
    assert_eq!(code(block_on(a.rename_at(s("f"), &b, s("f")))), xdev);
    assert_eq!(
        code(block_on(a.link_at(PF::empty(), s("f"), &b, s("f")))),
        xdev
    );
    // Out of a read-only preopen into a writable one (same host directory):
    // the permission is checked before the preopens are compared.
    let np = Some(ErrorCode::NotPermitted);
    assert_eq!(
        code(block_on(a_ro.link_at(PF::empty(), s("f"), &a, s("g")))),
        np
    );
    assert_eq!(code(block_on(a_ro.rename_at(s("f"), &a, s("g")))), np);
    assert_eq!(code(block_on(b.rename_at(s("f"), &a_ro, s("g")))), np);
    assert!(!t.0.join("b/f").exists() && !t.0.join("a/g").exists());
    // Within one preopen, through a subdirectory: fine.
    fs::create_dir(t.0.join("a/sub")).unwrap();
    let sub = block_on(a.open_at(PF::empty(), s("sub"), OF::DIRECTORY, DF::READ)).unwrap();
    block_on(a.rename_at(s("f"), sub.dir().unwrap(), s("f"))).unwrap();
    assert!(t.0.join("a/sub/f").exists());
}

#[test]
fn timestamps_are_clamped_or_reported() {
    let epoch = datetime(-5, 7);
    assert_eq!((epoch.seconds, epoch.nanoseconds), (0, 0));
    assert_eq!(datetime(5, 2_000_000_000).nanoseconds, 999_999_999);
    assert_eq!(datetime(5, -1).nanoseconds, 0);
    let bad = |seconds, nanoseconds| {
        code(system_time(Datetime {
            seconds,
            nanoseconds,
        }))
    };
    assert_eq!(bad(5, 1_000_000_000), Some(ErrorCode::Invalid));
    assert_eq!(bad(u64::MAX, 999_999_999), Some(ErrorCode::Overflow));
    assert_eq!(bad(i64::MAX as u64 + 1, 0), Some(ErrorCode::Overflow));
    assert!(
        system_time(Datetime {
            seconds: 1_000_000_000,
            nanoseconds: 5
        })
        .is_ok()
    );
    // Through a descriptor: a huge time is an error code, not a panic.
    let t = TempDir::new();
    fs::write(t.0.join("f"), "x").unwrap();
    let d = preopen(&t.0, DirPerms::all(), FilePerms::all(), true);
    let r = block_on(d.set_times_at(
        PF::empty(),
        s("f"),
        NewTimestamp::NoChange,
        NewTimestamp::Timestamp(Datetime {
            seconds: u64::MAX,
            nanoseconds: 0,
        }),
    ));
    assert_eq!(code(r), Some(ErrorCode::Overflow));
    block_on(d.set_times_at(
        PF::empty(),
        s("f"),
        NewTimestamp::NoChange,
        NewTimestamp::Timestamp(Datetime {
            seconds: 1_000_000_000,
            nanoseconds: 0,
        }),
    ))
    .unwrap();
    assert_eq!(fs::metadata(t.0.join("f")).unwrap().mtime(), 1_000_000_000);
}

#[test]
fn metadata_hashes_are_distinct_and_stable() {
    let mut seen = std::collections::HashSet::new();
    for dev in 0..64u64 {
        for ino in 0..512u64 {
            let h = identity_hash(dev, ino);
            assert!(seen.insert((h.lower, h.upper)), "collision at {dev} {ino}");
            let again = identity_hash(dev, ino);
            assert_eq!((h.lower, h.upper), (again.lower, again.upper));
        }
    }
}

#[test]
fn listing_is_complete_typed_and_lazy() {
    let t = TempDir::new();
    for i in 0..1000 {
        fs::write(t.0.join(format!("f{i}")), "").unwrap();
    }
    fs::create_dir(t.0.join("dir")).unwrap();
    symlink("f0", t.0.join("link")).unwrap();
    // A name that is not UTF-8 is reported, and the listing goes on.
    use std::os::unix::ffi::OsStrExt;
    fs::write(t.0.join(std::ffi::OsStr::from_bytes(b"bad\xff")), "").unwrap();
    for (inline, multi_thread) in MODES {
        let d = preopen(&t.0, DirPerms::all(), FilePerms::all(), inline);
        let rt = runtime(multi_thread);
        let (names, bad) = rt.block_on(async {
            let mut stream = d.read_directory().await.unwrap();
            let mut names = BTreeMap::new();
            let mut bad = 0;
            loop {
                match stream.next().await {
                    Ok(Some(e)) => {
                        names.insert(e.name, e.type_);
                    }
                    Ok(None) => break,
                    Err(e) => {
                        assert_eq!(e.downcast().unwrap(), ErrorCode::IllegalByteSequence);
                        bad += 1;
                    }
                }
            }
            (names, bad)
        });
        assert_eq!(bad, 1);
        assert_eq!(names.len(), 1002);
        assert_eq!(names["f999"], DescriptorType::RegularFile);
        assert_eq!(names["dir"], DescriptorType::Directory);
        assert_eq!(names["link"], DescriptorType::SymbolicLink);
        assert!(!names.contains_key(".") && !names.contains_key(".."));
    }
}

#[test]
fn reads_are_bounded() {
    let t = TempDir::new();
    fs::write(t.0.join("big"), vec![7u8; MAX_READ + 10]).unwrap();
    let d = preopen(&t.0, DirPerms::all(), FilePerms::all(), true);
    let f = block_on(d.open_at(PF::empty(), s("big"), OF::empty(), DF::READ)).unwrap();
    let f = f.file().unwrap().clone();
    let (data, eof) = block_on(f.read(u64::MAX, 0)).unwrap();
    assert_eq!((data.len(), eof), (MAX_READ, false));
    let (data, eof) = block_on(f.read(u64::MAX, MAX_READ as u64)).unwrap();
    assert_eq!((data.len(), eof), (10, true));
    // Offsets beyond what the host takes: an error code, not a panic.
    assert!(code(block_on(f.read(10, u64::MAX))).is_some());
    let mut stream = f.read_via_stream(0).unwrap();
    let chunk = block_on(stream.blocking_read(1 << 20)).unwrap();
    assert_eq!(chunk.len(), 1 << 20);
}

#[test]
fn stream_positions_in_both_modes() {
    let t = TempDir::new();
    for (inline, multi_thread) in MODES {
        let d = preopen(&t.0, DirPerms::all(), FilePerms::all(), inline);
        let rt = runtime(multi_thread);
        rt.block_on(async {
            let f = d
                .open_at(
                    PF::empty(),
                    s("s"),
                    OF::CREATE | OF::TRUNCATE,
                    DF::READ | DF::WRITE,
                )
                .await
                .unwrap();
            let f = f.file().unwrap().clone();
            let mut w = f.write_via_stream(0).unwrap();
            for chunk in [&b"0123"[..], b"4567", b"89"] {
                while w.check_write().unwrap() == 0 {
                    w.ready().await;
                }
                w.write(Bytes::copy_from_slice(chunk)).unwrap();
            }
            w.flush().unwrap();
            while w.check_write().unwrap() == 0 {
                w.ready().await;
            }
            let mut a = f.append_via_stream().unwrap();
            a.write(Bytes::from_static(b"!")).unwrap();
            while a.check_write().unwrap() == 0 {
                a.ready().await;
            }
            let mut r = f.read_via_stream(2).unwrap();
            let mut got = Vec::new();
            loop {
                match r.blocking_read(3).await {
                    Ok(b) => got.extend_from_slice(&b),
                    Err(StreamError::Closed) => break,
                    Err(e) => panic!("{e}"),
                }
            }
            assert_eq!(got, b"23456789!");
            // Non-blocking reads eventually deliver everything too.
            let mut r = f.read_via_stream(0).unwrap();
            let mut got = Vec::new();
            loop {
                match r.read(4) {
                    Ok(b) if b.is_empty() => r.ready().await,
                    Ok(b) => got.extend_from_slice(&b),
                    Err(StreamError::Closed) => break,
                    Err(e) => panic!("{e}"),
                }
            }
            assert_eq!(got, b"0123456789!");
        });
    }
}

/// A non-blocking `read` of a file never comes back empty while bytes are
/// there (programs take empty for the end of the file), and an operation
/// after a write still in the background sees the write: the preview 1
/// adapter writes through one stream, drops it and reads through another.
#[test]
fn reads_see_writes_and_never_come_back_empty_early() {
    let t = TempDir::new();
    for (inline, multi_thread) in MODES {
        let d = preopen(&t.0, DirPerms::all(), FilePerms::all(), inline);
        runtime(multi_thread).block_on(async {
            let f = d
                .open_at(
                    PF::empty(),
                    s("o"),
                    OF::CREATE | OF::TRUNCATE,
                    DF::READ | DF::WRITE,
                )
                .await
                .unwrap();
            let f = f.file().unwrap().clone();
            for round in 0..50u8 {
                let data = vec![round; 1000];
                let mut w = f.write_via_stream(0).unwrap();
                assert!(w.check_write().unwrap() > 0);
                w.write(Bytes::from(data.clone())).unwrap();
                drop(w);
                let mut r = f.read_via_stream(0).unwrap();
                let got = r.read(1000).unwrap();
                assert_eq!(got.len(), 1000, "round {round}: a short read");
                assert_eq!(&got[..], &data[..], "round {round}: stale data");
                assert_eq!(f.stat().await.unwrap().size, 1000);
            }
        });
    }
}

#[test]
fn stream_errors_carry_the_error_code() {
    let err = super::error::stream_failure(io::Error::from_raw_os_error(
        rustix::io::Errno::NOSPC.raw_os_error(),
    ));
    assert_eq!(
        super::error::stream_error_code(&err),
        Some(ErrorCode::InsufficientSpace)
    );
    let other = wasmtime::Error::msg("not a file error");
    assert_eq!(super::error::stream_error_code(&other), None);
}

#[test]
fn builder_refuses_missing_or_non_directory_paths() {
    let t = TempDir::new();
    fs::write(t.0.join("file"), "").unwrap();
    assert!(
        open_root(
            &t.0.join("missing"),
            DirPerms::all(),
            FilePerms::all(),
            false,
            FdBudget::new(1),
        )
        .is_err()
    );
    assert!(
        open_root(
            &t.0.join("file"),
            DirPerms::all(),
            FilePerms::all(),
            false,
            FdBudget::new(1),
        )
        .is_err()
    );
}
