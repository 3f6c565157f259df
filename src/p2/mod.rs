//! The WASI 0.2 front-end: the component bindings generated from `wit/`,
//! the `Host` trait implementations that turn each 0.2 call into a call of
//! the version-neutral backends (`crate::io`, `crate::clocks`,
//! `crate::random`, `crate::cli`, `crate::filesystem`, `crate::sockets`),
//! and the linkers.
//!
//! Layout: `bindings.rs` (the two `bindgen!` flavours), `linker.rs`
//! (`add_to_linker_*`), and one file per package: `io/` (`error`, `poll`,
//! `streams`), `observe.rs` (call events), `clocks.rs`, `random.rs`, `cli.rs`, `filesystem/` (`types`,
//! its sync flavour `types_sync`, the `calls` both convert around,
//! `convert`, `preopens`), `sockets/` (`network`, `tcp`, `udp` and its sync
//! flavour `udp_sync`, `ip_name_lookup`, and `convert`, where the 0.2
//! socket types meet the backends' own).

pub mod bindings;
mod cli;
mod clocks;
mod filesystem;
mod io;
mod linker;
mod observe;
mod random;
mod sockets;

pub use filesystem::{FsError, FsResult};
pub use io::WasiIoCtxView;
pub use linker::{
    add_to_linker_async, add_to_linker_proxy_interfaces_async, add_to_linker_proxy_interfaces_sync,
    add_to_linker_sync, add_to_linker_with_options_async, add_to_linker_with_options_sync,
};
pub use sockets::{SocketError, SocketResult};

// The stream, pollable and error items under the names wasmtime-wasi 48's
// `p2` module gives them: the traits an embedder implements (`InputStream`,
// `OutputStream`, `Pollable`) and the boxed resources the guest holds
// (`DynInputStream`, `DynOutputStream`, `DynPollable`).
pub use crate::cli::IsATTY;
pub use crate::io::pipe;
pub use crate::io::{
    HostInputStream as InputStream, HostOutputStream as OutputStream, IoError,
    Pollable as DynPollable, StreamError, StreamResult, Subscribe as Pollable, subscribe,
};

/// A guest's input stream: any [`InputStream`] in a box.
pub type DynInputStream = Box<dyn InputStream>;
/// A guest's output stream: any [`OutputStream`] in a box.
pub type DynOutputStream = Box<dyn OutputStream>;
