//! fd_read/fd_write (vectored), fd_pread/fd_pwrite, fd_seek/fd_tell,
//! append mode, fd_fdstat_*, fd_advise/fd_allocate/fd_sync/fd_datasync,
//! fd_close and fd_renumber.

use crate::*;

fn ciov(parts: &[&[u8]]) -> Vec<Ciovec> {
    parts
        .iter()
        .map(|p| Ciovec {
            buf: p.as_ptr(),
            buf_len: p.len(),
        })
        .collect()
}

fn filesize(fd: Fd) -> u64 {
    ok("fd_filestat_get", unsafe { fd_filestat_get(fd) }).size
}

fn tell(fd: Fd) -> u64 {
    ok("fd_tell", unsafe { fd_tell(fd) })
}

/// stdin (given by the host: "hello, vectored world\n"), stdout and stderr.
pub fn stdio() {
    for fd in [0u32, 1, 2] {
        let st = ok("fd_fdstat_get(stdio)", unsafe { fd_fdstat_get(fd) });
        let ft = st.fs_filetype.raw();
        check(
            ft == FILETYPE_UNKNOWN.raw() || ft == FILETYPE_CHARACTER_DEVICE.raw(),
            "stdio filetype is unknown (pipe) or character device",
        );
        println!("stdio {fd} filetype={ft}");
    }
    // One vectored write: header, empty iovec, body, empty iovec.
    let parts: [&[u8]; 4] = [b"header:", b"", b"body\n", b""];
    let n = ok("fd_write(stdout, 4 iovecs)", unsafe {
        fd_write(1, &ciov(&parts))
    });
    check_eq(n, 12, "fd_write uses every iovec");
    let n = ok("fd_write(stdout, no iovecs)", unsafe { fd_write(1, &[]) });
    check_eq(n, 0, "fd_write of an empty list");
    let n = ok("fd_write(stderr)", unsafe {
        fd_write(2, &ciov(&[b"to stderr\n"]))
    });
    check_eq(n, 10, "fd_write(stderr)");
    // One vectored read fills several iovecs, skipping the empty one.
    let mut a = [0u8; 5];
    let mut b = [0u8; 0];
    let mut c = [0u8; 7];
    let iov = [
        Iovec {
            buf: a.as_mut_ptr(),
            buf_len: a.len(),
        },
        Iovec {
            buf: b.as_mut_ptr(),
            buf_len: 0,
        },
        Iovec {
            buf: c.as_mut_ptr(),
            buf_len: c.len(),
        },
    ];
    let n = ok("fd_read(stdin, 3 iovecs)", unsafe { fd_read(0, &iov) });
    check_eq(n, 12, "fd_read fills every iovec");
    check_eq(&a, b"hello", "first iovec");
    check_eq(&c, b", vecto", "third iovec");
    let rest = read_to_end(0);
    check_eq(rest.as_slice(), b"red world\n".as_slice(), "rest of stdin");
    let n = ok("fd_read(stdin at EOF)", unsafe { fd_read(0, &iov) });
    check_eq(n, 0, "EOF");
    // Pipes cannot seek, pread or pwrite.
    err(
        "fd_seek(stdout)",
        unsafe { fd_seek(1, 0, WHENCE_CUR) },
        &[ERRNO_SPIPE],
    );
    err("fd_tell(stdout)", unsafe { fd_tell(1) }, &[ERRNO_SPIPE]);
    let mut buf = [0u8; 4];
    let riov = [Iovec {
        buf: buf.as_mut_ptr(),
        buf_len: 4,
    }];
    err(
        "fd_pread(stdin)",
        unsafe { fd_pread(0, &riov, 0) },
        &[ERRNO_SPIPE],
    );
    err(
        "fd_pwrite(stdout)",
        unsafe { fd_pwrite(1, &ciov(&[b"x"]), 0) },
        &[ERRNO_SPIPE],
    );
    // Reading stdout / writing stdin: not open that way.
    err(
        "fd_read(stdout)",
        unsafe { fd_read(1, &riov) },
        &[ERRNO_BADF],
    );
    err(
        "fd_write(stdin)",
        unsafe { fd_write(0, &ciov(&[b"x"])) },
        &[ERRNO_BADF],
    );
    // Unknown descriptors.
    for fd in [9u32, 1000, u32::MAX] {
        err(
            "fd_write(bad fd)",
            unsafe { fd_write(fd, &ciov(&[b"x"])) },
            &[ERRNO_BADF],
        );
        err(
            "fd_read(bad fd)",
            unsafe { fd_read(fd, &riov) },
            &[ERRNO_BADF],
        );
        err("fd_close(bad fd)", unsafe { fd_close(fd) }, &[ERRNO_BADF]);
        err(
            "fd_fdstat_get(bad fd)",
            unsafe { fd_fdstat_get(fd) }.map(|_| ()),
            &[ERRNO_BADF],
        );
    }
    pass("stdio");
}

/// Vectored and positioned reads and writes on a file of `/rw`; the host
/// checks the file `rw.txt` ends up as `0123456789` + `\0` * 10 + `AB`... (see
/// the host test).
pub fn rw() {
    let dir = preopen("/rw");
    let fd = ok(
        "create rw.txt",
        open(dir, "rw.txt", OFLAGS_CREAT | OFLAGS_TRUNC, FILE_RIGHTS, 0),
    );
    let parts: [&[u8]; 4] = [b"012", b"", b"3456", b"789"];
    let n = ok("fd_write(4 iovecs)", unsafe { fd_write(fd, &ciov(&parts)) });
    check_eq(n, 10, "fd_write wrote every iovec");
    check_eq(tell(fd), 10, "position after write");
    check_eq(filesize(fd), 10, "size after write");

    // pwrite/pread never move the position.
    let n = ok("fd_pwrite", unsafe {
        fd_pwrite(fd, &ciov(&[b"A", b"", b"B"]), 2)
    });
    check_eq(n, 2, "fd_pwrite(2 bytes in 3 iovecs)");
    check_eq(tell(fd), 10, "position after pwrite");
    let mut a = [0u8; 2];
    let mut b = [0u8; 3];
    let iov = [
        Iovec {
            buf: a.as_mut_ptr(),
            buf_len: 2,
        },
        Iovec {
            buf: b.as_mut_ptr(),
            buf_len: 0,
        },
        Iovec {
            buf: b.as_mut_ptr(),
            buf_len: 3,
        },
    ];
    let n = ok("fd_pread(3 iovecs)", unsafe { fd_pread(fd, &iov, 1) });
    check_eq(n, 5, "fd_pread fills every iovec");
    check_eq((&a, &b), (b"1A", b"B45"), "fd_pread data");
    check_eq(tell(fd), 10, "position after pread");
    let n = ok("fd_pread(past end)", unsafe { fd_pread(fd, &iov, 1000) });
    check_eq(n, 0, "fd_pread past the end");
    let n = ok("fd_pread(no iovecs)", unsafe { fd_pread(fd, &[], 0) });
    check_eq(n, 0, "fd_pread of an empty list");
    // pwrite past the end extends the file with a hole.
    let n = ok("fd_pwrite(past end)", unsafe {
        fd_pwrite(fd, &ciov(&[b"Z"]), 20)
    });
    check_eq(n, 1, "fd_pwrite past the end");
    check_eq(filesize(fd), 21, "size after pwrite past the end");
    check_eq(tell(fd), 10, "position after pwrite past the end");

    // Vectored read from the start over several iovecs.
    ok("fd_seek(0)", unsafe { fd_seek(fd, 0, WHENCE_SET) });
    let mut x = [0u8; 3];
    let mut y = [0u8; 4];
    let mut z = [0u8; 100];
    let iov = [
        Iovec {
            buf: x.as_mut_ptr(),
            buf_len: 3,
        },
        Iovec {
            buf: y.as_mut_ptr(),
            buf_len: 0,
        },
        Iovec {
            buf: y.as_mut_ptr(),
            buf_len: 4,
        },
        Iovec {
            buf: z.as_mut_ptr(),
            buf_len: 100,
        },
    ];
    let n = ok("fd_read(4 iovecs)", unsafe { fd_read(fd, &iov) });
    check_eq(n, 21, "fd_read fills every iovec");
    check_eq((&x, &y), (b"01A", b"B456"), "fd_read data");
    check_eq(&z[..14], b"789\0\0\0\0\0\0\0\0\0\0Z", "fd_read tail");
    check_eq(tell(fd), 21, "position after read");
    let n = ok("fd_read(EOF)", unsafe { fd_read(fd, &iov) });
    check_eq(n, 0, "fd_read at EOF");
    let n = ok("fd_write(no iovecs)", unsafe { fd_write(fd, &[]) });
    check_eq(n, 0, "fd_write of an empty list");
    let n = ok("fd_write(zero-length iovecs)", unsafe {
        fd_write(fd, &ciov(&[b"", b""]))
    });
    check_eq(n, 0, "fd_write of empty iovecs");
    check_eq(filesize(fd), 21, "size unchanged by empty writes");

    // advise, allocate, sync, datasync.
    for adv in [
        ADVICE_NORMAL,
        ADVICE_SEQUENTIAL,
        ADVICE_RANDOM,
        ADVICE_WILLNEED,
        ADVICE_DONTNEED,
        ADVICE_NOREUSE,
    ] {
        ok("fd_advise", unsafe { fd_advise(fd, 0, 10, adv) });
    }
    err(
        "fd_advise(bad advice)",
        raw(unsafe { wasi_snapshot_preview1::fd_advise(fd as i32, 0, 10, 6) }),
        &[ERRNO_INVAL],
    );
    // `notsup`, as wasmtime answers (preview 1's allocate has no 0.2 call).
    err(
        "fd_allocate",
        unsafe { fd_allocate(fd, 0, 64) },
        &[ERRNO_NOTSUP],
    );
    ok("fd_sync", unsafe { fd_sync(fd) });
    ok("fd_datasync", unsafe { fd_datasync(fd) });
    ok("fd_close", unsafe { fd_close(fd) });
    err("fd_close twice", unsafe { fd_close(fd) }, &[ERRNO_BADF]);
    err(
        "fd_write(closed)",
        unsafe { fd_write(fd, &ciov(&[b"x"])) },
        &[ERRNO_BADF],
    );

    // Directories are not files: `badf`, as wasmtime answers.
    let mut buf = [0u8; 8];
    let riov = [Iovec {
        buf: buf.as_mut_ptr(),
        buf_len: 8,
    }];
    let file_errs = [ERRNO_BADF];
    err("fd_read(dir)", unsafe { fd_read(dir, &riov) }, &file_errs);
    err(
        "fd_write(dir)",
        unsafe { fd_write(dir, &ciov(&[b"x"])) },
        &file_errs,
    );
    err(
        "fd_pread(dir)",
        unsafe { fd_pread(dir, &riov, 0) },
        &file_errs,
    );
    err(
        "fd_pwrite(dir)",
        unsafe { fd_pwrite(dir, &ciov(&[b"x"]), 0) },
        &file_errs,
    );

    // A read-only descriptor does not write, a write-only one does not read.
    let ro = ok("open read-only", open(dir, "rw.txt", 0, READ_RIGHTS, 0));
    err(
        "fd_write(read-only fd)",
        unsafe { fd_write(ro, &ciov(&[b"x"])) },
        &[ERRNO_BADF],
    );
    err(
        "fd_pwrite(read-only fd)",
        unsafe { fd_pwrite(ro, &ciov(&[b"x"]), 0) },
        &[ERRNO_BADF],
    );
    ok("fd_close", unsafe { fd_close(ro) });
    let wo = ok(
        "open write-only",
        open(dir, "rw.txt", 0, RIGHTS_FD_WRITE | RIGHTS_FD_SEEK, 0),
    );
    err(
        "fd_read(write-only fd)",
        unsafe { fd_read(wo, &riov) },
        &[ERRNO_BADF],
    );
    ok("fd_close", unsafe { fd_close(wo) });
    pass("rw");
}

/// fd_seek with every whence, past the end, negative results; fd_tell.
pub fn seek() {
    let dir = preopen("/rw");
    put(dir, "seek.txt", b"0123456789");
    let fd = ok("open", open(dir, "seek.txt", 0, FILE_RIGHTS, 0));
    check_eq(
        ok("SET 3", unsafe { fd_seek(fd, 3, WHENCE_SET) }),
        3,
        "SET 3",
    );
    check_eq(
        ok("CUR 2", unsafe { fd_seek(fd, 2, WHENCE_CUR) }),
        5,
        "CUR 2",
    );
    check_eq(
        ok("CUR -1", unsafe { fd_seek(fd, -1, WHENCE_CUR) }),
        4,
        "CUR -1",
    );
    check_eq(
        ok("CUR 0", unsafe { fd_seek(fd, 0, WHENCE_CUR) }),
        4,
        "CUR 0",
    );
    check_eq(tell(fd), 4, "fd_tell");
    check_eq(
        ok("END -1", unsafe { fd_seek(fd, -1, WHENCE_END) }),
        9,
        "END -1",
    );
    check_eq(
        read_to_end(fd).as_slice(),
        b"9".as_slice(),
        "read after END -1",
    );
    check_eq(
        ok("END 0", unsafe { fd_seek(fd, 0, WHENCE_END) }),
        10,
        "END 0",
    );
    // Past the end: reads nothing, a write leaves a hole.
    check_eq(
        ok("SET 100", unsafe { fd_seek(fd, 100, WHENCE_SET) }),
        100,
        "SET 100",
    );
    check_eq(read_to_end(fd).len(), 0, "read past the end");
    check_eq(
        ok("END 5", unsafe { fd_seek(fd, 5, WHENCE_END) }),
        15,
        "END 5",
    );
    write_all(fd, b"!");
    check_eq(filesize(fd), 16, "size after a write past the end");
    check_eq(tell(fd), 16, "position after a write past the end");
    // Negative results are EINVAL and leave the position alone.
    err(
        "SET -1",
        unsafe { fd_seek(fd, -1, WHENCE_SET) },
        &[ERRNO_INVAL],
    );
    err(
        "CUR -17",
        unsafe { fd_seek(fd, -17, WHENCE_CUR) },
        &[ERRNO_INVAL],
    );
    err(
        "END -17",
        unsafe { fd_seek(fd, -17, WHENCE_END) },
        &[ERRNO_INVAL],
    );
    err(
        "END i64::MIN",
        unsafe { fd_seek(fd, i64::MIN, WHENCE_END) },
        &[ERRNO_INVAL, ERRNO_OVERFLOW],
    );
    check_eq(tell(fd), 16, "position after failed seeks");
    // Overflowing results. Whether the host file system lets the offset
    // reach i64::MAX at all depends on its maximum file size (EINVAL if not).
    match unsafe { fd_seek(fd, i64::MAX, WHENCE_SET) } {
        Ok(_) => err(
            "CUR 1 past i64::MAX",
            unsafe { fd_seek(fd, 1, WHENCE_CUR) },
            &[ERRNO_INVAL, ERRNO_OVERFLOW],
        ),
        Err(e) => check_eq(e, ERRNO_INVAL, "SET i64::MAX: ok or EINVAL"),
    }
    ok("SET 0", unsafe { fd_seek(fd, 0, WHENCE_SET) });
    // Whence values outside the enum.
    let mut out = 0u64;
    for w in [3i32, 255, -1] {
        let p = &mut out as *mut u64 as i32;
        err(
            "fd_seek(bad whence)",
            raw(unsafe { wasi_snapshot_preview1::fd_seek(fd as i32, 0, w, p) }),
            &[ERRNO_INVAL],
        );
    }
    // Rights are advisory: dropping FD_SEEK/FD_TELL is refused, and seeking
    // works on.
    err(
        "fd_fdstat_set_rights",
        unsafe { fd_fdstat_set_rights(fd, RIGHTS_FD_READ | RIGHTS_FD_WRITE, 0) },
        &[ERRNO_NOTSUP],
    );
    check_eq(
        ok("fd_seek", unsafe { fd_seek(fd, 0, WHENCE_SET) }),
        0,
        "seek after set_rights",
    );
    check_eq(ok("fd_tell", unsafe { fd_tell(fd) }), 0, "tell after set_rights");
    ok("fd_close", unsafe { fd_close(fd) });
    // Directories: not seekable (`badf`, as wasmtime answers).
    err(
        "fd_seek(dir)",
        unsafe { fd_seek(dir, 0, WHENCE_SET) },
        &[ERRNO_BADF],
    );
    err(
        "fd_seek(bad fd)",
        unsafe { fd_seek(1234, 0, WHENCE_SET) },
        &[ERRNO_BADF],
    );
    err("fd_tell(bad fd)", unsafe { fd_tell(1234) }, &[ERRNO_BADF]);
    pass("seek");
}

/// APPEND from path_open and from fd_fdstat_set_flags; the host checks
/// `append.txt` is `startAB` + `CD` at offset 0 replaced... see the host test.
pub fn append() {
    let dir = preopen("/rw");
    put(dir, "append.txt", b"start");
    let fd = ok(
        "open APPEND",
        open(dir, "append.txt", 0, FILE_RIGHTS, FDFLAGS_APPEND),
    );
    let st = ok("fd_fdstat_get", unsafe { fd_fdstat_get(fd) });
    check(st.fs_flags & FDFLAGS_APPEND != 0, "fdstat shows APPEND");
    ok("seek 0", unsafe { fd_seek(fd, 0, WHENCE_SET) });
    write_all(fd, b"A");
    check_eq(tell(fd), 6, "position after an append write");
    ok("seek 1", unsafe { fd_seek(fd, 1, WHENCE_SET) });
    let n = ok("fd_write(2 iovecs)", unsafe {
        fd_write(fd, &ciov(&[b"B", b"C"]))
    });
    check_eq(n, 2, "append write of 2 iovecs");
    check_eq(filesize(fd), 8, "size after appends");
    ok("fd_close", unsafe { fd_close(fd) });
    check_eq(
        get(dir, "append.txt").as_slice(),
        b"startABC".as_slice(),
        "appended data",
    );

    // APPEND switched on and off on an open descriptor.
    let fd = ok("open", open(dir, "append.txt", 0, FILE_RIGHTS, 0));
    write_all(fd, b"s");
    ok("set APPEND", unsafe {
        fd_fdstat_set_flags(fd, FDFLAGS_APPEND)
    });
    check(
        ok("fdstat", unsafe { fd_fdstat_get(fd) }).fs_flags & FDFLAGS_APPEND != 0,
        "APPEND set",
    );
    ok("seek 0", unsafe { fd_seek(fd, 0, WHENCE_SET) });
    write_all(fd, b"D");
    ok("clear APPEND", unsafe { fd_fdstat_set_flags(fd, 0) });
    check(
        ok("fdstat", unsafe { fd_fdstat_get(fd) }).fs_flags & FDFLAGS_APPEND == 0,
        "APPEND cleared",
    );
    ok("seek 1", unsafe { fd_seek(fd, 1, WHENCE_SET) });
    write_all(fd, b"T");
    ok("fd_close", unsafe { fd_close(fd) });
    check_eq(
        get(dir, "append.txt").as_slice(),
        b"sTartABCD".as_slice(),
        "set_flags APPEND",
    );
    // NONBLOCK is accepted too.
    let fd = ok("open", open(dir, "append.txt", 0, FILE_RIGHTS, 0));
    ok("set NONBLOCK", unsafe {
        fd_fdstat_set_flags(fd, FDFLAGS_NONBLOCK)
    });
    // Flag bits outside the spec.
    err(
        "set_flags(bad bit)",
        unsafe { fd_fdstat_set_flags(fd, 1 << 5) },
        &[ERRNO_INVAL],
    );
    err(
        "set_flags(bad fd)",
        unsafe { fd_fdstat_set_flags(999, 0) },
        &[ERRNO_BADF],
    );
    ok("fd_close", unsafe { fd_close(fd) });
    pass("append");
}

/// fd_fdstat_get (the rights of the open mode) and fd_fdstat_set_rights
/// (`notsup`: rights are advisory).
pub fn fdstat() {
    let dir = preopen("/rw");
    let st = ok("fdstat(preopen)", unsafe { fd_fdstat_get(dir) });
    check_eq(
        st.fs_filetype.raw(),
        FILETYPE_DIRECTORY.raw(),
        "preopen filetype",
    );
    for r in [
        RIGHTS_PATH_OPEN,
        RIGHTS_FD_READDIR,
        RIGHTS_PATH_CREATE_FILE,
        RIGHTS_PATH_CREATE_DIRECTORY,
    ] {
        check(st.fs_rights_base & r != 0, "read-write preopen rights");
    }
    check(
        st.fs_rights_inheriting & RIGHTS_FD_READ != 0,
        "inheriting FD_READ",
    );
    check(
        st.fs_rights_inheriting & RIGHTS_FD_WRITE != 0,
        "inheriting FD_WRITE",
    );
    println!(
        "rw preopen base={:#x} inheriting={:#x}",
        st.fs_rights_base, st.fs_rights_inheriting
    );

    put(dir, "f", b"hello");
    let fd = ok("open rw", open(dir, "f", 0, FILE_RIGHTS, 0));
    let st = ok("fdstat(file)", unsafe { fd_fdstat_get(fd) });
    check_eq(
        st.fs_filetype.raw(),
        FILETYPE_REGULAR_FILE.raw(),
        "file filetype",
    );
    check(st.fs_rights_base & RIGHTS_FD_READ != 0, "file has FD_READ");
    check(
        st.fs_rights_base & RIGHTS_FD_WRITE != 0,
        "file has FD_WRITE",
    );
    // Rights are advisory: they cannot be changed (`notsup`, as wasmtime
    // answers), and what was reported stays true.
    for fd in [0, 1, 2, dir, fd] {
        err(
            "fd_fdstat_set_rights",
            unsafe { fd_fdstat_set_rights(fd, RIGHTS_FD_READ, 0) },
            &[ERRNO_NOTSUP],
        );
    }
    let after = ok("fdstat", unsafe { fd_fdstat_get(fd) });
    check_eq(after.fs_rights_base, st.fs_rights_base, "rights unchanged");
    write_all(fd, b"!");
    ok("fd_seek", unsafe { fd_seek(fd, 0, WHENCE_SET) });
    check_eq(
        read_to_end(fd).as_slice(),
        b"!ello".as_slice(),
        "read and write after set_rights",
    );
    ok("fd_close", unsafe { fd_close(fd) });
    // Stdio: stdin reads, stdout and stderr write.
    let st = ok("fdstat(stdin)", unsafe { fd_fdstat_get(0) });
    check(st.fs_rights_base & RIGHTS_FD_READ != 0, "stdin FD_READ");
    check(st.fs_rights_base & RIGHTS_FD_WRITE == 0, "stdin no FD_WRITE");
    let st = ok("fdstat(stdout)", unsafe { fd_fdstat_get(1) });
    check(st.fs_rights_base & RIGHTS_FD_WRITE != 0, "stdout FD_WRITE");
    check(st.fs_rights_base & RIGHTS_FD_READ == 0, "stdout no FD_READ");
    // A file opened for reading only reports no write right.
    let ro = ok("open read-only", open(dir, "f", 0, RIGHTS_FD_READ, 0));
    let st = ok("fdstat(read-only)", unsafe { fd_fdstat_get(ro) });
    check(st.fs_rights_base & RIGHTS_FD_READ != 0, "read-only FD_READ");
    check(
        st.fs_rights_base & RIGHTS_FD_WRITE == 0,
        "read-only no FD_WRITE",
    );
    ok("fd_close", unsafe { fd_close(ro) });
    err(
        "set_rights(bad fd)",
        unsafe { fd_fdstat_set_rights(999, 0, 0) },
        &[ERRNO_BADF],
    );
    pass("fdstat");
}

/// fd_renumber over files, preopens and stdio; lowest-first fd reuse.
pub fn renumber() {
    let dir = preopen("/rw");
    put(dir, "a", b"AAA");
    put(dir, "b", b"BBB");
    let a = ok("open a", open(dir, "a", 0, FILE_RIGHTS, 0));
    let b = ok("open b", open(dir, "b", 0, FILE_RIGHTS, 0));
    let c = ok("open c", open(dir, "a", 0, READ_RIGHTS, 0));
    // Lowest-first reuse.
    ok("close b", unsafe { fd_close(b) });
    let b2 = ok("reopen b", open(dir, "b", 0, FILE_RIGHTS, 0));
    check_eq(b2, b, "a closed fd number is reused first");
    // File over file: the target is closed, the source moves.
    ok("renumber a -> b", unsafe { fd_renumber(a, b) });
    err(
        "source is closed",
        unsafe { fd_fdstat_get(a) }.map(|_| ()),
        &[ERRNO_BADF],
    );
    check_eq(
        read_to_end(b).as_slice(),
        b"AAA".as_slice(),
        "b now reads a",
    );
    // Unopened target or source: EBADF, nothing changes.
    err(
        "renumber to an unopened fd",
        unsafe { fd_renumber(b, 200) },
        &[ERRNO_BADF],
    );
    ok("source still open", unsafe { fd_fdstat_get(b) });
    err(
        "renumber from an unopened fd",
        unsafe { fd_renumber(200, b) },
        &[ERRNO_BADF],
    );
    ok("target still open", unsafe { fd_fdstat_get(b) });
    err(
        "renumber from a closed fd",
        unsafe { fd_renumber(a, c) },
        &[ERRNO_BADF],
    );
    ok("target still open", unsafe { fd_fdstat_get(c) });
    err(
        "renumber to u32::MAX",
        unsafe { fd_renumber(b, u32::MAX) },
        &[ERRNO_BADF],
    );
    // Onto itself: nothing happens.
    match unsafe { fd_renumber(c, c) } {
        Ok(()) => {}
        Err(e) => check_eq(e, ERRNO_BADF, "renumber onto itself: ok or EBADF"),
    }
    ok("fd still usable", unsafe { fd_fdstat_get(c) });
    // A preopen over a file.
    let ro = preopen("/ro");
    ok("renumber preopen -> c", unsafe { fd_renumber(ro, c) });
    let p = ok("prestat of the new fd", unsafe { fd_prestat_get(c) });
    check_eq(
        unsafe { p.u.dir.pr_name_len },
        3,
        "moved preopen name length",
    );
    err(
        "old preopen fd closed",
        unsafe { fd_prestat_get(ro) }.map(|p| p.tag),
        &[ERRNO_BADF],
    );
    check_eq(
        get(c, "hello.txt").as_slice(),
        b"hello from ro\n".as_slice(),
        "the moved preopen resolves paths",
    );
    // A file over stdout: fd 1 now writes to the file.
    println!("before renumber of stdout");
    let out = ok(
        "create out.txt",
        open(dir, "out.txt", OFLAGS_CREAT | OFLAGS_TRUNC, FILE_RIGHTS, 0),
    );
    ok("renumber out -> 1", unsafe { fd_renumber(out, 1) });
    write_all(1, b"into the file\n");
    err(
        "old fd closed",
        unsafe { fd_fdstat_get(out) }.map(|_| ()),
        &[ERRNO_BADF],
    );
    // stderr over stdout: fd 1 is now the host's stderr, fd 2 is closed.
    ok("renumber 2 -> 1", unsafe { fd_renumber(2, 1) });
    write_all(1, b"stderr via fd 1\n");
    err(
        "fd 2 closed",
        unsafe { fd_fdstat_get(2) }.map(|_| ()),
        &[ERRNO_BADF],
    );
    // The preopen over stdin.
    ok("renumber preopen -> 0", unsafe { fd_renumber(dir, 0) });
    check_eq(
        get(0, "out.txt").as_slice(),
        b"into the file\n".as_slice(),
        "stdin fd is now the preopen",
    );
}
