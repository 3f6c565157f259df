//! `sock_*`: the sockets of a core module are a preopened TCP listener
//! ([`crate::WasiCtxBuilder::preopened_tcp_listener`]) and the connections
//! accepted from it, held as the 0.2 host's TCP socket and its streams.
//! `fd_read`, `fd_write`, `poll_oneoff`, `fd_fdstat_set_flags` and
//! `fd_close` work on them as on any descriptor (see `fd.rs`, `poll.rs`).
//!
//! Errors: a number that is not open is `badf`, an open descriptor that is
//! not a socket `notsock`; `sock_accept` on a connection is `inval`, and
//! `sock_recv`/`sock_send`/`sock_shutdown` on a listener `notconn`, as in
//! POSIX. The receive flags `recv_peek` and `recv_waitall` are `notsup`,
//! as is any send flag (preview 1 defines none).

use super::WasiP1Ctx;
use super::bindings::types::{Errno, Error, Fd, Fdflags, Riflags, Roflags, Sdflags, Siflags, Size};
use super::fd::{read_stream, write_stream};
use super::fds::{Entry, Kind, SocketFd};
use super::iov::Iovs;
use crate::io::Subscribe;
use crate::sockets::{ErrorCode, ShutdownType};
use wiggle::GuestMemory;

/// The socket behind `fd`, with its entry's `NONBLOCK` flag, once it is
/// of the kind the call needs (a listener or a connection): `badf` if `fd`
/// is not open, `notsock` if it is not a socket, `inval` for a connection
/// where a listener is needed and `notconn` for a listener where a
/// connection is needed.
fn socket_of(cx: &mut WasiP1Ctx, fd: Fd, listener: bool) -> Result<(&mut SocketFd, bool), Error> {
    let e = cx.fds.get_mut(fd.into())?;
    let Kind::Socket(s) = &e.kind else {
        return Err(Errno::Notsock.into());
    };
    if matches!(**s, SocketFd::Listener(_)) != listener {
        return Err(wrong_kind(listener));
    }
    let nonblock = e.flags.contains(Fdflags::NONBLOCK);
    match &mut e.kind {
        Kind::Socket(s) => Ok((&mut **s, nonblock)),
        _ => Err(Errno::Notsock.into()),
    }
}

/// The error for a socket of the other kind than the call needs.
fn wrong_kind(listener_needed: bool) -> Error {
    if listener_needed {
        Errno::Inval.into()
    } else {
        Errno::Notconn.into()
    }
}

/// `sock_accept(fd, flags)`: the next connection of a listening socket, as
/// a new descriptor with `flags` (only `nonblock` may be asked). Waits for
/// one unless the listener is non-blocking (`again` then).
pub(crate) async fn accept(cx: &mut WasiP1Ctx, fd: Fd, flags: Fdflags) -> Result<Fd, Error> {
    if !(flags - Fdflags::NONBLOCK).is_empty() {
        return Err(Errno::Inval.into());
    }
    let (socket, nonblock) = socket_of(cx, fd, true)?;
    let SocketFd::Listener(listener) = socket else {
        return Err(wrong_kind(true));
    };
    let (socket, input, output) = loop {
        match listener.accept() {
            Ok(accepted) => break accepted,
            Err(e) if e.downcast_ref() == Some(&ErrorCode::WouldBlock) => {
                if nonblock {
                    return Err(Errno::Again.into());
                }
                listener.ready().await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    let entry = Entry::socket(
        SocketFd::Stream {
            socket,
            input,
            output,
        },
        flags,
    );
    Ok(Fd::from(cx.fds.push(entry)?))
}

/// `sock_recv(fd, ri_data, ri_flags)`: `fd_read` on a connection.
pub(crate) async fn recv(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: Fd,
    iovs: (u32, u32),
    flags: Riflags,
) -> Result<(Size, Roflags), Error> {
    let iovs = Iovs::new(mem, iovs.0, iovs.1, &mut cx.fuel)?;
    let (socket, nonblock) = socket_of(cx, fd, false)?;
    if !flags.is_empty() {
        return Err(Errno::Notsup.into());
    }
    let SocketFd::Stream { input, .. } = socket else {
        return Err(wrong_kind(false));
    };
    let n = read_stream(input, mem, iovs, nonblock).await?;
    Ok((n, Roflags::empty()))
}

/// `sock_send(fd, si_data, si_flags)`: `fd_write` on a connection.
pub(crate) async fn send(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: Fd,
    iovs: (u32, u32),
    flags: Siflags,
) -> Result<Size, Error> {
    let iovs = Iovs::new(mem, iovs.0, iovs.1, &mut cx.fuel)?;
    let (socket, nonblock) = socket_of(cx, fd, false)?;
    if flags != 0 {
        return Err(Errno::Notsup.into());
    }
    let SocketFd::Stream { output, .. } = socket else {
        return Err(wrong_kind(false));
    };
    write_stream(output, mem, iovs, nonblock).await
}

/// `sock_shutdown(fd, how)`: shuts down receiving (`rd`), sending (`wr`)
/// or both; no direction is `inval`.
pub(crate) fn shutdown(cx: &mut WasiP1Ctx, fd: Fd, how: Sdflags) -> Result<(), Error> {
    let (socket, _) = socket_of(cx, fd, false)?;
    let how = match (how.contains(Sdflags::RD), how.contains(Sdflags::WR)) {
        (true, true) => ShutdownType::Both,
        (true, false) => ShutdownType::Receive,
        (false, true) => ShutdownType::Send,
        (false, false) => return Err(Errno::Inval.into()),
    };
    let SocketFd::Stream { socket, .. } = socket else {
        return Err(wrong_kind(false));
    };
    Ok(socket.shutdown(how)?)
}
