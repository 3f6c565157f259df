//! The WASI 0.2 front-end: the component bindings generated from `wit/`,
//! the `Host` trait implementations that turn each 0.2 call into a call of
//! the version-neutral backends (`crate::io`, `crate::clocks`,
//! `crate::random`, `crate::cli`, `crate::filesystem`, `crate::sockets`),
//! and the linkers.
//!
//! Layout: `bindings.rs` (the two `bindgen!` flavours), `linker.rs`
//! (`add_to_linker_*`), and one file per package: `io/` (`error`, `poll`,
//! `streams`), `clocks.rs`, `random.rs`, `cli.rs`, `filesystem/` (`types`,
//! its sync flavour `types_sync`, `preopens`), `sockets/` (`network`,
//! `tcp`, `udp` and its sync flavour `udp_sync`, `ip_name_lookup`, and
//! `convert`, where the 0.2 socket types meet the backends' own).

pub mod bindings;
mod cli;
mod clocks;
mod filesystem;
mod io;
mod linker;
mod random;
mod sockets;

pub use linker::{
    add_to_linker_async, add_to_linker_proxy_interfaces_async, add_to_linker_proxy_interfaces_sync,
    add_to_linker_sync,
};
pub use sockets::{SocketError, SocketResult};
