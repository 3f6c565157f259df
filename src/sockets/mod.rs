//! `wasi:sockets`, version-neutral: TCP, UDP and name lookup over tokio,
//! under the context's network policy. `allow_tcp`, `allow_udp` and
//! `allow_ip_name_lookup` decide which kinds of socket and lookup a guest
//! may use, and the `socket_addr_check` closure (`SocketAddrCheck`) every
//! bind, connect, listen and accepted peer, and every datagram of an
//! unconnected UDP stream ([`SocketAddrUse`]).
//!
//! The backends speak this crate's own types ([`ErrorCode`],
//! [`IpAddressFamily`], [`ShutdownType`], [`IncomingDatagram`],
//! [`OutgoingDatagram`], [`SocketError`]) and `std::net` addresses, never
//! a WASI version's generated ones; each front-end converts at its edge
//! (0.2: `crate::p2`'s `sockets/convert.rs`; preview 1: `crate::p1`).
//!
//! Files:
//!
//! * `mod.rs`: the policy types, the [`Network`] capability, the syntax of
//!   host names (`parse_host_name`) and [`SocketError`];
//! * `types.rs`: the vocabulary above;
//! * `error.rs`: the one place where OS and resolver errors become
//!   [`ErrorCode`]s (or traps), and the error a failed socket stream
//!   carries;
//! * `policy.rs`: asking the policy without waiting, and the address rules
//!   TCP and UDP share;
//! * `tcp.rs`: the TCP socket's state machine over the OS; `tcp_socket.rs`:
//!   the resource over it, journaled when recording and answered from the
//!   journal in a replay (`journaled_stream.rs`: its streams then);
//!   `tcp_stream.rs`: a connection's input and output streams;
//! * `udp.rs`: the UDP socket over the OS; `udp_socket.rs`: the resource
//!   over it, journaled or replayed as TCP's; `udp_streams.rs`: its
//!   datagram streams over the OS; `journaled_datagrams.rs`: the datagram
//!   resources over those;
//! * `journaled.rs`: the macro that forwards a journaled socket's calls;
//! * `lookup.rs`: name lookup, with `idna.rs` for non-ASCII names;
//! * `buffer.rs`: buffer sizes in the guest's units, for TCP and UDP.

#[macro_use]
mod journaled;
mod buffer;
mod ctx;
mod error;
mod idna;
mod journaled_datagrams;
mod journaled_stream;
mod lookup;
mod policy;
mod tcp;
mod tcp_socket;
mod tcp_stream;
mod types;
mod udp;
mod udp_socket;
mod udp_streams;

pub use buffer::MAX_BUFFER_SIZE;
pub use ctx::{WasiSockets, WasiSocketsCtx, WasiSocketsCtxView, WasiSocketsView};
pub use journaled_datagrams::{IncomingDatagramStream, OutgoingDatagramStream};
pub use lookup::{MAX_ADDRESSES, ResolveAddressStream};
pub use types::{ErrorCode, IncomingDatagram, IpAddressFamily, OutgoingDatagram, ShutdownType};
pub use udp_socket::UdpSocket;
pub use udp_streams::{MAX_BATCH, MAX_DATAGRAM};

use crate::TrappableError;
pub(crate) use error::NetworkStreamError;
use std::future::Future;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

pub use tcp_socket::TcpSocket;

/// The error of a backend's socket operation: an [`ErrorCode`] the guest
/// is told, or a host failure that traps. The 0.2 front-end turns it into
/// its own `crate::p2::SocketError` with `?`.
pub type SocketError = TrappableError<ErrorCode>;

/// The result of a backend's socket operation.
pub type SocketResult<T> = Result<T, SocketError>;

impl From<wasmtime::component::ResourceTableError> for SocketError {
    fn from(err: wasmtime::component::ResourceTableError) -> Self {
        SocketError::trap(err)
    }
}

/// What a guest wants to do with an address, as asked of the
/// `socket_addr_check` policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SocketAddrUse {
    /// Bind a TCP socket: the local address asked for.
    TcpBind,
    /// Connect a TCP socket: the remote address.
    TcpConnect,
    /// Listen on a TCP socket: the local address it is bound to (with the
    /// port the OS chose for port 0). A refusal is `access-denied` and the
    /// socket stays bound.
    TcpListen,
    /// Accept a TCP connection: the peer's address. A refused connection
    /// is closed and never reaches the guest; the accept goes on with the
    /// next one.
    TcpAccept,
    /// Bind a UDP socket: the local address asked for.
    UdpBind,
    /// Connect a UDP socket (`stream` with a remote address): the remote
    /// address. The datagrams of a connected stream all go to and come
    /// from it, and are not asked about one by one.
    UdpConnect,
    /// Send a datagram on an unconnected stream: its destination. A refusal
    /// is `access-denied` (or, after a datagram of the batch went out, ends
    /// the batch).
    UdpSend,
    /// Receive a datagram on an unconnected stream: its source. A refused
    /// datagram is dropped and never reaches the guest.
    UdpReceive,
}

impl SocketAddrUse {
    /// The older name of [`SocketAddrUse::UdpSend`], for code written
    /// before it was renamed; it matches as the variant does.
    #[allow(non_upper_case_globals)]
    pub const UdpOutgoingDatagram: SocketAddrUse = SocketAddrUse::UdpSend;
}

type CheckFn = dyn Fn(SocketAddr, SocketAddrUse) -> Pin<Box<dyn Future<Output = bool> + Send + Sync>>
    + Send
    + Sync;

/// The per-address policy of a context.
#[derive(Clone)]
pub(crate) struct SocketAddrCheck(Arc<CheckFn>);

impl SocketAddrCheck {
    pub(crate) fn new(check: Arc<CheckFn>) -> Self {
        SocketAddrCheck(check)
    }

    /// The policy of a context whose embedder set none: every address is
    /// refused, except the peer of a connection to accept. A guest under
    /// it cannot bind, so it never has a listener of its own; the only
    /// listeners are those the embedder preopened for a core module, and
    /// the embedder granted their connections with them.
    pub(crate) fn unset() -> Self {
        SocketAddrCheck(Arc::new(|_, addr_use| {
            Box::pin(async move { addr_use == SocketAddrUse::TcpAccept })
        }))
    }

    /// Whether `addr` may be used for `addr_use`.
    pub(crate) async fn check(&self, addr: SocketAddr, addr_use: SocketAddrUse) -> bool {
        (self.0)(addr, addr_use).await
    }

    /// The policy's answer about `addr` for `addr_use`, as a future to
    /// poll.
    pub(crate) fn ask(
        &self,
        addr: SocketAddr,
        addr_use: SocketAddrUse,
    ) -> Pin<Box<dyn Future<Output = bool> + Send + Sync>> {
        (self.0)(addr, addr_use)
    }
}

/// The host side of `wasi:sockets/network.network`: the capability handle
/// that `instance-network` gives out. What it allows is the policy of the
/// context ([`WasiCtx`](crate::WasiCtx)).
#[derive(Debug)]
pub struct Network;

/// A name given to `resolve-addresses`, checked for syntax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HostName {
    /// An IP address literal, to be returned as-is without a lookup.
    Ip(IpAddr),
    /// A domain name, without its trailing dot. Labels that are not ASCII
    /// still have to go through IDNA before a lookup.
    Domain(String),
}

/// The longest domain name, in bytes, without the trailing dot.
const MAX_DOMAIN_LEN: usize = 253;
/// The longest label of a domain name, in bytes.
const MAX_LABEL_LEN: usize = 63;

/// Checks the syntax of a name given to `resolve-addresses`: an IPv4 address
/// in dotted-quad form, an IPv6 address, bare or in brackets (`::1`,
/// `[::1]`, the form of a URL's host), or a domain name. Anything else is
/// `invalid-argument`, among it a port, a bracket without its partner and
/// anything but an IPv6 address in brackets (`[1.2.3.4]`).
///
/// Domain names: an optional trailing dot; labels of 1 to 63 bytes, of
/// letters, digits, `-` and `_`, neither starting nor ending with `-`; at
/// most 253 bytes in all; a last label that is not all digits (a numeric
/// last label can only be part of an IPv4 address, and this one was not
/// one). Non-ASCII characters are accepted unless they are whitespace or
/// control characters, since they are converted by IDNA at lookup.
pub(crate) fn parse_host_name(name: &str) -> Result<HostName, ErrorCode> {
    if let Ok(ip) = name.parse::<IpAddr>() {
        return Ok(HostName::Ip(ip));
    }
    if let Some(inner) = name.strip_prefix('[').and_then(|n| n.strip_suffix(']')) {
        return match inner.parse::<Ipv6Addr>() {
            Ok(ip) => Ok(HostName::Ip(ip.into())),
            Err(_) => Err(ErrorCode::InvalidArgument),
        };
    }
    let domain = name.strip_suffix('.').unwrap_or(name);
    if domain.is_empty() {
        return Err(ErrorCode::InvalidArgument);
    }
    let ascii = domain.is_ascii();
    if ascii && domain.len() > MAX_DOMAIN_LEN {
        return Err(ErrorCode::InvalidArgument);
    }
    let mut last = "";
    for label in domain.split('.') {
        if !valid_label(label) {
            return Err(ErrorCode::InvalidArgument);
        }
        last = label;
    }
    if last.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ErrorCode::InvalidArgument);
    }
    Ok(HostName::Domain(domain.to_owned()))
}

/// Whether `label` is a syntactically valid label of a domain name.
fn valid_label(label: &str) -> bool {
    if label.is_empty() || label.starts_with('-') || label.ends_with('-') {
        return false;
    }
    if label.is_ascii() && label.len() > MAX_LABEL_LEN {
        return false;
    }
    label.chars().all(|c| {
        if c.is_ascii() {
            c.is_ascii_alphanumeric() || c == '-' || c == '_'
        } else {
            !c.is_whitespace() && !c.is_control()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    #[test]
    fn the_older_name_of_udp_send_still_matches() {
        // An exhaustive match written with the older name compiles and
        // takes the variant's arm.
        let name = |u: SocketAddrUse| match u {
            SocketAddrUse::TcpBind => "tcp-bind",
            SocketAddrUse::TcpConnect => "tcp-connect",
            SocketAddrUse::TcpListen => "tcp-listen",
            SocketAddrUse::TcpAccept => "tcp-accept",
            SocketAddrUse::UdpBind => "udp-bind",
            SocketAddrUse::UdpConnect => "udp-connect",
            SocketAddrUse::UdpOutgoingDatagram => "udp-send",
            SocketAddrUse::UdpReceive => "udp-receive",
        };
        assert_eq!(name(SocketAddrUse::UdpSend), "udp-send");
        assert_eq!(SocketAddrUse::UdpOutgoingDatagram, SocketAddrUse::UdpSend);
        assert!(matches!(
            SocketAddrUse::UdpSend,
            SocketAddrUse::UdpOutgoingDatagram
        ));
    }

    #[test]
    fn ip_literals_parse_as_addresses() {
        assert_eq!(
            parse_host_name("127.0.0.1"),
            Ok(HostName::Ip(Ipv4Addr::LOCALHOST.into()))
        );
        assert_eq!(
            parse_host_name("::1"),
            Ok(HostName::Ip(Ipv6Addr::LOCALHOST.into()))
        );
        assert_eq!(
            parse_host_name("0.0.0.0"),
            Ok(HostName::Ip(Ipv4Addr::UNSPECIFIED.into()))
        );
    }

    #[test]
    fn bracketed_ipv6_literals_parse_as_addresses() {
        assert_eq!(
            parse_host_name("[::1]"),
            Ok(HostName::Ip(Ipv6Addr::LOCALHOST.into()))
        );
        assert_eq!(
            parse_host_name("[::]"),
            Ok(HostName::Ip(Ipv6Addr::UNSPECIFIED.into()))
        );
        assert_eq!(
            parse_host_name("[fe80::1:2]"),
            Ok(HostName::Ip("fe80::1:2".parse::<IpAddr>().unwrap()))
        );
    }

    #[test]
    fn domain_names_parse() {
        for name in [
            "localhost",
            "example.com",
            "example.com.",
            "a-b.c_d.example",
            "xn--bcher-kva.example",
            "bücher.example",
            "1example.com",
            "a",
        ] {
            assert!(
                matches!(parse_host_name(name), Ok(HostName::Domain(_))),
                "{name:?}"
            );
        }
        assert_eq!(
            parse_host_name("example.com."),
            Ok(HostName::Domain("example.com".into()))
        );
    }

    #[test]
    fn invalid_names_are_invalid_argument() {
        let long_label = "a".repeat(64);
        let long_name = ["a".repeat(63).as_str(); 5].join(".");
        for name in [
            "",
            ".",
            " ",
            "a b",
            "a.b<&>",
            "127.0.0.1:80",
            "[::1]:80",
            "[::1",
            "::1]",
            "[]",
            "[[::1]]",
            "[1.2.3.4]",
            "[localhost]",
            "[ ::1]",
            "[fe80::1%1]",
            "http://example.com/",
            "example..com",
            ".example.com",
            "example.com..",
            "-example.com",
            "example-.com",
            "256.0.0.1",
            "1.2.3",
            "user@example.com",
            "exa%mple.com",
            "tab\there",
            "nul\0",
            long_label.as_str(),
            long_name.as_str(),
        ] {
            assert_eq!(
                parse_host_name(name),
                Err(ErrorCode::InvalidArgument),
                "{name:?}"
            );
        }
    }
}
