//! An embedding written for wasmtime-wasi 48, unchanged but for the crate
//! name (the `use` line below): a command component run synchronously, with
//! its stdout captured in a pipe, a read-write and a read-only preopen, and
//! a socket policy. Built by `cargo test` (it is an example of the
//! `examples` workspace member), so it keeps compiling.
//!
//! `cargo run --release --example wasmtime_wasi_48_p2_sync [-- FILE.wasm]`

use wasi_host as wasmtime_wasi;

use std::net::SocketAddr;
use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Result, Store};
use wasmtime_wasi::p2::bindings::sync::Command;
use wasmtime_wasi::p2::pipe::MemoryOutputPipe;
use wasmtime_wasi::sockets::SocketAddrUse;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtx, WasiCtxView, WasiView};

struct MyState {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for MyState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

fn main() -> Result<()> {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/demo.wasm");
    let path = std::env::args().nth(1).unwrap_or_else(|| demo.to_owned());

    let engine = Engine::default();
    let mut linker = Linker::<MyState>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;

    let scratch = std::env::temp_dir().join("wasmtime-wasi-48-p2-sync");
    std::fs::create_dir_all(&scratch)?;
    let stdout = MemoryOutputPipe::new(1 << 20);
    let mut builder = WasiCtx::builder();
    builder
        .arg("guest")
        .env("GREETING", "hello")
        .stdout(stdout.clone())
        .inherit_stderr()
        .preopened_dir(&scratch, "/scratch", FsPerms::ReadWrite)?
        .preopened_dir(env!("CARGO_MANIFEST_DIR"), "/examples", FsPerms::ReadOnly)?;
    // Loopback only, and never a privileged port.
    builder
        .socket_addr_check(|addr: SocketAddr, use_: SocketAddrUse| {
            Box::pin(async move {
                let privileged = matches!(use_, SocketAddrUse::TcpBind | SocketAddrUse::UdpBind)
                    && addr.port() != 0
                    && addr.port() < 1024;
                addr.ip().is_loopback() && !privileged
            })
        })
        .allow_tcp(true)
        .allow_udp(true);
    let state = MyState {
        ctx: builder.build(),
        table: ResourceTable::new(),
    };
    let mut store = Store::new(&engine, state);

    let component = Component::from_file(&engine, &path)?;
    let command = Command::instantiate(&mut store, &component, &linker)?;
    let code = match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => 0,
        Ok(Err(())) => 1,
        Err(e) => e.downcast_ref::<I32Exit>().map(|e| e.0).ok_or(e)?,
    };
    print!("{}", String::from_utf8_lossy(&stdout.contents()));
    println!("(the guest exited with {code})");
    Ok(())
}
