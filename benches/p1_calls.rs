//! Benchmarks of preview 1's per-call hot paths through the real linkers:
//! a small core module calls `clock_time_get`, `random_get` (32 bytes) or
//! `fd_write` (16 bytes to a memory pipe) in a loop of 1,000 calls, so the
//! figures are the cost of one guest call including wasmtime's trampoline.
//!
//! The `traced` groups run the same calls with a call observer installed:
//! the JSON-lines writer to a sink, and an observer that does nothing (the
//! cost of building the event alone). The `recorded` group runs them while
//! recording a journal to a sink (`fd_write` to a pipe is not journaled:
//! its figure is the cost of the journal's test alone).
//!
//! `cargo bench --bench p1_calls`; divide the reported time by 1,000.

use criterion::{Criterion, criterion_group, criterion_main};
use std::time::Duration;
use wasi_host::WasiCtxBuilder;
use wasi_host::observe::{CallEvent, CallObserver, JsonLines};
use wasi_host::pipe::MemoryOutputPipe;
use wasi_host::preview1::{self, WasiP1Ctx};
use wasmtime::{Engine, Linker, Module, Store};

/// Calls per iteration of a benchmark.
const CALLS: i32 = 1000;

const GUEST: &str = r#"
(module
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; iovec at 0: 16 bytes at 16
  (data (i32.const 0) "\10\00\00\00\10\00\00\00")
  (data (i32.const 16) "0123456789abcdef")
  (func (export "clock") (param $n i32)
    (loop $l
      (if (call $clock (i32.const 1) (i64.const 0) (i32.const 64)) (then unreachable))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "random") (param $n i32)
    (loop $l
      (if (call $random (i32.const 128) (i32.const 32)) (then unreachable))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
  (func (export "write") (param $n i32)
    (loop $l
      (if (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 72)) (then unreachable))
      (br_if $l (local.tee $n (i32.sub (local.get $n) (i32.const 1))))))
)
"#;

fn store(engine: &Engine) -> Store<WasiP1Ctx> {
    let ctx = WasiCtxBuilder::new()
        .stdout(MemoryOutputPipe::new(usize::MAX))
        .build_p1();
    Store::new(engine, ctx)
}

/// An observer that drops every event.
struct Ignore;

impl CallObserver for Ignore {
    fn on_call(&self, _: &CallEvent) {}
}

/// A store whose calls an observer that does nothing sees.
fn ignoring_store(engine: &Engine) -> Store<WasiP1Ctx> {
    let mut b = WasiCtxBuilder::new();
    b.stdout(MemoryOutputPipe::new(usize::MAX))
        .call_observer(Ignore);
    Store::new(engine, b.build_p1())
}

/// A store whose calls are written as JSON lines to a sink.
fn json_store(engine: &Engine) -> Store<WasiP1Ctx> {
    let mut b = WasiCtxBuilder::new();
    b.stdout(MemoryOutputPipe::new(usize::MAX))
        .call_observer(JsonLines::new(std::io::sink()));
    Store::new(engine, b.build_p1())
}

/// A store recording a journal to a sink.
fn recording_store(engine: &Engine) -> Store<WasiP1Ctx> {
    let mut b = WasiCtxBuilder::new();
    b.stdout(MemoryOutputPipe::new(usize::MAX))
        .record(std::io::sink());
    Store::new(engine, b.build_p1())
}

/// Makes the store of one benchmark.
type MakeStore = fn(&Engine) -> Store<WasiP1Ctx>;

/// Benchmarks each export through the sync linker in the group `group`,
/// once per `(suffix, store)` variant (named `export` or `export/suffix`).
fn sync_group(c: &mut Criterion, group: &str, variants: &[(&str, MakeStore)]) {
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST).expect("module");
    let mut linker = Linker::new(&engine);
    preview1::add_to_linker_sync(&mut linker, |cx| cx).expect("link");
    let mut g = c.benchmark_group(group);
    for (suffix, make_store) in variants {
        for name in ["clock", "random", "write"] {
            let mut s = make_store(&engine);
            let instance = linker.instantiate(&mut s, &module).expect("instance");
            let f = instance
                .get_typed_func::<i32, ()>(&mut s, name)
                .expect("export");
            let label = if suffix.is_empty() {
                name.to_owned()
            } else {
                format!("{name}/{suffix}")
            };
            g.bench_function(label, |b| b.iter(|| f.call(&mut s, CALLS).expect("call")));
        }
    }
    g.finish();
}

fn sync_calls(c: &mut Criterion) {
    sync_group(c, "p1_sync_x1000", &[("", store)]);
}

fn traced_calls(c: &mut Criterion) {
    sync_group(
        c,
        "p1_sync_traced_x1000",
        &[("ignore", ignoring_store), ("json", json_store)],
    );
}

fn recorded_calls(c: &mut Criterion) {
    sync_group(c, "p1_sync_recorded_x1000", &[("record", recording_store)]);
}

fn async_calls(c: &mut Criterion) {
    let engine = Engine::default();
    let module = Module::new(&engine, GUEST).expect("module");
    let mut linker = Linker::new(&engine);
    preview1::add_to_linker_async(&mut linker, |cx| cx).expect("link");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let mut g = c.benchmark_group("p1_async_x1000");
    for name in ["clock", "random", "write"] {
        let mut s = store(&engine);
        let instance = rt
            .block_on(linker.instantiate_async(&mut s, &module))
            .expect("instance");
        let f = instance
            .get_typed_func::<i32, ()>(&mut s, name)
            .expect("export");
        g.bench_function(name, |b| {
            b.iter(|| rt.block_on(f.call_async(&mut s, CALLS)).expect("call"))
        });
    }
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = sync_calls, async_calls, traced_calls, recorded_calls
}

/// What `clock_time_get` costs below the host: the engine's call and the
/// lookup of the guest's memory, measured with stand-ins that store a
/// constant or read the clock, finding the memory by name
/// (`Caller::get_export`), through a `ModuleExport`, or cached in the store
/// (which a real host cannot do soundly; see DESIGN.md).
mod probe {
    use super::*;
    use wasmtime::{Caller, Memory};

    /// The store of the probes: the cached memory.
    type Data = Option<Memory>;

    fn constant() -> u64 {
        7
    }

    fn clock() -> u64 {
        let now = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
        now.tv_sec as u64 * 1_000_000_000 + now.tv_nsec as u64
    }

    fn by_name(caller: &mut Caller<'_, Data>) -> Option<Memory> {
        caller.get_export("memory")?.into_memory()
    }

    fn cached(caller: &mut Caller<'_, Data>) -> Option<Memory> {
        if let Some(m) = *caller.data() {
            return Some(m);
        }
        let m = by_name(caller)?;
        *caller.data_mut() = Some(m);
        Some(m)
    }

    /// Benchmarks the guest's `clock` loop over a `clock_time_get` that
    /// finds the memory with `memory` and stores `value()`.
    fn probe(
        c: &mut Criterion,
        name: &str,
        module: &Module,
        memory: impl Fn(&mut Caller<'_, Data>) -> Option<Memory> + Send + Sync + 'static,
        value: fn() -> u64,
    ) {
        let engine = module.engine();
        let mut l = Linker::new(engine);
        let p1 = "wasi_snapshot_preview1";
        l.func_wrap(p1, "random_get", |_: i32, _: i32| 0i32)
            .unwrap();
        l.func_wrap(p1, "fd_write", |_: i32, _: i32, _: i32, _: i32| 0i32)
            .unwrap();
        l.func_wrap(
            p1,
            "clock_time_get",
            move |mut caller: Caller<'_, Data>, _: i32, _: i64, t: i32| -> i32 {
                let Some(m) = memory(&mut caller) else {
                    return 21;
                };
                let at = t as usize;
                m.data_mut(&mut caller)[at..at + 8].copy_from_slice(&value().to_le_bytes());
                0
            },
        )
        .unwrap();
        let mut s = Store::new(engine, None);
        let instance = l.instantiate(&mut s, module).expect("instance");
        let f = instance
            .get_typed_func::<i32, ()>(&mut s, "clock")
            .expect("export");
        c.bench_function(name, |b| b.iter(|| f.call(&mut s, CALLS).expect("call")));
    }

    pub fn probes(c: &mut Criterion) {
        let engine = Engine::default();
        let module = Module::new(&engine, GUEST).expect("module");
        let export = module.get_export_index("memory").expect("memory export");
        let through_export =
            move |caller: &mut Caller<'_, Data>| caller.get_module_export(&export)?.into_memory();
        probe(c, "probe/by_name_const", &module, by_name, constant);
        probe(
            c,
            "probe/module_export_const",
            &module,
            through_export,
            constant,
        );
        probe(c, "probe/cached_const", &module, cached, constant);
        probe(c, "probe/by_name_clock", &module, by_name, clock);
        probe(c, "probe/cached_clock", &module, cached, clock);
    }
}

criterion_group! {
    name = probes;
    config = config();
    targets = probe::probes
}
criterion_main!(benches, probes);
