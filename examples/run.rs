//! Runs a WASI program with `wasi-host`, like `wasmtime run` does: a WASI 0.2
//! or 0.3 command component, or a core module importing WASI preview 1
//! (`wasi_snapshot_preview1`) or preview 0 (`wasi_unstable`).
//!
//! `cargo run --release --example run -- --help` prints the usage: the
//! flags, what follows the file, and the exit status (see [`HELP`]).
//!
//! Without a FILE, a bundled demo runs: the program in `examples/demo/`,
//! committed prebuilt as `examples/demo/demo.wasm` (see
//! `examples/demo/Cargo.toml` for how to rebuild it), so the command needs no
//! wasm target installed.
//!
//! The flow: [`parse_options`] reads the command line, [`load`] reads the
//! file (binary or text format) and [`main`] dispatches on its kind, to
//! [`run_component`] for a WASI 0.2 or 0.3 component or [`run_core_module`] for a
//! core module. Every host-side failure is one `error: ...` line on stderr.

use std::borrow::Cow;
use std::process::exit;
use wasi_host::observe::JsonLines;
use wasi_host::{
    DirPerms, FilePerms, FsPerms, I32Exit, ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView,
    WasiView,
};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// The demo guest, built from `examples/demo/`.
static DEMO: &[u8] = include_bytes!("demo/demo.wasm");

/// Exit status for a load, link or usage failure.
const EXIT_SETUP: i32 = 2;
/// Exit status for a guest trap.
const EXIT_TRAP: i32 = 134;

const USAGE: &str = "usage: run [--dir HOST[::GUEST][:ro]]... [--mount-memory GUEST]... \
                     [--overlay HOST::GUEST]... [--file HOST::GUEST]... \
                     [--env NAME[=VALUE]]... [--net] [--deterministic SEED] [--trace FILE] [--record FILE | --replay FILE] [--async] [FILE [ARGS...]]   (run --help for more)";

/// The text of `--help`.
const HELP: &str = "\
run: run a WASI program with wasi-host

usage: run [OPTIONS] [FILE [ARGS...]]

FILE is a WebAssembly command component (a `.wasm` file, such as what
`cargo build --target wasm32-wasip2` produces; WASI 0.2 or 0.3, told
apart by the `wasi:cli/run` it exports), a core module importing WASI
preview 1 or preview 0 (such as what `cargo build --target wasm32-wasip1`
produces, run through its `_start`), or either in text format (`.wat`). Everything after FILE goes to the guest: it sees `FILE ARGS...` as
its arguments. Options must come before FILE (or use `--` to end them).
Without a FILE, a bundled demo program runs.

The guest inherits stdin, stdout and stderr and gets nothing else unless an
option grants it: no environment variables, no directories, no network.

options:
  --dir HOST[::GUEST][:ro]   grant the host directory HOST to the guest, which
                             sees it as GUEST (default: the same path);
                             with `:ro` the guest may only read it.
                             Repeat for several directories.
  --mount-memory GUEST       an empty scratch directory in memory at GUEST
                             (64 MiB, 65,536 entries), thrown away on exit
  --overlay HOST::GUEST      the host directory HOST at GUEST, with the
                             guest's changes kept in memory: HOST is never
                             changed; the changes are listed on stderr on
                             exit (`overlay GUEST: added|modified|removed
                             PATH` lines), then discarded
  --file HOST::GUEST         the host file HOST alone, at GUEST (its parent
                             directory holds only it); the guest may read
                             and write it, not create anything beside it
                             (components and core modules alike see the
                             virtual mounts after the `--dir` directories)
  --env NAME=VALUE           set the guest's environment variable NAME
  --env NAME                 pass the host's NAME to the guest (nothing if
                             the host has no NAME)
  --net                      grant the network: TCP, UDP and name lookups, to
                             and from any address (the same as the four
                             options below together)
  --inherit-network          let the guest bind, connect and listen on any
                             address and accept and exchange datagrams with
                             any peer (without it, every address is refused,
                             except the peers of a --tcplisten listener); it
                             still needs one of the three kinds below
  --allow-tcp                allow TCP sockets
  --allow-udp                allow UDP sockets
  --allow-ip-name-lookup     allow host name lookups
  --tcplisten HOST:PORT      listen on HOST:PORT and give the listening socket
                             to a core module as its descriptor after the
                             directories (what `sock_accept` serves; preview 1
                             has no bind or listen). Repeat for several; core
                             modules only
  --deterministic SEED       make the run a function of its inputs (FILE,
                             ARGS, --env, stdin, the files given) and of
                             SEED (an integer): virtual clocks that start at
                             2022-01-01 and move only when the guest waits
                             (an hour of sleep takes no time), random bytes
                             drawn from SEED, directories listed in name
                             order; a --dir directory keeps its host
                             timestamps and inode numbers (a warning says
                             so): use --mount-memory or --overlay for a fully
                             reproducible tree
  --trace FILE               write one JSON line per WASI call to FILE (`-`:
                             stderr): function, arguments, result or error,
                             start and duration (preview 1, preview 0, 0.2
                             and 0.3)
  --record FILE              write a journal of what the guest receives from
                             outside (clock readings, random values, stdin,
                             how waits ended, hashes of host files read,
                             outcomes of socket calls and lookups, bytes and
                             datagrams received) to FILE
  --replay FILE              run again on the journal FILE holds: the guest
                             gets the same answers and takes the same path,
                             without touching the network; a guest that asks
                             for something else, or a changed host file,
                             stops the run with an error naming the journal
                             line
  --async                    run through the async linker on a tokio runtime
                             (default: the sync linker, no runtime)
  -h, --help                 print this text
  Options take their value as `--opt VALUE` or `--opt=VALUE`.

exit status:
  0     the guest's `run` returned ok, or it called exit(ok)
  1     its `run` returned err, or it called exit(err); a Rust guest for
        wasm32-wasip2 ends here both when `main` returns Err and for
        std::process::exit(N) with any N other than 0 (wasi-libc reports
        every non-zero code as exit(err))
  N     it called wasi:cli/exit.exit-with-code(N) (0..=255, WASI 0.2.12),
        or a core module called proc_exit(N) (a Rust wasm32-wasip1 guest's
        std::process::exit(N) and `main` returning Err (N = 1) end here)
  134   it trapped (a Rust panic is a trap), like a native program that
        aborts (128 + SIGABRT); the trap is one `error:` line on stderr
  2     run itself failed before the guest started (bad option, unreadable
        or invalid file, not a command component, missing import): one
        `error:` line on stderr
  A guest may itself exit with 1, 2 or 134: the `error:` line tells them apart.
";

/// The store data: what the guest was granted, and its resources.
struct Host {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// One `--dir`.
struct Preopen {
    host: String,
    guest: String,
    read_only: bool,
}

/// One virtual mount (`--mount-memory`, `--overlay`, `--file`).
enum VirtualMount {
    Memory(String),
    Overlay { host: String, guest: String },
    File { host: String, guest: String },
}

/// The parsed command line.
#[derive(Default)]
struct Options {
    dirs: Vec<Preopen>,
    mounts: Vec<VirtualMount>,
    envs: Vec<(String, String)>,
    use_async: bool,
    /// `--inherit-network`: every address is allowed, for every use.
    inherit_network: bool,
    /// `--allow-tcp`, `--allow-udp`, `--allow-ip-name-lookup`.
    allow_tcp: bool,
    allow_udp: bool,
    allow_ip_name_lookup: bool,
    /// `--tcplisten`: addresses to listen on for a core module.
    tcp_listen: Vec<String>,
    /// `--deterministic SEED`.
    deterministic: Option<u64>,
    /// `--trace FILE` (`-`: stderr).
    trace: Option<String>,
    /// `--record FILE`.
    record: Option<String>,
    /// `--replay FILE`.
    replay: Option<String>,
    /// The program and its arguments; empty for the demo.
    command: Vec<String>,
}

/// What the command line asks for.
enum Request {
    Help,
    Run(Box<Options>),
}

/// Reads the options (everything before FILE), then FILE and its arguments.
fn parse_options(args: impl IntoIterator<Item = String>) -> Result<Request, String> {
    let mut opts = Options::default();
    let mut args = args.into_iter();
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
            "-h" | "--help" => return Ok(Request::Help),
            "--async" => opts.use_async = true,
            "--trace" => opts.trace = Some(value()?),
            "--record" => opts.record = Some(value()?),
            "--replay" => opts.replay = Some(value()?),
            "--deterministic" => {
                let seed = value()?;
                let seed = seed
                    .parse()
                    .map_err(|_| format!("--deterministic {seed}: expected an integer seed"))?;
                opts.deterministic = Some(seed);
            }
            "--net" => {
                opts.inherit_network = true;
                opts.allow_tcp = true;
                opts.allow_udp = true;
                opts.allow_ip_name_lookup = true;
            }
            "--inherit-network" => opts.inherit_network = true,
            "--allow-tcp" => opts.allow_tcp = true,
            "--allow-udp" => opts.allow_udp = true,
            "--allow-ip-name-lookup" => opts.allow_ip_name_lookup = true,
            "--dir" => opts.dirs.push(parse_dir(&value()?)?),
            "--tcplisten" => opts.tcp_listen.push(value()?),
            "--mount-memory" => opts.mounts.push(VirtualMount::Memory(value()?)),
            "--overlay" => {
                let (host, guest) = parse_host_guest("--overlay", &value()?)?;
                opts.mounts.push(VirtualMount::Overlay { host, guest });
            }
            "--file" => {
                let (host, guest) = parse_host_guest("--file", &value()?)?;
                opts.mounts.push(VirtualMount::File { host, guest });
            }
            "--env" => {
                if let Some(var) = parse_env(&value()?)? {
                    opts.envs.push(var);
                }
            }
            "--" => {
                opts.command.extend(args.by_ref());
                break;
            }
            _ if arg.starts_with('-') && arg.len() > 1 => {
                return Err(format!("unknown option {arg}"));
            }
            _ => {
                opts.command.push(arg);
                opts.command.extend(args.by_ref());
                break;
            }
        }
    }
    if opts.record.is_some() && opts.replay.is_some() {
        return Err("--record and --replay: a run records or replays, not both".to_owned());
    }
    Ok(Request::Run(Box::new(opts)))
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

/// `HOST::GUEST`.
fn parse_host_guest(flag: &str, spec: &str) -> Result<(String, String), String> {
    match spec.split_once("::") {
        Some((host, guest)) if !host.is_empty() && !guest.is_empty() => {
            Ok((host.to_owned(), guest.to_owned()))
        }
        _ => Err(format!("{flag} {spec}: expected HOST::GUEST")),
    }
}

/// The overlays of this run, reported on exit.
static OVERLAYS: std::sync::Mutex<Vec<(String, wasi_host::vfs::Overlay)>> =
    std::sync::Mutex::new(Vec::new());

/// Lists what the guest changed in each overlay, on stderr.
fn report_overlays() {
    use wasi_host::vfs::Change;
    let overlays = OVERLAYS.lock().unwrap_or_else(|p| p.into_inner());
    for (guest, overlay) in overlays.iter() {
        match overlay.changes() {
            Ok(changes) => {
                for change in changes {
                    let (what, path) = match change {
                        Change::Added(p) => ("added", p),
                        Change::Modified(p) => ("modified", p),
                        Change::Removed(p) => ("removed", p),
                    };
                    eprintln!("overlay {guest}: {what} {path}");
                }
            }
            Err(e) => eprintln!("overlay {guest}: cannot compare with the host: {e}"),
        }
    }
}

/// Adds the virtual mounts to `builder`.
fn add_mounts(builder: &mut WasiCtxBuilder, mounts: &[VirtualMount]) -> wasmtime::Result<()> {
    use wasi_host::vfs::{MemoryFs, Mount, Overlay, SingleFile};
    for mount in mounts {
        match mount {
            VirtualMount::Memory(guest) => {
                builder.mount(
                    guest,
                    Mount::memory(MemoryFs::new()),
                    DirPerms::all(),
                    FilePerms::all(),
                );
            }
            VirtualMount::Overlay { host, guest } => {
                let overlay = Overlay::new(host)
                    .map_err(|e| wasmtime::format_err!("--overlay {host}: {e}"))?;
                builder.mount(guest, overlay.mount(), DirPerms::all(), FilePerms::all());
                let mut overlays = OVERLAYS.lock().unwrap_or_else(|p| p.into_inner());
                overlays.push((guest.clone(), overlay));
            }
            VirtualMount::File { host, guest } => {
                let (dir, name) = match guest.trim_end_matches('/').rsplit_once('/') {
                    Some(("", name)) => ("/", name),
                    Some((dir, name)) => (dir, name),
                    None => (".", guest.as_str()),
                };
                let file = SingleFile::open(host, name, true)
                    .map_err(|e| wasmtime::format_err!("--file {host}: {e}"))?;
                builder.mount(
                    dir,
                    Mount::single_file(file),
                    DirPerms::all(),
                    FilePerms::all(),
                );
            }
        }
    }
    Ok(())
}

/// `NAME=VALUE`, or `NAME` alone for the host's value (`None` when the host
/// has no such variable, or its value is not UTF-8).
fn parse_env(spec: &str) -> Result<Option<(String, String)>, String> {
    let (name, value) = match spec.split_once('=') {
        Some((name, value)) => (name, Some(value.to_owned())),
        None => (spec, None),
    };
    if name.is_empty() {
        return Err(format!("--env {spec}: expected NAME=VALUE or NAME"));
    }
    let value = match value {
        Some(value) => value,
        None => match std::env::var(name) {
            Ok(value) => value,
            Err(_) => return Ok(None),
        },
    };
    Ok(Some((name.to_owned(), value)))
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
            parts.push(flatten(&text));
        }
    }
    parts.join(": ")
}

/// Multi-line text as one line.
fn flatten(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// What a file holds.
enum Kind {
    /// A component (WASI 0.2).
    Component,
    /// A core module (WASI preview 1 or preview 0).
    CoreModule,
}

/// The program's bytes in binary format, and its kind.
fn load<'a>(name: &str, bytes: &'a [u8]) -> Result<(Cow<'a, [u8]>, Kind), String> {
    let binary: Cow<'a, [u8]> = if bytes.starts_with(b"\0asm") {
        Cow::Borrowed(bytes)
    } else if looks_like_text(name, bytes) {
        let path = std::path::Path::new(name);
        wat::Parser::new()
            .parse_bytes(Some(path), bytes)
            .map_err(|e| {
                format!(
                    "{name} is not valid WebAssembly text format: {}",
                    flatten(&e.to_string())
                )
            })?
    } else {
        return Err(format!(
            "{name} is not a WebAssembly file (neither binary nor text format)"
        ));
    };
    // `\0asm`, then a 16-bit version and a 16-bit layer: layer 0 is a core
    // module, layer 1 a component.
    let kind = match binary.get(4..8) {
        Some([_, _, 1, 0]) => Kind::Component,
        Some([_, _, 0, 0]) => Kind::CoreModule,
        _ => return Err(format!("{name} is not a WebAssembly file")),
    };
    Ok((binary, kind))
}

/// A `.wat` file, or text whose first token opens a form or a comment.
fn looks_like_text(name: &str, bytes: &[u8]) -> bool {
    if name.ends_with(".wat") {
        return true;
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    matches!(first, Some(b'(' | b';'))
}

fn build_ctx(opts: &Options, argv: &[String]) -> wasmtime::Result<WasiCtx> {
    Ok(ctx_builder(opts, argv)?.build())
}

/// The builder of the guest's context: stdio, arguments, environment,
/// network and preopens, the same for a component and a core module.
fn ctx_builder(opts: &Options, argv: &[String]) -> wasmtime::Result<WasiCtxBuilder> {
    let mut builder = WasiCtxBuilder::new();
    if let Some(seed) = opts.deterministic {
        // First: what follows is granted explicitly.
        builder.deterministic(seed);
        if !opts.dirs.is_empty() {
            eprintln!(
                "warning: --deterministic with --dir: the host directories' timestamps and \
                 inode numbers are the host's (use --mount-memory or --overlay for a fully \
                 reproducible tree)"
            );
        }
    }
    builder.inherit_stdio().args(argv).envs(&opts.envs);
    match opts.trace.as_deref() {
        None => {}
        Some("-") => {
            builder.call_observer(JsonLines::new(std::io::stderr()));
        }
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| wasmtime::format_err!("--trace {path}: {e}"))?;
            builder.call_observer(JsonLines::new(std::io::BufWriter::new(file)));
        }
    }
    if let Some(path) = &opts.record {
        let file = std::fs::File::create(path)
            .map_err(|e| wasmtime::format_err!("--record {path}: {e}"))?;
        builder.record(file);
    }
    if let Some(path) = &opts.replay {
        let file =
            std::fs::File::open(path).map_err(|e| wasmtime::format_err!("--replay {path}: {e}"))?;
        builder.replay(std::io::BufReader::new(file));
    }
    if opts.inherit_network {
        builder.inherit_network();
    }
    builder
        .allow_tcp(opts.allow_tcp)
        .allow_udp(opts.allow_udp)
        .allow_ip_name_lookup(opts.allow_ip_name_lookup);
    for dir in &opts.dirs {
        let perms = if dir.read_only {
            FsPerms::ReadOnly
        } else {
            FsPerms::ReadWrite
        };
        builder.preopened_dir(&dir.host, &dir.guest, perms)?;
    }
    for addr in &opts.tcp_listen {
        let listener = std::net::TcpListener::bind(addr)
            .map_err(|e| wasmtime::format_err!("--tcplisten {addr}: {e}"))?;
        builder.preopened_tcp_listener(listener);
    }
    add_mounts(&mut builder, &opts.mounts)?;
    Ok(builder)
}

/// What `call_run` gave, or (outer `Err`) why the guest never ran.
type RunResult = wasmtime::Result<wasmtime::Result<Result<(), ()>>>;

fn run_sync(engine: &Engine, component: &Component, ctx: WasiCtx) -> RunResult {
    let mut linker = Linker::new(engine);
    // `run` links every function it has, the unstable `network-error-code`
    // too (what `wasmtime run -Snetwork-error-code` does).
    let mut options = wasi_host::bindings::sync::LinkOptions::default();
    options.network_error_code(true);
    wasi_host::p2::add_to_linker_with_options_sync(&mut linker, &options)?;
    let table = ResourceTable::new();
    let mut store = Store::new(engine, Host { ctx, table });
    let command = wasi_host::bindings::sync::Command::instantiate(&mut store, component, &linker)?;
    Ok(command.wasi_cli_run().call_run(&mut store))
}

/// A linker with every WASI 0.2 function, async, `network-error-code`
/// included.
fn p2_async_linker(engine: &Engine) -> wasmtime::Result<Linker<Host>> {
    let mut linker = Linker::new(engine);
    let mut options = wasi_host::bindings::LinkOptions::default();
    options.network_error_code(true);
    wasi_host::p2::add_to_linker_with_options_async(&mut linker, &options)?;
    Ok(linker)
}

fn run_async(engine: &Engine, component: &Component, ctx: WasiCtx) -> RunResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let linker = p2_async_linker(engine)?;
        let table = ResourceTable::new();
        let mut store = Store::new(engine, Host { ctx, table });
        let command =
            wasi_host::bindings::Command::instantiate_async(&mut store, component, &linker).await?;
        Ok(command.wasi_cli_run().call_run(&mut store).await)
    })
}

/// A WASI 0.3 command: the 0.2 and 0.3 functions in one linker (today's
/// toolchains import both), run inside the store's event loop on a
/// multi-thread runtime, with or without `--async`.
fn run_p3(engine: &Engine, component: &Component, ctx: WasiCtx) -> RunResult {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let mut linker = p2_async_linker(engine)?;
        wasi_host::p3::add_to_linker(&mut linker)?;
        let table = ResourceTable::new();
        let mut store = Store::new(engine, Host { ctx, table });
        let command =
            wasi_host::p3::bindings::Command::instantiate_async(&mut store, component, &linker)
                .await?;
        Ok(store
            .run_concurrent(async |store| command.wasi_cli_run().call_run(store).await)
            .await
            .and_then(|r| r))
    })
}

/// Whether the component exports `wasi:cli/run` of WASI 0.3.
fn is_p3_command(engine: &Engine, component: &Component) -> bool {
    let ty = component.component_type();
    ty.exports(engine)
        .any(|(name, _)| name.starts_with("wasi:cli/run@0.3"))
}

/// Whether the component exports some version of `wasi:cli/run`.
fn is_command(engine: &Engine, component: &Component) -> bool {
    let ty = component.component_type();
    ty.exports(engine)
        .any(|(name, _)| name == "wasi:cli/run" || name.starts_with("wasi:cli/run@"))
}

/// Runs a command component (WASI 0.3 where it exports 0.3's `run`, else
/// 0.2); returns the exit status.
fn run_component(opts: &Options, argv: &[String], bytes: &[u8]) -> i32 {
    let name = &argv[0];
    let engine = Engine::default();
    let component = Component::from_binary(&engine, bytes).unwrap_or_else(|e| {
        fail(
            EXIT_SETUP,
            format_args!("cannot load {name}: {}", one_line(&e)),
        )
    });
    if !is_command(&engine, &component) {
        fail(
            EXIT_SETUP,
            format_args!("{name} is not a command component: it exports no wasi:cli/run"),
        );
    }
    let ctx = build_ctx(opts, argv).unwrap_or_else(|e| fail(EXIT_SETUP, one_line(&e)));

    let result = if is_p3_command(&engine, &component) {
        run_p3(&engine, &component, ctx)
    } else if opts.use_async {
        run_async(&engine, &component, ctx)
    } else {
        run_sync(&engine, &component, ctx)
    };
    match result {
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
    }
}

/// Runs a core module (WASI preview 1 or preview 0); returns the exit
/// status.
fn run_core_module(opts: &Options, argv: &[String], bytes: &[u8]) -> i32 {
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
    match result {
        Err(e) => fail(
            EXIT_SETUP,
            format_args!("cannot instantiate {name}: {}", one_line(&e)),
        ),
        Ok(Ok(())) => 0,
        Ok(Err(e)) => match e.downcast_ref::<I32Exit>() {
            Some(I32Exit(code)) => *code,
            None => fail(EXIT_TRAP, one_line(&e)),
        },
    }
}

fn main() {
    let mut opts = match parse_options(std::env::args().skip(1)) {
        Ok(Request::Run(opts)) => *opts,
        Ok(Request::Help) => {
            print!("{HELP}");
            exit(0)
        }
        Err(msg) => {
            eprintln!("error: {msg}\n{USAGE}");
            exit(EXIT_SETUP)
        }
    };

    let (bytes, argv): (Cow<[u8]>, Vec<String>) = match opts.command.first() {
        None => {
            opts.envs.push(("WASI_HOST_DEMO".into(), "1".into()));
            (
                Cow::Borrowed(DEMO),
                vec!["demo.wasm".into(), "hello".into(), "world".into()],
            )
        }
        Some(path) => match std::fs::read(path) {
            Ok(bytes) => (Cow::Owned(bytes), opts.command.clone()),
            Err(e) => fail(EXIT_SETUP, format_args!("cannot read {path}: {e}")),
        },
    };

    let (binary, kind) = load(&argv[0], &bytes).unwrap_or_else(|msg| fail(EXIT_SETUP, msg));
    let code = match kind {
        Kind::Component => run_component(&opts, &argv, &binary),
        Kind::CoreModule => run_core_module(&opts, &argv, &binary),
    };
    report_overlays();
    exit(code)
}
