//! The one place where errors become preview 1 `errno`s: the filesystem
//! backends' [`ErrorCode`], the socket backends' own error codes, stream
//! errors, and wiggle's guest-memory errors.

use super::bindings::types::{Errno, Error};
use crate::filesystem::{ErrorCode, FsError};
use crate::io::StreamError;
use crate::sockets::ErrorCode as SocketCode;
use crate::sockets::NetworkStreamError;
use wiggle::GuestError;

impl wiggle::GuestErrorType for Errno {
    fn success() -> Errno {
        Errno::Success
    }
}

/// The `errno` of a filesystem [`ErrorCode`].
pub(crate) fn errno_of_code(code: ErrorCode) -> Errno {
    use ErrorCode as C;
    match code {
        C::Access => Errno::Acces,
        C::WouldBlock => Errno::Again,
        C::Already => Errno::Already,
        C::BadDescriptor => Errno::Badf,
        C::Busy => Errno::Busy,
        C::Deadlock => Errno::Deadlk,
        C::Quota => Errno::Dquot,
        C::Exist => Errno::Exist,
        C::FileTooLarge => Errno::Fbig,
        C::IllegalByteSequence => Errno::Ilseq,
        C::InProgress => Errno::Inprogress,
        C::Interrupted => Errno::Intr,
        C::Invalid => Errno::Inval,
        C::Io => Errno::Io,
        C::IsDirectory => Errno::Isdir,
        C::Loop => Errno::Loop,
        C::TooManyLinks => Errno::Mlink,
        C::MessageSize => Errno::Msgsize,
        C::NameTooLong => Errno::Nametoolong,
        C::NoDevice => Errno::Nodev,
        C::NoEntry => Errno::Noent,
        C::NoLock => Errno::Nolck,
        C::InsufficientMemory => Errno::Nomem,
        C::InsufficientSpace => Errno::Nospc,
        C::NotDirectory => Errno::Notdir,
        C::NotEmpty => Errno::Notempty,
        C::NotRecoverable => Errno::Notrecoverable,
        C::Unsupported => Errno::Notsup,
        C::NoTty => Errno::Notty,
        C::NoSuchDevice => Errno::Nxio,
        C::Overflow => Errno::Overflow,
        C::NotPermitted => Errno::Perm,
        C::Pipe => Errno::Pipe,
        C::ReadOnly => Errno::Rofs,
        C::InvalidSeek => Errno::Spipe,
        C::TextFileBusy => Errno::Txtbsy,
        C::CrossDevice => Errno::Xdev,
        C::TooManyOpenFiles => Errno::Mfile,
    }
}

/// The `errno` of a socket backend's error code (a failed socket call or
/// socket stream).
pub(crate) fn errno_of_socket_code(code: SocketCode) -> Errno {
    use SocketCode as C;
    match code {
        C::AccessDenied => Errno::Acces,
        C::NotSupported => Errno::Notsup,
        C::InvalidArgument => Errno::Inval,
        C::OutOfMemory => Errno::Nomem,
        C::Timeout => Errno::Timedout,
        C::ConcurrencyConflict => Errno::Already,
        C::NotInProgress | C::InvalidState => Errno::Inval,
        C::WouldBlock => Errno::Again,
        C::NewSocketLimit => Errno::Mfile,
        C::AddressNotBindable => Errno::Addrnotavail,
        C::AddressInUse => Errno::Addrinuse,
        C::RemoteUnreachable => Errno::Hostunreach,
        C::ConnectionRefused => Errno::Connrefused,
        C::ConnectionReset => Errno::Connreset,
        C::ConnectionAborted => Errno::Connaborted,
        C::DatagramTooLarge => Errno::Msgsize,
        C::Unknown
        | C::NameUnresolvable
        | C::TemporaryResolverFailure
        | C::PermanentResolverFailure => Errno::Io,
    }
}

/// The `errno` of a guest-memory error: a pointer or length outside the
/// memory is `fault`, an invalid enum or flag value `inval`, a string that
/// is not UTF-8 `ilseq`, a length whose byte size overflows 32 bits
/// `overflow`.
pub(crate) fn errno_of_guest(err: &GuestError) -> Errno {
    match err {
        // A value out of its type's range (a negative 64-bit flag word)
        // is as invalid as an unknown bit.
        GuestError::InvalidFlagValue(_)
        | GuestError::InvalidEnumValue(_)
        | GuestError::TryFromIntError(_) => Errno::Inval,
        GuestError::PtrOverflow => Errno::Overflow,
        GuestError::PtrOutOfBounds(_)
        | GuestError::PtrNotAligned(..)
        | GuestError::SliceLengthsDiffer => Errno::Fault,
        GuestError::InvalidUtf8(_) => Errno::Ilseq,
        GuestError::InFunc { err, .. } => errno_of_guest(err),
    }
}

impl From<crate::sockets::SocketError> for Error {
    fn from(err: crate::sockets::SocketError) -> Error {
        match err.downcast() {
            Ok(code) => errno_of_socket_code(code).into(),
            Err(trap) => Error::trap(trap),
        }
    }
}

impl From<GuestError> for Error {
    fn from(err: GuestError) -> Error {
        errno_of_guest(&err).into()
    }
}

impl From<ErrorCode> for Error {
    fn from(code: ErrorCode) -> Error {
        errno_of_code(code).into()
    }
}

impl From<FsError> for Error {
    fn from(err: FsError) -> Error {
        match err.downcast() {
            Ok(code) => code.into(),
            Err(trap) => Error::trap(trap),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        FsError::from(err).into()
    }
}

impl From<rustix::io::Errno> for Error {
    fn from(err: rustix::io::Errno) -> Error {
        std::io::Error::from(err).into()
    }
}

impl From<wasmtime::component::ResourceTableError> for Error {
    fn from(err: wasmtime::component::ResourceTableError) -> Error {
        Error::trap(err.into())
    }
}

/// The error of a failed stream operation: `pipe` for a closed output, the
/// file's code (or `io`) for a failed operation; a trap stays a trap.
pub(crate) fn stream_error(err: StreamError) -> Error {
    match err {
        StreamError::Closed => Errno::Pipe.into(),
        StreamError::LastOperationFailed(e) => {
            if let Some(failure) = e.downcast_ref::<NetworkStreamError>() {
                return errno_of_socket_code(failure.code).into();
            }
            match crate::filesystem::stream_error_code(&e) {
                Some(code) => code.into(),
                None => Errno::Io.into(),
            }
        }
        StreamError::Trap(e) => Error::trap(e),
    }
}

/// Turns a wiggle-level failure into the guest's `errno` where it is a
/// guest-memory error (raised by the generated code while lifting an
/// argument or storing a result), and leaves any other failure a trap.
pub(crate) fn guest_errors_to_errno(
    result: wiggle::error::Result<i32>,
) -> wiggle::error::Result<i32> {
    match result {
        Err(e) => match e.downcast_ref::<GuestError>() {
            Some(g) => Ok(errno_of_guest(g) as i32),
            None => Err(e),
        },
        ok => ok,
    }
}
