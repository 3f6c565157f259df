//! Errors shared by every package: guest exit, and errors that are either a
//! spec error code or a trap.

use std::fmt;

/// A guest's request to exit with a status code (`wasi:cli/exit`).
/// Surfaces from the run call as an error that downcasts to this type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct I32Exit(pub i32);

impl fmt::Display for I32Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "guest exited with status {}", self.0)
    }
}

impl std::error::Error for I32Exit {}

/// An error that is either a spec error code `E`, returned to the guest, or
/// a host failure that traps.
pub struct TrappableError<E> {
    err: wasmtime::Error,
    _code: std::marker::PhantomData<E>,
}

impl<E> TrappableError<E>
where
    E: fmt::Debug + fmt::Display + Send + Sync + 'static,
{
    /// An error that traps with `err`.
    pub fn trap(err: impl Into<wasmtime::Error>) -> Self {
        TrappableError {
            err: err.into(),
            _code: std::marker::PhantomData,
        }
    }

    /// The spec error code, or the trap.
    pub fn downcast(self) -> wasmtime::Result<E> {
        self.err.downcast::<E>()
    }

    /// The spec error code, if this is one.
    pub fn downcast_ref(&self) -> Option<&E> {
        self.err.downcast_ref::<E>()
    }
}

impl<E> From<E> for TrappableError<E>
where
    E: std::error::Error + Send + Sync + 'static,
{
    fn from(code: E) -> Self {
        TrappableError {
            err: code.into(),
            _code: std::marker::PhantomData,
        }
    }
}

impl<E> fmt::Debug for TrappableError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.err, f)
    }
}

impl<E> fmt::Display for TrappableError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.err, f)
    }
}

impl<E> std::error::Error for TrappableError<E> {}
