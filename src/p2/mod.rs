//! The WASI 0.2 front-end: the component bindings generated from `wit/`,
//! the `Host` trait implementations that turn each 0.2 call into a call of
//! the version-neutral backends (`crate::io`, `crate::clocks`,
//! `crate::random`, `crate::cli`, `crate::filesystem`, `crate::sockets`),
//! and the linkers.
//!
//! Layout: `bindings.rs` (the two `bindgen!` flavours), `linker.rs`
//! (`add_to_linker_*`), and one file per package: `io/` (`error`, `poll`,
//! `streams`), `clocks.rs`, `random.rs`, `cli.rs`, `filesystem/` (`types`,
//! its sync flavour `types_sync`, the `calls` both convert around,
//! `convert`, `preopens`), `sockets/` (`network`,
//! `tcp`, `udp` and its sync flavour `udp_sync`, `ip_name_lookup`).

pub mod bindings;
mod cli;
mod clocks;
mod filesystem;
mod io;
mod linker;
mod random;
mod sockets;

pub use filesystem::{FsError, FsResult};
pub use linker::{
    add_to_linker_async, add_to_linker_proxy_interfaces_async, add_to_linker_proxy_interfaces_sync,
    add_to_linker_sync,
};
