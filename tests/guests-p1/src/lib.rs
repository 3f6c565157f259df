//! Helpers shared by the preview 1 guest programs: assertions that print a
//! clear `FAIL: ...` line (on stdout and stderr) and let the group go on, so
//! one run reports every wrong errno (the group then exits with code 99);
//! `fail` and `ok` end the program at once, since what follows depends on
//! them. Also preopen lookup by guest path, and small wrappers over the raw
//! `wasi` 0.11 calls.

use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};

static FAILURES: AtomicUsize = AtomicUsize::new(0);

/// Records a failed check and goes on.
pub fn soft_fail(msg: &str) {
    FAILURES.fetch_add(1, Ordering::Relaxed);
    println!("FAIL: {msg}");
    eprintln!("FAIL: {msg}");
}

/// The number of failed checks so far.
pub fn failures() -> usize {
    FAILURES.load(Ordering::Relaxed)
}

pub use wasi::*;

/// Ends the program: prints `FAIL: msg` (stdout and stderr) and exits with
/// code 99.
pub fn fail(msg: &str) -> ! {
    println!("FAIL: {msg}");
    eprintln!("FAIL: {msg}");
    std::process::exit(99)
}

/// Asserts `cond`, failing with `what` otherwise.
#[track_caller]
pub fn check(cond: bool, what: &str) {
    if !cond {
        let loc = std::panic::Location::caller();
        soft_fail(&format!("{what} (at line {})", loc.line()));
    }
}

/// Asserts `a == b`.
#[track_caller]
pub fn check_eq<T: PartialEq + Debug>(a: T, b: T, what: &str) {
    if a != b {
        let loc = std::panic::Location::caller();
        soft_fail(&format!(
            "{what}: got {a:?}, want {b:?} (at line {})",
            loc.line()
        ));
    }
}

/// An errno as `NAME(code)` without relying on the `wasi` crate's `name()`
/// (which is undefined for values outside the spec).
pub fn ename(e: Errno) -> String {
    let code = e.raw();
    if code <= 76 {
        format!("{}({code})", e.name())
    } else {
        format!("?({code})")
    }
}

/// Unwraps a call that must succeed.
#[track_caller]
pub fn ok<T>(what: &str, r: Result<T, Errno>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            let loc = std::panic::Location::caller();
            fail(&format!(
                "{what}: unexpected error {} (at line {})",
                ename(e),
                loc.line()
            ))
        }
    }
}

/// Asserts that a call failed with one of `want` (usually exactly one).
#[track_caller]
pub fn err<T: Debug>(what: &str, r: Result<T, Errno>, want: &[Errno]) {
    let loc = std::panic::Location::caller();
    let wanted: Vec<String> = want.iter().map(|e| ename(*e)).collect();
    match r {
        Ok(v) => soft_fail(&format!(
            "{what}: succeeded with {v:?}, want {} (at line {})",
            wanted.join(" or "),
            loc.line()
        )),
        Err(e) if want.contains(&e) => {}
        Err(e) => soft_fail(&format!(
            "{what}: got {}, want {} (at line {})",
            ename(e),
            wanted.join(" or "),
            loc.line()
        )),
    }
}

/// A raw errno return (from the `wasi_snapshot_preview1` imports) as a result.
pub fn raw(ret: i32) -> Result<(), Errno> {
    if ret == 0 {
        Ok(())
    } else {
        // Any value the host returns is kept, in range or not.
        Err(unsafe { std::mem::transmute::<u16, Errno>(ret as u16) })
    }
}

/// The errno with code `n`.
pub fn errno(n: u16) -> Errno {
    unsafe { std::mem::transmute::<u16, Errno>(n) }
}

/// The preopened directory whose guest path is `name` (scanning fds from 3
/// until `EBADF`).
pub fn preopen(name: &str) -> Fd {
    for fd in 3..64 {
        match unsafe { fd_prestat_get(fd) } {
            Ok(p) => {
                let len = unsafe { p.u.dir.pr_name_len };
                let mut buf = vec![0u8; len];
                ok("fd_prestat_dir_name", unsafe {
                    fd_prestat_dir_name(fd, buf.as_mut_ptr(), len)
                });
                if buf == name.as_bytes() {
                    return fd;
                }
            }
            Err(e) if e == ERRNO_BADF => break,
            Err(_) => {}
        }
    }
    fail(&format!("no preopen named {name:?}"))
}

/// Rights for a file opened for reading and writing (and everything a file
/// descriptor can do).
pub const FILE_RIGHTS: Rights = RIGHTS_FD_DATASYNC
    | RIGHTS_FD_READ
    | RIGHTS_FD_SEEK
    | RIGHTS_FD_FDSTAT_SET_FLAGS
    | RIGHTS_FD_SYNC
    | RIGHTS_FD_TELL
    | RIGHTS_FD_WRITE
    | RIGHTS_FD_ADVISE
    | RIGHTS_FD_ALLOCATE
    | RIGHTS_FD_FILESTAT_GET
    | RIGHTS_FD_FILESTAT_SET_SIZE
    | RIGHTS_FD_FILESTAT_SET_TIMES
    | RIGHTS_POLL_FD_READWRITE;

/// Rights for reading a file only.
pub const READ_RIGHTS: Rights = RIGHTS_FD_READ
    | RIGHTS_FD_SEEK
    | RIGHTS_FD_TELL
    | RIGHTS_FD_FILESTAT_GET
    | RIGHTS_FD_ADVISE
    | RIGHTS_POLL_FD_READWRITE;

/// Every right a directory descriptor may have.
pub const DIR_RIGHTS: Rights = RIGHTS_FD_FDSTAT_SET_FLAGS
    | RIGHTS_FD_SYNC
    | RIGHTS_FD_ADVISE
    | RIGHTS_PATH_CREATE_DIRECTORY
    | RIGHTS_PATH_CREATE_FILE
    | RIGHTS_PATH_LINK_SOURCE
    | RIGHTS_PATH_LINK_TARGET
    | RIGHTS_PATH_OPEN
    | RIGHTS_FD_READDIR
    | RIGHTS_PATH_READLINK
    | RIGHTS_PATH_RENAME_SOURCE
    | RIGHTS_PATH_RENAME_TARGET
    | RIGHTS_PATH_FILESTAT_GET
    | RIGHTS_PATH_FILESTAT_SET_SIZE
    | RIGHTS_PATH_FILESTAT_SET_TIMES
    | RIGHTS_FD_FILESTAT_GET
    | RIGHTS_FD_FILESTAT_SET_TIMES
    | RIGHTS_PATH_SYMLINK
    | RIGHTS_PATH_REMOVE_DIRECTORY
    | RIGHTS_PATH_UNLINK_FILE;

/// Every right of the spec (bits 0..=29).
pub const ALL_RIGHTS: Rights = (1 << 30) - 1;

/// Opens `path` under `dir` with the given open flags, rights and fd flags.
pub fn open(
    dir: Fd,
    path: &str,
    oflags: Oflags,
    rights: Rights,
    fdflags: Fdflags,
) -> Result<Fd, Errno> {
    unsafe {
        path_open(
            dir,
            LOOKUPFLAGS_SYMLINK_FOLLOW,
            path,
            oflags,
            rights,
            ALL_RIGHTS,
            fdflags,
        )
    }
}

/// Creates (or truncates) `path` under `dir` with `data` in it.
pub fn put(dir: Fd, path: &str, data: &[u8]) {
    let fd = ok(
        &format!("create {path}"),
        open(dir, path, OFLAGS_CREAT | OFLAGS_TRUNC, FILE_RIGHTS, 0),
    );
    write_all(fd, data);
    ok("fd_close", unsafe { fd_close(fd) });
}

/// Writes all of `data` at the current position.
pub fn write_all(fd: Fd, mut data: &[u8]) {
    while !data.is_empty() {
        let iov = [Ciovec {
            buf: data.as_ptr(),
            buf_len: data.len(),
        }];
        let n = ok("fd_write", unsafe { fd_write(fd, &iov) });
        check(n > 0, "fd_write wrote nothing");
        data = &data[n..];
    }
}

/// Reads everything from the current position to the end.
pub fn read_to_end(fd: Fd) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let iov = [Iovec {
            buf: buf.as_mut_ptr(),
            buf_len: buf.len(),
        }];
        let n = ok("fd_read", unsafe { fd_read(fd, &iov) });
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Opens `path` for reading and returns its whole contents.
pub fn get(dir: Fd, path: &str) -> Vec<u8> {
    let fd = ok(&format!("open {path}"), open(dir, path, 0, READ_RIGHTS, 0));
    let data = read_to_end(fd);
    ok("fd_close", unsafe { fd_close(fd) });
    data
}

/// Prints `ok NAME` on stdout (what the host test looks for).
pub fn pass(name: &str) {
    println!("ok {name}");
}

/// A clock subscription of `poll_oneoff`: `timeout` nanoseconds on clock
/// `id`, absolute if `flags` says so.
pub fn clock_sub(userdata: u64, id: Clockid, timeout: u64, flags: u16) -> Subscription {
    Subscription {
        userdata,
        u: SubscriptionU {
            tag: EVENTTYPE_CLOCK.raw(),
            u: SubscriptionUU {
                clock: SubscriptionClock {
                    id,
                    timeout,
                    precision: 0,
                    flags,
                },
            },
        },
    }
}

pub mod suite;
