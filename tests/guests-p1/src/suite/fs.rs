//! path_open flags and rights on read-write and read-only preopens,
//! fd_/path_filestat_*, and every other path_* call.

use crate::*;

const ESCAPE: &[Errno] = &[ERRNO_PERM];

fn stat(fd: Fd) -> Filestat {
    ok("fd_filestat_get", unsafe { fd_filestat_get(fd) })
}

fn pstat(dir: Fd, path: &str, follow: bool) -> Result<Filestat, Errno> {
    let flags = if follow {
        LOOKUPFLAGS_SYMLINK_FOLLOW
    } else {
        0
    };
    unsafe { path_filestat_get(dir, flags, path) }
}

fn raw_open(
    dir: Fd,
    lookup: i32,
    path: &str,
    oflags: i32,
    base: Rights,
    fdflags: i32,
) -> Result<(), Errno> {
    let mut fd = 0u32;
    raw(unsafe {
        wasi_snapshot_preview1::path_open(
            dir as i32,
            lookup,
            path.as_ptr() as i32,
            path.len() as i32,
            oflags,
            base as i64,
            ALL_RIGHTS as i64,
            fdflags,
            &mut fd as *mut u32 as i32,
        )
    })
}

/// path_open on the read-write preopen `/rw`.
pub fn open_flags() {
    let dir = preopen("/rw");
    let fd = ok(
        "CREAT|EXCL",
        open(dir, "new", OFLAGS_CREAT | OFLAGS_EXCL, FILE_RIGHTS, 0),
    );
    write_all(fd, b"12345");
    ok("fd_close", unsafe { fd_close(fd) });
    err(
        "CREAT|EXCL on an existing file",
        open(dir, "new", OFLAGS_CREAT | OFLAGS_EXCL, FILE_RIGHTS, 0),
        &[ERRNO_EXIST],
    );
    let fd = ok(
        "CREAT on an existing file",
        open(dir, "new", OFLAGS_CREAT, READ_RIGHTS, 0),
    );
    check_eq(
        read_to_end(fd).as_slice(),
        b"12345".as_slice(),
        "CREAT keeps the data",
    );
    let st = ok("fdstat", unsafe { fd_fdstat_get(fd) });
    check(st.fs_rights_base & RIGHTS_FD_READ != 0, "read rights kept");
    // CREAT opens for writing too where the mount allows it (cap-std and
    // wasmtime do the same), and fdstat reports what the descriptor has.
    check(
        st.fs_rights_base & RIGHTS_FD_WRITE != 0,
        "CREAT opened for writing",
    );
    ok("fd_close", unsafe { fd_close(fd) });
    let fd = ok("TRUNC", open(dir, "new", OFLAGS_TRUNC, FILE_RIGHTS, 0));
    check_eq(stat(fd).size, 0, "TRUNC empties the file");
    ok("fd_close", unsafe { fd_close(fd) });
    err(
        "missing file",
        open(dir, "missing", 0, READ_RIGHTS, 0),
        &[ERRNO_NOENT],
    );
    err(
        "missing directory on the way",
        open(dir, "nodir/x", OFLAGS_CREAT, FILE_RIGHTS, 0),
        &[ERRNO_NOENT],
    );
    err(
        "empty path",
        open(dir, "", 0, READ_RIGHTS, 0),
        &[ERRNO_NOENT],
    );
    err(
        "DIRECTORY on a file",
        open(dir, "new", OFLAGS_DIRECTORY, READ_RIGHTS, 0),
        &[ERRNO_NOTDIR],
    );
    err(
        "trailing slash on a file",
        open(dir, "new/", 0, READ_RIGHTS, 0),
        &[ERRNO_NOTDIR],
    );
    ok("mkdir d", unsafe { path_create_directory(dir, "d") });
    let d = ok("DIRECTORY", open(dir, "d", OFLAGS_DIRECTORY, DIR_RIGHTS, 0));
    check_eq(
        ok("fdstat", unsafe { fd_fdstat_get(d) }).fs_filetype.raw(),
        FILETYPE_DIRECTORY.raw(),
        "dir filetype",
    );
    let f = ok(
        "open through the new dir fd",
        open(d, "inner", OFLAGS_CREAT, FILE_RIGHTS, 0),
    );
    ok("fd_close", unsafe { fd_close(f) });
    ok("fd_close", unsafe { fd_close(d) });
    let d = ok(
        "a directory without DIRECTORY",
        open(dir, "d", 0, RIGHTS_FD_READDIR | RIGHTS_PATH_OPEN, 0),
    );
    check_eq(
        ok("fdstat", unsafe { fd_fdstat_get(d) }).fs_filetype.raw(),
        FILETYPE_DIRECTORY.raw(),
        "dir filetype",
    );
    ok("fd_close", unsafe { fd_close(d) });
    err(
        "a directory for writing",
        open(dir, "d", 0, RIGHTS_FD_WRITE, 0),
        &[ERRNO_ISDIR],
    );
    err(
        "CREAT|EXCL on a directory",
        open(dir, "d", OFLAGS_CREAT | OFLAGS_EXCL, FILE_RIGHTS, 0),
        &[ERRNO_EXIST],
    );
    // Escapes.
    err("..", open(dir, "../x", 0, READ_RIGHTS, 0), ESCAPE);
    err("d/../..", open(dir, "d/../../x", 0, READ_RIGHTS, 0), ESCAPE);
    err(
        "absolute path",
        open(dir, "/etc/passwd", 0, READ_RIGHTS, 0),
        ESCAPE,
    );
    err(
        "CREAT outside",
        open(dir, "../created", OFLAGS_CREAT, FILE_RIGHTS, 0),
        ESCAPE,
    );
    err(
        "NUL in the path",
        open(dir, "ne\0w", 0, READ_RIGHTS, 0),
        &[ERRNO_ILSEQ, ERRNO_INVAL],
    );
    // Symlinks and lookupflags.
    ok("symlink", unsafe { path_symlink("new", dir, "link") });
    let fd = ok("follow", open(dir, "link", 0, READ_RIGHTS, 0));
    check_eq(
        stat(fd).filetype.raw(),
        FILETYPE_REGULAR_FILE.raw(),
        "followed link",
    );
    ok("fd_close", unsafe { fd_close(fd) });
    err(
        "no follow",
        unsafe { path_open(dir, 0, "link", 0, READ_RIGHTS, 0, 0) },
        &[ERRNO_LOOP, ERRNO_MLINK],
    );
    ok("outward symlink", unsafe {
        path_symlink("../../outside", dir, "out")
    });
    err(
        "follow an outward symlink",
        open(dir, "out", 0, READ_RIGHTS, 0),
        ESCAPE,
    );
    err(
        "create through an outward symlink",
        open(dir, "out", OFLAGS_CREAT, FILE_RIGHTS, 0),
        ESCAPE,
    );
    // fdflags: the synchronized-I/O ones are `notsup`, as wasmtime answers.
    for (name, flag) in [
        ("DSYNC", FDFLAGS_DSYNC),
        ("RSYNC", FDFLAGS_RSYNC),
        ("SYNC", FDFLAGS_SYNC),
    ] {
        err(name, open(dir, "new", 0, FILE_RIGHTS, flag), &[ERRNO_NOTSUP]);
    }
    let fd = ok("NONBLOCK", open(dir, "new", 0, FILE_RIGHTS, FDFLAGS_NONBLOCK));
    write_all(fd, b"x");
    ok("fd_close", unsafe { fd_close(fd) });
    let fd = ok("APPEND", open(dir, "new", 0, FILE_RIGHTS, FDFLAGS_APPEND));
    write_all(fd, b"y");
    ok("fd_close", unsafe { fd_close(fd) });
    check_eq(
        get(dir, "new").as_slice(),
        b"xy".as_slice(),
        "fdflags writes",
    );
    // Bits outside the spec.
    err(
        "oflags bit 4",
        raw_open(dir, 1, "new", 1 << 4, READ_RIGHTS, 0),
        &[ERRNO_INVAL],
    );
    err(
        "fdflags bit 5",
        raw_open(dir, 1, "new", 0, READ_RIGHTS, 1 << 5),
        &[ERRNO_INVAL],
    );
    err(
        "lookupflags bit 1",
        raw_open(dir, 2, "new", 0, READ_RIGHTS, 0),
        &[ERRNO_INVAL],
    );
    err("bad fd", open(999, "new", 0, READ_RIGHTS, 0), &[ERRNO_BADF]);
    let f = ok("open file", open(dir, "new", 0, READ_RIGHTS, 0));
    err(
        "open relative to a file",
        open(f, "x", 0, READ_RIGHTS, 0),
        &[ERRNO_NOTDIR],
    );
    ok("fd_close", unsafe { fd_close(f) });
    // Rights are advisory: a directory opened with no rights at all does
    // everything the mount allows, and what a child asks for is not
    // limited by the parent's (unchangeable) inheriting rights.
    let d = ok(
        "open dir with rights 0",
        open(dir, "d", OFLAGS_DIRECTORY, 0, 0),
    );
    err(
        "shrink inheriting",
        unsafe { fd_fdstat_set_rights(d, 0, 0) },
        &[ERRNO_NOTSUP],
    );
    let f = ok("open with more than inheriting", unsafe {
        path_open(d, LOOKUPFLAGS_SYMLINK_FOLLOW, "inner", 0, FILE_RIGHTS, 0, 0)
    });
    let st = ok("fdstat", unsafe { fd_fdstat_get(f) });
    check(
        st.fs_rights_base & RIGHTS_FD_WRITE != 0,
        "opened for writing",
    );
    ok("fd_close", unsafe { fd_close(f) });
    // Rights 0 opens a file for reading.
    let f = ok("open file with rights 0", unsafe {
        path_open(d, LOOKUPFLAGS_SYMLINK_FOLLOW, "inner", 0, 0, 0, 0)
    });
    let st = ok("fdstat", unsafe { fd_fdstat_get(f) });
    check(st.fs_rights_base & RIGHTS_FD_READ != 0, "rights 0 reads");
    check(
        st.fs_rights_base & RIGHTS_FD_WRITE == 0,
        "rights 0 does not write",
    );
    ok("fd_close", unsafe { fd_close(f) });
    ok("fd_close", unsafe { fd_close(d) });
    pass("open");
}

/// Everything that would change the read-only preopen `/ro` is `EPERM`;
/// reading works. The host checks nothing changed.
pub fn readonly() {
    let ro = preopen("/ro");
    let rw = preopen("/rw");
    check_eq(
        get(ro, "hello.txt").as_slice(),
        b"hello from ro\n".as_slice(),
        "read in /ro",
    );
    let st = ok("fdstat(ro)", unsafe { fd_fdstat_get(ro) });
    check(
        st.fs_rights_base & RIGHTS_PATH_OPEN != 0,
        "ro preopen can open",
    );
    check(
        st.fs_rights_base & RIGHTS_FD_READDIR != 0,
        "ro preopen can list",
    );
    println!(
        "ro preopen base={:#x} inheriting={:#x}",
        st.fs_rights_base, st.fs_rights_inheriting
    );
    let perm = &[ERRNO_PERM];
    err(
        "CREAT new",
        open(ro, "new", OFLAGS_CREAT, FILE_RIGHTS, 0),
        perm,
    );
    err(
        "CREAT new, read rights",
        open(ro, "new", OFLAGS_CREAT, READ_RIGHTS, 0),
        perm,
    );
    err(
        "CREAT existing",
        open(ro, "hello.txt", OFLAGS_CREAT, READ_RIGHTS, 0),
        perm,
    );
    err(
        "TRUNC",
        open(ro, "hello.txt", OFLAGS_TRUNC, READ_RIGHTS, 0),
        perm,
    );
    err(
        "write rights",
        open(ro, "hello.txt", 0, FILE_RIGHTS, 0),
        perm,
    );
    err(
        "FD_WRITE only",
        open(ro, "hello.txt", 0, RIGHTS_FD_WRITE, 0),
        perm,
    );
    err(
        "APPEND",
        open(ro, "hello.txt", 0, RIGHTS_FD_WRITE, FDFLAGS_APPEND),
        perm,
    );
    err(
        "mkdir",
        unsafe { path_create_directory(ro, "newdir") },
        perm,
    );
    err("rmdir", unsafe { path_remove_directory(ro, "sub") }, perm);
    err("unlink", unsafe { path_unlink_file(ro, "hello.txt") }, perm);
    err(
        "rename",
        unsafe { path_rename(ro, "hello.txt", ro, "moved") },
        perm,
    );
    err(
        "rename out of ro",
        unsafe { path_rename(ro, "hello.txt", rw, "moved") },
        perm,
    );
    err(
        "rename into ro",
        unsafe { path_rename(rw, "x", ro, "moved") },
        perm,
    );
    err(
        "symlink",
        unsafe { path_symlink("hello.txt", ro, "ln") },
        perm,
    );
    err(
        "link",
        unsafe { path_link(ro, 0, "hello.txt", ro, "hard") },
        perm,
    );
    err(
        "link out of ro",
        unsafe { path_link(ro, 0, "hello.txt", rw, "hard") },
        perm,
    );
    err(
        "set_times",
        unsafe { path_filestat_set_times(ro, 0, "hello.txt", 0, 0, FSTFLAGS_MTIM_NOW) },
        perm,
    );
    // A file opened for reading in /ro.
    let f = ok("open", open(ro, "hello.txt", 0, READ_RIGHTS, 0));
    // Not opened for writing: `badf`; what the mount forbids: `perm`.
    let fdonly = &[ERRNO_BADF];
    err(
        "fd_write",
        unsafe {
            fd_write(
                f,
                &[Ciovec {
                    buf: b"x".as_ptr(),
                    buf_len: 1,
                }],
            )
        },
        fdonly,
    );
    err(
        "set_size",
        unsafe { fd_filestat_set_size(f, 0) },
        &[ERRNO_PERM],
    );
    err(
        "fd set_times",
        unsafe { fd_filestat_set_times(f, 0, 0, FSTFLAGS_MTIM_NOW) },
        &[ERRNO_PERM],
    );
    ok("fd_close", unsafe { fd_close(f) });
    // Reads and stats still work.
    let s = ok("path_filestat_get", pstat(ro, "hello.txt", true));
    check_eq(s.size, 14, "size in /ro");
    check_eq(
        get(ro, "sub/inner.txt").as_slice(),
        b"inner\n".as_slice(),
        "nested read in /ro",
    );
    pass("readonly");
}

pub fn filestat() {
    let dir = preopen("/rw");
    put(dir, "fs.txt", b"0123456789");
    let fd = ok("open", open(dir, "fs.txt", 0, FILE_RIGHTS, 0));
    let s = stat(fd);
    check_eq(s.filetype.raw(), FILETYPE_REGULAR_FILE.raw(), "filetype");
    check_eq(s.size, 10, "size");
    check_eq(s.nlink, 1, "nlink");
    check(s.ino != 0, "ino");
    let p = ok("path_filestat_get", pstat(dir, "fs.txt", true));
    check_eq(
        (p.dev, p.ino, p.size),
        (s.dev, s.ino, s.size),
        "path and fd stat agree",
    );
    // Sizes.
    ok("grow", unsafe { fd_filestat_set_size(fd, 100) });
    check_eq(stat(fd).size, 100, "grown");
    ok("shrink", unsafe { fd_filestat_set_size(fd, 3) });
    check_eq(stat(fd).size, 3, "shrunk");
    check_eq(read_to_end(fd).as_slice(), b"012".as_slice(), "shrunk data");
    err(
        "huge size",
        unsafe { fd_filestat_set_size(fd, u64::MAX) },
        &[ERRNO_INVAL, ERRNO_FBIG],
    );
    // Times.
    let (at, mt) = (1_000_000_000_000_000_000u64, 1_500_000_000_123_456_789u64);
    ok("set ATIM|MTIM", unsafe {
        fd_filestat_set_times(fd, at, mt, FSTFLAGS_ATIM | FSTFLAGS_MTIM)
    });
    let s = stat(fd);
    check_eq((s.atim, s.mtim), (at, mt), "explicit times");
    ok("set MTIM only", unsafe {
        fd_filestat_set_times(fd, 0, mt + 1_000_000_000, FSTFLAGS_MTIM)
    });
    let s = stat(fd);
    check_eq(
        (s.atim, s.mtim),
        (at, mt + 1_000_000_000),
        "only mtim changed",
    );
    let before = ok("clock", unsafe { clock_time_get(CLOCKID_REALTIME, 0) });
    ok("set NOW", unsafe {
        fd_filestat_set_times(fd, 0, 0, FSTFLAGS_ATIM_NOW | FSTFLAGS_MTIM_NOW)
    });
    let after = ok("clock", unsafe { clock_time_get(CLOCKID_REALTIME, 0) });
    let s = stat(fd);
    let near = |t: u64| t + 5_000_000_000 >= before && t <= after + 5_000_000_000;
    check(near(s.atim) && near(s.mtim), "ATIM_NOW/MTIM_NOW are now");
    err(
        "ATIM|ATIM_NOW",
        unsafe { fd_filestat_set_times(fd, 0, 0, FSTFLAGS_ATIM | FSTFLAGS_ATIM_NOW) },
        &[ERRNO_INVAL],
    );
    err(
        "MTIM|MTIM_NOW",
        unsafe { fd_filestat_set_times(fd, 0, 0, FSTFLAGS_MTIM | FSTFLAGS_MTIM_NOW) },
        &[ERRNO_INVAL],
    );
    err(
        "fstflags bit 4",
        unsafe { fd_filestat_set_times(fd, 0, 0, 1 << 4) },
        &[ERRNO_INVAL],
    );
    ok("fd_close", unsafe { fd_close(fd) });
    // path_filestat_set_times.
    ok("path set", unsafe {
        path_filestat_set_times(
            dir,
            LOOKUPFLAGS_SYMLINK_FOLLOW,
            "fs.txt",
            at,
            mt,
            FSTFLAGS_ATIM | FSTFLAGS_MTIM,
        )
    });
    let p = ok("path_filestat_get", pstat(dir, "fs.txt", true));
    check_eq((p.atim, p.mtim), (at, mt), "path set times");
    err(
        "path ATIM|ATIM_NOW",
        unsafe {
            path_filestat_set_times(dir, 0, "fs.txt", 0, 0, FSTFLAGS_ATIM | FSTFLAGS_ATIM_NOW)
        },
        &[ERRNO_INVAL],
    );
    err(
        "path MTIM|MTIM_NOW",
        unsafe {
            path_filestat_set_times(dir, 0, "fs.txt", 0, 0, FSTFLAGS_MTIM | FSTFLAGS_MTIM_NOW)
        },
        &[ERRNO_INVAL],
    );
    err(
        "path set missing",
        unsafe { path_filestat_set_times(dir, 0, "missing", 0, 0, FSTFLAGS_MTIM_NOW) },
        &[ERRNO_NOENT],
    );
    // Directories and symlinks.
    check_eq(
        stat(dir).filetype.raw(),
        FILETYPE_DIRECTORY.raw(),
        "preopen filestat",
    );
    ok("symlink", unsafe { path_symlink("fs.txt", dir, "fs.lnk") });
    check_eq(
        ok("nofollow", pstat(dir, "fs.lnk", false)).filetype.raw(),
        FILETYPE_SYMBOLIC_LINK.raw(),
        "link itself",
    );
    check_eq(
        ok("nofollow", pstat(dir, "fs.lnk", false)).size,
        6,
        "link size is its target's length",
    );
    check_eq(
        ok("follow", pstat(dir, "fs.lnk", true)).filetype.raw(),
        FILETYPE_REGULAR_FILE.raw(),
        "link target",
    );
    err(
        "missing",
        pstat(dir, "missing", true).map(|_| ()),
        &[ERRNO_NOENT],
    );
    err("escape", pstat(dir, "../x", true).map(|_| ()), ESCAPE);
    err(
        "bad fd",
        unsafe { fd_filestat_get(999) }.map(|_| ()),
        &[ERRNO_BADF],
    );
    err(
        "bad fd size",
        unsafe { fd_filestat_set_size(999, 0) },
        &[ERRNO_BADF],
    );
    err(
        "dir set_size",
        unsafe { fd_filestat_set_size(dir, 0) },
        &[ERRNO_BADF],
    );
    // stdio has a filestat too.
    ok("fd_filestat_get(stdout)", unsafe { fd_filestat_get(1) });
    pass("filestat");
}

pub fn paths() {
    let dir = preopen("/rw");
    // Directories.
    ok("mkdir d", unsafe { path_create_directory(dir, "d") });
    err(
        "mkdir again",
        unsafe { path_create_directory(dir, "d") },
        &[ERRNO_EXIST],
    );
    ok("mkdir d/e", unsafe { path_create_directory(dir, "d/e") });
    err(
        "mkdir under missing",
        unsafe { path_create_directory(dir, "nope/x") },
        &[ERRNO_NOENT],
    );
    err(
        "mkdir outside",
        unsafe { path_create_directory(dir, "../x") },
        ESCAPE,
    );
    err(
        "mkdir NUL",
        unsafe { path_create_directory(dir, "a\0b") },
        &[ERRNO_ILSEQ, ERRNO_INVAL],
    );
    err(
        "rmdir non-empty",
        unsafe { path_remove_directory(dir, "d") },
        &[ERRNO_NOTEMPTY],
    );
    put(dir, "file", b"content");
    err(
        "rmdir a file",
        unsafe { path_remove_directory(dir, "file") },
        &[ERRNO_NOTDIR],
    );
    err(
        "rmdir missing",
        unsafe { path_remove_directory(dir, "missing") },
        &[ERRNO_NOENT],
    );
    ok("rmdir d/e", unsafe { path_remove_directory(dir, "d/e") });
    err(
        "unlink a dir",
        unsafe { path_unlink_file(dir, "d") },
        &[ERRNO_ISDIR, ERRNO_PERM],
    );
    err(
        "unlink missing",
        unsafe { path_unlink_file(dir, "missing") },
        &[ERRNO_NOENT],
    );
    err(
        "unlink outside",
        unsafe { path_unlink_file(dir, "../x") },
        ESCAPE,
    );
    // Symlinks.
    ok("symlink", unsafe { path_symlink("target.txt", dir, "ln") });
    err(
        "symlink exists",
        unsafe { path_symlink("x", dir, "ln") },
        &[ERRNO_EXIST],
    );
    let mut buf = [0u8; 64];
    let n = ok("readlink", unsafe {
        path_readlink(dir, "ln", buf.as_mut_ptr(), 64)
    });
    check_eq(&buf[..n], b"target.txt", "readlink");
    let mut small = [0u8; 4];
    let n = ok("readlink truncated", unsafe {
        path_readlink(dir, "ln", small.as_mut_ptr(), 4)
    });
    check_eq(n, 4, "truncated readlink fills the buffer");
    check_eq(&small, b"targ", "truncated readlink keeps the start");
    let n = ok("readlink into nothing", unsafe {
        path_readlink(dir, "ln", small.as_mut_ptr(), 0)
    });
    check_eq(n, 0, "readlink with no room");
    err(
        "readlink a file",
        unsafe { path_readlink(dir, "file", buf.as_mut_ptr(), 64) },
        &[ERRNO_INVAL],
    );
    err(
        "readlink missing",
        unsafe { path_readlink(dir, "missing", buf.as_mut_ptr(), 64) },
        &[ERRNO_NOENT],
    );
    put(dir, "target.txt", b"through the link");
    check_eq(
        get(dir, "ln").as_slice(),
        b"through the link".as_slice(),
        "read through a symlink",
    );
    ok("unlink a symlink", unsafe { path_unlink_file(dir, "ln") });
    check_eq(
        get(dir, "target.txt").as_slice(),
        b"through the link".as_slice(),
        "target kept",
    );
    // Hard links.
    ok("link", unsafe { path_link(dir, 0, "file", dir, "hard") });
    check_eq(
        ok("stat", pstat(dir, "hard", false)).nlink,
        2,
        "nlink after link",
    );
    err(
        "link onto existing",
        unsafe { path_link(dir, 0, "file", dir, "target.txt") },
        &[ERRNO_EXIST],
    );
    err(
        "link missing",
        unsafe { path_link(dir, 0, "missing", dir, "x") },
        &[ERRNO_NOENT],
    );
    err(
        "link a directory",
        unsafe { path_link(dir, 0, "d", dir, "dlink") },
        &[ERRNO_PERM, ERRNO_ACCES],
    );
    err(
        "link outside",
        unsafe { path_link(dir, 0, "file", dir, "../x") },
        ESCAPE,
    );
    ok("unlink one name", unsafe { path_unlink_file(dir, "file") });
    check_eq(
        get(dir, "hard").as_slice(),
        b"content".as_slice(),
        "the other name keeps the data",
    );
    // Renames.
    ok("rename", unsafe {
        path_rename(dir, "hard", dir, "renamed")
    });
    err(
        "old name gone",
        pstat(dir, "hard", false).map(|_| ()),
        &[ERRNO_NOENT],
    );
    ok("rename over a file", unsafe {
        path_rename(dir, "target.txt", dir, "renamed")
    });
    check_eq(
        get(dir, "renamed").as_slice(),
        b"through the link".as_slice(),
        "replaced",
    );
    ok("rename a dir", unsafe { path_rename(dir, "d", dir, "d2") });
    err(
        "rename missing",
        unsafe { path_rename(dir, "missing", dir, "x") },
        &[ERRNO_NOENT],
    );
    err(
        "rename a file over a dir",
        unsafe { path_rename(dir, "renamed", dir, "d2") },
        &[ERRNO_ISDIR],
    );
    ok("mkdir full", unsafe { path_create_directory(dir, "full") });
    put(dir, "full/x", b"x");
    err(
        "rename a dir over a non-empty dir",
        unsafe { path_rename(dir, "d2", dir, "full") },
        &[ERRNO_NOTEMPTY, ERRNO_EXIST],
    );
    err(
        "rename a dir over a file",
        unsafe { path_rename(dir, "d2", dir, "renamed") },
        &[ERRNO_NOTDIR],
    );
    err(
        "rename outside",
        unsafe { path_rename(dir, "renamed", dir, "../x") },
        ESCAPE,
    );
    err(
        "rename bad fd",
        unsafe { path_rename(999, "renamed", dir, "x") },
        &[ERRNO_BADF],
    );
    // Between two directory descriptors of the same preopen.
    let sub = ok(
        "open full",
        open(dir, "full", OFLAGS_DIRECTORY, DIR_RIGHTS, 0),
    );
    ok("rename across fds", unsafe {
        path_rename(dir, "renamed", sub, "moved")
    });
    ok("link across fds", unsafe {
        path_link(sub, 0, "moved", dir, "back")
    });
    ok("fd_close", unsafe { fd_close(sub) });
    pass("path");
}
