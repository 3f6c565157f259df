//! The one place where the 0.3 front-end translates between the socket
//! backends' types ([`crate::sockets`]) and the copies `bindgen!` generates
//! for `wasi:sockets@0.3.0`, and where its error type, [`SocketError`], is
//! made from the backends' error.
//!
//! Addresses and families map field by field. Error codes map to those of
//! the same name; where 0.3 has none: `concurrency-conflict` and
//! `not-in-progress` (an operation in progress, or none, where the call
//! needs the other) are `invalid-state`, as 0.3 says of a second
//! `connect`; a code of the name lookup or `new-socket-limit` is
//! `other` with the code's name; `unknown` is `other(none)`. A stream's
//! broken pipe is `connection-broken`, which the backends (written for 0.2)
//! call `connection-reset`.

use crate::TrappableError;
use crate::p3::bindings::sockets::ip_name_lookup as lookup;
use crate::p3::bindings::sockets::types as b;
use crate::sockets::{self as neutral, NetworkStreamError};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// The error of a 0.3 `wasi:sockets/types` call: an `error-code` for the
/// guest, or a trap. A backend's
/// [`sockets::SocketError`](crate::sockets::SocketError) becomes one with
/// `?` (the same code, as 0.3 names it, or the same trap).
pub type SocketError = TrappableError<b::ErrorCode>;

/// The result of a 0.3 `wasi:sockets/types` call.
pub type SocketResult<T> = Result<T, SocketError>;

impl From<neutral::SocketError> for SocketError {
    fn from(err: neutral::SocketError) -> Self {
        match err.downcast() {
            Ok(code) => error_code(code).into(),
            Err(trap) => SocketError::trap(trap),
        }
    }
}

impl From<neutral::ErrorCode> for SocketError {
    fn from(code: neutral::ErrorCode) -> Self {
        error_code(code).into()
    }
}

impl From<wasmtime::component::ResourceTableError> for SocketError {
    /// A handle that is not in the table (or of another type) traps.
    fn from(err: wasmtime::component::ResourceTableError) -> Self {
        SocketError::trap(err)
    }
}

/// A backend's error code as 0.3's `wasi:sockets/types.error-code`.
pub(super) fn error_code(code: neutral::ErrorCode) -> b::ErrorCode {
    use b::ErrorCode as B;
    use neutral::ErrorCode as N;
    match code {
        N::Unknown => B::Other(None),
        N::AccessDenied => B::AccessDenied,
        N::NotSupported => B::NotSupported,
        N::InvalidArgument => B::InvalidArgument,
        N::OutOfMemory => B::OutOfMemory,
        N::Timeout => B::Timeout,
        N::ConcurrencyConflict | N::NotInProgress | N::InvalidState => B::InvalidState,
        N::AddressNotBindable => B::AddressNotBindable,
        N::AddressInUse => B::AddressInUse,
        N::RemoteUnreachable => B::RemoteUnreachable,
        N::ConnectionRefused => B::ConnectionRefused,
        N::ConnectionReset => B::ConnectionReset,
        N::ConnectionAborted => B::ConnectionAborted,
        N::DatagramTooLarge => B::DatagramTooLarge,
        N::WouldBlock
        | N::NewSocketLimit
        | N::NameUnresolvable
        | N::TemporaryResolverFailure
        | N::PermanentResolverFailure => B::Other(Some(code.name().to_string())),
    }
}

/// A backend's error code as 0.3's `wasi:sockets/ip-name-lookup.error-code`.
pub(super) fn lookup_error_code(code: neutral::ErrorCode) -> lookup::ErrorCode {
    use lookup::ErrorCode as L;
    use neutral::ErrorCode as N;
    match code {
        N::AccessDenied => L::AccessDenied,
        N::InvalidArgument => L::InvalidArgument,
        N::NameUnresolvable => L::NameUnresolvable,
        N::TemporaryResolverFailure => L::TemporaryResolverFailure,
        N::PermanentResolverFailure => L::PermanentResolverFailure,
        N::Unknown => L::Other(None),
        other => L::Other(Some(other.name().to_string())),
    }
}

/// The error code of a connection stream's failure (the error a backend
/// stream's `last-operation-failed` carries, or a closed pipe).
pub(super) fn stream_error(err: &wasmtime::Error) -> b::ErrorCode {
    let broken = |e: &std::io::Error| {
        e.kind() == std::io::ErrorKind::BrokenPipe
            || e.raw_os_error() == Some(rustix::io::Errno::PIPE.raw_os_error())
    };
    if let Some(e) = err.downcast_ref::<NetworkStreamError>() {
        if broken(&e.source) {
            return b::ErrorCode::ConnectionBroken;
        }
        return error_code(e.code);
    }
    match err.downcast_ref::<std::io::Error>() {
        Some(e) if broken(e) => b::ErrorCode::ConnectionBroken,
        _ => b::ErrorCode::Other(Some(err.to_string())),
    }
}

impl From<b::IpAddressFamily> for neutral::IpAddressFamily {
    fn from(family: b::IpAddressFamily) -> Self {
        match family {
            b::IpAddressFamily::Ipv4 => neutral::IpAddressFamily::Ipv4,
            b::IpAddressFamily::Ipv6 => neutral::IpAddressFamily::Ipv6,
        }
    }
}

impl From<neutral::IpAddressFamily> for b::IpAddressFamily {
    fn from(family: neutral::IpAddressFamily) -> Self {
        match family {
            neutral::IpAddressFamily::Ipv4 => b::IpAddressFamily::Ipv4,
            neutral::IpAddressFamily::Ipv6 => b::IpAddressFamily::Ipv6,
        }
    }
}

impl From<b::IpSocketAddress> for SocketAddr {
    fn from(addr: b::IpSocketAddress) -> Self {
        match addr {
            b::IpSocketAddress::Ipv4(v4) => {
                let (a, b, c, d) = v4.address;
                SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), v4.port).into()
            }
            b::IpSocketAddress::Ipv6(v6) => {
                let (a, b, c, d, e, f, g, h) = v6.address;
                let ip = Ipv6Addr::new(a, b, c, d, e, f, g, h);
                SocketAddrV6::new(ip, v6.port, v6.flow_info, v6.scope_id).into()
            }
        }
    }
}

impl From<SocketAddr> for b::IpSocketAddress {
    fn from(addr: SocketAddr) -> Self {
        match addr {
            SocketAddr::V4(v4) => b::IpSocketAddress::Ipv4(b::Ipv4SocketAddress {
                port: v4.port(),
                address: octets(*v4.ip()),
            }),
            SocketAddr::V6(v6) => b::IpSocketAddress::Ipv6(b::Ipv6SocketAddress {
                port: v6.port(),
                flow_info: v6.flowinfo(),
                address: segments(*v6.ip()),
                scope_id: v6.scope_id(),
            }),
        }
    }
}

impl From<IpAddr> for b::IpAddress {
    fn from(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(v4) => b::IpAddress::Ipv4(octets(v4)),
            IpAddr::V6(v6) => b::IpAddress::Ipv6(segments(v6)),
        }
    }
}

/// An IPv4 address as 0.3's tuple of octets.
fn octets(ip: Ipv4Addr) -> b::Ipv4Address {
    let [a, b, c, d] = ip.octets();
    (a, b, c, d)
}

/// An IPv6 address as 0.3's tuple of 16-bit segments.
fn segments(ip: Ipv6Addr) -> b::Ipv6Address {
    let [a, b, c, d, e, f, g, h] = ip.segments();
    (a, b, c, d, e, f, g, h)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for text in ["127.0.0.1:80", "[::1]:443", "[fe80::1%3]:9", "0.0.0.0:0"] {
            let addr: SocketAddr = text.parse().unwrap();
            assert_eq!(
                SocketAddr::from(b::IpSocketAddress::from(addr)),
                addr,
                "{text}"
            );
        }
    }

    #[test]
    fn codes_without_a_0_3_name() {
        use neutral::ErrorCode as N;
        assert!(matches!(
            error_code(N::ConcurrencyConflict),
            b::ErrorCode::InvalidState
        ));
        assert!(matches!(
            error_code(N::NewSocketLimit),
            b::ErrorCode::Other(Some(name)) if name == "new-socket-limit"
        ));
        assert!(matches!(
            lookup_error_code(N::PermanentResolverFailure),
            lookup::ErrorCode::PermanentResolverFailure
        ));
        let trap = neutral::SocketError::trap(wasmtime::format_err!("host failure"));
        assert!(SocketError::from(trap).downcast_ref().is_none());
    }

    #[test]
    fn a_broken_pipe_is_connection_broken() {
        let err = wasmtime::Error::from(std::io::Error::from(std::io::ErrorKind::BrokenPipe));
        assert!(matches!(stream_error(&err), b::ErrorCode::ConnectionBroken));
        let reset = rustix::io::Errno::CONNRESET.raw_os_error();
        let err = wasmtime::Error::from(NetworkStreamError {
            code: neutral::ErrorCode::ConnectionReset,
            source: std::io::Error::from_raw_os_error(reset),
        });
        assert!(matches!(stream_error(&err), b::ErrorCode::ConnectionReset));
    }
}
