//! The one place where the 0.2 `wasi:sockets` types meet the backends' own
//! (`crate::sockets`): error codes, address families, addresses, shutdown
//! directions and datagrams, each way, and the backends' [`SocketError`]
//! turned into the 0.2 one. The type conversions map a variant or a field
//! and allocate nothing (a datagram's payload moves as it is); an error
//! becomes a new error value holding the 0.2 code, or stays the same trap.
//!
//! [`SocketError`]: crate::sockets::SocketError

use super::SocketError;
use crate::p2::bindings::sockets::network::{
    self, IpAddress, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
};
use crate::p2::bindings::sockets::tcp::ShutdownType as P2ShutdownType;
use crate::p2::bindings::sockets::udp;
use crate::p2::bindings::sync::sockets::udp as udp_sync;
use crate::sockets;
use network::ErrorCode as P2ErrorCode;
use network::IpAddressFamily as P2IpAddressFamily;
use sockets::ErrorCode as OurErrorCode;
use sockets::IpAddressFamily as OurIpAddressFamily;
use sockets::ShutdownType as OurShutdownType;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

/// `From` both ways between two enums whose variants have the same names.
macro_rules! same_variants {
    ($ours:ident <=> $theirs:ident: $($variant:ident),+ $(,)?) => {
        impl From<$ours> for $theirs {
            fn from(value: $ours) -> Self {
                match value {
                    $($ours::$variant => $theirs::$variant,)+
                }
            }
        }

        impl From<$theirs> for $ours {
            fn from(value: $theirs) -> Self {
                match value {
                    $($theirs::$variant => $ours::$variant,)+
                }
            }
        }
    };
}

same_variants!(OurErrorCode <=> P2ErrorCode:
    Unknown,
    AccessDenied,
    NotSupported,
    InvalidArgument,
    OutOfMemory,
    Timeout,
    ConcurrencyConflict,
    NotInProgress,
    WouldBlock,
    InvalidState,
    NewSocketLimit,
    AddressNotBindable,
    AddressInUse,
    RemoteUnreachable,
    ConnectionRefused,
    ConnectionReset,
    ConnectionAborted,
    DatagramTooLarge,
    NameUnresolvable,
    TemporaryResolverFailure,
    PermanentResolverFailure,
);

same_variants!(OurIpAddressFamily <=> P2IpAddressFamily: Ipv4, Ipv6);

same_variants!(OurShutdownType <=> P2ShutdownType: Receive, Send, Both);

impl From<sockets::SocketError> for SocketError {
    /// A backend's code becomes the same 0.2 code; a trap stays a trap.
    fn from(err: sockets::SocketError) -> Self {
        match err.downcast() {
            Ok(code) => P2ErrorCode::from(code).into(),
            Err(trap) => SocketError::trap(trap),
        }
    }
}

impl From<OurErrorCode> for SocketError {
    /// A backend's code, as the same 0.2 code.
    fn from(code: OurErrorCode) -> Self {
        P2ErrorCode::from(code).into()
    }
}

impl From<wasmtime::component::ResourceTableError> for SocketError {
    /// A handle that is not in the table (or of another type) traps.
    fn from(err: wasmtime::component::ResourceTableError) -> Self {
        SocketError::trap(err)
    }
}

impl From<IpSocketAddress> for SocketAddr {
    fn from(addr: IpSocketAddress) -> Self {
        match addr {
            IpSocketAddress::Ipv4(v4) => {
                let (a, b, c, d) = v4.address;
                SocketAddrV4::new(Ipv4Addr::new(a, b, c, d), v4.port).into()
            }
            IpSocketAddress::Ipv6(v6) => {
                let (a, b, c, d, e, f, g, h) = v6.address;
                let ip = Ipv6Addr::new(a, b, c, d, e, f, g, h);
                SocketAddrV6::new(ip, v6.port, v6.flow_info, v6.scope_id).into()
            }
        }
    }
}

impl From<SocketAddr> for IpSocketAddress {
    fn from(addr: SocketAddr) -> Self {
        match addr {
            SocketAddr::V4(v4) => IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: v4.port(),
                address: v4_tuple(*v4.ip()),
            }),
            SocketAddr::V6(v6) => IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port: v6.port(),
                flow_info: v6.flowinfo(),
                address: v6_tuple(*v6.ip()),
                scope_id: v6.scope_id(),
            }),
        }
    }
}

impl From<IpAddress> for IpAddr {
    fn from(addr: IpAddress) -> Self {
        match addr {
            IpAddress::Ipv4((a, b, c, d)) => Ipv4Addr::new(a, b, c, d).into(),
            IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => {
                Ipv6Addr::new(a, b, c, d, e, f, g, h).into()
            }
        }
    }
}

impl From<IpAddr> for IpAddress {
    fn from(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(v4) => IpAddress::Ipv4(v4_tuple(v4)),
            IpAddr::V6(v6) => IpAddress::Ipv6(v6_tuple(v6)),
        }
    }
}

/// An IPv4 address as the spec's tuple of octets.
fn v4_tuple(ip: Ipv4Addr) -> (u8, u8, u8, u8) {
    let [a, b, c, d] = ip.octets();
    (a, b, c, d)
}

/// An IPv6 address as the spec's tuple of 16-bit segments.
fn v6_tuple(ip: Ipv6Addr) -> (u16, u16, u16, u16, u16, u16, u16, u16) {
    let [a, b, c, d, e, f, g, h] = ip.segments();
    (a, b, c, d, e, f, g, h)
}

/// The datagram records, generated once per flavour: the same fields.
macro_rules! datagrams {
    ($($flavour:ident),+) => {$(
        impl From<sockets::IncomingDatagram> for $flavour::IncomingDatagram {
            fn from(d: sockets::IncomingDatagram) -> Self {
                $flavour::IncomingDatagram {
                    data: d.data,
                    remote_address: d.remote_address.into(),
                }
            }
        }

        impl From<$flavour::OutgoingDatagram> for sockets::OutgoingDatagram {
            fn from(d: $flavour::OutgoingDatagram) -> Self {
                sockets::OutgoingDatagram {
                    data: d.data,
                    remote_address: d.remote_address.map(Into::into),
                }
            }
        }
    )+};
}

datagrams!(udp, udp_sync);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for text in ["127.0.0.1:80", "[::1]:443", "[fe80::1%3]:9", "0.0.0.0:0"] {
            let addr: SocketAddr = text.parse().unwrap();
            assert_eq!(
                SocketAddr::from(IpSocketAddress::from(addr)),
                addr,
                "{text}"
            );
            let ip = addr.ip();
            assert_eq!(IpAddr::from(IpAddress::from(ip)), ip, "{text}");
        }
    }

    #[test]
    fn every_code_keeps_its_name() {
        use OurErrorCode as C;
        for code in [
            C::Unknown,
            C::AccessDenied,
            C::NotSupported,
            C::InvalidArgument,
            C::OutOfMemory,
            C::Timeout,
            C::ConcurrencyConflict,
            C::NotInProgress,
            C::WouldBlock,
            C::InvalidState,
            C::NewSocketLimit,
            C::AddressNotBindable,
            C::AddressInUse,
            C::RemoteUnreachable,
            C::ConnectionRefused,
            C::ConnectionReset,
            C::ConnectionAborted,
            C::DatagramTooLarge,
            C::NameUnresolvable,
            C::TemporaryResolverFailure,
            C::PermanentResolverFailure,
        ] {
            let p2 = P2ErrorCode::from(code);
            assert_eq!(p2.name(), code.name());
            assert_eq!(OurErrorCode::from(p2), code);
        }
    }

    #[test]
    fn backend_errors_keep_their_code_or_trap() {
        let err = SocketError::from(sockets::SocketError::from(OurErrorCode::WouldBlock));
        assert_eq!(err.downcast().ok(), Some(P2ErrorCode::WouldBlock));
        let trap = sockets::SocketError::trap(wasmtime::format_err!("host failure"));
        let err = SocketError::from(trap);
        assert!(err.downcast_ref().is_none());
        assert!(err.to_string().contains("host failure"));
    }
}
