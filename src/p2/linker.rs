//! Adding the WASI functions to a component linker.

use crate::bindings;
use crate::view::HasWasi;
use crate::{WasiImpl, WasiView};
use wasmtime::component::Linker;

fn get<T: WasiView>(t: &mut T) -> WasiImpl<&mut T> {
    WasiImpl(t)
}

/// Adds every WASI 0.2 interface, in the async flavour: run the guest with
/// `call_async` on a tokio runtime.
pub fn add_to_linker_async<T: WasiView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    add_to_linker_proxy_interfaces_async(linker)?;
    add_shared_interfaces(linker)?;
    bindings::filesystem::types::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    bindings::sockets::udp::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    Ok(())
}

/// Adds every WASI 0.2 interface, in the sync flavour: run the guest with
/// plain calls from any thread.
pub fn add_to_linker_sync<T: WasiView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    add_to_linker_proxy_interfaces_sync(linker)?;
    add_shared_interfaces(linker)?;
    bindings::sync::filesystem::types::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    bindings::sync::sockets::udp::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    Ok(())
}

/// Adds the interfaces of the proxy world (io, clocks, random, and cli
/// stdio), in the async flavour.
pub fn add_to_linker_proxy_interfaces_async<T: WasiView + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    use bindings::io::{poll, streams};
    poll::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    streams::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    add_proxy_shared(linker)
}

/// Adds the interfaces of the proxy world (io, clocks, random, and cli
/// stdio), in the sync flavour.
pub fn add_to_linker_proxy_interfaces_sync<T: WasiView + 'static>(
    linker: &mut Linker<T>,
) -> wasmtime::Result<()> {
    use bindings::sync::io::{poll, streams};
    poll::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    streams::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    add_proxy_shared(linker)
}

/// The proxy interfaces that are the same in both flavours.
fn add_proxy_shared<T: WasiView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    use bindings::cli::{stderr, stdin, stdout};
    use bindings::clocks::{monotonic_clock, wall_clock};
    use bindings::io::error;
    use bindings::random::{insecure, insecure_seed, random};
    error::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    wall_clock::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    monotonic_clock::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    random::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    insecure::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    insecure_seed::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    stdin::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    stdout::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    stderr::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    Ok(())
}

/// The command-world interfaces beyond the proxy world that are the same in
/// both flavours.
fn add_shared_interfaces<T: WasiView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    use bindings::cli::{
        environment, exit, terminal_input, terminal_output, terminal_stderr, terminal_stdin,
        terminal_stdout,
    };
    bindings::filesystem::preopens::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    environment::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    exit::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    terminal_input::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    terminal_output::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    terminal_stdin::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    terminal_stdout::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    terminal_stderr::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    add_sockets(linker)
}

/// Every `wasi:sockets` interface that is the same in both flavours (all
/// but `udp`, added by each flavour), including
/// the `@unstable` `network-error-code`: linking a function a guest does
/// not import costs nothing, and one that does import it instantiates.
fn add_sockets<T: WasiView + 'static>(linker: &mut Linker<T>) -> wasmtime::Result<()> {
    use bindings::sockets::{
        instance_network, ip_name_lookup, network, tcp, tcp_create_socket, udp_create_socket,
    };
    let mut network_options = network::LinkOptions::default();
    network_options.network_error_code(true);
    network::add_to_linker::<T, HasWasi<T>>(linker, &network_options, get)?;
    instance_network::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    ip_name_lookup::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    tcp::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    tcp_create_socket::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    udp_create_socket::add_to_linker::<T, HasWasi<T>>(linker, get)?;
    Ok(())
}
