//! WASI 0.3 beside 0.2 and native code: the same workloads run by a 0.3
//! guest (`tests/guests-p3/src/bin/p3_bench.rs`), a 0.2 guest
//! (`tests/guests/src/bin/bench_p2.rs`) and this process itself, through
//! this crate's async linkers on a multi-thread tokio runtime.
//!
//! `cargo bench --features p3 --bench p3` prints one table; each cell is
//! the best of a few runs, timed by the guest's own monotonic clock around
//! the workload (instantiation is not counted). `cargo bench --bench p3 --
//! read` runs the cells whose name contains `read`. Results are figures to
//! compare, never pass/fail.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::time::{Duration, Instant};
use wasi_host::pipe::{MemoryOutputPipe, SinkOutputStream};
use wasi_host::vfs::Mount;
use wasi_host::{DirPerms, FilePerms, WasiCtxBuilder};
use wasi_host_test_artifacts as guests;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine, Store};

/// How many rounds each cell runs; the best run of each front counts.
const RUNS: usize = 5;
/// The file of the bulk cells.
const FILE_SIZE: usize = 64 << 20;
/// The entries of the listing cell.
const ENTRIES: usize = 10_000;
/// The bytes of the TCP receive cell.
const RECV_SIZE: usize = 256 << 20;
/// Round trips of the TCP latency cell.
const ROUND_TRIPS: u64 = 2_000;

mod common;
mod guest_run;
use common::Host;

/// The front-ends a cell runs through.
#[derive(Clone, Copy, Debug)]
enum Front {
    P2,
    P3,
}

struct Bench {
    engine: Engine,
    p2: Component,
    p3: Component,
    dir: tempfile::TempDir,
    rt: tokio::runtime::Runtime,
}

impl Bench {
    fn new() -> Bench {
        let mut config = Config::new();
        config.wasm_component_model_async(true);
        let engine = Engine::new(&config).expect("engine");
        let p2 = Component::from_file(&engine, guests::BENCH_P2).expect("0.2 guest");
        let p3 = Component::from_file(&engine, guests::p3::P3_BENCH).expect("0.3 guest");
        let dir = guest_run::bench_dir(ENTRIES, FILE_SIZE);
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        Bench {
            engine,
            p2,
            p3,
            dir,
            rt,
        }
    }

    /// One run of `front`'s guest with `args`: the workload's time.
    fn guest(&self, front: Front, args: &[String]) -> Duration {
        let stderr = MemoryOutputPipe::new(1 << 16);
        let mut b = WasiCtxBuilder::new();
        let mut argv = vec!["bench".to_string()];
        argv.extend(args.iter().cloned());
        b.args(&argv)
            .stdout(SinkOutputStream)
            .stderr(stderr.clone())
            .allow_tcp(true)
            .inherit_network();
        let mount = Mount::host_dir(self.dir.path()).expect("the bench folder");
        b.mount("/bench", mount, DirPerms::all(), FilePerms::all());
        let mut store = Store::new(&self.engine, Host::new(b.build()));
        let result: wasmtime::Result<Result<(), ()>> = self.rt.block_on(async {
            let mut linker = Linker::<Host>::new(&self.engine);
            wasi_host::p2::add_to_linker_async(&mut linker)?;
            match front {
                Front::P2 => {
                    let cmd = wasi_host::p2::bindings::Command::instantiate_async(
                        &mut store, &self.p2, &linker,
                    )
                    .await?;
                    cmd.wasi_cli_run().call_run(&mut store).await
                }
                Front::P3 => {
                    wasi_host::p3::add_to_linker(&mut linker)?;
                    let cmd = wasi_host::p3::bindings::Command::instantiate_async(
                        &mut store, &self.p3, &linker,
                    )
                    .await?;
                    store
                        .run_concurrent(async |s| cmd.wasi_cli_run().call_run(s).await)
                        .await?
                }
            }
        });
        guest_run::report((front, args), result, &stderr.contents()).0
    }
}

/// A server on loopback that, for each connection, echoes (`echo`) or
/// sends [`RECV_SIZE`] bytes and closes; its address.
fn server(echo: bool) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listen");
    let addr = listener.local_addr().expect("address").to_string();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let _ = conn.set_nodelay(true);
            std::thread::spawn(move || {
                if echo {
                    let mut buf = [0u8; 64];
                    while let Ok(n) = conn.read(&mut buf) {
                        if n == 0 || conn.write_all(&buf[..n]).is_err() {
                            break;
                        }
                    }
                } else {
                    let chunk = vec![1u8; 1 << 20];
                    for _ in 0..RECV_SIZE / chunk.len() {
                        if conn.write_all(&chunk).is_err() {
                            break;
                        }
                    }
                }
            });
        }
    });
    addr
}

/// The native equivalent of each cell.
mod native {
    use super::*;

    pub fn stdout(size: usize, n: u64) -> Duration {
        let mut sink = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/null")
            .expect("/dev/null");
        let data = vec![b'x'; size];
        let start = Instant::now();
        for _ in 0..n {
            sink.write_all(&data).expect("write");
        }
        start.elapsed()
    }

    pub fn read(path: &Path) -> Duration {
        let start = Instant::now();
        let mut f = std::fs::File::open(path).expect("open");
        let mut buf = vec![0u8; 64 << 10];
        while f.read(&mut buf).expect("read") > 0 {}
        start.elapsed()
    }

    pub fn write(path: &Path, size: usize) -> Duration {
        let start = Instant::now();
        let mut f = std::fs::File::create(path).expect("create");
        let mut chunk = vec![0u8; 64 << 10];
        for _ in 0..size / chunk.len() {
            // Each chunk made afresh, as the 0.3 guest must (its stream
            // takes the buffer).
            chunk.fill(7);
            f.write_all(&chunk).expect("write");
        }
        start.elapsed()
    }

    pub fn list(path: &Path) -> Duration {
        let start = Instant::now();
        let n = std::fs::read_dir(path).expect("read_dir").count();
        assert_eq!(n, ENTRIES);
        start.elapsed()
    }

    pub fn rtt(addr: &str, n: u64) -> Duration {
        let start = Instant::now();
        let mut s = TcpStream::connect(addr).expect("connect");
        s.set_nodelay(true).expect("nodelay");
        let mut buf = [0u8; 64];
        for _ in 0..n {
            s.write_all(&[b'p'; 64]).expect("send");
            s.read_exact(&mut buf).expect("receive");
        }
        start.elapsed()
    }

    pub fn recv(addr: &str) -> Duration {
        let start = Instant::now();
        let mut s = TcpStream::connect(addr).expect("connect");
        let mut buf = vec![0u8; 64 << 10];
        while s.read(&mut buf).expect("receive") > 0 {}
        start.elapsed()
    }

    pub fn sleeps(n: u64, ms: u64, rt: &tokio::runtime::Runtime) -> Duration {
        let start = Instant::now();
        rt.block_on(async {
            futures::future::join_all((0..n).map(|_| tokio::time::sleep(Duration::from_millis(ms))))
                .await
        });
        start.elapsed()
    }
}

/// One row: a workload, its unit count (per-op figures divide by it), and
/// how to run it natively.
struct Cell {
    name: &'static str,
    args: Vec<String>,
    per: u64,
    unit: &'static str,
    native: Box<dyn Fn(&Bench) -> Duration>,
}

fn cells(echo: String, bulk: String) -> Vec<Cell> {
    let s = |v: &[&str]| v.iter().map(|a| a.to_string()).collect::<Vec<_>>();
    let (e1, e2) = (echo.clone(), bulk.clone());
    vec![
        Cell {
            name: "stdout 16 B",
            args: s(&["stdout", "16", "100000"]),
            per: 100_000,
            unit: "ns/write",
            native: Box::new(|_| native::stdout(16, 100_000)),
        },
        Cell {
            name: "stdout 64 KiB",
            args: s(&["stdout", "65536", "2000"]),
            per: 2_000,
            unit: "ns/write",
            native: Box::new(|_| native::stdout(65536, 2_000)),
        },
        Cell {
            name: "file read 64 MiB",
            args: s(&["read", "in.bin"]),
            per: 1,
            unit: "ns",
            native: Box::new(|b| native::read(&b.dir.path().join("in.bin"))),
        },
        Cell {
            name: "file write 64 MiB",
            args: s(&["write", "out.bin", &FILE_SIZE.to_string()]),
            per: 1,
            unit: "ns",
            native: Box::new(|b| native::write(&b.dir.path().join("out.bin"), FILE_SIZE)),
        },
        Cell {
            name: "listing 10,000",
            args: s(&["list", "list"]),
            per: 1,
            unit: "ns",
            native: Box::new(|b| native::list(&b.dir.path().join("list"))),
        },
        Cell {
            name: "tcp rtt 64 B",
            args: s(&["rtt", &echo, &ROUND_TRIPS.to_string()]),
            per: ROUND_TRIPS,
            unit: "ns/trip",
            native: Box::new(move |_| native::rtt(&e1, ROUND_TRIPS)),
        },
        Cell {
            name: "tcp recv 256 MiB",
            args: s(&["recv", &bulk]),
            per: 1,
            unit: "ns",
            native: Box::new(move |_| native::recv(&e2)),
        },
        Cell {
            name: "1000 sleeps 10 ms",
            args: s(&["sleeps", "1000", "10"]),
            per: 1,
            unit: "ns",
            native: Box::new(|b| native::sleeps(1000, 10, &b.rt)),
        },
    ]
}

fn main() {
    let filter = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .unwrap_or_default();
    let bench = Bench::new();
    let cells = cells(server(true), server(false));
    println!(
        "| cell | unit | native | 0.2 | 0.3 | 0.3 / native | 0.3 / 0.2 |\n|---|---|---|---|---|---|---|"
    );
    for cell in cells.iter().filter(|c| c.name.contains(filter.as_str())) {
        // Rounds of all three, so that whatever the machine does meanwhile
        // falls on each alike; the best run of each counts.
        let mut best = [Duration::MAX; 3];
        for _ in 0..RUNS {
            let round = [
                (cell.native)(&bench),
                bench.guest(Front::P2, &cell.args),
                bench.guest(Front::P3, &cell.args),
            ];
            for (b, r) in best.iter_mut().zip(round) {
                *b = (*b).min(r);
            }
        }
        let per = |d: Duration| d.as_nanos() as f64 / cell.per as f64;
        let [native, p2, p3] = best.map(per);
        println!(
            "| {} | {} | {native:.0} | {p2:.0} | {p3:.0} | {:.2}x | {:.2}x |",
            cell.name,
            cell.unit,
            p3 / native,
            p3 / p2
        );
    }
}
