//! The one place where host errors become `wasi:sockets` error codes.
//!
//! An OS error with a matching `error-code` is returned to the guest; one
//! without a match traps with the host's text (a guest cannot act on a code
//! the spec has no name for, and `unknown` would hide a host problem).

use super::{ErrorCode, SocketError};
use crate::io::StreamError;
use std::io;

/// The spec's code for a host I/O error, if the spec has one.
pub(crate) fn error_code(err: &io::Error) -> Option<ErrorCode> {
    use rustix::io::Errno;
    let code = match err.kind() {
        io::ErrorKind::WouldBlock => return Some(ErrorCode::WouldBlock),
        io::ErrorKind::TimedOut => return Some(ErrorCode::Timeout),
        io::ErrorKind::OutOfMemory => return Some(ErrorCode::OutOfMemory),
        _ => err.raw_os_error()?,
    };
    let errno = Errno::from_raw_os_error(code);
    Some(match errno {
        Errno::ACCESS | Errno::PERM => ErrorCode::AccessDenied,
        Errno::AFNOSUPPORT | Errno::PROTONOSUPPORT | Errno::OPNOTSUPP | Errno::NOPROTOOPT => {
            ErrorCode::NotSupported
        }
        Errno::INVAL | Errno::DESTADDRREQ | Errno::FAULT => ErrorCode::InvalidArgument,
        Errno::NOMEM | Errno::NOBUFS => ErrorCode::OutOfMemory,
        Errno::TIMEDOUT => ErrorCode::Timeout,
        Errno::ALREADY => ErrorCode::ConcurrencyConflict,
        Errno::AGAIN | Errno::INPROGRESS => ErrorCode::WouldBlock,
        Errno::ISCONN | Errno::NOTCONN => ErrorCode::InvalidState,
        Errno::MFILE | Errno::NFILE => ErrorCode::NewSocketLimit,
        Errno::ADDRNOTAVAIL => ErrorCode::AddressNotBindable,
        Errno::ADDRINUSE => ErrorCode::AddressInUse,
        Errno::HOSTUNREACH | Errno::HOSTDOWN | Errno::NETUNREACH | Errno::NETDOWN => {
            ErrorCode::RemoteUnreachable
        }
        Errno::CONNREFUSED => ErrorCode::ConnectionRefused,
        Errno::CONNRESET | Errno::PIPE => ErrorCode::ConnectionReset,
        Errno::CONNABORTED => ErrorCode::ConnectionAborted,
        Errno::MSGSIZE => ErrorCode::DatagramTooLarge,
        _ => return None,
    })
}

/// The spec's code for a failed `connect`: as [`error_code`], except that
/// Linux reports a failed implicit bind (no ephemeral port left) as
/// `EADDRNOTAVAIL`, which the spec calls `address-in-use` for connect.
pub(crate) fn connect_error(err: io::Error) -> SocketError {
    if err.raw_os_error() == Some(rustix::io::Errno::ADDRNOTAVAIL.raw_os_error()) {
        return ErrorCode::AddressInUse.into();
    }
    err.into()
}

/// The failure of a socket stream's read or write, carried by the guest's
/// `wasi:io/error.error`; `network-error-code` reads its `code`.
#[derive(Debug)]
pub(crate) struct NetworkStreamError {
    /// The spec's code for the failure.
    pub(crate) code: ErrorCode,
    /// The host error.
    pub(crate) source: io::Error,
}

impl std::fmt::Display for NetworkStreamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.code.name(), self.source)
    }
}

impl std::error::Error for NetworkStreamError {}

/// The stream error of a failed socket read or write: a reader that went
/// away (`EPIPE`) closes the stream, an error with a spec code is
/// `last-operation-failed` carrying that code (a peer reset gives
/// `connection-reset`), anything else traps with the host's text.
pub(crate) fn stream_error(err: io::Error) -> StreamError {
    if err.kind() == io::ErrorKind::BrokenPipe {
        return StreamError::Closed;
    }
    match error_code(&err) {
        Some(code) => StreamError::failed(NetworkStreamError { code, source: err }),
        None => StreamError::Trap(err.into()),
    }
}

/// The spec's code for a failed name lookup. std reports `getaddrinfo`
/// failures as errors without a code, only with the resolver's message
/// (glibc's `gai_strerror` text), so the message decides: a temporary
/// failure (`EAI_AGAIN`) and a permanent one (`EAI_FAIL`) have their own
/// codes; everything else (no such name, no address of a usable family, a
/// resolver that does not answer in a way we recognise) is
/// `name-unresolvable`, the answer a guest can act on.
pub(crate) fn lookup_error_code(err: &io::Error) -> ErrorCode {
    let text = err.to_string().to_ascii_lowercase();
    if text.contains("temporary failure") || text.contains("try again") {
        ErrorCode::TemporaryResolverFailure
    } else if text.contains("non-recoverable failure") {
        ErrorCode::PermanentResolverFailure
    } else {
        ErrorCode::NameUnresolvable
    }
}

impl From<io::Error> for SocketError {
    fn from(err: io::Error) -> Self {
        match error_code(&err) {
            Some(code) => code.into(),
            None => SocketError::trap(err),
        }
    }
}

impl From<rustix::io::Errno> for SocketError {
    fn from(err: rustix::io::Errno) -> Self {
        io::Error::from(err).into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_errors_map_to_spec_codes() {
        let code = |e: i32| error_code(&io::Error::from_raw_os_error(e));
        assert_eq!(
            code(libc_errno::ECONNREFUSED),
            Some(ErrorCode::ConnectionRefused)
        );
        assert_eq!(code(libc_errno::EADDRINUSE), Some(ErrorCode::AddressInUse));
        assert_eq!(code(libc_errno::EACCES), Some(ErrorCode::AccessDenied));
        assert_eq!(code(libc_errno::ENOTDIR), None);
    }

    #[test]
    fn unmapped_errors_trap() {
        let err = SocketError::from(io::Error::from_raw_os_error(libc_errno::ENOTDIR));
        assert!(err.downcast().is_err());
        let err = SocketError::from(io::Error::from_raw_os_error(libc_errno::ECONNRESET));
        assert_eq!(err.downcast().ok(), Some(ErrorCode::ConnectionReset));
    }

    #[test]
    fn lookup_errors_map_by_message() {
        let code = |m: &str| lookup_error_code(&io::Error::other(m));
        assert_eq!(
            code("failed to lookup address information: Name or service not known"),
            ErrorCode::NameUnresolvable
        );
        assert_eq!(
            code("failed to lookup address information: Temporary failure in name resolution"),
            ErrorCode::TemporaryResolverFailure
        );
        assert_eq!(
            code(
                "failed to lookup address information: Non-recoverable failure in name resolution"
            ),
            ErrorCode::PermanentResolverFailure
        );
    }

    /// Raw errno values, through rustix (the library does not use libc).
    mod libc_errno {
        use rustix::io::Errno;
        pub const ECONNREFUSED: i32 = Errno::CONNREFUSED.raw_os_error();
        pub const EADDRINUSE: i32 = Errno::ADDRINUSE.raw_os_error();
        pub const EACCES: i32 = Errno::ACCESS.raw_os_error();
        pub const ENOTDIR: i32 = Errno::NOTDIR.raw_os_error();
        pub const ECONNRESET: i32 = Errno::CONNRESET.raw_os_error();
    }
}
