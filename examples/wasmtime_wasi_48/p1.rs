//! An embedding written for wasmtime-wasi 48, unchanged but for the crate
//! name: a preview 1 core module (`_start`) with a preopen, through the
//! sync linker and through the async one on tokio (preview 0's
//! `wasi_unstable` linked beside).
//!
//! `cargo run --release --example wasmtime_wasi_48_p1 -- FILE.wasm [ARGS...]`

use wasi_host as wasmtime_wasi;

use wasmtime::{Engine, Linker, Module, Result, Store};
use wasmtime_wasi::p1::{self, WasiP1Ctx};
use wasmtime_wasi::p2::pipe::MemoryInputPipe;
use wasmtime_wasi::{FsPerms, I32Exit, WasiCtxBuilder, WasiView};

struct MyState {
    wasi: WasiP1Ctx,
}

fn context(args: &[String]) -> Result<WasiP1Ctx> {
    let mut builder = WasiCtxBuilder::new();
    builder
        .inherit_stdout()
        .inherit_stderr()
        .stdin(MemoryInputPipe::new("input for the guest\n"))
        .args(args)
        .preopened_dir(".", ".", FsPerms::ReadOnly)?;
    let mut wasi = builder.build_p1();
    // The context's table, through WasiView, as in wasmtime-wasi.
    wasi.ctx().table.set_max_capacity(1000);
    Ok(wasi)
}

fn exit_code(result: Result<()>) -> Result<i32> {
    match result {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(exit) => Ok(exit.0),
            None => Err(e),
        },
    }
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = args.first() else {
        eprintln!("usage: wasmtime_wasi_48_p1 FILE.wasm [ARGS...]");
        return Ok(());
    };
    let engine = Engine::default();
    let module = Module::from_file(&engine, path)?;

    // Synchronously.
    let mut linker: Linker<MyState> = Linker::new(&engine);
    p1::add_to_linker_sync(&mut linker, |t| &mut t.wasi)?;
    wasmtime_wasi::p0::add_to_linker_sync(&mut linker, |t| &mut t.wasi)?;
    let mut store = Store::new(
        &engine,
        MyState {
            wasi: context(&args)?,
        },
    );
    let instance = linker.instantiate(&mut store, &module)?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    println!("sync: exit {}", exit_code(start.call(&mut store, ()))?);

    // On tokio.
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let mut linker: Linker<WasiP1Ctx> = Linker::new(&engine);
        p1::add_to_linker_async(&mut linker, |t| t)?;
        let pre = linker.instantiate_pre(&module)?;
        let mut store = Store::new(&engine, context(&args)?);
        let instance = pre.instantiate_async(&mut store).await?;
        let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
        println!(
            "async: exit {}",
            exit_code(start.call_async(&mut store, ()).await)?
        );
        Ok(())
    })
}
