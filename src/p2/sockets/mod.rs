//! `wasi:sockets` for components: `network`, `instance-network`, `tcp`,
//! `tcp-create-socket`, `udp` (async, with `udp_sync` for the calls that
//! ask the socket policy), `udp-create-socket` and `ip-name-lookup`.
//!
//! Each `Host` method looks up its resources, converts its arguments to the
//! backends' types (`crate::sockets`), calls the backend and converts the
//! answer back; every conversion is in `convert.rs`.

mod convert;
mod ip_name_lookup;
mod network;
mod tcp;
mod udp;
mod udp_sync;

use crate::TrappableError;
use crate::p2::bindings::sockets::network::ErrorCode;

/// The error of a 0.2 `wasi:sockets` call: the interface's `error-code`
/// for the guest, or a trap. A backend's
/// [`sockets::SocketError`](crate::sockets::SocketError) becomes one with
/// `?` (the same code, or the same trap).
pub type SocketError = TrappableError<ErrorCode>;

/// The result of a 0.2 `wasi:sockets` call.
pub type SocketResult<T> = Result<T, SocketError>;
