//! The `wasi:sockets` part of a context: the network policy, and the view
//! its host code works through.

use super::SocketAddrCheck;
use wasmtime::component::{HasData, ResourceTable};

/// A guest's network grants: which kinds of socket and lookup it may use
/// and which addresses (the `socket_addr_check` policy), and the listening
/// sockets given to a core module. Part of a [`crate::WasiCtx`]
/// ([`WasiCtx::sockets`](crate::WasiCtx::sockets)). Nothing is allowed by
/// default.
pub struct WasiSocketsCtx {
    pub(crate) socket_addr_check: SocketAddrCheck,
    pub(crate) allow_tcp: bool,
    pub(crate) allow_udp: bool,
    pub(crate) allow_ip_name_lookup: bool,
    /// Listening sockets for a core module's descriptor table.
    pub(crate) tcp_listeners: Vec<std::net::TcpListener>,
}

impl Default for WasiSocketsCtx {
    /// No TCP, no UDP, no lookups, no address.
    fn default() -> Self {
        WasiSocketsCtx {
            socket_addr_check: SocketAddrCheck::unset(),
            allow_tcp: false,
            allow_udp: false,
            allow_ip_name_lookup: false,
            tcp_listeners: Vec::new(),
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
