//! The `wasi:sockets` part of a context: the network policy, and the view
//! its host code works through.

use super::{
    ErrorCode, HostName, IpAddressFamily, ResolveAddressStream, SocketAddrCheck, SocketResult,
    TcpSocket, UdpSocket,
};
use crate::journal::Tap;
use std::sync::atomic::{AtomicU64, Ordering};
use wasmtime::component::{HasData, ResourceTable};

/// A guest's network grants: which kinds of socket and lookup it may use
/// and which addresses (the `socket_addr_check` policy), and the listening
/// sockets given to a core module. Part of a [`crate::WasiCtx`]
/// ([`WasiCtx::sockets`](crate::WasiCtx::sockets)). Nothing is allowed by
/// default.
pub struct WasiSocketsCtx {
    /// Who is told of every call (the context's observer, copied here
    /// when it is built).
    pub(crate) observer: crate::observe::Observer,
    /// The context's record/replay journal (copied here when it is
    /// built).
    pub(crate) journal: crate::journal::Journal,
    pub(crate) socket_addr_check: SocketAddrCheck,
    pub(crate) allow_tcp: bool,
    pub(crate) allow_udp: bool,
    pub(crate) allow_ip_name_lookup: bool,
    /// Listening sockets for a core module's descriptor table.
    pub(crate) tcp_listeners: Vec<std::net::TcpListener>,
    /// The journal key of the next socket or lookup the guest makes.
    next_key: AtomicU64,
}

impl Default for WasiSocketsCtx {
    /// No TCP, no UDP, no lookups, no address.
    fn default() -> Self {
        WasiSocketsCtx {
            observer: None,
            journal: crate::journal::Journal::Off,
            socket_addr_check: SocketAddrCheck::unset(),
            allow_tcp: false,
            allow_udp: false,
            allow_ip_name_lookup: false,
            tcp_listeners: Vec::new(),
            next_key: AtomicU64::new(1),
        }
    }
}

impl WasiSocketsCtx {
    /// The journal's place for the next socket or lookup the guest makes
    /// (`None` when nothing is journaled).
    fn tap(&self) -> Option<Tap> {
        if !self.journal.is_on() {
            return None;
        }
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        Tap::new(&self.journal, key.to_string())
    }

    /// The journal's place for the `index`-th listener preopened for a
    /// core module (key `pN`).
    pub(crate) fn listener_tap(&self, index: usize) -> Option<Tap> {
        Tap::new(&self.journal, format!("p{index}"))
    }

    /// `create-tcp-socket`: a new TCP socket of `family`;
    /// `access-denied` unless the context allows TCP.
    pub(crate) fn create_tcp_socket(&self, family: IpAddressFamily) -> SocketResult<TcpSocket> {
        if !self.allow_tcp {
            return Err(ErrorCode::AccessDenied.into());
        }
        TcpSocket::new(family, self.tap())
    }

    /// `create-udp-socket`: a new UDP socket of `family`;
    /// `access-denied` unless the context allows UDP.
    pub(crate) fn create_udp_socket(&self, family: IpAddressFamily) -> SocketResult<UdpSocket> {
        if !self.allow_udp {
            return Err(ErrorCode::AccessDenied.into());
        }
        UdpSocket::new(family, self.tap())
    }

    /// `resolve-addresses` of a checked name: the lookup, or, when the
    /// context allows none, a stream that answers
    /// `permanent-resolver-failure` (what programs written for wasmtime
    /// check for).
    pub(crate) fn resolve_addresses(&self, name: HostName) -> SocketResult<ResolveAddressStream> {
        if self.allow_ip_name_lookup {
            ResolveAddressStream::start(name, self.tap())
        } else {
            Ok(ResolveAddressStream::failed(
                ErrorCode::PermanentResolverFailure,
            ))
        }
    }
}

/// What the `wasi:sockets` host functions see: the sockets context and the
/// resource table.
pub struct WasiSocketsCtxView<'a> {
    /// The sockets part of the context.
    pub ctx: &'a mut WasiSocketsCtx,
    /// The store's resource table.
    pub table: &'a mut ResourceTable,
}

/// Store data that can give the `wasi:sockets` host functions their view
/// (every [`crate::WasiView`] can).
pub trait WasiSocketsView: Send {
    /// The view of this store's sockets context.
    fn sockets(&mut self) -> WasiSocketsCtxView<'_>;
}

/// The [`HasData`] of the `wasi:sockets` interfaces.
pub struct WasiSockets;

impl HasData for WasiSockets {
    type Data<'a> = WasiSocketsCtxView<'a>;
}
