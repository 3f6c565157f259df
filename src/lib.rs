//! `wasi-host`: a sandboxed WASI host for wasmtime.
//!
//! It runs WebAssembly components built for WASI 0.2 (such as Rust programs
//! compiled for `wasm32-wasip2`) on [wasmtime](https://wasmtime.dev) 48,
//! giving them exactly the arguments, environment, stdio, directories and
//! network that the embedder grants, and nothing else.
//!
//! # Depending on it
//!
//! ```toml
//! [dependencies]
//! wasi-host = { git = "<this repository>" }   # or { path = "..." }
//! wasmtime = "48"
//! ```
//!
//! `wasi-host` asks wasmtime only for what it uses itself (`runtime`, `std`,
//! `component-model`, `async`), with its default features off, so the
//! embedder decides the rest. `wasmtime = "48"` turns on wasmtime's defaults
//! (Cranelift and much more); a leaner build that can still compile and run
//! components is
//! `wasmtime = { version = "48", default-features = false, features = ["cranelift"] }`.
//!
//! # Running a command component
//!
//! An embedder puts a [`WasiCtx`] (built with [`WasiCtxBuilder`]) and a
//! [`ResourceTable`] into its store data, implements [`WasiView`] for it,
//! adds the WASI functions to a component linker with [`add_to_linker_sync`]
//! or [`add_to_linker_async`], instantiates the component as a
//! [`bindings::sync::Command`] or [`bindings::Command`] and calls its `run`
//! export.
//!
//! A guest that calls `exit` (Rust's `std::process::exit`, among others)
//! ends with an [`I32Exit`] error carrying the exit status: that is a normal
//! end, not a failure, so look for it before treating the error as a trap.
//!
//! ```no_run
//! use wasi_host::{I32Exit, ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
//! use wasmtime::component::{Component, Linker};
//! use wasmtime::{Engine, Store};
//!
//! struct State {
//!     ctx: WasiCtx,
//!     table: ResourceTable,
//! }
//!
//! impl WasiView for State {
//!     fn ctx(&mut self) -> WasiCtxView<'_> {
//!         WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
//!     }
//! }
//!
//! /// The exit status of a finished `run` call; `Err` only for a trap.
//! fn exit_status(result: wasmtime::Result<Result<(), ()>>) -> wasmtime::Result<i32> {
//!     match result {
//!         Ok(Ok(())) => Ok(0),
//!         Ok(Err(())) => Ok(1),
//!         Err(e) => match e.downcast_ref::<I32Exit>() {
//!             Some(exit) => Ok(exit.0),
//!             None => Err(e),
//!         },
//!     }
//! }
//!
//! fn main() -> wasmtime::Result<()> {
//!     let engine = Engine::default();
//!     let mut linker = Linker::<State>::new(&engine);
//!     wasi_host::add_to_linker_sync(&mut linker)?;
//!
//!     // The guest gets its stdio, one argument and nothing else.
//!     let ctx = WasiCtxBuilder::new().inherit_stdio().arg("guest").build();
//!     let mut store = Store::new(&engine, State { ctx, table: ResourceTable::new() });
//!
//!     let component = Component::from_file(&engine, "guest.wasm")?;
//!     let command = wasi_host::bindings::sync::Command::instantiate(&mut store, &component, &linker)?;
//!     let status = exit_status(command.wasi_cli_run().call_run(&mut store))?;
//!     println!("the guest ended with status {status}");
//!     Ok(())
//! }
//! ```
//!
//! The same on tokio, with the async linker: functions that wait (polling,
//! blocking stream calls, the filesystem) then yield to the runtime instead
//! of blocking its thread.
//!
//! ```no_run
//! # use wasi_host::{I32Exit, ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
//! # use wasmtime::component::{Component, Linker};
//! # use wasmtime::{Engine, Store};
//! # struct State { ctx: WasiCtx, table: ResourceTable }
//! # impl WasiView for State {
//! #     fn ctx(&mut self) -> WasiCtxView<'_> {
//! #         WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
//! #     }
//! # }
//! #[tokio::main]
//! async fn main() -> wasmtime::Result<()> {
//!     let engine = Engine::default();
//!     let mut linker = Linker::<State>::new(&engine);
//!     wasi_host::add_to_linker_async(&mut linker)?;
//!
//!     let ctx = WasiCtxBuilder::new().inherit_stdio().arg("guest").build();
//!     let mut store = Store::new(&engine, State { ctx, table: ResourceTable::new() });
//!
//!     let component = Component::from_file(&engine, "guest.wasm")?;
//!     let command =
//!         wasi_host::bindings::Command::instantiate_async(&mut store, &component, &linker).await?;
//!     let status = match command.wasi_cli_run().call_run(&mut store).await {
//!         Ok(Ok(())) => 0,
//!         Ok(Err(())) => 1,
//!         Err(e) => e.downcast_ref::<I32Exit>().map(|exit| exit.0).ok_or(e)?,
//!     };
//!     println!("the guest ended with status {status}");
//!     Ok(())
//! }
//! ```
//!
//! # Where a guest comes from
//!
//! Any Rust program becomes a command component with
//!
//! ```sh
//! rustup target add wasm32-wasip2
//! cargo build --release --target wasm32-wasip2
//! ```
//!
//! which writes `target/wasm32-wasip2/release/NAME.wasm`. Other toolchains
//! that target WASI 0.2 (wasi-sdk for C, TinyGo, componentize-py, ...) work
//! the same way. The repository's `run` example
//! (`cargo run --release --example run -- FILE.wasm ARGS...`) runs such a
//! file from the command line.
//!
//! # Core modules (WASI preview 1 and preview 0)
//!
//! A core module that imports `wasi_snapshot_preview1` (every
//! `wasm32-wasip1` build: `cargo build --release --target wasm32-wasip1`,
//! C through wasi-sdk, TinyGo, Zig, ...) or the older `wasi_unstable` runs
//! through [`preview1`] and [`preview0`], on the same backends as
//! components. Its store data is (or holds) a [`preview1::WasiP1Ctx`],
//! made by [`WasiCtxBuilder::build_p1`]; the guest's `proc_exit(N)` ends
//! the `_start` call with an [`I32Exit`] error carrying `N`.
//!
//! ```no_run
//! use wasi_host::I32Exit;
//! use wasi_host::preview1::{self, WasiP1Ctx};
//! use wasi_host::WasiCtxBuilder;
//! use wasmtime::{Engine, Linker, Module, Store};
//!
//! fn main() -> wasmtime::Result<()> {
//!     let engine = Engine::default();
//!     let mut linker = Linker::<WasiP1Ctx>::new(&engine);
//!     preview1::add_to_linker_sync(&mut linker, |ctx| ctx)?;
//!     wasi_host::preview0::add_to_linker_sync(&mut linker, |ctx| ctx)?;
//!
//!     let ctx = WasiCtxBuilder::new().inherit_stdio().arg("guest").build_p1();
//!     let mut store = Store::new(&engine, ctx);
//!     let module = Module::from_file(&engine, "guest.wasm")?;
//!     let instance = linker.instantiate(&mut store, &module)?;
//!     let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
//!     let status = match start.call(&mut store, ()) {
//!         Ok(()) => 0,
//!         Err(e) => e.downcast_ref::<I32Exit>().map(|exit| exit.0).ok_or(e)?,
//!     };
//!     println!("the guest ended with status {status}");
//!     Ok(())
//! }
//! ```
//!
//! The async flavour is [`preview1::add_to_linker_async`], with
//! `instantiate_async` and `call_async`.
//!
//! # Where to look next
//!
//! * [`WasiCtxBuilder`]: everything a guest can be granted (arguments,
//!   environment, stdio, [preopened directories](WasiCtxBuilder::preopened_dir),
//!   clocks, random sources, network policy).
//! * [`bindings`]: the generated WASI 0.2 interfaces, with a line on each
//!   function.
//! * [`pipe`]: in-memory stdin and stdout for tests and captured output.
//! * [`observe`]: one event per WASI call, for an embedder's observer or
//!   as JSON lines.

pub mod cli;
pub mod clocks;
mod ctx;
mod error;
pub mod filesystem;
pub mod io;
mod journal;
pub mod limits;
pub mod observe;
pub mod p0;
pub mod p1;
pub mod p2;
#[cfg(feature = "p3")]
pub mod p3;
pub mod random;
pub mod runtime;
pub mod sockets;
mod view;

pub use cli::{
    AsyncStdinStream, AsyncStdoutStream, InputFile, IsATTY, IsTerminal, OutputFile, StdinStream,
    StdoutStream, stderr, stdin, stdout,
};
pub use clocks::{HostMonotonicClock, HostWallClock};
pub use ctx::{WasiCtx, WasiCtxBuilder};
pub use error::{I32Exit, TrappableError};
pub use filesystem::{DEFAULT_MAX_OPEN_FILES, DirPerms, FilePerms, FsPerms};
pub use io::{
    HostInputStream, HostOutputStream, InputStream, OutputStream, Pollable, StreamError,
    StreamResult, Subscribe, pipe, subscribe,
};
pub use limits::{Limits, Usage};
pub use p2::bindings;
pub use p2::{FsError, FsResult, SocketError, SocketResult};
pub use p2::{
    add_to_linker_async, add_to_linker_proxy_interfaces_async, add_to_linker_proxy_interfaces_sync,
    add_to_linker_sync,
};
pub use random::{Deterministic, thread_rng};
pub use sockets::SocketAddrUse;
pub use view::{WasiCtxView, WasiView};

pub use filesystem::vfs;

/// The older name of [`p0`].
pub use p0 as preview0;
/// The older name of [`p1`].
pub use p1 as preview1;

pub use async_trait::async_trait;
pub use cap_fs_ext::SystemTimeSpec;
pub use rand::Rng;
pub use wasmtime::component::{ResourceTable, ResourceTableError};
