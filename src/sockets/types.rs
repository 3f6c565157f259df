//! The words the socket backends speak, owned by this crate and tied to no
//! WASI version: the error codes, the address families, the directions of
//! a shutdown and the datagrams of a UDP stream. The names are those of
//! `wasi:sockets`; each front-end (the 0.2 one in `crate::p2`, preview 1 in
//! `crate::p1`) maps them to and from its own types.
//!
//! Addresses are `std::net`'s: [`IpAddr`] for a host, [`SocketAddr`] for a
//! host and a port (with IPv6 flow information and scope).
//!
//! [`IpAddr`]: std::net::IpAddr

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why a socket operation failed, in the terms of `wasi:sockets`'
/// `error-code`. A failure that none of these describes is not a code but
/// a trap (see [`SocketError`](super::SocketError)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorCode {
    /// A failure the host could not classify.
    Unknown,
    /// The context's policy, or the OS, does not let the guest do this.
    AccessDenied,
    /// The host does not implement what was asked.
    NotSupported,
    /// An argument is not acceptable (a wrong address family, a size of
    /// zero, a malformed name, ...).
    InvalidArgument,
    /// The host ran out of memory or buffers.
    OutOfMemory,
    /// The operation took too long.
    Timeout,
    /// Another operation on the socket is still under way.
    ConcurrencyConflict,
    /// A `finish-*` call with no matching `start-*` in progress.
    NotInProgress,
    /// Nothing can be done right now; try again when the socket is ready.
    WouldBlock,
    /// The socket is not in a state that allows the operation.
    InvalidState,
    /// No more sockets can be opened (a process or system limit).
    NewSocketLimit,
    /// The address cannot be bound to here (not one of the host's).
    AddressNotBindable,
    /// The address, or every ephemeral port, is already taken.
    AddressInUse,
    /// No route to the remote host or its network.
    RemoteUnreachable,
    /// The remote host turned the connection down.
    ConnectionRefused,
    /// The remote host reset the connection.
    ConnectionReset,
    /// The connection was aborted on this side.
    ConnectionAborted,
    /// A datagram is larger than the socket can send or receive.
    DatagramTooLarge,
    /// The name has no address, or does not exist.
    NameUnresolvable,
    /// The resolver failed, but may succeed if asked again later.
    TemporaryResolverFailure,
    /// The resolver failed in a way that asking again will not fix.
    PermanentResolverFailure,
}

impl ErrorCode {
    /// The code's name as `wasi:sockets` spells it (`"connection-reset"`,
    /// `"would-block"`, ...).
    pub fn name(self) -> &'static str {
        match self {
            ErrorCode::Unknown => "unknown",
            ErrorCode::AccessDenied => "access-denied",
            ErrorCode::NotSupported => "not-supported",
            ErrorCode::InvalidArgument => "invalid-argument",
            ErrorCode::OutOfMemory => "out-of-memory",
            ErrorCode::Timeout => "timeout",
            ErrorCode::ConcurrencyConflict => "concurrency-conflict",
            ErrorCode::NotInProgress => "not-in-progress",
            ErrorCode::WouldBlock => "would-block",
            ErrorCode::InvalidState => "invalid-state",
            ErrorCode::NewSocketLimit => "new-socket-limit",
            ErrorCode::AddressNotBindable => "address-not-bindable",
            ErrorCode::AddressInUse => "address-in-use",
            ErrorCode::RemoteUnreachable => "remote-unreachable",
            ErrorCode::ConnectionRefused => "connection-refused",
            ErrorCode::ConnectionReset => "connection-reset",
            ErrorCode::ConnectionAborted => "connection-aborted",
            ErrorCode::DatagramTooLarge => "datagram-too-large",
            ErrorCode::NameUnresolvable => "name-unresolvable",
            ErrorCode::TemporaryResolverFailure => "temporary-resolver-failure",
            ErrorCode::PermanentResolverFailure => "permanent-resolver-failure",
        }
    }
}

impl ErrorCode {
    /// Every code, in the spec's order.
    pub(crate) const ALL: [ErrorCode; 21] = [
        ErrorCode::Unknown,
        ErrorCode::AccessDenied,
        ErrorCode::NotSupported,
        ErrorCode::InvalidArgument,
        ErrorCode::OutOfMemory,
        ErrorCode::Timeout,
        ErrorCode::ConcurrencyConflict,
        ErrorCode::NotInProgress,
        ErrorCode::WouldBlock,
        ErrorCode::InvalidState,
        ErrorCode::NewSocketLimit,
        ErrorCode::AddressNotBindable,
        ErrorCode::AddressInUse,
        ErrorCode::RemoteUnreachable,
        ErrorCode::ConnectionRefused,
        ErrorCode::ConnectionReset,
        ErrorCode::ConnectionAborted,
        ErrorCode::DatagramTooLarge,
        ErrorCode::NameUnresolvable,
        ErrorCode::TemporaryResolverFailure,
        ErrorCode::PermanentResolverFailure,
    ];

    /// The code named `name` ([`ErrorCode::name`]).
    pub(crate) fn from_name(name: &str) -> Option<ErrorCode> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for ErrorCode {
    /// The code's `wasi:sockets` name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for ErrorCode {}

/// The kind of IP address a socket uses (`ip-address-family`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IpAddressFamily {
    /// IPv4 (`AF_INET`).
    Ipv4,
    /// IPv6 (`AF_INET6`). The crate's IPv6 sockets are always IPv6-only.
    Ipv6,
}

impl IpAddressFamily {
    /// The family `ip` belongs to, by its form: an IPv4-mapped IPv6
    /// address is `Ipv6`.
    pub fn of(ip: IpAddr) -> Self {
        match ip {
            IpAddr::V4(_) => IpAddressFamily::Ipv4,
            IpAddr::V6(_) => IpAddressFamily::Ipv6,
        }
    }

    /// The family's unspecified address (`0.0.0.0` or `::`), which an
    /// implicit bind binds to.
    #[cfg_attr(not(feature = "p3"), allow(dead_code))]
    pub(crate) fn unspecified(self) -> IpAddr {
        match self {
            IpAddressFamily::Ipv4 => Ipv4Addr::UNSPECIFIED.into(),
            IpAddressFamily::Ipv6 => Ipv6Addr::UNSPECIFIED.into(),
        }
    }
}

/// Which direction of a connection `shutdown` closes (`shutdown-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ShutdownType {
    /// Stop receiving: the input stream ends.
    Receive,
    /// Stop sending: the output stream ends, and the peer sees the end.
    Send,
    /// Both directions.
    Both,
}

impl ShutdownType {
    /// Whether receiving stops.
    pub fn receive(self) -> bool {
        matches!(self, ShutdownType::Receive | ShutdownType::Both)
    }

    /// Whether sending stops.
    pub fn send(self) -> bool {
        matches!(self, ShutdownType::Send | ShutdownType::Both)
    }
}

/// A datagram that a UDP stream received (`incoming-datagram`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingDatagram {
    /// The payload, exactly as long as it arrived.
    pub data: Vec<u8>,
    /// Who sent it; on a connected stream always the connected peer.
    pub remote_address: SocketAddr,
}

/// A datagram for a UDP stream to send (`outgoing-datagram`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingDatagram {
    /// The payload.
    pub data: Vec<u8>,
    /// Where to send it: required on an unconnected stream; on a connected
    /// one it may be left out, and if given must be the peer.
    pub remote_address: Option<SocketAddr>,
}
