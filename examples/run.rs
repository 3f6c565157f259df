//! Runs a WASI 0.2 command component, or a core module importing WASI
//! preview 1 (`wasi_snapshot_preview1`) or preview 0 (`wasi_unstable`),
//! with `wasi-host`.
//!
//! ```text
//! cargo run --release --example run -- [OPTIONS] [FILE.wasm [ARGS...]]
//!
//!   --dir HOST[::GUEST][:ro]   grant the host directory HOST to the guest as
//!                              GUEST (default: the same path); `:ro` makes it
//!                              read-only
//!   --env KEY=VALUE            set an environment variable of the guest
//!   --async                    run with `add_to_linker_async` on tokio
//!                              (default: `add_to_linker_sync`, no runtime)
//! ```
//!
//! The guest inherits this process's stdin, stdout and stderr, gets
//! `FILE.wasm ARGS...` as its arguments, and nothing else (no inherited
//! environment, no network). Without a FILE, a bundled demo runs: the program
//! in `examples/demo/`, committed prebuilt as `examples/demo/demo.wasm`
//! (see `examples/demo/Cargo.toml` for how to rebuild it).
//!
//! Exit status: the guest's own (`0` when `run` returns `ok`, `1` when it
//! returns `err`, `N` when it calls `exit` with code `N`); `134` (128 +
//! SIGABRT, as a native program that aborts) when the guest traps; `2` when
//! the component cannot be loaded or instantiated or the options are wrong.
//! Every host-side failure is one `error: ...` line on stderr.

use std::borrow::Cow;
use std::process::exit;
use wasi_host::{DirPerms, FilePerms, I32Exit, ResourceTable, WasiCtx, WasiCtxBuilder, WasiView};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// The demo guest, built from `examples/demo/`.
static DEMO: &[u8] = include_bytes!("demo/demo.wasm");

/// Exit status for a load, link or usage failure.
const EXIT_SETUP: i32 = 2;
/// Exit status for a guest trap.
const EXIT_TRAP: i32 = 134;

const USAGE: &str =
    "usage: run [--dir HOST[::GUEST][:ro]]... [--env KEY=VALUE]... [--async] [FILE.wasm [ARGS...]]";

/// The store data: what the guest was granted, and its resources.
struct Host {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn table(&mut self) -> &mut ResourceTable {
        &mut self.table
    }
    fn ctx(&mut self) -> &mut WasiCtx {
        &mut self.ctx
    }
}

struct Preopen {
    host: String,
    guest: String,
    read_only: bool,
}

#[derive(Default)]
struct Options {
    dirs: Vec<Preopen>,
    envs: Vec<(String, String)>,
    use_async: bool,
    /// The component and its arguments; empty for the demo.
    command: Vec<String>,
}

fn parse_options() -> Result<Options, String> {
    let mut opts = Options::default();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        // `--opt=value` and `--opt value` both work.
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match name.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                exit(0);
            }
            "--async" => opts.use_async = true,
            "--dir" => opts.dirs.push(parse_dir(&value()?)?),
            "--env" => {
                let kv = value()?;
                let (key, val) = kv
                    .split_once('=')
                    .ok_or_else(|| format!("--env {kv}: expected KEY=VALUE"))?;
                opts.envs.push((key.to_owned(), val.to_owned()));
            }
            "--" => {
                opts.command.extend(args.by_ref());
                break;
            }
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ => {
                opts.command.push(arg);
                opts.command.extend(args.by_ref());
                break;
            }
        }
    }
    Ok(opts)
}

/// `HOST[::GUEST][:ro]`.
fn parse_dir(spec: &str) -> Result<Preopen, String> {
    let (rest, read_only) = match spec.strip_suffix(":ro") {
        Some(rest) => (rest, true),
        None => (spec, false),
    };
    let (host, guest) = rest.split_once("::").unwrap_or((rest, rest));
    if host.is_empty() || guest.is_empty() {
        return Err(format!("--dir {spec}: expected HOST[::GUEST][:ro]"));
    }
    Ok(Preopen {
        host: host.to_owned(),
        guest: guest.to_owned(),
        read_only,
    })
}

/// Prints one `error:` line and exits.
fn fail(code: i32, msg: impl std::fmt::Display) -> ! {
    eprintln!("error: {msg}");
    exit(code)
}

/// An error and its causes on one line.
fn one_line(err: &wasmtime::Error) -> String {
    if let Some(trap) = err.downcast_ref::<wasmtime::Trap>() {
        return format!("guest trapped: {trap}");
    }
    let mut parts: Vec<String> = Vec::new();
    for cause in err.chain() {
        let text = cause.to_string();
        // Skip the multi-line wasm backtrace that wasmtime attaches.
        if !text.starts_with("error while executing at wasm backtrace") {
            parts.push(text.replace('\n', " "));
        }
    }
    parts.join(": ")
}

fn build_ctx(opts: &Options, argv: &[String]) -> wasmtime::Result<WasiCtx> {
    Ok(ctx_builder(opts, argv)?.build())
}

/// The builder of the guest's context: stdio, arguments, environment and
/// preopens, the same for a component and a core module.
fn ctx_builder(opts: &Options, argv: &[String]) -> wasmtime::Result<WasiCtxBuilder> {
    let mut builder = WasiCtxBuilder::new();
    builder.inherit_stdio().args(argv).envs(&opts.envs);
    for dir in &opts.dirs {
        let (dir_perms, file_perms) = if dir.read_only {
            (DirPerms::READ, FilePerms::READ)
        } else {
            (DirPerms::all(), FilePerms::all())
        };
        builder.preopened_dir(&dir.host, &dir.guest, dir_perms, file_perms)?;
    }
    Ok(builder)
}

/// What `call_run` gave, or (outer `Err`) why the guest never ran.
type RunResult = wasmtime::Result<wasmtime::Result<Result<(), ()>>>;

fn run_sync(engine: &Engine, component: &Component, ctx: WasiCtx) -> RunResult {
    let mut linker = Linker::new(engine);
    wasi_host::add_to_linker_sync(&mut linker)?;
    let table = ResourceTable::new();
    let mut store = Store::new(engine, Host { ctx, table });
    let command = wasi_host::bindings::sync::Command::instantiate(&mut store, component, &linker)?;
    Ok(command.wasi_cli_run().call_run(&mut store))
}

fn run_async(engine: &Engine, component: &Component, ctx: WasiCtx) -> RunResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut linker = Linker::new(engine);
        wasi_host::add_to_linker_async(&mut linker)?;
        let table = ResourceTable::new();
        let mut store = Store::new(engine, Host { ctx, table });
        let command =
            wasi_host::bindings::Command::instantiate_async(&mut store, component, &linker).await?;
        Ok(command.wasi_cli_run().call_run(&mut store).await)
    })
}

fn main() {
    let mut opts = parse_options().unwrap_or_else(|msg| {
        eprintln!("error: {msg}\n{USAGE}");
        exit(EXIT_SETUP)
    });
    if opts.command.is_empty() {
        opts.envs.push(("WASI_HOST_DEMO".into(), "1".into()));
    }

    let (bytes, argv): (Cow<[u8]>, Vec<String>) = match opts.command.first() {
        None => (
            Cow::Borrowed(DEMO),
            vec!["demo.wasm".into(), "hello".into(), "world".into()],
        ),
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => (Cow::Owned(bytes), opts.command.clone()),
            Err(e) => fail(EXIT_SETUP, format_args!("cannot read {path}: {e}")),
        },
    };
    let name = &argv[0];

    // `\0asm`, then a 16-bit version and a 16-bit layer: layer 0 is a core
    // module, layer 1 a component.
    match bytes.get(..8) {
        Some([0, b'a', b's', b'm', _, _, 1, 0]) => {}
        Some([0, b'a', b's', b'm', _, _, 0, 0]) => run_core_module(&opts, &argv, &bytes),
        _ => fail(EXIT_SETUP, format_args!("{name} is not a WebAssembly file")),
    }

    let engine = Engine::default();
    let component = Component::from_binary(&engine, &bytes).unwrap_or_else(|e| {
        fail(
            EXIT_SETUP,
            format_args!("cannot load {name}: {}", one_line(&e)),
        )
    });
    let ctx = build_ctx(&opts, &argv).unwrap_or_else(|e| fail(EXIT_SETUP, one_line(&e)));

    let result = if opts.use_async {
        run_async(&engine, &component, ctx)
    } else {
        run_sync(&engine, &component, ctx)
    };
    let code = match result {
        Err(e) => fail(
            EXIT_SETUP,
            format_args!("cannot instantiate {name}: {}", one_line(&e)),
        ),
        Ok(Ok(Ok(()))) => 0,
        Ok(Ok(Err(()))) => 1,
        Ok(Err(e)) => match e.downcast_ref::<I32Exit>() {
            Some(I32Exit(code)) => *code,
            None => fail(EXIT_TRAP, one_line(&e)),
        },
    };
    exit(code)
}

/// Runs a core module (WASI preview 1 or preview 0) by calling its
/// `_start`, with the same context as a component would get, and exits
/// with its status: `0` when `_start` returns, `N` for `proc_exit(N)`,
/// `134` for a trap, `2` when it cannot be loaded or instantiated.
fn run_core_module(opts: &Options, argv: &[String], bytes: &[u8]) -> ! {
    use wasi_host::preview1::WasiP1Ctx;
    let name = &argv[0];
    let engine = Engine::default();
    let module = wasmtime::Module::from_binary(&engine, bytes).unwrap_or_else(|e| {
        fail(
            EXIT_SETUP,
            format_args!("cannot load {name}: {}", one_line(&e)),
        )
    });
    let ctx = ctx_builder(opts, argv)
        .map(|mut b| b.build_p1())
        .unwrap_or_else(|e| fail(EXIT_SETUP, one_line(&e)));
    fn get(cx: &mut WasiP1Ctx) -> &mut WasiP1Ctx {
        cx
    }
    let result: wasmtime::Result<wasmtime::Result<()>> = if opts.use_async {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap_or_else(|e| fail(EXIT_SETUP, e));
        runtime.block_on(async {
            let mut linker = wasmtime::Linker::new(&engine);
            wasi_host::preview1::add_to_linker_async(&mut linker, get)?;
            wasi_host::preview0::add_to_linker_async(&mut linker, get)?;
            let mut store = Store::new(&engine, ctx);
            let instance = linker.instantiate_async(&mut store, &module).await?;
            let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
            Ok(start.call_async(&mut store, ()).await)
        })
    } else {
        (|| {
            let mut linker = wasmtime::Linker::new(&engine);
            wasi_host::preview1::add_to_linker_sync(&mut linker, get)?;
            wasi_host::preview0::add_to_linker_sync(&mut linker, get)?;
            let mut store = Store::new(&engine, ctx);
            let instance = linker.instantiate(&mut store, &module)?;
            let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
            Ok(start.call(&mut store, ()))
        })()
    };
    let code = match result {
        Err(e) => fail(
            EXIT_SETUP,
            format_args!("cannot instantiate {name}: {}", one_line(&e)),
        ),
        Ok(Ok(())) => 0,
        Ok(Err(e)) => match e.downcast_ref::<I32Exit>() {
            Some(I32Exit(code)) => *code,
            None => fail(EXIT_TRAP, one_line(&e)),
        },
    };
    exit(code)
}
