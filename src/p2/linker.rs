//! Adding the WASI 0.2 functions to a component linker: every interface of
//! the `wasi:cli/command` world, in the async or the sync flavour, each
//! package through its own view of the store's context
//! ([`crate::cli::WasiCli`], ...; `wasi:io` through the table and the
//! monotonic clock).

use super::bindings::{self, LinkOptions};
use super::io::{WasiIo, WasiIoTable, io_table, io_view};
use crate::WasiView;
use crate::cli::{WasiCli, WasiCliView};
use crate::clocks::{WasiClocks, WasiClocksView};
use crate::filesystem::{WasiFilesystem, WasiFilesystemView};
use crate::random::{WasiRandom, WasiRandomView};
use crate::sockets::{WasiSockets, WasiSocketsView};
use wasmtime::component::Linker;

/// Adds every WASI 0.2 interface, in the async flavour: run the guest with
/// `call_async` on a tokio runtime. The `@unstable` functions are left out
/// (see [`add_to_linker_with_options_async`]).
pub fn add_to_linker_async<T: WasiView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    add_to_linker_with_options_async(linker, &LinkOptions::default())
}

/// [`add_to_linker_async`], with the `@unstable` functions `options`
/// enables (`network-error-code`).
pub fn add_to_linker_with_options_async<T: WasiView + 'static>(
    linker: &mut Linker<T>,
    options: &LinkOptions,
) -> wasmtime::Result<()> {
    add_to_linker_proxy_interfaces_async(linker)?;
    add_shared_interfaces(linker, &options.into())?;
    bindings::filesystem::types::add_to_linker::<T, WasiFilesystem>(linker, T::filesystem)?;
    bindings::sockets::udp::add_to_linker::<T, WasiSockets>(linker, T::sockets)?;
    Ok(())
}

/// Adds every WASI 0.2 interface, in the sync flavour: run the guest with
/// plain calls from any thread. The `@unstable` functions are left out
/// (see [`add_to_linker_with_options_sync`]).
pub fn add_to_linker_sync<T: WasiView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    add_to_linker_with_options_sync(linker, &bindings::sync::LinkOptions::default())
}

/// [`add_to_linker_sync`], with the `@unstable` functions `options`
/// enables (`network-error-code`).
pub fn add_to_linker_with_options_sync<T: WasiView + 'static>(
    linker: &mut Linker<T>,
    options: &bindings::sync::LinkOptions,
) -> wasmtime::Result<()> {
    add_to_linker_proxy_interfaces_sync(linker)?;
    add_shared_interfaces(linker, &options.into())?;
    bindings::sync::filesystem::types::add_to_linker::<T, WasiFilesystem>(linker, T::filesystem)?;
    bindings::sync::sockets::udp::add_to_linker::<T, WasiSockets>(linker, T::sockets)?;
    Ok(())
}

/// Adds the interfaces of the proxy world (io, clocks, random, and cli
/// stdio), in the async flavour.
pub fn add_to_linker_proxy_interfaces_async<T: WasiView + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    use bindings::io::{poll, streams};
    poll::add_to_linker::<T, WasiIo>(linker, io_view)?;
    streams::add_to_linker::<T, WasiIoTable>(linker, io_table)?;
    add_proxy_shared(linker)
}

/// Adds the interfaces of the proxy world (io, clocks, random, and cli
/// stdio), in the sync flavour.
pub fn add_to_linker_proxy_interfaces_sync<T: WasiView + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    use bindings::sync::io::{poll, streams};
    poll::add_to_linker::<T, WasiIo>(linker, io_view)?;
    streams::add_to_linker::<T, WasiIoTable>(linker, io_table)?;
    add_proxy_shared(linker)
}

/// The proxy interfaces that are the same in both flavours.
fn add_proxy_shared<T: WasiView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    use bindings::cli::{stderr, stdin, stdout};
    use bindings::clocks::{monotonic_clock, wall_clock};
    use bindings::io::error;
    use bindings::random::{insecure, insecure_seed, random};
    error::add_to_linker::<T, WasiIoTable>(linker, io_table)?;
    wall_clock::add_to_linker::<T, WasiClocks>(linker, T::clocks)?;
    monotonic_clock::add_to_linker::<T, WasiClocks>(linker, T::clocks)?;
    random::add_to_linker::<T, WasiRandom>(linker, T::random)?;
    insecure::add_to_linker::<T, WasiRandom>(linker, T::random)?;
    insecure_seed::add_to_linker::<T, WasiRandom>(linker, T::random)?;
    stdin::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    stdout::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    stderr::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    Ok(())
}

/// The command-world interfaces beyond the proxy world that are the same in
/// both flavours.
fn add_shared_interfaces<T: WasiView + 'static>(
    linker: &mut Linker<T>,
    network: &bindings::sockets::network::LinkOptions,
) -> wasmtime::Result<()> {
    use bindings::cli::{
        environment, exit, terminal_input, terminal_output, terminal_stderr, terminal_stdin,
        terminal_stdout,
    };
    bindings::filesystem::preopens::add_to_linker::<T, WasiFilesystem>(linker, T::filesystem)?;
    environment::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    exit::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    terminal_input::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    terminal_output::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    terminal_stdin::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    terminal_stdout::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    terminal_stderr::add_to_linker::<T, WasiCli>(linker, T::cli)?;
    add_sockets(linker, network)
}

/// Every `wasi:sockets` interface that is the same in both flavours (all
/// but `udp`, added by each flavour); the `@unstable`
/// `network-error-code` only when `network` enables it.
fn add_sockets<T: WasiView + 'static>(
    linker: &mut Linker<T>,
    network_options: &bindings::sockets::network::LinkOptions,
) -> wasmtime::Result<()> {
    use bindings::sockets::{
        instance_network, ip_name_lookup, network, tcp, tcp_create_socket, udp_create_socket,
    };
    network::add_to_linker::<T, WasiSockets>(linker, network_options, T::sockets)?;
    instance_network::add_to_linker::<T, WasiSockets>(linker, T::sockets)?;
    ip_name_lookup::add_to_linker::<T, WasiSockets>(linker, T::sockets)?;
    tcp::add_to_linker::<T, WasiSockets>(linker, T::sockets)?;
    tcp_create_socket::add_to_linker::<T, WasiSockets>(linker, T::sockets)?;
    udp_create_socket::add_to_linker::<T, WasiSockets>(linker, T::sockets)?;
    Ok(())
}
