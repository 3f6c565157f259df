//! `proc_exit` and `proc_raise`.

use super::bindings::types::{Errno, Error, Exitcode, Signal};
use crate::I32Exit;

/// `proc_exit`: ends the guest with an error that downcasts to
/// [`I32Exit`].
pub(crate) fn exit(code: Exitcode) -> wiggle::error::Error {
    I32Exit(code as i32).into()
}

/// `proc_raise`: signals are not supported (`nosys`).
pub(crate) fn raise(_sig: Signal) -> Result<(), Error> {
    Err(Errno::Nosys.into())
}
