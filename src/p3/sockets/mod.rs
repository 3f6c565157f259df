//! `wasi:sockets@0.3.0` over the crate's socket backends
//! ([`crate::sockets`]): the same state machines, the same context policy
//! (`allow_tcp`, `allow_udp`, `allow_ip_name_lookup` and every
//! `SocketAddrUse` check) as 0.2 and preview 1.
//!
//! Files: `tcp.rs` (the `tcp-socket` resource: its calls, `listen`'s
//! stream of connections, `send`'s and `receive`'s byte streams), `udp.rs`
//! (the `udp-socket` resource, which is the backend's socket itself),
//! `ip_name_lookup.rs`, `convert.rs` (the one translation between the
//! backends' types and 0.3's, and [`SocketError`]).

mod convert;
mod ip_name_lookup;
mod tcp;
mod udp;

pub use convert::{SocketError, SocketResult};
pub use tcp::TcpSocket;

use crate::p3::bindings::sockets::types;
use crate::sockets::WasiSocketsCtxView;

impl types::Host for WasiSocketsCtxView<'_> {
    fn convert_error_code(&mut self, err: SocketError) -> wasmtime::Result<types::ErrorCode> {
        err.downcast()
    }
}
