//! fd_readdir: `readdir N` creates `/rw/big` with N files, a directory and a
//! symlink, then lists it with buffers of 1, 24, 100 and 4096 bytes, each
//! listing resuming by cookie, and checks every entry is seen exactly once.

use crate::*;
use std::collections::BTreeMap;

const HEADER: usize = std::mem::size_of::<Dirent>();

#[derive(Clone, Debug, PartialEq)]
struct Entry {
    name: String,
    next: u64,
    ino: u64,
    kind: u8,
}

fn header(buf: &[u8]) -> Dirent {
    unsafe { std::ptr::read_unaligned(buf.as_ptr() as *const Dirent) }
}

/// One call; returns the bytes written.
fn call(fd: Fd, buf: &mut [u8], cookie: u64) -> usize {
    let n = ok("fd_readdir", unsafe {
        fd_readdir(fd, buf.as_mut_ptr(), buf.len(), cookie)
    });
    check(n <= buf.len(), "fd_readdir wrote more than the buffer");
    n
}

/// Lists the directory with a buffer of `size` bytes, the way wasi-libc does:
/// complete entries are taken; an entry cut at the end is read again from
/// its cookie, with a buffer just big enough for it when `size` is too small.
/// Returns the entries and the number of calls.
fn list(fd: Fd, size: usize) -> (Vec<Entry>, usize) {
    let mut out = Vec::new();
    let mut cookie = 0u64;
    let mut calls = 0;
    let mut buf = vec![0u8; size];
    loop {
        let n = call(fd, &mut buf, cookie);
        calls += 1;
        let mut at = 0;
        let mut progressed = false;
        while at + HEADER <= n {
            let d = header(&buf[at..]);
            let len = d.d_namlen as usize;
            if at + HEADER + len > n {
                break;
            }
            let name = String::from_utf8(buf[at + HEADER..at + HEADER + len].to_vec())
                .unwrap_or_else(|_| fail("entry name is not UTF-8"));
            out.push(Entry {
                name,
                next: d.d_next,
                ino: d.d_ino,
                kind: d.d_type.raw(),
            });
            cookie = d.d_next;
            at += HEADER + len;
            progressed = true;
        }
        if n < buf.len() {
            // A short read ends the listing; it must hold whole entries only.
            check_eq(at, n, "a short fd_readdir holds whole entries");
            return (out, calls);
        }
        if !progressed {
            // Not even one entry fitted: find its size and read it alone.
            let need = if n >= HEADER {
                HEADER + header(&buf).d_namlen as usize
            } else {
                let mut h = vec![0u8; HEADER];
                check_eq(
                    call(fd, &mut h, cookie),
                    HEADER,
                    "a header-sized read is full",
                );
                calls += 1;
                HEADER + header(&h).d_namlen as usize
            };
            let mut one = vec![0u8; need];
            check_eq(
                call(fd, &mut one, cookie),
                need,
                "an entry-sized read is full",
            );
            calls += 1;
            let d = header(&one);
            let name = String::from_utf8(one[HEADER..].to_vec())
                .unwrap_or_else(|_| fail("name not UTF-8"));
            out.push(Entry {
                name,
                next: d.d_next,
                ino: d.d_ino,
                kind: d.d_type.raw(),
            });
            cookie = d.d_next;
        }
    }
}

pub fn readdir(rest: &[String]) {
    let count: usize = rest.first().and_then(|c| c.parse().ok()).unwrap_or(1000);
    let rw = preopen("/rw");
    ok("mkdir big", unsafe { path_create_directory(rw, "big") });
    let big = ok("open big", open(rw, "big", OFLAGS_DIRECTORY, DIR_RIGHTS, 0));
    for i in 0..count {
        let fd = ok(
            "create",
            open(
                big,
                &format!("f{i:05}"),
                OFLAGS_CREAT | OFLAGS_EXCL,
                FILE_RIGHTS,
                0,
            ),
        );
        ok("fd_close", unsafe { fd_close(fd) });
    }
    ok("mkdir sub", unsafe { path_create_directory(big, "sub") });
    ok("symlink", unsafe { path_symlink("f00000", big, "link") });
    let mut expected: BTreeMap<String, u8> = (0..count)
        .map(|i| (format!("f{i:05}"), FILETYPE_REGULAR_FILE.raw()))
        .collect();
    expected.insert(".".into(), FILETYPE_DIRECTORY.raw());
    expected.insert("..".into(), FILETYPE_DIRECTORY.raw());
    expected.insert("sub".into(), FILETYPE_DIRECTORY.raw());
    expected.insert("link".into(), FILETYPE_SYMBOLIC_LINK.raw());

    // The first bytes of a listing are the same whatever the buffer size.
    let mut whole = vec![0u8; 4096];
    let n = call(big, &mut whole, 0);
    check(n >= HEADER, "a 4096-byte read holds an entry");
    let mut one = [0u8; 1];
    check_eq(call(big, &mut one, 0), 1, "a 1-byte buffer is filled");
    check_eq(
        one[0],
        whole[0],
        "the 1-byte read is the entry's first byte",
    );
    let mut h = [0u8; HEADER];
    check_eq(call(big, &mut h, 0), HEADER, "a 24-byte buffer is filled");
    check_eq(
        &h[..],
        &whole[..HEADER],
        "the 24-byte read is the entry's header",
    );
    let mut cut = [0u8; 100];
    check_eq(call(big, &mut cut, 0), 100, "a 100-byte buffer is filled");
    check_eq(
        &cut[..],
        &whole[..100],
        "the 100-byte read is the listing's start, cut",
    );

    let mut reference: Option<Vec<Entry>> = None;
    for size in [1usize, 24, 100, 4096] {
        let (entries, calls) = list(big, size);
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        for e in &entries {
            *seen.entry(e.name.clone()).or_default() += 1;
            match expected.get(&e.name) {
                Some(&kind) => check_eq(e.kind, kind, &format!("d_type of {}", e.name)),
                None => fail(&format!("unexpected entry {:?}", e.name)),
            }
            if e.name.starts_with('f') {
                check(e.ino != 0, "d_ino of a file");
            }
        }
        for name in expected.keys() {
            check_eq(
                seen.get(name).copied().unwrap_or(0),
                1,
                &format!("times {name} is listed (buffer {size})"),
            );
        }
        check_eq(entries.len(), expected.len(), "entry count");
        // Every listing has the same order, cookies and inodes.
        match &reference {
            None => reference = Some(entries.clone()),
            Some(r) => check(r == &entries, "listings agree across buffer sizes"),
        }
        println!("readdir buf={size} entries={} calls={calls}", entries.len());
    }
    let entries = reference.unwrap();
    // d_ino agrees with path_filestat_get for a file.
    let f = entries.iter().find(|e| e.name == "f00000").unwrap();
    let st = ok("path_filestat_get", unsafe {
        path_filestat_get(big, 0, "f00000")
    });
    check_eq(f.ino, st.ino, "d_ino is the file's inode");
    // Resuming from any cookie gives the rest of the listing.
    for k in [0usize, 1, entries.len() / 2, entries.len() - 1] {
        let mut buf = vec![0u8; 512];
        let n = call(big, &mut buf, entries[k].next);
        if k + 1 == entries.len() {
            check_eq(n, 0, "resuming after the last entry");
        } else {
            let d = header(&buf);
            let name = &buf[HEADER..HEADER + d.d_namlen as usize];
            check_eq(
                name,
                entries[k + 1].name.as_bytes(),
                "resumed at the next entry",
            );
        }
    }
    // A cookie from before a change still lists without error.
    let mid = entries[entries.len() / 2].next;
    let fd = ok(
        "create late",
        open(big, "late", OFLAGS_CREAT, FILE_RIGHTS, 0),
    );
    ok("fd_close", unsafe { fd_close(fd) });
    ok("unlink f00001", unsafe { path_unlink_file(big, "f00001") });
    let mut buf = vec![0u8; 4096];
    let _ = call(big, &mut buf, mid);
    let (after, _) = list(big, 4096);
    check(
        after.iter().any(|e| e.name == "late"),
        "a restarted listing sees the new file",
    );
    check(
        !after.iter().any(|e| e.name == "f00001"),
        "and not the removed one",
    );
    check_eq(
        after.len(),
        expected.len(),
        "count after one add and one remove",
    );
    // A cookie past the end is an empty read.
    check_eq(call(big, &mut buf, u64::MAX), 0, "cookie past the end");
    // Errors.
    put(rw, "plain", b"x");
    let file = ok("open plain", open(rw, "plain", 0, FILE_RIGHTS, 0));
    err(
        "fd_readdir(file)",
        unsafe { fd_readdir(file, buf.as_mut_ptr(), 64, 0) },
        &[ERRNO_NOTDIR, ERRNO_BADF],
    );
    ok("fd_close", unsafe { fd_close(file) });
    err(
        "fd_readdir(bad fd)",
        unsafe { fd_readdir(999, buf.as_mut_ptr(), 64, 0) },
        &[ERRNO_BADF],
    );
    err(
        "fd_readdir(stdout)",
        unsafe { fd_readdir(1, buf.as_mut_ptr(), 64, 0) },
        &[ERRNO_NOTDIR, ERRNO_BADF],
    );
    let n = ok("fd_readdir(0-byte buffer)", unsafe {
        fd_readdir(big, buf.as_mut_ptr(), 0, 0)
    });
    check_eq(n, 0, "0-byte buffer");
    // std::fs::read_dir sees the same names (without . and ..).
    let std_names: usize = std::fs::read_dir("/rw/big")
        .unwrap_or_else(|e| fail(&format!("read_dir: {e}")))
        .count();
    check_eq(std_names, expected.len() - 2, "std::fs::read_dir count");
    ok("fd_close", unsafe { fd_close(big) });
    pass("readdir");
}
