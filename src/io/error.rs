//! `wasi:io/error.error`: the error behind a `last-operation-failed`.

use std::fmt;

/// The host side of `wasi:io/error.error`: the failure of a stream's last
/// operation. Other packages downcast it (the filesystem's
/// `filesystem-error-code`).
pub struct IoError(pub wasmtime::Error);

impl IoError {
    /// The underlying error, if it is an `E`.
    pub fn downcast_ref<E: fmt::Display + fmt::Debug + Send + Sync + 'static>(&self) -> Option<&E> {
        self.0.downcast_ref::<E>()
    }
}

impl fmt::Debug for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for IoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}
