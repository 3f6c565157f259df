//! Benchmarks of `wasi-host` alone: the host side of the hot WASI calls,
//! called directly through the generated `Host` traits (what a guest's call
//! reaches after wasmtime has lifted its arguments), plus instantiation of a
//! small command component.
//!
//! `cargo bench` runs them all in well under two minutes; `cargo bench --
//! write16` runs one group. The clock group has a native baseline
//! (`Instant::now`), so its figures read as "x times native".

use criterion::{BatchSize, Criterion, black_box, criterion_group, criterion_main};
use std::time::Duration;
use wasi_host::bindings;
use wasi_host::clocks::WasiClocksView;
use wasi_host::p2::WasiIoCtxView;
use wasi_host::pipe::SinkOutputStream;
use wasi_host::{OutputStream, Pollable, WasiCtxBuilder, WasiView};
use wasmtime::component::{Component, Linker, Resource};
use wasmtime::{Engine, Store};

/// The demo guest of the `run` example: a small Rust command component.
static DEMO: &[u8] = include_bytes!("../examples/demo/demo.wasm");

mod common;
use common::Host;

fn host() -> Host {
    Host::new(WasiCtxBuilder::new().build())
}

/// A borrow of `r`, as the guest passes it to a method.
fn borrow<T: 'static>(r: &Resource<T>) -> Resource<T> {
    Resource::new_borrow(r.rep())
}

/// `blocking-write-and-flush` of 16 bytes to a sink.
fn write16(c: &mut Criterion) {
    let mut g = c.benchmark_group("write16");
    let data = [0x42u8; 16];

    g.bench_function("sync", |b| {
        use bindings::sync::io::streams::HostOutputStream;
        let mut h = host();
        let s = h
            .table
            .push(Box::new(SinkOutputStream) as OutputStream)
            .unwrap();
        b.iter(|| {
            h.table
                .blocking_write_and_flush(borrow(&s), black_box(data.to_vec()))
                .unwrap()
        })
    });

    g.bench_function("async", |b| {
        use bindings::io::streams::HostOutputStream;
        let mut h = host();
        let s = h
            .table
            .push(Box::new(SinkOutputStream) as OutputStream)
            .unwrap();
        b.iter(|| {
            futures::executor::block_on(
                h.table
                    .blocking_write_and_flush(borrow(&s), black_box(data.to_vec())),
            )
            .unwrap()
        })
    });
    g.finish();
}

/// `monotonic-clock.now` and `wall-clock.now`.
fn clocks(c: &mut Criterion) {
    let mut g = c.benchmark_group("clock");
    g.bench_function("native", |b| b.iter(std::time::Instant::now));
    g.bench_function("monotonic", |b| {
        use bindings::clocks::monotonic_clock::Host;
        let mut h = host();
        b.iter(|| h.clocks().now().unwrap())
    });
    g.bench_function("wall", |b| {
        use bindings::clocks::wall_clock::Host;
        let mut h = host();
        b.iter(|| h.clocks().now().unwrap())
    });
    g.finish();
}

/// `poll` over 100 pollables: `subscribe-duration(0)` deadlines (all ready),
/// and subscriptions to a sink stream (ready at once, through the resource
/// path).
fn poll100(c: &mut Criterion) {
    let mut g = c.benchmark_group("poll100");

    g.bench_function("deadlines/sync", |b| {
        use bindings::clocks::monotonic_clock::Host as _;
        use bindings::sync::io::poll::Host as _;
        let mut h = host();
        let ps: Vec<Resource<Pollable>> = (0..100)
            .map(|_| h.clocks().subscribe_duration(0).unwrap())
            .collect();
        b.iter(|| {
            WasiIoCtxView::new(h.ctx())
                .poll(ps.iter().map(borrow).collect())
                .unwrap()
        })
    });

    g.bench_function("deadlines/async", |b| {
        use bindings::clocks::monotonic_clock::Host as _;
        use bindings::io::poll::Host as _;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let _guard = rt.enter();
        let mut h = host();
        let ps: Vec<Resource<Pollable>> = (0..100)
            .map(|_| h.clocks().subscribe_duration(0).unwrap())
            .collect();
        b.iter(|| {
            futures::executor::block_on(
                WasiIoCtxView::new(h.ctx()).poll(ps.iter().map(borrow).collect()),
            )
            .unwrap()
        })
    });

    g.bench_function("streams/sync", |b| {
        use bindings::sync::io::poll::Host as _;
        use bindings::sync::io::streams::HostOutputStream as _;
        let mut h = host();
        let s = h
            .table
            .push(Box::new(SinkOutputStream) as OutputStream)
            .unwrap();
        let ps: Vec<Resource<Pollable>> = (0..100)
            .map(|_| h.table.subscribe(borrow(&s)).unwrap())
            .collect();
        b.iter(|| {
            WasiIoCtxView::new(h.ctx())
                .poll(ps.iter().map(borrow).collect())
                .unwrap()
        })
    });

    g.bench_function("subscribe+poll+drop/sync", |b| {
        use bindings::clocks::monotonic_clock::Host as _;
        use bindings::sync::io::poll::{Host as _, HostPollable as _};
        let mut h = host();
        b.iter(|| {
            let ps: Vec<Resource<Pollable>> = (0..100)
                .map(|_| h.clocks().subscribe_duration(0).unwrap())
                .collect();
            let mut io = WasiIoCtxView::new(h.ctx());
            let ready = io.poll(ps.iter().map(borrow).collect()).unwrap();
            for p in ps {
                io.drop(p).unwrap();
            }
            ready
        })
    });
    g.finish();
}

/// A new store and context, and instantiation (not running) of the demo
/// component.
fn instantiate(c: &mut Criterion) {
    let mut g = c.benchmark_group("instantiate");
    let engine = Engine::default();
    let component = Component::from_binary(&engine, DEMO).unwrap();
    let mut linker = Linker::new(&engine);
    wasi_host::add_to_linker_sync(&mut linker).unwrap();
    let new_store = || {
        let ctx = WasiCtxBuilder::new().inherit_stdio().arg("demo").build();
        Store::new(&engine, Host::new(ctx))
    };

    g.bench_function("command", |b| {
        b.iter_batched(
            || (),
            |()| {
                let mut store = new_store();
                let cmd =
                    bindings::sync::Command::instantiate(&mut store, &component, &linker).unwrap();
                (cmd, store)
            },
            BatchSize::SmallInput,
        )
    });

    g.bench_function("pre", |b| {
        let pre =
            bindings::sync::CommandPre::new(linker.instantiate_pre(&component).unwrap()).unwrap();
        b.iter_batched(
            || (),
            |()| {
                let mut store = new_store();
                let cmd = pre.instantiate(&mut store).unwrap();
                (cmd, store)
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn config() -> Criterion {
    Criterion::default()
        .sample_size(30)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .without_plots()
}

criterion_group! {
    name = benches;
    config = config();
    targets = write16, clocks, poll100, instantiate
}
criterion_main!(benches);
