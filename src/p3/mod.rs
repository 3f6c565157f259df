//! WASI 0.3 for components: the `wasi:*@0.3.0` interfaces, whose I/O is
//! the component model's own `stream<T>` and `future<T>` and whose waiting
//! calls are `async` functions, on the same backends and the same
//! [`WasiCtx`](crate::WasiCtx) as 0.2 and preview 1 (feature `p3`).
//!
//! The engine needs the component model's async support (on when this
//! feature is: `Config::wasm_component_model_async`), and guests run
//! inside the store's event loop:
//!
//! ```ignore
//! let command = wasi_host::p3::bindings::Command::instantiate_async(&mut store, &component, &linker).await?;
//! let result = store
//!     .run_concurrent(async |store| command.wasi_cli_run().call_run(store).await)
//!     .await??;
//! ```
//!
//! Today's toolchains also import 0.2 interfaces into a 0.3 component:
//! link [`crate::p2::add_to_linker_async`] beside [`add_to_linker`]; both
//! serve one context.
//!
//! Files: `bindings.rs` (the generated bindings), `clocks.rs`,
//! `random.rs`, `cli.rs`, `filesystem/`, `sockets/` (one per package: the
//! host traits on each package's view, calling its backend; each call
//! observed when the context has an observer), `observe.rs` (the call
//! events' macro and compact forms), `stream.rs` (the bridge between the
//! backends' byte streams and `stream<u8>`), this one (the linker).

pub mod bindings;
mod cli;
mod clocks;
mod filesystem;
mod observe;
mod random;
mod sockets;
mod stream;

pub use bindings::LinkOptions;
pub use filesystem::{FsError, FsResult};
pub use sockets::{SocketError, SocketResult, TcpSocket};

use crate::WasiView;
use crate::cli::{WasiCli, WasiCliView};
use crate::clocks::{WasiClocks, WasiClocksView};
use crate::filesystem::{WasiFilesystem, WasiFilesystemView};
use crate::random::{WasiRandom, WasiRandomView};
use crate::sockets::{WasiSockets, WasiSocketsView};
use wasmtime::component::Linker;

/// Adds every WASI 0.3 interface this crate implements to `linker`, the
/// `@unstable` ones left out.
pub fn add_to_linker<T: WasiView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    add_to_linker_with_options(linker, &LinkOptions::default())
}

/// [`add_to_linker`], with the `@unstable` interfaces `options` enables
/// (none is implemented yet: `clocks-timezone` is refused).
pub fn add_to_linker_with_options<T: WasiView + 'static>(
    linker: &mut Linker<T>,
    options: &LinkOptions,
) -> wasmtime::Result<()> {
    let _ = options;
    use bindings::{cli, clocks, filesystem, random, sockets};
    cli::environment::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    cli::exit::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    cli::types::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    cli::stdin::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    cli::stdout::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    cli::stderr::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    cli::terminal_input::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    cli::terminal_output::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    cli::terminal_stdin::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    cli::terminal_stdout::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    cli::terminal_stderr::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    clocks::types::add_to_linker::<T, WasiClocks>(linker, T::clocks)?;
    clocks::monotonic_clock::add_to_linker::<T, WasiClocks>(linker, T::clocks)?;
    clocks::system_clock::add_to_linker::<T, WasiClocks>(linker, T::clocks)?;
    filesystem::types::add_to_linker::<T, WasiFilesystem>(linker, T::filesystem)?;
    filesystem::preopens::add_to_linker::<T, WasiFilesystem>(linker, T::filesystem)?;
    random::random::add_to_linker::<T, WasiRandom>(linker, T::random)?;
    random::insecure::add_to_linker::<T, WasiRandom>(linker, T::random)?;
    random::insecure_seed::add_to_linker::<T, WasiRandom>(linker, T::random)?;
    sockets::types::add_to_linker::<T, WasiSockets>(linker, T::sockets)?;
    sockets::ip_name_lookup::add_to_linker::<T, WasiSockets>(linker, T::sockets)?;
    Ok(())
}
