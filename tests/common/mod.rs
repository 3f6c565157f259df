//! Shared helpers of the integration tests: one engine, components compiled
//! once per process, and a runner that puts a guest through the sync linker
//! (`add_to_linker_sync` + `bindings::sync::Command`) or the async one
//! (`add_to_linker_async` + `bindings::Command` on a tokio runtime of
//! either flavour) with captured stdio, returning its exit code or trap and
//! its output.
//!
//! Every guest test runs in every mode: `for mode in Mode::ALL { ... }`,
//! that is sync, async on a current-thread runtime and async on a
//! multi-thread runtime. Failures name the mode.

#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::{Duration, Instant};

use wasi_host::pipe::{MemoryInputPipe, MemoryOutputPipe};
use wasi_host::{
    DirPerms, FilePerms, I32Exit, ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView,
};
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store};

/// A writer whose bytes the test reads afterwards (a journal, JSON
/// lines).
#[derive(Clone, Default)]
pub struct SharedWriter(Arc<Mutex<Vec<u8>>>);

impl SharedWriter {
    /// Everything written so far.
    pub fn contents(&self) -> Vec<u8> {
        self.0.lock().unwrap().clone()
    }
}

impl std::io::Write for SharedWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The guest programs (paths), built by `tests/artifacts`.
#[allow(unused_imports)]
pub use wasi_host_test_artifacts as guests;

pub mod p1;

/// The store data of every test.
pub struct Ctx {
    pub table: ResourceTable,
    pub wasi: WasiCtx,
}

impl WasiView for Ctx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// A context whose `Host` traits are called directly, as a guest's calls
/// arrive (for host-side API tests): `host_api(ctx).filesystem()` is the
/// view the filesystem's host functions take, and so on.
pub fn host_api(wasi: WasiCtx) -> Ctx {
    Ctx {
        table: ResourceTable::new(),
        wasi,
    }
}

/// A borrow of the descriptor at `rep`, as a guest passes it.
pub fn descriptor(rep: u32) -> wasmtime::component::Resource<wasi_host::filesystem::Descriptor> {
    wasmtime::component::Resource::new_borrow(rep)
}

/// The error code of a filesystem call that must fail, as the sync
/// bindings name it.
pub fn error_code<T: std::fmt::Debug>(
    r: wasi_host::FsResult<T>,
) -> wasi_host::bindings::sync::filesystem::types::ErrorCode {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => {
            let code: &wasi_host::bindings::filesystem::types::ErrorCode =
                e.downcast_ref().expect("an error code");
            (*code).into()
        }
    }
}

/// The `fs_tools` guest's standard run: copy `/sandbox/src`, find, du,
/// tar and untar it, remove the copy, copy the result to `/out`, make a
/// directory there and write and read a file in it.
pub const TOOLS_SCRIPT: &[&str] = &[
    "cp",
    "/sandbox/src",
    "/sandbox/copy",
    "find",
    "/sandbox/copy",
    "du",
    "/sandbox/copy",
    "tar",
    "/sandbox/copy",
    "/sandbox/archive.tar",
    "untar",
    "/sandbox/archive.tar",
    "/sandbox/restored",
    "rm",
    "/sandbox/copy",
    "cp",
    "/sandbox/restored",
    "/out/copy",
    "mkdir",
    "/out/made/deep",
    "write",
    "/out/made/deep/note.txt",
    "written by the guest",
    "cat",
    "/out/made/deep/note.txt",
];

/// The checks every backend must pass on the output of [`TOOLS_SCRIPT`]
/// over the tree of `tools_tree` (`a.txt`, `emptydir/`, `link`,
/// `sub/b.txt`, `sub/deeper/c.bin`).
pub fn assert_tools_output(out: &Outcome) {
    out.assert_success().assert_line("tools done");
    let finds: Vec<String> = out
        .lines()
        .into_iter()
        .filter_map(|l| l.strip_prefix("find ").map(str::to_string))
        .collect();
    assert_eq!(
        finds,
        [
            "a.txt",
            "emptydir/",
            "link",
            "sub/",
            "sub/b.txt",
            "sub/deeper/",
            "sub/deeper/c.bin"
        ]
    );
    out.assert_line(&format!("du {} /sandbox/copy", 6 + 10 + 100_000));
    out.assert_line("cat /out/made/deep/note.txt written by the guest");
}

/// Which linker a guest runs through, and for the async linker on which
/// kind of tokio runtime.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    /// `add_to_linker_sync`, no runtime of the test's own.
    Sync,
    /// `add_to_linker_async` on a current-thread tokio runtime (where file
    /// work goes to the blocking pool and writes run in the background).
    AsyncCurrentThread,
    /// `add_to_linker_async` on a multi-thread tokio runtime (where file work
    /// runs through `block_in_place`).
    AsyncMultiThread,
}

impl Mode {
    /// Every mode; guest tests loop over it.
    pub const ALL: [Mode; 3] = [Mode::Sync, Mode::AsyncCurrentThread, Mode::AsyncMultiThread];
    /// The two async modes.
    pub const ASYNC: [Mode; 2] = [Mode::AsyncCurrentThread, Mode::AsyncMultiThread];

    pub fn is_async(self) -> bool {
        self != Mode::Sync
    }

    /// Runs `future` to completion on a runtime of this mode's flavour (a
    /// fresh current-thread runtime, or the shared multi-thread one).
    /// `Sync` has no runtime of its own: the future is polled by
    /// `wasi_host::runtime::block_on`.
    pub fn block_on<F: std::future::Future>(self, future: F) -> F::Output {
        match self {
            Mode::Sync => wasi_host::runtime::block_on(future),
            Mode::AsyncCurrentThread => tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("current-thread tokio runtime")
                .block_on(future),
            Mode::AsyncMultiThread => runtime().block_on(future),
        }
    }
}

impl fmt::Debug for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Sync => "sync",
            Mode::AsyncCurrentThread => "async, current-thread runtime",
            Mode::AsyncMultiThread => "async, multi-thread runtime",
        })
    }
}

/// Runs `component` with `state` in `mode`.
pub fn run_in(mode: Mode, component: &Component, state: Ctx) -> Exit {
    match mode {
        Mode::Sync => run_sync(component, state),
        _ => mode.block_on(run_async(component, state)),
    }
}

/// Epoch ticks are 100 ms; a guest that computes for longer than this many
/// ticks is interrupted (a guard against guests that spin forever).
const EPOCH_TICK: Duration = Duration::from_millis(100);
const EPOCH_DEADLINE_TICKS: u64 = 1200;

/// The one engine of the test process. In wasmtime 48 `async_support` is a
/// no-op (any engine can run both sync and async calls), so one config
/// serves both modes. Epoch interruption guards against runaway guests.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let mut config = Config::new();
        config.epoch_interruption(true);
        let engine = Engine::new(&config).expect("engine");
        let ticker = engine.clone();
        std::thread::Builder::new()
            .name("epoch-ticker".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(EPOCH_TICK);
                    ticker.increment_epoch();
                }
            })
            .expect("spawn epoch ticker");
        engine
    })
}

/// The component at `path`, compiled once per process.
pub fn component(path: &str) -> Component {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<OnceLock<Component>>>>> = OnceLock::new();
    let cell = {
        let mut map = CACHE.get_or_init(Default::default).lock().unwrap();
        map.entry(path.to_string()).or_default().clone()
    };
    cell.get_or_init(|| {
        Component::from_file(engine(), path).unwrap_or_else(|e| panic!("compiling {path}: {e:?}"))
    })
    .clone()
}

/// The multi-thread tokio runtime shared by the async runs of
/// [`Mode::AsyncMultiThread`].
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// `run` returned `ok` (0) or `err` (1), or the guest called exit
    /// (`I32Exit(code)`).
    Code(i32),
    /// Any other error from `call_run`: a trap, with the full error text.
    Trap(String),
    /// Linking or instantiation failed.
    Instantiate(String),
}

/// The result of one guest run.
pub struct Outcome {
    pub mode: Mode,
    pub name: String,
    pub exit: Exit,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn code(&self) -> Option<i32> {
        match self.exit {
            Exit::Code(c) => Some(c),
            _ => None,
        }
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }

    /// The lines of stdout.
    pub fn lines(&self) -> Vec<String> {
        self.stdout().lines().map(str::to_string).collect()
    }

    /// Asserts the exit code, showing everything about the run if it differs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.exit,
            Exit::Code(code),
            "unexpected end of the run:\n{self:?}"
        );
        self
    }

    #[track_caller]
    pub fn assert_success(&self) -> &Self {
        self.assert_code(0)
    }

    /// Asserts that the guest trapped and returns the error text.
    #[track_caller]
    pub fn assert_trap(&self) -> &str {
        match &self.exit {
            Exit::Trap(t) => t,
            _ => panic!("expected a trap:\n{self:?}"),
        }
    }

    /// Asserts that stdout has `line` as one of its lines.
    #[track_caller]
    pub fn assert_line(&self, line: &str) -> &Self {
        assert!(
            self.lines().iter().any(|l| l == line),
            "stdout has no line {line:?}:\n{self:?}"
        );
        self
    }

    /// The value of the first stdout line that starts with `prefix`.
    #[track_caller]
    pub fn value(&self, prefix: &str) -> String {
        self.lines()
            .iter()
            .find_map(|l| l.strip_prefix(prefix).map(str::to_string))
            .unwrap_or_else(|| panic!("stdout has no line starting with {prefix:?}:\n{self:?}"))
    }
}

fn shorten(s: &str) -> String {
    const MAX: usize = 6000;
    if s.len() <= MAX {
        s.to_string()
    } else {
        let mut cut = MAX;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        format!("{}... ({} bytes in all)", &s[..cut], s.len())
    }
}

impl fmt::Debug for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "guest {} ({:?}), after {:?}",
            self.name, self.mode, self.elapsed
        )?;
        writeln!(f, "exit: {:?}", self.exit)?;
        writeln!(f, "--- stdout ---\n{}", shorten(&self.stdout()))?;
        write!(f, "--- stderr ---\n{}", shorten(&self.stderr()))
    }
}

type Configure = Arc<dyn Fn(&mut WasiCtxBuilder) + Send + Sync>;

/// A guest run being set up: the component, its argv, env, stdin, preopens
/// and any other builder settings.
#[derive(Clone)]
pub struct Run {
    pub wasm: String,
    pub name: String,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub stdin: Option<Vec<u8>>,
    pub stdout_capacity: usize,
    pub stderr_capacity: usize,
    pub preopens: Vec<(PathBuf, String, DirPerms, FilePerms)>,
    pub configure: Vec<Configure>,
    pub timeout: Duration,
    /// The store's host-call fuel (`Store::set_hostcall_fuel`) for core
    /// modules; `None`: wasmtime's default.
    pub hostcall_fuel: Option<usize>,
    /// Run as a WASI 0.3 component (`p3::bindings::Command`, the 0.2 and
    /// 0.3 linkers together, inside the store's event loop); async modes
    /// only.
    pub p3: bool,
    /// `WasiCtxBuilder::deterministic(seed)`, applied first (so argv, env
    /// and stdin are grants made after it).
    pub deterministic: Option<u64>,
}

impl Run {
    /// A run of the component at `wasm` (one of the `guests::*` paths), with
    /// argv[0] = its file stem, captured stdout/stderr of 4 MiB each, no
    /// stdin, no env, no preopens.
    pub fn new(wasm: &str) -> Self {
        let name = Path::new(wasm)
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("guest")
            .to_string();
        Run {
            wasm: wasm.to_string(),
            name,
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            p3: false,
            deterministic: None,
            stdout_capacity: 4 << 20,
            stderr_capacity: 4 << 20,
            preopens: Vec::new(),
            configure: Vec::new(),
            timeout: Duration::from_secs(120),
            hostcall_fuel: None,
        }
    }

    pub fn arg(mut self, a: impl Into<String>) -> Self {
        self.args.push(a.into());
        self
    }

    pub fn args<S: Into<String>>(mut self, a: impl IntoIterator<Item = S>) -> Self {
        self.args.extend(a.into_iter().map(Into::into));
        self
    }

    pub fn env(mut self, k: impl Into<String>, v: impl Into<String>) -> Self {
        self.env.push((k.into(), v.into()));
        self
    }

    pub fn stdin(mut self, data: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(data.into());
        self
    }

    /// A deterministic run with `seed`.
    pub fn deterministic(mut self, seed: u64) -> Self {
        self.deterministic = Some(seed);
        self
    }

    pub fn stdout_capacity(mut self, n: usize) -> Self {
        self.stdout_capacity = n;
        self
    }

    pub fn preopen(
        mut self,
        host: impl AsRef<Path>,
        guest: &str,
        dir: DirPerms,
        file: FilePerms,
    ) -> Self {
        self.preopens
            .push((host.as_ref().to_path_buf(), guest.to_string(), dir, file));
        self
    }

    /// A read-write preopen.
    pub fn preopen_rw(self, host: impl AsRef<Path>, guest: &str) -> Self {
        self.preopen(host, guest, DirPerms::all(), FilePerms::all())
    }

    /// Any other builder setting; runs after stdio and before the preopens
    /// (so `allow_blocking_current_thread` applies to them).
    pub fn configure(mut self, f: impl Fn(&mut WasiCtxBuilder) + Send + Sync + 'static) -> Self {
        self.configure.push(Arc::new(f));
        self
    }

    /// The host-call fuel of a core module's store.
    pub fn hostcall_fuel(mut self, fuel: usize) -> Self {
        self.hostcall_fuel = Some(fuel);
        self
    }

    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// The context for one run, with the pipes that capture stdout/stderr.
    pub fn build_ctx(&self) -> (WasiCtx, MemoryOutputPipe, MemoryOutputPipe) {
        let (mut b, stdout, stderr) = self.builder();
        (b.build(), stdout, stderr)
    }

    /// The configured builder for one run (not built yet), with the pipes
    /// that capture stdout/stderr.
    pub fn builder(&self) -> (WasiCtxBuilder, MemoryOutputPipe, MemoryOutputPipe) {
        let mut b = WasiCtxBuilder::new();
        if let Some(seed) = self.deterministic {
            b.deterministic(seed);
        }
        let mut argv = vec![self.name.clone()];
        argv.extend(self.args.iter().cloned());
        b.args(&argv);
        b.envs(&self.env);
        if let Some(input) = &self.stdin {
            b.stdin(MemoryInputPipe::new(input.clone()));
        }
        let stdout = MemoryOutputPipe::new(self.stdout_capacity);
        let stderr = MemoryOutputPipe::new(self.stderr_capacity);
        b.stdout(stdout.clone());
        b.stderr(stderr.clone());
        for f in &self.configure {
            f(&mut b);
        }
        for (host, guest, dir, file) in &self.preopens {
            let mount = wasi_host::vfs::Mount::host_dir(host)
                .unwrap_or_else(|e| panic!("preopen {} as {guest}: {e:?}", host.display()));
            b.mount(guest, mount, *dir, *file);
        }
        (b, stdout, stderr)
    }

    /// Runs the guest on a fresh thread, failing the test if it does not
    /// finish within the timeout or if the host panics.
    #[track_caller]
    pub fn run(&self, mode: Mode) -> Outcome {
        self.start(mode).wait()
    }

    /// Starts the guest on a fresh thread; its stdout and stderr can be
    /// read while it runs, and [`Started::wait`] waits for its end.
    pub fn start(&self, mode: Mode) -> Started {
        let (ctx, stdout, stderr) = self.build_ctx();
        let this = self.clone();
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name(format!("{}-{mode:?}", self.name))
            .spawn(move || {
                let _ = tx.send(this.run_ctx(mode, ctx));
            })
            .expect("spawn the run thread");
        Started {
            run: self.clone(),
            mode,
            stdout,
            stderr,
            exit: rx,
            thread,
            start: Instant::now(),
        }
    }

    /// Runs the guest on the calling thread (no timeout).
    pub fn run_here(&self, mode: Mode) -> Outcome {
        let (ctx, stdout, stderr) = self.build_ctx();
        let start = Instant::now();
        let exit = self.run_ctx(mode, ctx);
        Outcome {
            mode,
            name: self.name.clone(),
            exit,
            stdout: stdout.contents().to_vec(),
            stderr: stderr.contents().to_vec(),
            elapsed: start.elapsed(),
        }
    }

    /// Runs the guest with `ctx` on the calling thread.
    fn run_ctx(&self, mode: Mode, ctx: WasiCtx) -> Exit {
        let component = component(&self.wasm);
        let state = Ctx {
            table: ResourceTable::new(),
            wasi: ctx,
        };
        if self.p3 {
            assert!(mode.is_async(), "WASI 0.3 runs need an async mode");
            mode.block_on(run_p3(&component, state))
        } else {
            run_in(mode, &component, state)
        }
    }
}

/// A guest running on its own thread.
pub struct Started {
    run: Run,
    mode: Mode,
    /// What the guest has written to stdout so far.
    pub stdout: MemoryOutputPipe,
    /// What the guest has written to stderr so far.
    pub stderr: MemoryOutputPipe,
    exit: mpsc::Receiver<Exit>,
    thread: std::thread::JoinHandle<()>,
    start: Instant,
}

impl Started {
    /// Whether the guest has ended.
    pub fn finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Waits for the guest's end, failing the test if it does not end
    /// within the run's timeout or if the host panics.
    #[track_caller]
    pub fn wait(self) -> Outcome {
        let Started {
            run,
            mode,
            stdout,
            stderr,
            exit,
            thread,
            start,
        } = self;
        let left = run.timeout.saturating_sub(start.elapsed());
        let exit = outcome_of_thread("guest", &run, &mode, exit, thread, left);
        Outcome {
            mode,
            name: run.name,
            exit,
            stdout: stdout.contents().to_vec(),
            stderr: stderr.contents().to_vec(),
            elapsed: start.elapsed(),
        }
    }
}

/// What the run thread `thread` of `what` (`"guest"`, `"module"`) sends
/// on `rx` within `left`; fails the test if nothing comes in time or if
/// the host panicked.
#[track_caller]
pub fn outcome_of_thread<R>(
    what: &str,
    run: &Run,
    mode: &dyn fmt::Debug,
    rx: mpsc::Receiver<R>,
    thread: std::thread::JoinHandle<()>,
    left: Duration,
) -> R {
    match rx.recv_timeout(left) {
        Ok(out) => {
            let _ = thread.join();
            out
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!(
            "{what} {} {:?} ({mode:?}) did not finish within {:?}",
            run.name, run.args, run.timeout
        ),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let msg = match thread.join() {
                Err(payload) => panic_message(&payload),
                Ok(()) => "no outcome".to_string(),
            };
            panic!(
                "the HOST panicked while running {what} {} {:?} ({mode:?}): {msg}",
                run.name, run.args
            )
        }
    }
}

pub fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "(non-string panic payload)".to_string()
    }
}

/// An error with its chain of causes (and the wasm backtrace, which wasmtime
/// attaches as a cause), without the host backtrace.
pub fn error_text(e: &wasmtime::Error) -> String {
    e.chain()
        .map(|c| c.to_string())
        .collect::<Vec<_>>()
        .join("\n  caused by: ")
}

/// Maps what `call_run` returned to an [`Exit`].
pub fn exit_of(result: wasmtime::Result<Result<(), ()>>) -> Exit {
    match result {
        Ok(Ok(())) => Exit::Code(0),
        Ok(Err(())) => Exit::Code(1),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(I32Exit(code)) => Exit::Code(*code),
            None => Exit::Trap(error_text(&e)),
        },
    }
}

/// A sync embedding: `add_to_linker_sync`, `bindings::sync::Command`.
pub fn run_sync(component: &Component, state: Ctx) -> Exit {
    let engine = engine();
    let mut linker = Linker::<Ctx>::new(engine);
    if let Err(e) = wasi_host::add_to_linker_sync(&mut linker) {
        return Exit::Instantiate(format!("add_to_linker_sync: {}", error_text(&e)));
    }
    let mut store = Store::new(engine, state);
    store.set_epoch_deadline(EPOCH_DEADLINE_TICKS);
    let command =
        match wasi_host::bindings::sync::Command::instantiate(&mut store, component, &linker) {
            Ok(c) => c,
            Err(e) => return Exit::Instantiate(error_text(&e)),
        };
    exit_of(command.wasi_cli_run().call_run(&mut store))
}

/// An async embedding: `add_to_linker_async`, `bindings::Command`.
pub async fn run_async(component: &Component, state: Ctx) -> Exit {
    let engine = engine();
    let mut linker = Linker::<Ctx>::new(engine);
    if let Err(e) = wasi_host::add_to_linker_async(&mut linker) {
        return Exit::Instantiate(format!("add_to_linker_async: {}", error_text(&e)));
    }
    let mut store = Store::new(engine, state);
    store.set_epoch_deadline(EPOCH_DEADLINE_TICKS);
    let command =
        match wasi_host::bindings::Command::instantiate_async(&mut store, component, &linker).await
        {
            Ok(c) => c,
            Err(e) => return Exit::Instantiate(error_text(&e)),
        };
    exit_of(command.wasi_cli_run().call_run(&mut store).await)
}

/// A WASI 0.3 embedding: `p2::add_to_linker_async` and `p3::add_to_linker`
/// in one linker (today's toolchains import both), `p3::bindings::Command`
/// run inside the store's event loop.
pub async fn run_p3(component: &Component, state: Ctx) -> Exit {
    let engine = engine();
    let mut linker = Linker::<Ctx>::new(engine);
    let linked = wasi_host::p2::add_to_linker_async(&mut linker)
        .and_then(|()| wasi_host::p3::add_to_linker(&mut linker));
    if let Err(e) = linked {
        return Exit::Instantiate(format!("add_to_linker: {}", error_text(&e)));
    }
    let mut store = Store::new(engine, state);
    store.set_epoch_deadline(EPOCH_DEADLINE_TICKS);
    let command =
        match wasi_host::p3::bindings::Command::instantiate_async(&mut store, component, &linker)
            .await
        {
            Ok(c) => c,
            Err(e) => return Exit::Instantiate(error_text(&e)),
        };
    let result = store
        .run_concurrent(async |store| command.wasi_cli_run().call_run(store).await)
        .await;
    exit_of(result.and_then(|r| r))
}

// ---------------------------------------------------------------------------
// Host-side filesystem helpers.

/// A fresh temporary directory (removed on drop).
pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("wasi-host-test-")
        .tempdir()
        .expect("temp dir")
}

/// Everything observable about a directory tree: for each relative path,
/// its kind, size, content hash, symlink target and modification time (and
/// the directories' own modification times, which change when entries are
/// added or removed). Two equal snapshots mean nothing was changed.
pub fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("listing {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let mtime = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_nanos())
                .unwrap_or(0);
            let ft = m.file_type();
            let desc = if ft.is_symlink() {
                format!("link -> {}", std::fs::read_link(&p).unwrap().display())
            } else if ft.is_dir() {
                walk(root, &p, out);
                format!("dir mtime {mtime}")
            } else {
                let data = std::fs::read(&p).unwrap();
                format!(
                    "file {} bytes hash {:016x} mtime {mtime}",
                    data.len(),
                    fnv(&data)
                )
            };
            out.insert(rel, desc);
        }
    }
    let mut out = BTreeMap::new();
    let m = std::fs::metadata(dir).unwrap();
    out.insert(
        ".".to_string(),
        format!(
            "dir mtime {:?}",
            m.modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        ),
    );
    walk(dir, dir, &mut out);
    out
}

fn fnv(data: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in data {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Asserts two snapshots are equal, listing the differences.
#[track_caller]
pub fn assert_unchanged(
    what: &str,
    before: &BTreeMap<String, String>,
    after: &BTreeMap<String, String>,
) {
    if before == after {
        return;
    }
    let mut diff = String::new();
    for (k, v) in before {
        match after.get(k) {
            None => diff.push_str(&format!("  removed {k}: {v}\n")),
            Some(w) if w != v => diff.push_str(&format!("  changed {k}: {v} => {w}\n")),
            _ => {}
        }
    }
    for (k, v) in after {
        if !before.contains_key(k) {
            diff.push_str(&format!("  added {k}: {v}\n"));
        }
    }
    panic!("{what} changed:\n{diff}");
}

/// `case <name>: <result>` lines of a guest, as a map.
pub fn cases(out: &Outcome) -> BTreeMap<String, String> {
    let mut m = BTreeMap::new();
    for line in out.lines() {
        if let Some((name, result)) = line
            .strip_prefix("case ")
            .and_then(|rest| rest.split_once(": "))
        {
            m.insert(name.to_string(), result.to_string());
        }
    }
    m
}

/// Checks every case against the allowed results (a result "ok" matches
/// "ok" and "ok <anything>"), and reports all mismatches at once.
#[track_caller]
pub fn check_cases(out: &Outcome, expected: &[(&str, &[&str])]) {
    let got = cases(out);
    let mut problems = Vec::new();
    for (name, allowed) in expected {
        match got.get(*name) {
            None => problems.push(format!("{name}: missing from the output")),
            Some(r) => {
                let ok = allowed
                    .iter()
                    .any(|a| r == a || (*a == "ok" && r.starts_with("ok ")));
                if !ok {
                    problems.push(format!("{name}: got {r:?}, expected one of {allowed:?}"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} case(s) wrong ({:?}):\n  {}\n{out:?}",
        problems.len(),
        out.mode,
        problems.join("\n  ")
    );
}

/// The `run` example binary: `target/<profile>/examples/run`, which
/// `cargo test` builds beside the
/// test binaries (`target/<profile>/deps/`): the example belongs to the
/// `examples` workspace member, a default member, so a plain `cargo test`
/// builds it (a `cargo test --test all` alone does not).
/// `WASI_HOST_RUN_EXAMPLE` names another binary to test instead (one built
/// elsewhere, or the hashed `examples/run-*` file of this build when other
/// checkouts share the target directory and its `examples/run`).
pub fn run_example() -> PathBuf {
    if let Some(path) = std::env::var_os("WASI_HOST_RUN_EXAMPLE") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let run = profile_dir.join("examples").join("run");
    assert!(
        run.exists(),
        "{} is not built: run `cargo build --release --example run` first, \
         or the whole `cargo test --release`, which builds it",
        run.display()
    );
    run
}
