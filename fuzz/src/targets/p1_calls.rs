//! Target `p1_calls`: preview 1 and preview 0 calls with arbitrary
//! arguments on an arbitrary memory image (issue 19, part 2, "guest memory
//! and arguments").
//!
//! A core module imports every function the crate links for
//! `wasi_snapshot_preview1` and `wasi_unstable` and exports a wrapper of
//! each, so a case can call them one by one with the arguments it
//! chooses. A case
//! is a fresh context over a fresh host tree, a memory image, and up to 32
//! calls; each argument is a small number, a pointer to a path string, an
//! iovec array or a buffer the case laid out, an edge value (the end of
//! memory, `u32::MAX`, ...) or raw input.
//!
//! Oracles (a panic is a finding):
//! * no host panic, whatever the arguments;
//! * every call returns an errno of the standard (0..=76), or ends in a
//!   clean trap (`proc_exit`, a bad pointer the spec makes a trap, the
//!   host-call fuel), after which the case stops;
//! * nothing outside the read-write preopen changes: a canary file and a
//!   canary directory beside it (also reachable through a symlink inside
//!   the preopen), and the files of a read-only preopen.
//!
//! The context is deterministic (virtual time), so a clock subscription or
//! a sleep of any length ends at once.

use super::input::Input;
use std::collections::BTreeMap;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Calls made by all cases so far: in all, those that returned errno 0,
/// and those that ended in a trap or an exit (for the reports).
pub static CALLS: [AtomicU64; 3] = [AtomicU64::new(0), AtomicU64::new(0), AtomicU64::new(0)];
use wasi_host::p1::WasiP1Ctx;
use wasi_host::vfs::{MemoryFs, Mount};
use wasi_host::{FsPerms, I32Exit, WasiCtxBuilder};
use wasmtime::{Engine, Linker, Module, Store, Val, ValType};

/// The store's data.
pub struct State {
    /// The preview 1 context.
    pub wasi: WasiP1Ctx,
}

/// What every case shares: the engine, the linker, the module and the
/// imports it wraps (`f0`, `f1`, ...) with their parameter types. Generic
/// over the store's data, so that another host's preview 1 can run the
/// same module (the reference oracle of `src/oracle.rs`).
pub struct Setup<T: 'static> {
    /// The engine.
    pub engine: Engine,
    /// The linker with the preview 1 (and preview 0) functions.
    pub linker: Linker<T>,
    /// The wrapping module.
    pub module: Module,
    /// `module::name` and the parameter types of export `f{index}`.
    pub funcs: Vec<(String, Vec<ValType>)>,
}

/// Where the case lays out what the arguments point to.
const STRINGS: u32 = 0x8000;
const SLOT: u32 = 32;
const IOVECS: u32 = 0x9000;
const BUFFERS: u32 = 0xa000;

/// The path strings at [`STRINGS`], one per 32-byte slot.
const PATHS: &[&str] = &[
    "file.txt",
    "dir",
    "dir/",
    "link",
    "loop",
    "../canary.txt",
    "..",
    ".",
    "/etc/passwd",
    "dir/../file.txt",
    "dir/../../canary.txt",
    "new",
    "dir/new",
    "out/inner.txt",
    "file.txt/",
    "a\0b",
];

/// The setup of a module that imports every function of `linker` and
/// exports a wrapper of each; `store` is only looked through.
pub fn wrapping<T: 'static>(engine: &Engine, linker: Linker<T>, store: &mut Store<T>) -> Setup<T> {
    let mut wat = String::from("(module\n");
    let mut funcs = Vec::new();
    let mut wrappers = String::new();
    let items: Vec<_> = linker
        .iter(&mut *store)
        .filter_map(|(module, name, item)| {
            Some((module.to_owned(), name.to_owned(), item.into_func()?))
        })
        .collect();
    for (module, name, func) in items {
        let ty = func.ty(&*store);
        let params: Vec<ValType> = ty.params().collect();
        let types = |tys: &mut dyn Iterator<Item = ValType>| {
            tys.map(|t| t.to_string()).collect::<Vec<_>>().join(" ")
        };
        let i = funcs.len();
        let (ps, rs) = (types(&mut params.iter().cloned()), types(&mut ty.results()));
        let gets: String = (0..params.len())
            .map(|p| format!("local.get {p} "))
            .collect();
        // A wrapper, so that the host function's caller is this
        // instance, whose memory it uses.
        wat.push_str(&format!(
            "  (import {module:?} {name:?} (func $f{i} (param {ps}) (result {rs})))\n"
        ));
        wrappers.push_str(&format!(
            "  (func (export \"f{i}\") (param {ps}) (result {rs}) {gets}call $f{i})\n"
        ));
        funcs.push((format!("{module}::{name}"), params));
    }
    wat.push_str(&wrappers);
    wat.push_str("  (memory (export \"memory\") 1))\n");
    let module = Module::new(engine, &wat).expect("the wrapping module");
    Setup {
        engine: engine.clone(),
        linker,
        module,
        funcs,
    }
}

/// The setup of the crate's preview 1 and preview 0.
pub(super) fn setup() -> &'static Setup<State> {
    static SETUP: OnceLock<Setup<State>> = OnceLock::new();
    SETUP.get_or_init(|| {
        let engine = Engine::default();
        let mut linker = Linker::<State>::new(&engine);
        wasi_host::p1::add_to_linker_sync(&mut linker, |s| &mut s.wasi).expect("link p1");
        wasi_host::p0::add_to_linker_sync(&mut linker, |s| &mut s.wasi).expect("link p0");
        let wasi = WasiCtxBuilder::new().build_p1();
        let mut store = Store::new(&engine, State { wasi });
        wrapping(&engine, linker, &mut store)
    })
}

/// The host tree of a case: `root/` holds the canaries and the preopens.
struct Tree {
    root: tempfile::TempDir,
}

impl Tree {
    fn new() -> Tree {
        let root = tempfile::tempdir().expect("a temporary directory");
        let p = root.path();
        super::canary::plant(p);
        let sandbox = p.join("sandbox");
        std::fs::create_dir_all(sandbox.join("dir")).unwrap();
        std::fs::write(sandbox.join("file.txt"), "hello, sandbox").unwrap();
        std::os::unix::fs::symlink("file.txt", sandbox.join("link")).unwrap();
        std::os::unix::fs::symlink("loop", sandbox.join("loop")).unwrap();
        std::os::unix::fs::symlink("../canary_dir", sandbox.join("out")).unwrap();
        std::fs::create_dir(p.join("ro")).unwrap();
        std::fs::write(p.join("ro/kept.txt"), "read only").unwrap();
        Tree { root }
    }

    /// Everything outside `sandbox/`: path -> kind, contents, permissions
    /// and modification time.
    fn outside(&self) -> BTreeMap<String, String> {
        super::canary::outside(self.root.path())
    }
}

/// Lays out the strings, iovecs and buffers the arguments point to, over
/// a prefix of the memory image taken from the input.
fn memory_image(input: &mut Input<'_>) -> Vec<u8> {
    let mut mem = vec![0u8; 0x1_0000];
    // At most 1 KiB of the input: the rest is for the calls.
    let len = usize::from(input.u8()) * 4;
    let raw = input.take(len);
    mem[..raw.len()].copy_from_slice(raw);
    for (i, p) in PATHS.iter().enumerate() {
        let at = (STRINGS + i as u32 * SLOT) as usize;
        mem[at..at + p.len()].copy_from_slice(p.as_bytes());
    }
    for i in 0..4u32 {
        let at = (IOVECS + i * 8) as usize;
        mem[at..at + 4].copy_from_slice(&(BUFFERS + i * 0x400).to_le_bytes());
        mem[at + 4..at + 8].copy_from_slice(&0x400u32.to_le_bytes());
    }
    mem
}

/// The arguments of one call of a function with `params`.
fn arguments(input: &mut Input<'_>, params: &[ValType]) -> Vec<Val> {
    let mut args = Vec::with_capacity(params.len());
    // The length of the path string the previous argument pointed to.
    let mut string_len = None;
    for ty in params {
        let val = match ty {
            ValType::I64 => Val::I64(match input.u8() % 6 {
                0 => 0,
                1 => i64::from(input.u8()),
                2 => -1,
                3 => i64::MAX,
                4 => 1 << 40,
                _ => input.u64() as i64,
            }),
            _ => {
                let len = string_len.take();
                let v: u32 = match (len, input.u8() % 10) {
                    (Some(len), 0..=6) => len,
                    (_, 0..=1) => u32::from(input.u8() % 8),
                    (_, 2) => {
                        let i = u32::from(input.u8()) % PATHS.len() as u32;
                        string_len = Some(PATHS[i as usize].len() as u32);
                        STRINGS + i * SLOT
                    }
                    (_, 3) => IOVECS,
                    (_, 4) => 1 + u32::from(input.u8() % 4),
                    (_, 5) => BUFFERS,
                    (_, 6) => input.pick(&[u32::MAX, 0xffff, 0x1_0000, 0xfff8, 0x7fff_ffff]),
                    (_, 7) => u32::from(input.u16()),
                    _ => input.u32(),
                };
                Val::I32(v as i32)
            }
        };
        args.push(val);
    }
    args
}

/// One case; panics on a finding.
pub fn run(data: &[u8]) {
    let setup = setup();
    let mut input = Input::new(data);
    let tree = Tree::new();
    let before = tree.outside();
    let root = tree.root.path();
    let mut builder = WasiCtxBuilder::new();
    builder
        .deterministic(u64::from(input.u32()))
        .args(&["fuzz", "--flag"])
        .env("KEY", "value")
        .mount(
            "/mem",
            Mount::memory(MemoryFs::new()),
            wasi_host::DirPerms::all(),
            wasi_host::FilePerms::all(),
        );
    builder
        .preopened_dir(root.join("sandbox"), "/sandbox", FsPerms::ReadWrite)
        .expect("preopen the sandbox");
    builder
        .preopened_dir(root.join("ro"), "/ro", FsPerms::ReadOnly)
        .expect("preopen ro");
    let mut store = Store::new(
        &setup.engine,
        State {
            wasi: builder.build_p1(),
        },
    );
    store.set_hostcall_fuel(64 << 10);
    let instance = setup
        .linker
        .instantiate(&mut store, &setup.module)
        .expect("instantiate");
    let memory = instance.get_memory(&mut store, "memory").expect("memory");
    let image = memory_image(&mut input);
    memory
        .write(&mut store, 0, &image)
        .expect("write the image");
    for _ in 0..32 {
        if input.is_empty() {
            break;
        }
        let mut index = usize::from(input.u8()) % setup.funcs.len();
        if setup.funcs[index].0.ends_with("::proc_exit") {
            // Chosen again once: an exit ends the case.
            index = usize::from(input.u8()) % setup.funcs.len();
        }
        let (name, params) = &setup.funcs[index];
        let args = arguments(&mut input, params);
        let func = instance
            .get_func(&mut store, &format!("f{index}"))
            .expect("an export");
        let mut results = vec![Val::I32(0); func.ty(&store).results().len()];
        CALLS[0].fetch_add(1, Relaxed);
        match func.call(&mut store, &args, &mut results) {
            Ok(()) => {
                if let Some(Val::I32(0)) = results.first() {
                    CALLS[1].fetch_add(1, Relaxed);
                }
                if let Some(Val::I32(errno)) = results.first() {
                    assert!(
                        (0..=76).contains(errno),
                        "{name}({args:?}) returned {errno}, no errno of the standard"
                    );
                }
            }
            Err(e) => {
                // A clean end: `proc_exit`, or a trap with its message.
                let _ = e.downcast_ref::<I32Exit>();
                CALLS[2].fetch_add(1, Relaxed);
                break;
            }
        }
    }
    drop(store);
    let after = tree.outside();
    assert_eq!(before, after, "something outside the sandbox changed");
}
