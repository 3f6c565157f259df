//! `sock_*`: no descriptor of a core module is a socket yet, so each call
//! is `badf` for a number that is not open and `notsock` for any other.

use super::WasiP1Ctx;
use super::bindings::types::{Errno, Error, Fd};

/// The answer for `fd`: `badf` if it is not open, `notsock` otherwise.
pub(crate) fn not_a_socket(cx: &mut WasiP1Ctx, fd: Fd) -> Error {
    match cx.fds.get(fd.into()) {
        Ok(_) => Errno::Notsock.into(),
        Err(e) => e,
    }
}
