//! `wasi:sockets`: the network policy of a context. Sockets themselves are
//! not implemented yet: creating one answers `not-supported` (or
//! `access-denied` where the context does not allow that kind of socket).

use crate::TrappableError;
use crate::bindings::sockets::network::ErrorCode;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

/// A socket error: a spec `error-code` for the guest, or a trap.
pub type SocketError = TrappableError<ErrorCode>;

/// The result of a socket operation.
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
    /// Bind a TCP socket.
    TcpBind,
    /// Connect a TCP socket.
    TcpConnect,
    /// Bind a UDP socket.
    UdpBind,
    /// Connect a UDP socket.
    UdpConnect,
    /// Send an unconnected UDP datagram.
    UdpOutgoingDatagram,
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

    /// Denies every address.
    pub(crate) fn deny_all() -> Self {
        SocketAddrCheck(Arc::new(|_, _| Box::pin(async { false })))
    }

    /// Whether `addr` may be used for `addr_use`.
    #[allow(dead_code)]
    pub(crate) async fn check(&self, addr: SocketAddr, addr_use: SocketAddrUse) -> bool {
        (self.0)(addr, addr_use).await
    }
}

/// The host side of `wasi:sockets/network.network`.
pub struct Network;
/// The host side of `wasi:sockets/tcp.tcp-socket` (none can be created yet).
pub struct TcpSocket;
/// The host side of `wasi:sockets/udp.udp-socket` (none can be created yet).
pub struct UdpSocket;
/// The host side of `wasi:sockets/udp.incoming-datagram-stream`.
pub struct IncomingDatagramStream;
/// The host side of `wasi:sockets/udp.outgoing-datagram-stream`.
pub struct OutgoingDatagramStream;
/// The host side of `wasi:sockets/ip-name-lookup.resolve-address-stream`.
pub struct ResolveAddressStream;
