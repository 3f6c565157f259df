//! Embedding `wasi-host` in a synchronous program: run a command component
//! with its stdout captured in memory.
//!
//! `cargo run --release --example embed_sync [-- FILE.wasm]` (default: the demo guest).

use wasi_host::pipe::MemoryOutputPipe;
use wasi_host::{I32Exit, ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// The store data: the guest's grants and its resource table.
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

fn main() -> wasmtime::Result<()> {
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/demo/demo.wasm");
    let path = std::env::args().nth(1).unwrap_or_else(|| demo.to_owned());

    let engine = Engine::default();
    let component = Component::from_file(&engine, &path)?;
    let mut linker = Linker::<State>::new(&engine);
    wasi_host::add_to_linker_sync(&mut linker)?;

    // Only what is granted here: two arguments, one variable, a 1 MiB stdout.
    let stdout = MemoryOutputPipe::new(1 << 20);
    let ctx = WasiCtxBuilder::new()
        .args(&["guest", "--verbose"])
        .env("GREETING", "hello")
        .stdout(stdout.clone())
        .inherit_stderr()
        .build();
    let table = ResourceTable::new();
    let mut store = Store::new(&engine, State { ctx, table });

    let command = wasi_host::bindings::sync::Command::instantiate(&mut store, &component, &linker)?;
    let code = match command.wasi_cli_run().call_run(&mut store) {
        Ok(Ok(())) => 0,
        Ok(Err(())) => 1,
        // `exit` surfaces as an error carrying the code; anything else is a trap.
        Err(e) => e.downcast_ref::<I32Exit>().map(|e| e.0).ok_or(e)?,
    };

    println!("{}", String::from_utf8_lossy(&stdout.contents()));
    println!("(the guest exited with {code})");
    Ok(())
}
