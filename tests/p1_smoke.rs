//! Smoke tests of preview 1 and preview 0 through WAT modules, in both
//! linkers and on both tokio runtime kinds. (The comprehensive suite, with
//! Rust guests, is `tests/preview1*.rs`.)

use wasi_host::pipe::MemoryOutputPipe;
use wasi_host::preview1::{self, WasiP1Ctx};
use wasi_host::{FsPerms, I32Exit, WasiCtxBuilder};
use wasmtime::{Config, Engine, Linker, Module, Store};

#[derive(Clone, Copy, Debug)]
enum Mode {
    /// Sync linker on a plain thread.
    Sync,
    /// Sync linker called from inside a current-thread runtime.
    SyncInCurrentThread,
    /// Sync linker called from inside a multi-thread runtime.
    SyncInMultiThread,
    /// Async linker on a current-thread runtime.
    AsyncCurrentThread,
    /// Async linker on a multi-thread runtime.
    AsyncMultiThread,
}

const MODES: [Mode; 5] = [
    Mode::Sync,
    Mode::SyncInCurrentThread,
    Mode::SyncInMultiThread,
    Mode::AsyncCurrentThread,
    Mode::AsyncMultiThread,
];

/// What a run gave: the exit code (`Some(0)` when `_start` returned) and
/// stdout.
struct Outcome {
    exit: Result<i32, String>,
    stdout: Vec<u8>,
}

fn run_sync(
    engine: &Engine,
    module: &Module,
    ctx: WasiP1Ctx,
) -> wasmtime::Result<wasmtime::Result<()>> {
    let mut linker = Linker::new(engine);
    preview1::add_to_linker_sync(&mut linker, |cx: &mut WasiP1Ctx| cx)?;
    wasi_host::preview0::add_to_linker_sync(&mut linker, |cx: &mut WasiP1Ctx| cx)?;
    let mut store = Store::new(engine, ctx);
    let instance = linker.instantiate(&mut store, module)?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    Ok(start.call(&mut store, ()))
}

async fn run_async(
    engine: &Engine,
    module: &Module,
    ctx: WasiP1Ctx,
) -> wasmtime::Result<wasmtime::Result<()>> {
    let mut linker = Linker::new(engine);
    preview1::add_to_linker_async(&mut linker, |cx: &mut WasiP1Ctx| cx)?;
    wasi_host::preview0::add_to_linker_async(&mut linker, |cx: &mut WasiP1Ctx| cx)?;
    let mut store = Store::new(engine, ctx);
    let instance = linker.instantiate_async(&mut store, module).await?;
    let start = instance.get_typed_func::<(), ()>(&mut store, "_start")?;
    Ok(start.call_async(&mut store, ()).await)
}

fn run(wat: &str, mode: Mode, setup: &dyn Fn(&mut WasiCtxBuilder)) -> Outcome {
    let engine = Engine::new(&Config::new()).unwrap();
    let module = Module::new(&engine, wat).unwrap();
    let stdout = MemoryOutputPipe::new(1 << 20);
    let mut builder = WasiCtxBuilder::new();
    builder.stdout(stdout.clone());
    setup(&mut builder);
    let ctx = builder.build_p1();
    let current = || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    let multi = || {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .unwrap()
    };
    let result = match mode {
        Mode::Sync => run_sync(&engine, &module, ctx),
        Mode::SyncInCurrentThread => current().block_on(async { run_sync(&engine, &module, ctx) }),
        Mode::SyncInMultiThread => multi().block_on(async { run_sync(&engine, &module, ctx) }),
        Mode::AsyncCurrentThread => current().block_on(run_async(&engine, &module, ctx)),
        Mode::AsyncMultiThread => multi().block_on(run_async(&engine, &module, ctx)),
    };
    let exit = match result.expect("instantiation") {
        Ok(()) => Ok(0),
        Err(e) => match e.downcast_ref::<I32Exit>() {
            Some(I32Exit(code)) => Ok(*code),
            None => Err(format!("{e:?}")),
        },
    };
    Outcome {
        exit,
        stdout: stdout.contents().to_vec(),
    }
}

/// A module importing `imports` (WAT text) with a 1-page memory, whose
/// `_start` is `body`. `$out` (at 0x800) holds result words written with
/// `(call $put (i32.const N) VALUE)`; `$flush` writes the first `n` words
/// to stdout.
fn module(imports: &str, body: &str) -> String {
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  {imports}
  (memory (export "memory") 1)
  (func $put (param $i i32) (param $v i32)
    (i32.store (i32.add (i32.const 0x800) (i32.mul (local.get $i) (i32.const 4))) (local.get $v)))
  (func $flush (param $n i32)
    (i32.store (i32.const 0x700) (i32.const 0x800))
    (i32.store (i32.const 0x704) (i32.mul (local.get $n) (i32.const 4)))
    (drop (call $fd_write (i32.const 1) (i32.const 0x700) (i32.const 1) (i32.const 0x708))))
  (func (export "_start") {body})
)"#
    )
}

fn words(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
        .collect()
}

#[test]
fn fd_write_gathers_every_iovec_to_stdout() {
    let wat = r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello ")
  (data (i32.const 32) "world\n")
  (func (export "_start")
    ;; iovecs at 0x100: {16, 6}, {0, 0}, {32, 6}
    (i32.store (i32.const 0x100) (i32.const 16))
    (i32.store (i32.const 0x104) (i32.const 6))
    (i32.store (i32.const 0x108) (i32.const 0))
    (i32.store (i32.const 0x10c) (i32.const 0))
    (i32.store (i32.const 0x110) (i32.const 32))
    (i32.store (i32.const 0x114) (i32.const 6))
    (if (call $fd_write (i32.const 1) (i32.const 0x100) (i32.const 3) (i32.const 0x200))
      (then unreachable))
    (if (i32.ne (i32.load (i32.const 0x200)) (i32.const 12)) (then unreachable)))
)"#;
    for mode in MODES {
        let out = run(wat, mode, &|_| {});
        assert_eq!(out.exit, Ok(0), "{mode:?}");
        assert_eq!(out.stdout, b"hello world\n", "{mode:?}");
    }
}

#[test]
fn bad_pointers_and_values_are_errnos() {
    let imports = r#"
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_renumber" (func $renumber (param i32 i32) (result i32)))"#;
    let body = r#"
    ;; EFAULT (21): iovec list out of bounds, and a result pointer out of bounds
    (call $put (i32.const 0) (call $fd_write (i32.const 1) (i32.const 0xfffff0) (i32.const 2) (i32.const 0)))
    (call $put (i32.const 1) (call $clock (i32.const 1) (i64.const 0) (i32.const 0x10000)))
    ;; EINVAL (28): an invalid clock id
    (call $put (i32.const 2) (call $clock (i32.const 99) (i64.const 0) (i32.const 0)))
    ;; EBADF (8): unknown fd; renumber onto an unopened fd
    (call $put (i32.const 3) (call $close (i32.const 77)))
    (call $put (i32.const 4) (call $renumber (i32.const 1) (i32.const 50)))
    ;; a huge iovec count: EFAULT or EOVERFLOW, no host allocation
    (call $put (i32.const 5) (call $fd_write (i32.const 1) (i32.const 0) (i32.const 0x7fffffff) (i32.const 0)))
    ;; the monotonic clock works
    (call $put (i32.const 6) (call $clock (i32.const 1) (i64.const 0) (i32.const 0x900)))
    (call $flush (i32.const 7))"#;
    let wat = module(imports, body);
    for mode in MODES {
        let out = run(&wat, mode, &|_| {});
        assert_eq!(out.exit, Ok(0), "{mode:?}");
        let w = words(&out.stdout);
        assert_eq!(w[..5], [21, 21, 28, 8, 8], "{mode:?}");
        assert!(w[5] == 21 || w[5] == 61, "{mode:?}: {}", w[5]);
        assert_eq!(w[6], 0, "{mode:?}");
    }
}

#[test]
fn args_environ_random_and_exit() {
    let imports = r#"
  (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_sizes_get" (func $env_sizes (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))"#;
    let body = r#"
    (call $put (i32.const 0) (call $args_sizes (i32.const 0x900) (i32.const 0x904)))
    (call $put (i32.const 1) (i32.load (i32.const 0x900)))
    (call $put (i32.const 2) (i32.load (i32.const 0x904)))
    (call $put (i32.const 3) (call $args_get (i32.const 0x910) (i32.const 0xa00)))
    ;; the second argument's first byte
    (call $put (i32.const 4) (i32.load8_u (i32.load (i32.const 0x914))))
    (call $put (i32.const 5) (call $env_sizes (i32.const 0x900) (i32.const 0x904)))
    (call $put (i32.const 6) (i32.load (i32.const 0x904)))
    (call $put (i32.const 7) (call $random (i32.const 0xb00) (i32.const 32)))
    (call $flush (i32.const 8))
    (call $proc_exit (i32.const 7))"#;
    let wat = module(imports, body);
    for mode in MODES {
        let out = run(&wat, mode, &|b| {
            b.args(&["prog", "xy"]).env("K", "V");
        });
        assert_eq!(out.exit, Ok(7), "{mode:?}");
        let w = words(&out.stdout);
        assert_eq!(w, [0, 2, 8, 0, b'x' as u32, 0, 4, 0], "{mode:?}");
    }
}

#[test]
fn files_in_a_preopen() {
    let imports = r#"
  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $prestat (param i32 i32) (result i32)))
  (data (i32.const 0x40) "new.txt")
  (data (i32.const 0x50) "abcdef")"#;
    let body = r#"
    ;; open fd 3 / new.txt with CREAT|TRUNC, all rights
    (call $put (i32.const 0) (call $open (i32.const 3) (i32.const 0) (i32.const 0x40) (i32.const 7)
      (i32.const 9) (i64.const 0x3fffffff) (i64.const 0x3fffffff) (i32.const 0) (i32.const 0x900)))
    (call $put (i32.const 1) (i32.load (i32.const 0x900)))
    ;; write "abcdef" as two iovecs {0x50,3} {0x53,3}
    (i32.store (i32.const 0x100) (i32.const 0x50))
    (i32.store (i32.const 0x104) (i32.const 3))
    (i32.store (i32.const 0x108) (i32.const 0x53))
    (i32.store (i32.const 0x10c) (i32.const 3))
    (call $put (i32.const 2) (call $fd_write (i32.load (i32.const 0x900)) (i32.const 0x100) (i32.const 2) (i32.const 0x904)))
    (call $put (i32.const 3) (i32.load (i32.const 0x904)))
    ;; pwrite "ab" at 10: the position stays at 6
    (call $put (i32.const 4) (call $pwrite (i32.load (i32.const 0x900)) (i32.const 0x100) (i32.const 1) (i64.const 10) (i32.const 0x904)))
    (call $put (i32.const 5) (call $seek (i32.load (i32.const 0x900)) (i64.const 0) (i32.const 1) (i32.const 0x910)))
    (call $put (i32.const 6) (i32.load (i32.const 0x910)))
    ;; seek to 1 and read 4 bytes into two iovecs {0x200,1} {0x300,3}
    (drop (call $seek (i32.load (i32.const 0x900)) (i64.const 1) (i32.const 0) (i32.const 0x910)))
    (i32.store (i32.const 0x120) (i32.const 0x200))
    (i32.store (i32.const 0x124) (i32.const 1))
    (i32.store (i32.const 0x128) (i32.const 0x300))
    (i32.store (i32.const 0x12c) (i32.const 3))
    (call $put (i32.const 7) (call $read (i32.load (i32.const 0x900)) (i32.const 0x120) (i32.const 2) (i32.const 0x904)))
    (call $put (i32.const 8) (i32.load (i32.const 0x904)))
    (call $put (i32.const 9) (i32.load8_u (i32.const 0x200)))
    (call $put (i32.const 10) (i32.load8_u (i32.const 0x302)))
    ;; readdir of fd 3 into 0x1000 (1024 bytes): bytes used
    (call $put (i32.const 11) (call $readdir (i32.const 3) (i32.const 0x1000) (i32.const 1024) (i64.const 0) (i32.const 0x904)))
    (call $put (i32.const 12) (i32.load (i32.const 0x904)))
    ;; negative seek is EINVAL, seek on stdout ESPIPE, prestat of fd 3 ok
    (call $put (i32.const 13) (call $seek (i32.load (i32.const 0x900)) (i64.const -100) (i32.const 1) (i32.const 0x910)))
    (call $put (i32.const 14) (call $seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 0x910)))
    (call $put (i32.const 15) (call $prestat (i32.const 3) (i32.const 0x910)))
    (call $flush (i32.const 16))
    ;; then the directory listing itself
    (i32.store (i32.const 0x700) (i32.const 0x1000))
    (i32.store (i32.const 0x704) (i32.load (i32.const 0x904)))
    (drop (call $fd_write (i32.const 1) (i32.const 0x700) (i32.const 1) (i32.const 0x708)))"#;
    let wat = module(imports, body);
    for mode in MODES {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("old.txt"), "x").unwrap();
        let path = dir.path().to_owned();
        let out = run(&wat, mode, &|b| {
            b.preopened_dir(&path, "/sandbox", FsPerms::ReadWrite)
                .unwrap();
        });
        assert_eq!(out.exit, Ok(0), "{mode:?}");
        let w = words(&out.stdout[..64]);
        assert_eq!(w[0], 0, "{mode:?}");
        assert_eq!(w[1], 4, "{mode:?}: first fd after the preopen");
        assert_eq!(w[2..7], [0, 6, 0, 0, 6], "{mode:?}");
        assert_eq!(w[7..11], [0, 4, b'b' as u32, b'e' as u32], "{mode:?}");
        assert_eq!(w[11], 0, "{mode:?}");
        assert_eq!(w[13..16], [28, 70, 0], "{mode:?}");
        let host = std::fs::read(dir.path().join("new.txt")).unwrap();
        assert_eq!(host, b"abcdef\0\0\0\0abc", "{mode:?}");
        // The listing: ., .., old.txt, new.txt in some order.
        let listing = &out.stdout[64..];
        assert_eq!(listing.len(), w[12] as usize);
        let mut names = Vec::new();
        let mut at = 0;
        while at + 24 <= listing.len() {
            let namlen = u32::from_le_bytes(listing[at + 16..at + 20].try_into().unwrap()) as usize;
            names.push(String::from_utf8(listing[at + 24..at + 24 + namlen].to_vec()).unwrap());
            at += 24 + namlen;
        }
        names.sort();
        assert_eq!(names, [".", "..", "new.txt", "old.txt"], "{mode:?}");
    }
}

#[test]
fn readdir_resumes_with_tiny_buffers() {
    // Lists with a 30-byte buffer, resuming from the `d_next` of the last
    // whole entry each time, and writes every whole entry's name.
    let imports = r#"
  (import "wasi_snapshot_preview1" "fd_readdir" (func $readdir (param i32 i32 i32 i64 i32) (result i32)))"#;
    let body = r#"
    (local $cookie i64) (local $used i32) (local $at i32) (local $len i32)
    (loop $calls
      (if (call $readdir (i32.const 3) (i32.const 0x1000) (i32.const 40) (local.get $cookie) (i32.const 0x904))
        (then unreachable))
      (local.set $used (i32.load (i32.const 0x904)))
      (local.set $at (i32.const 0))
      (block $done
        (loop $entries
          (br_if $done (i32.gt_u (i32.add (local.get $at) (i32.const 24)) (local.get $used)))
          (local.set $len (i32.load (i32.add (i32.const 0x1010) (local.get $at))))
          (br_if $done (i32.gt_u (i32.add (i32.add (local.get $at) (i32.const 24)) (local.get $len)) (local.get $used)))
          (local.set $cookie (i64.load (i32.add (i32.const 0x1000) (local.get $at))))
          ;; write the name and a newline
          (i32.store (i32.const 0x700) (i32.add (i32.const 0x1018) (local.get $at)))
          (i32.store (i32.const 0x704) (local.get $len))
          (i32.store (i32.const 0x708) (i32.const 0x7f0))
          (i32.store (i32.const 0x70c) (i32.const 1))
          (i32.store8 (i32.const 0x7f0) (i32.const 10))
          (drop (call $fd_write (i32.const 1) (i32.const 0x700) (i32.const 2) (i32.const 0x720)))
          (local.set $at (i32.add (i32.add (local.get $at) (i32.const 24)) (local.get $len)))
          (br $entries)))
      (br_if $calls (i32.eq (local.get $used) (i32.const 40))))"#;
    let wat = module(imports, body);
    for mode in [Mode::Sync, Mode::AsyncCurrentThread] {
        let dir = tempfile::tempdir().unwrap();
        let mut expected = vec![".".to_string(), "..".to_string()];
        for i in 0..50 {
            let name = format!("entry-{i:03}");
            std::fs::write(dir.path().join(&name), "").unwrap();
            expected.push(name);
        }
        let path = dir.path().to_owned();
        let out = run(&wat, mode, &|b| {
            b.preopened_dir(&path, ".", FsPerms::ReadWrite).unwrap();
        });
        assert_eq!(out.exit, Ok(0), "{mode:?}");
        let mut names: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect();
        names.sort();
        expected.sort();
        assert_eq!(names, expected, "{mode:?}");
    }
}

#[test]
fn poll_oneoff_clocks_and_stdout() {
    let imports = r#"
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll (param i32 i32 i32 i32) (result i32)))"#;
    // Subscriptions at 0x1000 (48 bytes each), events at 0x2000 (32 each).
    let body = r#"
    ;; 0: clock, userdata 11, monotonic, relative 1 ms
    (i64.store (i32.const 0x1000) (i64.const 11))
    (i32.store8 (i32.const 0x1008) (i32.const 0))
    (i32.store (i32.const 0x1010) (i32.const 1))
    (i64.store (i32.const 0x1018) (i64.const 1000000))
    ;; zero subscriptions: EINVAL
    (call $put (i32.const 0) (call $poll (i32.const 0x1000) (i32.const 0x2000) (i32.const 0) (i32.const 0x900)))
    ;; the clock alone: one event after the timeout
    (call $put (i32.const 1) (call $poll (i32.const 0x1000) (i32.const 0x2000) (i32.const 1) (i32.const 0x900)))
    (call $put (i32.const 2) (i32.load (i32.const 0x900)))
    (call $put (i32.const 3) (i32.load (i32.const 0x2000)))
    ;; 1: fd_write on stdout, userdata 22: ready at once, with the clock
    (i64.store (i32.const 0x1030) (i64.const 22))
    (i32.store8 (i32.const 0x1038) (i32.const 2))
    (i32.store (i32.const 0x1040) (i32.const 1))
    (call $put (i32.const 4) (call $poll (i32.const 0x1000) (i32.const 0x2000) (i32.const 2) (i32.const 0x900)))
    (call $put (i32.const 5) (i32.load (i32.const 0x900)))
    (call $put (i32.const 6) (i32.load (i32.const 0x2000)))
    (call $put (i32.const 7) (i32.load8_u (i32.const 0x200a)))
    ;; an invalid event type: EINVAL
    (i32.store8 (i32.const 0x1038) (i32.const 9))
    (call $put (i32.const 8) (call $poll (i32.const 0x1000) (i32.const 0x2000) (i32.const 2) (i32.const 0x900)))
    (call $flush (i32.const 9))"#;
    let wat = module(imports, body);
    for mode in MODES {
        let out = run(&wat, mode, &|_| {});
        assert_eq!(out.exit, Ok(0), "{mode:?}");
        let w = words(&out.stdout);
        assert_eq!(w, [28, 0, 1, 11, 0, 1, 22, 2, 28], "{mode:?}");
    }
}

#[test]
fn preview0_whence_and_filestat_layouts() {
    let wat = r#"(module
  (import "wasi_unstable" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_unstable" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_seek" (func $seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_unstable" "fd_filestat_get" (func $stat (param i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0x40) "f")
  (func (export "_start")
    (if (call $open (i32.const 3) (i32.const 0) (i32.const 0x40) (i32.const 1)
      (i32.const 0) (i64.const 0x1fffffff) (i64.const 0x1fffffff) (i32.const 0) (i32.const 0x900)) (then unreachable))
    ;; preview 0 whence: 0 = CUR, 1 = END, 2 = SET
    (if (call $seek (i32.load (i32.const 0x900)) (i64.const 3) (i32.const 2) (i32.const 0x800)) (then unreachable))
    (if (call $seek (i32.load (i32.const 0x900)) (i64.const 2) (i32.const 0) (i32.const 0x808)) (then unreachable))
    (if (call $seek (i32.load (i32.const 0x900)) (i64.const -1) (i32.const 1) (i32.const 0x810)) (then unreachable))
    ;; filestat at 0x818: dev 8, ino 8, filetype 1 (+3), nlink 4, size 8 at +24
    (if (call $stat (i32.load (i32.const 0x900)) (i32.const 0x818)) (then unreachable))
    (i32.store (i32.const 0x700) (i32.const 0x800))
    (i32.store (i32.const 0x704) (i32.const 80))
    (drop (call $fd_write (i32.const 1) (i32.const 0x700) (i32.const 1) (i32.const 0x708))))
)"#;
    for mode in MODES {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), "0123456789").unwrap();
        let path = dir.path().to_owned();
        let out = run(wat, mode, &|b| {
            b.preopened_dir(&path, ".", FsPerms::ReadWrite).unwrap();
        });
        assert_eq!(out.exit, Ok(0), "{mode:?}");
        let o = &out.stdout;
        let u64_at = |i: usize| u64::from_le_bytes(o[i..i + 8].try_into().unwrap());
        assert_eq!([u64_at(0), u64_at(8), u64_at(16)], [3, 5, 9], "{mode:?}");
        let stat = &o[24..];
        assert_eq!(stat[16], 4, "{mode:?}: regular file");
        assert_eq!(
            u32::from_le_bytes(stat[20..24].try_into().unwrap()),
            1,
            "{mode:?}: nlink"
        );
        assert_eq!(
            u64::from_le_bytes(stat[24..32].try_into().unwrap()),
            10,
            "{mode:?}: size"
        );
    }
}
