//! Sockets of a core module: preopened TCP listeners (the host test gives
//! two, at fds 3 and 4, and connects to the first only) and the
//! connections accepted from them, through the raw `sock_*` calls and the
//! descriptor calls that work on any fd; then `std::net` over the same
//! listener.

use crate::*;
use std::io::{BufRead, BufReader, Write};
use std::os::wasi::io::FromRawFd;

/// The listener the host connects to, and one nobody connects to.
const LISTENER: Fd = 3;
const IDLE: Fd = 4;

fn fd_read_sub(userdata: u64, fd: Fd) -> Subscription {
    Subscription {
        userdata,
        u: SubscriptionU {
            tag: EVENTTYPE_FD_READ.raw(),
            u: SubscriptionUU {
                fd_read: SubscriptionFdReadwrite {
                    file_descriptor: fd,
                },
            },
        },
    }
}

fn timeout_sub(userdata: u64, nanos: u64) -> Subscription {
    clock_sub(userdata, CLOCKID_MONOTONIC, nanos, 0)
}

fn poll(subs: &[Subscription]) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::with_capacity(subs.len());
    let n = ok("poll_oneoff", unsafe {
        poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), subs.len())
    });
    unsafe { events.set_len(n) };
    events
}

fn recv(fd: Fd, buf: &mut [u8], flags: Riflags) -> Result<usize, Errno> {
    let iov = [Iovec {
        buf: buf.as_mut_ptr(),
        buf_len: buf.len(),
    }];
    unsafe { sock_recv(fd, &iov, flags) }.map(|(n, _)| n)
}

fn send(fd: Fd, data: &[u8], flags: Siflags) -> Result<usize, Errno> {
    let ciov = [Ciovec {
        buf: data.as_ptr(),
        buf_len: data.len(),
    }];
    unsafe { sock_send(fd, &ciov, flags) }
}

/// The raw calls: one connection from the host, which sends `ping\n`,
/// expects `pong\n`, then reads to the end.
pub fn raw() {
    for fd in [LISTENER, IDLE] {
        let st = ok("fd_fdstat_get(listener)", unsafe { fd_fdstat_get(fd) });
        check_eq(st.fs_filetype, FILETYPE_SOCKET_STREAM, "listener filetype");
        check(
            st.fs_rights_base & RIGHTS_SOCK_ACCEPT != 0,
            "listener has sock_accept",
        );
        err(
            "fd_prestat_get(listener)",
            unsafe { fd_prestat_get(fd) }.map(|_| ()),
            &[ERRNO_BADF],
        );
    }
    println!("ok listener-fdstat");

    // Nobody connects to IDLE: a non-blocking accept is `again`, and a
    // poll on it sees only its timeout.
    ok("set nonblock", unsafe {
        fd_fdstat_set_flags(IDLE, FDFLAGS_NONBLOCK)
    });
    err("accept(idle, nonblock)", unsafe { sock_accept(IDLE, 0) }, &[ERRNO_AGAIN]);
    let events = poll(&[fd_read_sub(1, IDLE), timeout_sub(2, 20_000_000)]);
    check(
        events.len() == 1 && events[0].userdata == 2,
        "only the timeout fires on an idle listener",
    );
    err(
        "accept(bad flags)",
        unsafe { sock_accept(LISTENER, FDFLAGS_APPEND) },
        &[ERRNO_INVAL],
    );
    err("recv(listener)", recv(LISTENER, &mut [0; 4], 0), &[ERRNO_NOTCONN]);
    err("send(listener)", send(LISTENER, b"x", 0), &[ERRNO_NOTCONN]);
    err(
        "shutdown(listener)",
        unsafe { sock_shutdown(LISTENER, SDFLAGS_WR) },
        &[ERRNO_NOTCONN],
    );
    println!("ok listener-errors");

    // A poll on the listener wakes when the host connects; then a
    // blocking accept returns the connection at once.
    let events = poll(&[fd_read_sub(7, LISTENER)]);
    check(
        events.len() == 1 && events[0].userdata == 7 && events[0].error == ERRNO_SUCCESS,
        "the listener polls ready",
    );
    let conn = ok("sock_accept", unsafe { sock_accept(LISTENER, 0) });
    let st = ok("fd_fdstat_get(conn)", unsafe { fd_fdstat_get(conn) });
    check_eq(st.fs_filetype, FILETYPE_SOCKET_STREAM, "connection filetype");
    check(
        st.fs_rights_base & (RIGHTS_FD_READ | RIGHTS_FD_WRITE | RIGHTS_SOCK_SHUTDOWN)
            == RIGHTS_FD_READ | RIGHTS_FD_WRITE | RIGHTS_SOCK_SHUTDOWN,
        "connection rights",
    );
    err("accept(connection)", unsafe { sock_accept(conn, 0) }, &[ERRNO_INVAL]);
    err("recv(peek)", recv(conn, &mut [0; 4], RIFLAGS_RECV_PEEK), &[ERRNO_NOTSUP]);
    err("send(flags)", send(conn, b"x", 1), &[ERRNO_NOTSUP]);
    err(
        "shutdown(nothing)",
        unsafe { sock_shutdown(conn, 0) },
        &[ERRNO_INVAL],
    );
    err("seek(conn)", unsafe { fd_seek(conn, 0, WHENCE_SET) }, &[ERRNO_SPIPE]);
    println!("ok connection-errors");

    // `ping\n` with sock_recv, then `pong\n` with sock_send, and `!\n`
    // with fd_write.
    let mut got = Vec::new();
    while !got.ends_with(b"\n") {
        let mut buf = [0u8; 16];
        let n = ok("sock_recv", recv(conn, &mut buf, 0));
        if n == 0 {
            fail("end of stream before the request");
        }
        got.extend_from_slice(&buf[..n]);
    }
    check_eq(got.as_slice(), b"ping\n".as_slice(), "request");
    check_eq(ok("sock_send", send(conn, b"pong\n", 0)), 5, "sock_send count");
    let ciov = [Ciovec {
        buf: b"!\n".as_ptr(),
        buf_len: 2,
    }];
    check_eq(ok("fd_write(conn)", unsafe { fd_write(conn, &ciov) }), 2, "fd_write count");
    ok("sock_shutdown(wr)", unsafe { sock_shutdown(conn, SDFLAGS_WR) });
    err("send after shutdown", send(conn, b"x", 0), &[ERRNO_PIPE]);
    // The host closes its end after reading ours: end of stream.
    let mut buf = [0u8; 4];
    let iov = [Iovec {
        buf: buf.as_mut_ptr(),
        buf_len: 4,
    }];
    check_eq(ok("fd_read(eof)", unsafe { fd_read(conn, &iov) }), 0, "end of stream");
    ok("fd_close(conn)", unsafe { fd_close(conn) });
    err("recv(closed)", recv(conn, &mut buf, 0), &[ERRNO_BADF]);
    println!("ok connection");
}

/// `std::net` over the preopened listener: answers `COUNT` connections,
/// each one line, with the line upper-cased.
pub fn std_server(rest: &[String]) {
    let count: usize = rest.first().and_then(|c| c.parse().ok()).unwrap_or(1);
    let listener = unsafe { std::net::TcpListener::from_raw_fd(LISTENER as i32) };
    for _ in 0..count {
        let (stream, _) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(e) => fail(&format!("accept: {e}")),
        };
        let mut reader = BufReader::new(&stream);
        let mut line = String::new();
        if let Err(e) = reader.read_line(&mut line) {
            fail(&format!("read_line: {e}"));
        }
        if let Err(e) = (&stream).write_all(line.to_uppercase().as_bytes()) {
            fail(&format!("write_all: {e}"));
        }
    }
    println!("ok served {count}");
}
