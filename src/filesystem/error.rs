//! The one place where host errors become spec `error-code`s.
//!
//! An OS error number maps to the code the spec names after it; an error
//! that carries no OS number (cap-std's sandbox checks, std's path
//! conversions) maps by its kind. Anything else has no code: it becomes a
//! trap carrying the host error's text (see [`FsError::trap`]).

use super::FsError;
use crate::filesystem::ErrorCode;
use std::io;

/// The spec code for an OS error number, if the spec has one.
pub(crate) fn errno_code(errno: rustix::io::Errno) -> Option<ErrorCode> {
    use rustix::io::Errno as E;
    let code = match errno {
        E::ACCESS => ErrorCode::Access,
        E::AGAIN => ErrorCode::WouldBlock,
        E::ALREADY => ErrorCode::Already,
        E::BADF => ErrorCode::BadDescriptor,
        E::BUSY => ErrorCode::Busy,
        E::DEADLK => ErrorCode::Deadlock,
        E::DQUOT => ErrorCode::Quota,
        E::EXIST => ErrorCode::Exist,
        E::FBIG => ErrorCode::FileTooLarge,
        E::ILSEQ => ErrorCode::IllegalByteSequence,
        E::INPROGRESS => ErrorCode::InProgress,
        E::INTR => ErrorCode::Interrupted,
        E::INVAL => ErrorCode::Invalid,
        E::IO => ErrorCode::Io,
        E::ISDIR => ErrorCode::IsDirectory,
        E::LOOP => ErrorCode::Loop,
        E::MLINK => ErrorCode::TooManyLinks,
        E::MSGSIZE => ErrorCode::MessageSize,
        E::NAMETOOLONG => ErrorCode::NameTooLong,
        E::NODEV => ErrorCode::NoDevice,
        E::NOENT => ErrorCode::NoEntry,
        E::NOLCK => ErrorCode::NoLock,
        E::NOMEM => ErrorCode::InsufficientMemory,
        // Too many open files (the process's or the system's): WASI 0.2
        // has no code for it; see `budget.rs`.
        E::MFILE | E::NFILE => super::budget::OUT_OF_DESCRIPTORS,
        E::NOSPC => ErrorCode::InsufficientSpace,
        E::NOTDIR => ErrorCode::NotDirectory,
        E::NOTEMPTY => ErrorCode::NotEmpty,
        E::NOTRECOVERABLE => ErrorCode::NotRecoverable,
        E::NOTSUP | E::NOSYS => ErrorCode::Unsupported,
        E::NOTTY => ErrorCode::NoTty,
        E::NXIO => ErrorCode::NoSuchDevice,
        E::OVERFLOW => ErrorCode::Overflow,
        E::PERM => ErrorCode::NotPermitted,
        E::PIPE => ErrorCode::Pipe,
        E::ROFS => ErrorCode::ReadOnly,
        E::SPIPE => ErrorCode::InvalidSeek,
        E::TXTBSY => ErrorCode::TextFileBusy,
        E::XDEV => ErrorCode::CrossDevice,
        _ => return None,
    };
    Some(code)
}

/// The spec code for a host I/O error, if the spec has one.
///
/// Errors without an OS number come from checks made in user space:
/// cap-std reports a path that would leave the sandbox as
/// `PermissionDenied` ("a path led outside of the filesystem"), which the
/// spec calls `not-permitted`; a path with a NUL byte is `InvalidInput`.
pub fn io_error_code(err: &io::Error) -> Option<ErrorCode> {
    if let Some(raw) = err.raw_os_error() {
        return errno_code(rustix::io::Errno::from_raw_os_error(raw));
    }
    // An error wrapping one of ours (made by `FsError`-aware code).
    if let Some(code) = err.get_ref().and_then(|e| e.downcast_ref::<ErrorCode>()) {
        return Some(*code);
    }
    use io::ErrorKind as K;
    let code = match err.kind() {
        K::PermissionDenied => ErrorCode::NotPermitted,
        K::NotFound => ErrorCode::NoEntry,
        K::AlreadyExists => ErrorCode::Exist,
        K::InvalidInput | K::InvalidData | K::InvalidFilename => ErrorCode::Invalid,
        K::NotADirectory => ErrorCode::NotDirectory,
        K::IsADirectory => ErrorCode::IsDirectory,
        K::DirectoryNotEmpty => ErrorCode::NotEmpty,
        K::Unsupported => ErrorCode::Unsupported,
        K::OutOfMemory => ErrorCode::InsufficientMemory,
        K::Interrupted => ErrorCode::Interrupted,
        K::WouldBlock => ErrorCode::WouldBlock,
        K::CrossesDevices => ErrorCode::CrossDevice,
        K::FileTooLarge => ErrorCode::FileTooLarge,
        K::StorageFull => ErrorCode::InsufficientSpace,
        K::ReadOnlyFilesystem => ErrorCode::ReadOnly,
        K::TooManyLinks => ErrorCode::TooManyLinks,
        _ => return None,
    };
    Some(code)
}

impl From<io::Error> for FsError {
    fn from(err: io::Error) -> Self {
        match io_error_code(&err) {
            Some(code) => code.into(),
            None => FsError::trap(err),
        }
    }
}

impl From<rustix::io::Errno> for FsError {
    fn from(errno: rustix::io::Errno) -> Self {
        io::Error::from(errno).into()
    }
}

/// The `error-code` behind a stream's `last-operation-failed`, if the
/// failure came from a file: file streams store an [`ErrorCode`] or an
/// [`io::Error`].
pub(crate) fn stream_error_code(err: &wasmtime::Error) -> Option<ErrorCode> {
    if let Some(code) = err.downcast_ref::<ErrorCode>() {
        return Some(*code);
    }
    err.downcast_ref::<io::Error>().and_then(io_error_code)
}

/// The error a file stream reports for a failed read or write: the spec
/// code when there is one (so `filesystem-error-code` finds it), the host
/// error otherwise.
pub(crate) fn stream_failure(err: io::Error) -> wasmtime::Error {
    match io_error_code(&err) {
        Some(code) => wasmtime::Error::new(code),
        None => wasmtime::Error::new(err),
    }
}
