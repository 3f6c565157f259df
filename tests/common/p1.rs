//! Preview 1 / preview 0 helpers: core modules (built guests or WAT text)
//! compiled once per process, and a runner that puts a module through
//! `preview1::add_to_linker_sync` on a plain thread or
//! `preview1::add_to_linker_async` on a current-thread or a multi-thread
//! tokio runtime (preview 0's linker is added beside it, so `wasi_unstable`
//! modules run the same way). A run is set up with [`Run`](super::Run) (args,
//! env, stdin, preopens) and ends in an [`Outcome`](super::Outcome).
//!
//! Every preview 1 test runs in the three modes: `for mode in P1Mode::ALL`.

use super::{EPOCH_DEADLINE_TICKS, Exit, Mode, Outcome, Run, engine, error_text};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, mpsc};
use std::time::Instant;
use wasi_host::I32Exit;
use wasi_host::preview1::WasiP1Ctx;
use wasmtime::{Linker, Module, Store, Val};

/// How a core module is linked and run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum P1Mode {
    /// `add_to_linker_sync`, called on a plain thread (no runtime).
    Sync,
    /// `add_to_linker_async` on a current-thread tokio runtime.
    AsyncCurrentThread,
    /// `add_to_linker_async` on a multi-thread tokio runtime.
    AsyncMultiThread,
}

impl P1Mode {
    pub const ALL: [P1Mode; 3] = [
        P1Mode::Sync,
        P1Mode::AsyncCurrentThread,
        P1Mode::AsyncMultiThread,
    ];

    /// The [`Mode`] recorded in the [`Outcome`].
    pub fn mode(self) -> Mode {
        match self {
            P1Mode::Sync => Mode::Sync,
            P1Mode::AsyncCurrentThread => Mode::AsyncCurrentThread,
            P1Mode::AsyncMultiThread => Mode::AsyncMultiThread,
        }
    }
}

/// The store data of every preview 1 test.
pub struct P1Store {
    pub wasi: WasiP1Ctx,
}

/// The closure every `add_to_linker_*` gets.
fn wasi_of(s: &mut P1Store) -> &mut WasiP1Ctx {
    &mut s.wasi
}

/// A core module from a file (`.wasm`, or `.wat` text), compiled once per
/// process.
pub fn module(path: &str) -> Module {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<OnceLock<Module>>>>> = OnceLock::new();
    let cell = {
        let mut map = CACHE.get_or_init(Default::default).lock().unwrap();
        map.entry(path.to_string()).or_default().clone()
    };
    cell.get_or_init(|| {
        Module::from_file(engine(), path).unwrap_or_else(|e| panic!("compiling {path}: {e:?}"))
    })
    .clone()
}

/// `tests/wat/NAME`, as a path.
pub fn wat(name: &str) -> String {
    format!("{}/tests/wat/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// A linker with preview 1 and preview 0, sync or async.
pub fn linker(mode: P1Mode) -> wasmtime::Result<Linker<P1Store>> {
    let mut linker = Linker::<P1Store>::new(engine());
    let f = wasi_of;
    match mode {
        P1Mode::Sync => {
            wasi_host::preview1::add_to_linker_sync(&mut linker, f)?;
            wasi_host::preview0::add_to_linker_sync(&mut linker, f)?;
        }
        _ => {
            wasi_host::preview1::add_to_linker_async(&mut linker, f)?;
            wasi_host::preview0::add_to_linker_async(&mut linker, f)?;
        }
    }
    Ok(linker)
}

/// Runs `f` on a fresh thread in `mode`'s setting (plain thread, or inside
/// a current-thread or the shared multi-thread runtime), failing the test
/// on a host panic or when it takes longer than `run.timeout`.
pub fn in_mode<R: Send + 'static>(
    run: &Run,
    mode: P1Mode,
    f: impl AsyncOrSync<R> + Send + 'static,
) -> R {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::Builder::new()
        .name(format!("{}-{mode:?}", run.name))
        .spawn(move || {
            let out = match mode {
                P1Mode::Sync => f.sync(),
                P1Mode::AsyncCurrentThread => tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("current-thread runtime")
                    .block_on(f.run_async()),
                P1Mode::AsyncMultiThread => super::runtime().block_on(f.run_async()),
            };
            let _ = tx.send(out);
        })
        .expect("spawn the run thread");
    super::outcome_of_thread("module", run, &mode, rx, handle, run.timeout)
}

/// Work that runs either synchronously or as a future.
pub trait AsyncOrSync<R> {
    fn sync(self) -> R;
    fn run_async(self) -> impl std::future::Future<Output = R>;
}

/// Maps what `_start` returned to an [`Exit`].
fn exit_of(result: wasmtime::Result<()>) -> Exit {
    match result {
        Ok(()) => Exit::Code(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(I32Exit(code)) => Exit::Code(*code),
            None => Exit::Trap(error_text(&e)),
        },
    }
}

struct Start {
    module: Module,
    store: Store<P1Store>,
}

impl AsyncOrSync<Exit> for Start {
    fn sync(mut self) -> Exit {
        let linker = match linker(P1Mode::Sync) {
            Ok(l) => l,
            Err(e) => return Exit::Instantiate(error_text(&e)),
        };
        let instance = match linker.instantiate(&mut self.store, &self.module) {
            Ok(i) => i,
            Err(e) => return Exit::Instantiate(error_text(&e)),
        };
        let start = match instance.get_typed_func::<(), ()>(&mut self.store, "_start") {
            Ok(f) => f,
            Err(e) => return Exit::Instantiate(error_text(&e)),
        };
        exit_of(start.call(&mut self.store, ()))
    }

    async fn run_async(mut self) -> Exit {
        let linker = match linker(P1Mode::AsyncMultiThread) {
            Ok(l) => l,
            Err(e) => return Exit::Instantiate(error_text(&e)),
        };
        let instance = match linker
            .instantiate_async(&mut self.store, &self.module)
            .await
        {
            Ok(i) => i,
            Err(e) => return Exit::Instantiate(error_text(&e)),
        };
        let start = match instance.get_typed_func::<(), ()>(&mut self.store, "_start") {
            Ok(f) => f,
            Err(e) => return Exit::Instantiate(error_text(&e)),
        };
        exit_of(start.call_async(&mut self.store, ()).await)
    }
}

fn store(
    run: &Run,
) -> (
    Store<P1Store>,
    super::MemoryOutputPipe,
    super::MemoryOutputPipe,
) {
    let (mut b, stdout, stderr) = run.builder();
    let mut store = Store::new(engine(), P1Store { wasi: b.build_p1() });
    store.set_epoch_deadline(EPOCH_DEADLINE_TICKS);
    if let Some(fuel) = run.hostcall_fuel {
        store.set_hostcall_fuel(fuel);
    }
    (store, stdout, stderr)
}

/// Runs the module of `run.wasm` (`_start`) in `mode`.
#[track_caller]
pub fn run(run: &Run, mode: P1Mode) -> Outcome {
    let module = module(&run.wasm);
    let (store, stdout, stderr) = store(run);
    let start = Instant::now();
    let exit = in_mode(run, mode, Start { module, store });
    Outcome {
        mode: mode.mode(),
        name: format!("{} ({mode:?})", run.name),
        exit,
        stdout: stdout.contents().to_vec(),
        stderr: stderr.contents().to_vec(),
        elapsed: start.elapsed(),
    }
}

struct Calls {
    module: Module,
    store: Store<P1Store>,
    names: Vec<String>,
}

/// What one export call gave: its `i32` result or the error text.
pub type CallResult = Result<i32, String>;

impl AsyncOrSync<Vec<CallResult>> for Calls {
    fn sync(mut self) -> Vec<CallResult> {
        let linker = linker(P1Mode::Sync).expect("linker");
        let instance = linker
            .instantiate(&mut self.store, &self.module)
            .expect("instantiate");
        self.names
            .iter()
            .map(|name| {
                let f = instance
                    .get_func(&mut self.store, name)
                    .unwrap_or_else(|| panic!("no export {name}"));
                let mut out = [Val::I32(0)];
                f.call(&mut self.store, &[], &mut out)
                    .map(|()| out[0].unwrap_i32())
                    .map_err(|e| error_text(&e))
            })
            .collect()
    }

    async fn run_async(mut self) -> Vec<CallResult> {
        let linker = linker(P1Mode::AsyncMultiThread).expect("linker");
        let instance = linker
            .instantiate_async(&mut self.store, &self.module)
            .await
            .expect("instantiate");
        let mut results = Vec::new();
        for name in &self.names {
            let f = instance
                .get_func(&mut self.store, name)
                .unwrap_or_else(|| panic!("no export {name}"));
            let mut out = [Val::I32(0)];
            results.push(
                f.call_async(&mut self.store, &[], &mut out)
                    .await
                    .map(|()| out[0].unwrap_i32())
                    .map_err(|e| error_text(&e)),
            );
        }
        results
    }
}

/// Instantiates the module of `run.wasm` once in `mode` and calls each of
/// `names` (exports `() -> i32`) in turn on that instance, returning their
/// results and the captured stdout.
pub fn call_exports(run: &Run, mode: P1Mode, names: &[&str]) -> (Vec<CallResult>, Vec<u8>) {
    let module = module(&run.wasm);
    let (store, stdout, _stderr) = store(run);
    let calls = Calls {
        module,
        store,
        names: names.iter().map(|s| s.to_string()).collect(),
    };
    let results = in_mode(run, mode, calls);
    (results, stdout.contents().to_vec())
}

/// The `ok NAME` lines of a `p1_suite` run.
pub fn passed(out: &Outcome) -> Vec<String> {
    out.lines()
        .iter()
        .filter_map(|l| l.strip_prefix("ok ").map(str::to_string))
        .collect()
}

/// Asserts a `p1_suite` group ran to its end: exit 0, no `FAIL:` line, and
/// `done GROUP` printed (on stdout, or `on` for a group that moves stdout).
#[track_caller]
pub fn assert_group(out: &Outcome, group: &str) {
    let fails: Vec<String> = out
        .stdout()
        .lines()
        .chain(out.stderr().lines())
        .filter(|l| l.starts_with("FAIL:"))
        .map(str::to_string)
        .collect();
    assert!(
        fails.is_empty() && out.exit == Exit::Code(0),
        "group {group} failed {} check(s):\n  {}\n{out:?}",
        fails.len() / 2,
        fails.join("\n  ")
    );
    let done = format!("done {group}");
    assert!(
        out.lines().contains(&done) || out.stderr().lines().any(|l| l == done),
        "no `{done}` line:\n{out:?}"
    );
}
