//! `wasi-host`: a sandboxed WASI host for wasmtime.
//!
//! An embedder puts a [`WasiCtx`] (built with [`WasiCtxBuilder`]) and a
//! [`ResourceTable`] into its store data, implements [`WasiView`] for it,
//! adds the WASI functions to a linker with [`add_to_linker_sync`] or
//! [`add_to_linker_async`], and runs the guest. Nothing is granted unless
//! the builder says so.
//!
//! ```no_run
//! use wasi_host::{ResourceTable, WasiCtx, WasiCtxBuilder, WasiView};
//! use wasmtime::component::{Component, Linker};
//! use wasmtime::{Engine, Store};
//!
//! struct State { ctx: WasiCtx, table: ResourceTable }
//! impl WasiView for State {
//!     fn table(&mut self) -> &mut ResourceTable { &mut self.table }
//!     fn ctx(&mut self) -> &mut WasiCtx { &mut self.ctx }
//! }
//!
//! # fn main() -> wasmtime::Result<()> {
//! let engine = Engine::default();
//! let mut linker = Linker::<State>::new(&engine);
//! wasi_host::add_to_linker_sync(&mut linker)?;
//! let ctx = WasiCtxBuilder::new().inherit_stdio().arg("guest").build();
//! let mut store = Store::new(&engine, State { ctx, table: ResourceTable::new() });
//! let component = Component::from_file(&engine, "guest.wasm")?;
//! let command = wasi_host::bindings::sync::Command::instantiate(&mut store, &component, &linker)?;
//! let _ = command.wasi_cli_run().call_run(&mut store)?;
//! # Ok(())
//! # }
//! ```

pub mod bindings;
pub mod cli;
pub mod clocks;
mod ctx;
mod error;
pub mod filesystem;
pub mod io;
mod linker;
pub mod preview0;
pub mod preview1;
pub mod random;
pub mod runtime;
pub mod sockets;
mod view;

pub use cli::{
    AsyncStdinStream, AsyncStdoutStream, IsATTY, OutputFile, StdinStream, StdoutStream, stderr,
    stdin, stdout,
};
pub use clocks::{HostMonotonicClock, HostWallClock};
pub use ctx::{WasiCtx, WasiCtxBuilder};
pub use error::{I32Exit, TrappableError};
pub use filesystem::{DirPerms, FilePerms, FsError, FsResult};
pub use io::{
    HostInputStream, HostOutputStream, InputStream, OutputStream, Pollable, StreamError,
    StreamResult, Subscribe, pipe, subscribe,
};
pub use linker::{
    add_to_linker_async, add_to_linker_proxy_interfaces_async, add_to_linker_proxy_interfaces_sync,
    add_to_linker_sync,
};
pub use random::{Deterministic, thread_rng};
pub use sockets::{SocketAddrUse, SocketError, SocketResult};
pub use view::{WasiImpl, WasiView};

pub use async_trait::async_trait;
pub use cap_rand::RngCore;
pub use fs_set_times::SystemTimeSpec;
pub use wasmtime::component::{ResourceTable, ResourceTableError};
