//! Shortcuts for the per-call hot paths of preview 1: `clock_time_get`,
//! `random_get` and `fd_write` to a stream that takes the bytes at once.
//!
//! The linker glue (`super::link`) tries these before the generated
//! bindings. Each does what the generated path does, with the same
//! checks in the same order and the same `errno`s, minus the per-call cost
//! of the generated layer (its tracing span and events, the lifting of
//! arguments into wiggle types, the future of `fd_write`). A shortcut
//! answers `None` where it does not apply (tracing at trace level is on, so
//! the generated spans must be seen; a shared memory; a stream that would
//! have to wait), and the call takes the generated path.

use super::WasiP1Ctx;
use super::bindings::types::{Clockid, Errno, Error};
use super::clocks;
use wiggle::{GuestMemory, GuestPtr};

/// What a shortcut answers: `None` to take the generated path, else the
/// call's `errno` (or its trap).
type Shortcut = Option<wasmtime::Result<i32>>;

/// Whether trace-level events may be recorded: then the generated path
/// runs, with its spans.
fn traced() -> bool {
    tracing::level_enabled!(tracing::Level::TRACE)
}

/// The `errno` of a result (an error that is not an `errno` traps).
fn errno(result: Result<(), Error>) -> wasmtime::Result<i32> {
    match result {
        Ok(()) => Ok(Errno::Success as i32),
        Err(e) => Ok(e.downcast()? as i32),
    }
}

/// `clock_time_get(id, precision, time)`.
pub(crate) fn clock_time_get(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    id: i32,
    _precision: i64,
    time: i32,
) -> Shortcut {
    if traced() {
        return None;
    }
    let result = (|| {
        // An unknown clock is an invalid enum value: `inval`.
        let id = Clockid::try_from(id).map_err(|_| Error::from(Errno::Inval))?;
        let now = clocks::time_get(cx, id)?;
        mem.write(GuestPtr::<u64>::new(time as u32), now)?;
        Ok(())
    })();
    Some(errno(result))
}

/// `random_get(buf, len)`.
pub(crate) fn random_get(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    buf: i32,
    len: i32,
) -> Shortcut {
    if traced() {
        return None;
    }
    let result = clocks::random_get(cx, mem, GuestPtr::new(buf as u32), len as u32);
    Some(errno(result))
}

/// `fd_write(fd, iovs, iovs_len, nwritten)` when every byte goes at once
/// (see [`super::fd::write_now`]).
pub(crate) fn fd_write(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: i32,
    iovs: i32,
    iovs_len: i32,
    nwritten: i32,
) -> Shortcut {
    if traced() {
        return None;
    }
    let result = super::fd::write_now(cx, mem, fd as u32, (iovs as u32, iovs_len as u32))?
        .and_then(|n| Ok(mem.write(GuestPtr::<u32>::new(nwritten as u32), n)?));
    Some(errno(result))
}
