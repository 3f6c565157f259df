//! args, environ, clocks, random, sched_yield, proc_raise, proc_exit,
//! prestat and the socket calls on non-sockets.

use crate::*;

/// A fingerprint of a string that the host recomputes: `len=L sum=S` with S
/// the wrapping byte sum.
fn fingerprint(b: &[u8]) -> String {
    let sum = b.iter().fold(0u32, |s, &c| s.wrapping_add(c as u32));
    format!("len={} sum={}", b.len(), sum)
}

/// Splits the NUL-terminated strings that `args_get`/`environ_get` wrote,
/// checking each pointer against the buffer.
fn strings(ptrs: &[*mut u8], buf: &[u8]) -> Vec<Vec<u8>> {
    let base = buf.as_ptr() as usize;
    let mut out = Vec::new();
    for &p in ptrs {
        let off = (p as usize).wrapping_sub(base);
        check(off < buf.len(), "string pointer outside the buffer");
        let end = buf[off..]
            .iter()
            .position(|&c| c == 0)
            .unwrap_or_else(|| fail("no NUL"));
        out.push(buf[off..off + end].to_vec());
    }
    out
}

pub fn args() {
    let (argc, size) = ok("args_sizes_get", unsafe { args_sizes_get() });
    let mut ptrs = vec![std::ptr::null_mut(); argc];
    let mut buf = vec![0xffu8; size];
    ok("args_get", unsafe {
        args_get(ptrs.as_mut_ptr(), buf.as_mut_ptr())
    });
    let args = strings(&ptrs, &buf);
    check_eq(
        args.iter().map(|a| a.len() + 1).sum::<usize>(),
        size,
        "args buffer size",
    );
    let std_args: Vec<Vec<u8>> = std::env::args().map(String::into_bytes).collect();
    check_eq(&std_args, &args, "std::env::args agrees with args_get");
    println!("argc={argc}");
    for (i, a) in args.iter().enumerate() {
        println!("arg[{i}] {}", fingerprint(a));
    }

    let (envc, size) = ok("environ_sizes_get", unsafe { environ_sizes_get() });
    let mut ptrs = vec![std::ptr::null_mut(); envc];
    let mut buf = vec![0xffu8; size];
    ok("environ_get", unsafe {
        environ_get(ptrs.as_mut_ptr(), buf.as_mut_ptr())
    });
    let env = strings(&ptrs, &buf);
    check_eq(
        env.iter().map(|a| a.len() + 1).sum::<usize>(),
        size,
        "environ buffer size",
    );
    println!("envc={envc}");
    for (i, e) in env.iter().enumerate() {
        let eq = e
            .iter()
            .position(|&c| c == b'=')
            .unwrap_or_else(|| fail("env without ="));
        println!(
            "env[{i}] {} value {}",
            String::from_utf8_lossy(&e[..eq]),
            fingerprint(&e[eq + 1..])
        );
    }
    for (k, v) in std::env::vars() {
        check(
            env.contains(&format!("{k}={v}").into_bytes()),
            "std::env::vars agrees",
        );
    }
    pass("args");
}

pub fn clocks() {
    for (name, id) in [
        ("realtime", CLOCKID_REALTIME),
        ("monotonic", CLOCKID_MONOTONIC),
    ] {
        let res = ok("clock_res_get", unsafe { clock_res_get(id) });
        check(res > 0 && res <= 1_000_000_000, "resolution in (0, 1s]");
        let a = ok("clock_time_get", unsafe { clock_time_get(id, 0) });
        let b = ok("clock_time_get", unsafe { clock_time_get(id, 1_000_000) });
        check(b >= a, "clock does not go back");
        println!("{name} res={res} now={a}");
    }
    let real = ok("realtime", unsafe { clock_time_get(CLOCKID_REALTIME, 0) });
    // 2020-01-01 .. 2200-01-01, in ns.
    check(
        real > 1_577_836_800_000_000_000 && real < 7_258_118_400_000_000_000,
        "realtime is a date",
    );
    // Process and thread CPU time: supported or EINVAL, consistently.
    for (name, id) in [
        ("process", CLOCKID_PROCESS_CPUTIME_ID),
        ("thread", CLOCKID_THREAD_CPUTIME_ID),
    ] {
        let res = unsafe { clock_res_get(id) };
        let now = unsafe { clock_time_get(id, 0) };
        match (res, now) {
            (Ok(_), Ok(_)) => println!("{name} supported"),
            (Err(a), Err(b)) if a == ERRNO_INVAL && b == ERRNO_INVAL => println!("{name} EINVAL"),
            (a, b) => fail(&format!("{name} cputime: res {a:?} time {b:?}")),
        }
    }
    // Clock ids outside the enum.
    let mut out = 0u64;
    for id in [4i32, 99, -1] {
        let p = &mut out as *mut u64 as i32;
        err(
            "clock_res_get(bad id)",
            raw(unsafe { wasi_snapshot_preview1::clock_res_get(id, p) }),
            &[ERRNO_INVAL],
        );
        err(
            "clock_time_get(bad id)",
            raw(unsafe { wasi_snapshot_preview1::clock_time_get(id, 0, p) }),
            &[ERRNO_INVAL],
        );
    }
    // std::time sees the same clocks.
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    check(t.as_secs() > 1_577_836_800, "SystemTime::now");
    let i = std::time::Instant::now();
    check(
        i.elapsed() < std::time::Duration::from_secs(3600),
        "Instant::elapsed",
    );
    pass("clocks");
}

pub fn random() {
    ok("random_get(0)", unsafe {
        random_get(std::ptr::null_mut(), 0)
    });
    let mut a = [0u8; 4096];
    let mut b = [0u8; 4096];
    ok("random_get", unsafe { random_get(a.as_mut_ptr(), a.len()) });
    ok("random_get", unsafe { random_get(b.as_mut_ptr(), b.len()) });
    check(a != b, "two random_get calls differ");
    check(a.iter().any(|&x| x != 0), "random bytes are not all zero");
    let mut small = [0u8; 32];
    ok("random_get(32)", unsafe {
        random_get(small.as_mut_ptr(), 32)
    });
    // A 1 MiB request is either served or refused, never a trap.
    let mut big = vec![0u8; 1 << 20];
    match unsafe { random_get(big.as_mut_ptr(), big.len()) } {
        Ok(()) => println!("random 1MiB ok"),
        Err(e) => println!("random 1MiB {}", ename(e)),
    }
    pass("random");
}

pub fn sched() {
    for _ in 0..10 {
        ok("sched_yield", unsafe { sched_yield() });
    }
    pass("sched_yield");
    err(
        "proc_raise(TERM)",
        unsafe { proc_raise(SIGNAL_TERM) },
        &[ERRNO_NOSYS],
    );
    err(
        "proc_raise(NONE)",
        unsafe { proc_raise(SIGNAL_NONE) },
        &[ERRNO_NOSYS, ERRNO_INVAL],
    );
    pass("proc_raise");
}

pub fn exit(rest: &[String]) {
    let code: u32 = rest
        .first()
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| fail("exit CODE"));
    println!("exiting with {code}");
    unsafe { proc_exit(code) };
    fail("proc_exit returned");
}

pub fn prestat() {
    // The host preopens /rw then /ro: fds 3 and 4, in that order.
    for (fd, name) in [(3u32, "/rw"), (4, "/ro")] {
        let p = ok("fd_prestat_get", unsafe { fd_prestat_get(fd) });
        check_eq(p.tag, PREOPENTYPE_DIR.raw(), "prestat tag");
        let len = unsafe { p.u.dir.pr_name_len };
        check_eq(len, name.len(), "pr_name_len");
        let mut buf = vec![0u8; len];
        ok("fd_prestat_dir_name", unsafe {
            fd_prestat_dir_name(fd, buf.as_mut_ptr(), len)
        });
        check_eq(buf.as_slice(), name.as_bytes(), "prestat dir name");
        let mut short = vec![0u8; len - 1];
        err(
            "fd_prestat_dir_name(short buffer)",
            unsafe { fd_prestat_dir_name(fd, short.as_mut_ptr(), len - 1) },
            &[ERRNO_NAMETOOLONG],
        );
    }
    err(
        "fd_prestat_get(5)",
        unsafe { fd_prestat_get(5) }.map(|p| p.tag),
        &[ERRNO_BADF],
    );
    for fd in [0u32, 1, 2] {
        err(
            "fd_prestat_get(stdio)",
            unsafe { fd_prestat_get(fd) }.map(|p| p.tag),
            &[ERRNO_BADF],
        );
    }
    let rw = preopen("/rw");
    put(rw, "file", b"x");
    let f = ok("open", open(rw, "file", 0, READ_RIGHTS, 0));
    err(
        "fd_prestat_get(file)",
        unsafe { fd_prestat_get(f) }.map(|p| p.tag),
        &[ERRNO_BADF],
    );
    let mut b = [0u8; 4];
    err(
        "fd_prestat_dir_name(file)",
        unsafe { fd_prestat_dir_name(f, b.as_mut_ptr(), 4) },
        &[ERRNO_BADF, ERRNO_NOTDIR],
    );
    ok("fd_close", unsafe { fd_close(f) });
    pass("prestat");
}

pub fn sock() {
    let rw = preopen("/rw");
    put(rw, "file", b"data");
    let f = ok("open", open(rw, "file", 0, FILE_RIGHTS, 0));
    let mut buf = [0u8; 8];
    let iov = [Iovec {
        buf: buf.as_mut_ptr(),
        buf_len: 8,
    }];
    let ciov = [Ciovec {
        buf: buf.as_ptr(),
        buf_len: 8,
    }];
    for fd in [0u32, 1, rw, f] {
        err(
            "sock_accept(non-socket)",
            unsafe { sock_accept(fd, 0) },
            &[ERRNO_NOTSOCK],
        );
        err(
            "sock_recv(non-socket)",
            unsafe { sock_recv(fd, &iov, 0) },
            &[ERRNO_NOTSOCK],
        );
        err(
            "sock_send(non-socket)",
            unsafe { sock_send(fd, &ciov, 0) },
            &[ERRNO_NOTSOCK],
        );
        err(
            "sock_shutdown(non-socket)",
            unsafe { sock_shutdown(fd, SDFLAGS_RD | SDFLAGS_WR) },
            &[ERRNO_NOTSOCK],
        );
    }
    for fd in [77u32, 0x7fff_ffff] {
        err(
            "sock_accept(bad fd)",
            unsafe { sock_accept(fd, 0) },
            &[ERRNO_BADF],
        );
        err(
            "sock_recv(bad fd)",
            unsafe { sock_recv(fd, &iov, 0) },
            &[ERRNO_BADF],
        );
        err(
            "sock_send(bad fd)",
            unsafe { sock_send(fd, &ciov, 0) },
            &[ERRNO_BADF],
        );
        err(
            "sock_shutdown(bad fd)",
            unsafe { sock_shutdown(fd, SDFLAGS_RD) },
            &[ERRNO_BADF],
        );
    }
    ok("fd_close", unsafe { fd_close(f) });
    pass("sock");
}
