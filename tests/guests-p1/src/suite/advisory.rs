//! Rights are advisory: a directory and the files in it opened with rights
//! `0` (as programs written for other runtimes do) can do everything the
//! mount allows, and the mount's permissions still refuse what they refuse.
//! Also the answers wasmtime gives on directory descriptors.

use crate::*;

/// `path_open` with both rights `0`.
fn open0(dir: Fd, path: &str, oflags: Oflags) -> Result<Fd, Errno> {
    unsafe { path_open(dir, 0, path, oflags, 0, 0, 0) }
}

/// Every directory and file operation of a read-write mount, through
/// descriptors opened with rights `0`. The host then finds
/// `scratch/kept/file` holding `0123456789` and `scratch/renamed`.
pub fn rights_zero() {
    let root = preopen("/rw");
    ok("mkdir scratch", unsafe { path_create_directory(root, "scratch") });
    let dir = ok("open scratch", open0(root, "scratch", OFLAGS_DIRECTORY));
    let st = ok("fdstat(dir)", unsafe { fd_fdstat_get(dir) });
    check_eq(st.fs_filetype.raw(), FILETYPE_DIRECTORY.raw(), "directory type");

    // Create, write, read, seek, tell, pread, pwrite.
    let f = ok("create", open0(dir, "file", OFLAGS_CREAT));
    ok("close", unsafe { fd_close(f) });
    // Rights 0 without O_CREAT opens for reading only.
    let f = ok("open", open0(dir, "file", 0));
    err("write to a file open for reading", unsafe { fd_write(f, &ciov(b"x")) }, &[ERRNO_BADF]);
    ok("close", unsafe { fd_close(f) });
    let f = ok("open for writing", unsafe {
        path_open(dir, 0, "file", 0, RIGHTS_FD_WRITE | RIGHTS_FD_READ, 0, 0)
    });
    check_eq(ok("write", unsafe { fd_write(f, &ciov(b"0123456789")) }), 10, "written");
    check_eq(ok("tell", unsafe { fd_tell(f) }), 10, "tell after write");
    check_eq(ok("seek", unsafe { fd_seek(f, 2, WHENCE_SET) }), 2, "seek");
    let mut buf = [0u8; 4];
    let n = ok("read", unsafe { fd_read(f, &iov(&mut buf)) });
    check_eq(&buf[..n], b"2345".as_slice(), "read after seek");
    let n = ok("pread", unsafe { fd_pread(f, &iov(&mut buf), 6) });
    check_eq(&buf[..n], b"6789".as_slice(), "pread");
    check_eq(ok("pwrite", unsafe { fd_pwrite(f, &ciov(b"AB"), 0) }), 2, "pwrite");
    check_eq(ok("tell", unsafe { fd_tell(f) }), 6, "pread/pwrite keep the offset");
    ok("pwrite back", unsafe { fd_pwrite(f, &ciov(b"01"), 0) });
    // Times, size, sync, advise, flags.
    ok("fd_filestat_set_times", unsafe {
        fd_filestat_set_times(f, 0, 1_000_000_000, FSTFLAGS_MTIM)
    });
    check_eq(
        ok("fd_filestat_get", unsafe { fd_filestat_get(f) }).mtim,
        1_000_000_000,
        "mtim set",
    );
    ok("grow", unsafe { fd_filestat_set_size(f, 12) });
    ok("shrink", unsafe { fd_filestat_set_size(f, 10) });
    ok("fd_sync", unsafe { fd_sync(f) });
    ok("fd_datasync", unsafe { fd_datasync(f) });
    ok("fd_advise", unsafe { fd_advise(f, 0, 10, ADVICE_SEQUENTIAL) });
    ok("set nonblock", unsafe { fd_fdstat_set_flags(f, FDFLAGS_NONBLOCK) });
    // poll_oneoff on the file: readable with the bytes left, writable.
    ok("seek", unsafe { fd_seek(f, 4, WHENCE_SET) });
    let subs = [fdsub(1, EVENTTYPE_FD_READ, f), fdsub(2, EVENTTYPE_FD_WRITE, f)];
    let mut events: [Event; 2] = unsafe { std::mem::zeroed() };
    let n = ok("poll", unsafe {
        poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), subs.len())
    });
    check_eq(n, 2, "both ready");
    for e in &events[..n] {
        check_eq(e.error, ERRNO_SUCCESS, "poll event error");
        if e.userdata == 1 {
            check_eq(e.fd_readwrite.nbytes, 6, "bytes left to read");
        }
    }
    ok("close", unsafe { fd_close(f) });

    // Directory operations.
    ok("mkdir", unsafe { path_create_directory(dir, "kept") });
    ok("mkdir", unsafe { path_create_directory(dir, "gone") });
    let sub = ok("open sub", open0(dir, "gone", OFLAGS_DIRECTORY));
    ok("close", unsafe { fd_close(sub) });
    ok("rmdir", unsafe { path_remove_directory(dir, "gone") });
    let s = ok("path_filestat_get", unsafe { path_filestat_get(dir, 0, "file") });
    check_eq(s.size, 10, "stat size");
    ok("path_filestat_set_times", unsafe {
        path_filestat_set_times(dir, 0, "file", 0, 2_000_000_000, FSTFLAGS_MTIM)
    });
    ok("symlink", unsafe { path_symlink("file", dir, "link") });
    let mut target = [0u8; 16];
    let n = ok("readlink", unsafe {
        path_readlink(dir, "link", target.as_mut_ptr(), target.len())
    });
    check_eq(&target[..n], b"file".as_slice(), "readlink");
    ok("link", unsafe { path_link(dir, 0, "file", dir, "hard") });
    check_eq(
        ok("stat", unsafe { path_filestat_get(dir, 0, "hard") }).nlink,
        2,
        "two links",
    );
    ok("rename", unsafe { path_rename(dir, "hard", dir, "renamed") });
    ok("rename into kept", unsafe { path_rename(dir, "file", dir, "kept/file") });
    ok("unlink", unsafe { path_unlink_file(dir, "link") });
    let mut listing = [0u8; 512];
    let used = ok("readdir", unsafe {
        fd_readdir(dir, listing.as_mut_ptr(), listing.len(), 0)
    });
    let names = dirent_names(&listing[..used]);
    check_eq(names.join(" "), ". .. kept renamed".to_string(), "listing (sorted)");
    // Rights cannot be changed; they stay advisory.
    err(
        "fd_fdstat_set_rights",
        unsafe { fd_fdstat_set_rights(dir, 0, 0) },
        &[ERRNO_NOTSUP],
    );
    ok("close", unsafe { fd_close(dir) });
    pass("rights zero");
}

/// The read-only mount `/ro` still refuses every change to a descriptor
/// opened with every right, and what a file was not opened for is `badf`.
pub fn rights_do_not_widen() {
    let ro = preopen("/ro");
    // Every right but those that ask for writing (a directory is not
    // opened for writing; `isdir`, or `perm` here).
    let read_all = ALL_RIGHTS
        & !(RIGHTS_FD_WRITE | RIGHTS_FD_DATASYNC | RIGHTS_FD_ALLOCATE | RIGHTS_FD_FILESTAT_SET_SIZE);
    let all = unsafe { path_open(ro, 0, "sub", OFLAGS_DIRECTORY, read_all, ALL_RIGHTS, 0) };
    let dir = ok("open sub with every right", all);
    let perm = &[ERRNO_PERM];
    err("create", unsafe { path_open(dir, 0, "new", OFLAGS_CREAT, ALL_RIGHTS, 0, 0) }, perm);
    err("mkdir", unsafe { path_create_directory(dir, "d") }, perm);
    err("unlink", unsafe { path_unlink_file(dir, "inner.txt") }, perm);
    err("symlink", unsafe { path_symlink("x", dir, "l") }, perm);
    err("rename", unsafe { path_rename(dir, "inner.txt", dir, "moved") }, perm);
    err("truncate", unsafe { path_open(dir, 0, "inner.txt", OFLAGS_TRUNC, 0, 0, 0) }, perm);
    err(
        "open for writing",
        unsafe { path_open(dir, 0, "inner.txt", 0, RIGHTS_FD_WRITE, 0, 0) },
        perm,
    );
    let f = ok("open for reading", unsafe {
        path_open(dir, 0, "inner.txt", 0, read_all, ALL_RIGHTS, 0)
    });
    err("write", unsafe { fd_write(f, &ciov(b"x")) }, &[ERRNO_BADF]);
    err("set size", unsafe { fd_filestat_set_size(f, 0) }, perm);
    err("set times", unsafe { fd_filestat_set_times(f, 0, 0, FSTFLAGS_MTIM_NOW) }, perm);
    check_eq(read_to_end(f).as_slice(), b"inner\n".as_slice(), "reads");
    ok("close", unsafe { fd_close(f) });
    ok("close", unsafe { fd_close(dir) });
    pass("rights do not widen");
}

/// What wasmtime answers on directory descriptors: the file calls are
/// `badf`, setting times works.
pub fn directory_answers() {
    let dir = preopen("/rw");
    let mut buf = [0u8; 4];
    let badf = &[ERRNO_BADF];
    err("fd_read", unsafe { fd_read(dir, &iov(&mut buf)) }, badf);
    err("fd_pread", unsafe { fd_pread(dir, &iov(&mut buf), 0) }, badf);
    err("fd_write", unsafe { fd_write(dir, &ciov(b"x")) }, badf);
    err("fd_pwrite", unsafe { fd_pwrite(dir, &ciov(b"x"), 0) }, badf);
    err("fd_seek", unsafe { fd_seek(dir, 0, WHENCE_CUR) }, badf);
    err("fd_tell", unsafe { fd_tell(dir) }, badf);
    err("fd_advise", unsafe { fd_advise(dir, 0, 0, ADVICE_DONTNEED) }, badf);
    err("fd_allocate", unsafe { fd_allocate(dir, 0, 1) }, badf);
    err("fd_sync", unsafe { fd_sync(dir) }, badf);
    err("fd_datasync", unsafe { fd_datasync(dir) }, badf);
    err("fd_filestat_set_size", unsafe { fd_filestat_set_size(dir, 0) }, badf);
    err(
        "fd_fdstat_set_flags",
        unsafe { fd_fdstat_set_flags(dir, FDFLAGS_NONBLOCK) },
        badf,
    );
    ok("fd_filestat_set_times", unsafe {
        fd_filestat_set_times(dir, 0, 3_000_000_000, FSTFLAGS_MTIM)
    });
    check_eq(
        ok("fd_filestat_get", unsafe { fd_filestat_get(dir) }).mtim,
        3_000_000_000,
        "directory mtim set",
    );
    // `path_link` with SYMLINK_FOLLOW is refused.
    put(dir, "t", b"t");
    err(
        "link follow",
        unsafe { path_link(dir, LOOKUPFLAGS_SYMLINK_FOLLOW, "t", dir, "t2") },
        &[ERRNO_INVAL],
    );
    ok("unlink", unsafe { path_unlink_file(dir, "t") });
    pass("directory answers");
}

/// One iovec over `buf`.
fn iov(buf: &mut [u8]) -> [Iovec; 1] {
    [Iovec {
        buf: buf.as_mut_ptr(),
        buf_len: buf.len(),
    }]
}

/// One ciovec over `data`.
fn ciov(data: &[u8]) -> [Ciovec; 1] {
    [Ciovec {
        buf: data.as_ptr(),
        buf_len: data.len(),
    }]
}

/// A read or write subscription on `fd`.
fn fdsub(userdata: u64, kind: Eventtype, fd: Fd) -> Subscription {
    Subscription {
        userdata,
        u: SubscriptionU {
            tag: kind.raw(),
            u: SubscriptionUU {
                fd_read: SubscriptionFdReadwrite {
                    file_descriptor: fd,
                },
            },
        },
    }
}

/// The names of an `fd_readdir` buffer, sorted.
fn dirent_names(mut buf: &[u8]) -> Vec<String> {
    let mut names = Vec::new();
    let header = std::mem::size_of::<Dirent>();
    while buf.len() >= header {
        let len = u32::from_le_bytes([buf[16], buf[17], buf[18], buf[19]]) as usize;
        let end = (header + len).min(buf.len());
        names.push(String::from_utf8_lossy(&buf[header..end]).into_owned());
        buf = &buf[end..];
    }
    names.sort();
    names
}
