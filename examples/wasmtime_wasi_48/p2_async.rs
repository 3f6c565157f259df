//! An embedding written for wasmtime-wasi 48, unchanged but for the crate
//! name: a command component on tokio, through `CommandPre`, with inherited
//! stdio, the host's arguments and environment and a read-write preopen.
//!
//! `cargo run --release --example wasmtime_wasi_48_p2_async [-- FILE.wasm ARGS...]`

use wasi_host as wasmtime_wasi;

use wasmtime::component::{Component, Linker, ResourceTable};
use wasmtime::{Engine, Result, Store};
use wasmtime_wasi::p2::bindings::CommandPre;
use wasmtime_wasi::{FsPerms, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

#[derive(Default)]
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

#[tokio::main]
async fn main() -> Result<()> {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/demo.wasm").to_owned();
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        args.push(demo);
    }

    let engine = Engine::default();
    let mut linker = Linker::<MyState>::new(&engine);
    wasmtime_wasi::p2::add_to_linker_async(&mut linker)?;

    let component = Component::from_file(&engine, &args[0])?;
    let pre = CommandPre::new(linker.instantiate_pre(&component)?)?;

    let mut builder = WasiCtxBuilder::new();
    builder.inherit_stdio().inherit_env().args(&args);
    builder.preopened_dir(".", ".", FsPerms::ReadWrite)?;
    let state = MyState {
        ctx: builder.build(),
        ..MyState::default()
    };
    let mut store = Store::new(&engine, state);

    let command = pre.instantiate_async(&mut store).await?;
    match command.wasi_cli_run().call_run(&mut store).await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(())) => std::process::exit(1),
        Err(e) => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => std::process::exit(exit.0),
            None => Err(e),
        },
    }
}
