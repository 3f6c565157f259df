//! Embedding `wasi-host` in an async (tokio) program: the async linker,
//! `instantiate_async` and `call_run(..).await`, with the host's stdio.
//!
//! `cargo run --release --example embed_async [-- FILE.wasm]` (default: the demo guest).

use wasi_host::{I32Exit, ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

struct State {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

#[tokio::main]
async fn main() -> wasmtime::Result<()> {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/demo.wasm");
    let path = std::env::args().nth(1).unwrap_or_else(|| demo.to_owned());

    let engine = Engine::default();
    let component = Component::from_file(&engine, &path)?;
    let mut linker = Linker::<State>::new(&engine);
    wasi_host::add_to_linker_async(&mut linker)?;

    // The host's stdio, one argument.
    let ctx = WasiCtxBuilder::new().inherit_stdio().arg("guest").build();
    let table = ResourceTable::new();
    let mut store = Store::new(&engine, State { ctx, table });

    let command =
        wasi_host::bindings::Command::instantiate_async(&mut store, &component, &linker).await?;
    let code = match command.wasi_cli_run().call_run(&mut store).await {
        Ok(Ok(())) => 0,
        Ok(Err(())) => 1,
        Err(e) => e.downcast_ref::<I32Exit>().map(|e| e.0).ok_or(e)?,
    };
    eprintln!("(the guest exited with {code})");
    Ok(())
}
