//! `WasiCtxBuilder` from the host side: nothing granted by default, preopen
//! errors, the build-once rule, and the linker entry points.

use crate::common;
use common::{Exit, Mode, guests};
use wasi_host::pipe::MemoryOutputPipe;
use wasi_host::{DirPerms, FilePerms, FsPerms, WasiCtx, WasiCtxBuilder};

fn run_with(ctx: WasiCtx, wasm: &str, mode: Mode) -> Exit {
    let component = common::component(wasm);
    let state = common::Ctx {
        table: wasi_host::ResourceTable::new(),
        wasi: ctx,
    };
    common::run_in(mode, &component, state)
}

#[test]
fn defaults_grant_nothing() {
    for mode in Mode::ALL {
        let out = MemoryOutputPipe::new(1 << 16);
        let ctx = WasiCtxBuilder::new().stdout(out.clone()).build();
        assert_eq!(run_with(ctx, guests::ENVIRONMENT, mode), Exit::Code(0));
        // No arguments, no environment, no cwd, no preopens.
        assert_eq!(String::from_utf8_lossy(&out.contents()), "cwd none\n");

        let out = MemoryOutputPipe::new(1 << 16);
        let ctx = WasiCtxBuilder::new().stdout(out.clone()).build();
        assert_eq!(run_with(ctx, guests::PREOPENS, mode), Exit::Code(0));
        assert_eq!(String::from_utf8_lossy(&out.contents()), "end\n");

        let out = MemoryOutputPipe::new(1 << 16);
        let ctx = WasiCtxBuilder::new().stdout(out.clone()).build();
        assert_eq!(run_with(ctx, guests::TERMINAL, mode), Exit::Code(0));
        assert_eq!(
            String::from_utf8_lossy(&out.contents()),
            "terminal-stdin=false\nterminal-stdout=false\nterminal-stderr=false\n"
        );
    }
}

#[test]
fn default_stdio_is_closed_input_and_discarded_output() {
    for mode in Mode::ALL {
        // stdin_echo with the default stdin (empty) and stdout (discarded)
        // succeeds.
        let ctx = WasiCtx::builder().build();
        assert_eq!(run_with(ctx, guests::STDIN_ECHO, mode), Exit::Code(0));
    }
}

#[test]
fn preopened_dir_errors() {
    let dir = common::tempdir();
    let file = dir.path().join("file");
    std::fs::write(&file, "x").unwrap();
    let missing = dir.path().join("missing");

    let mut b = WasiCtxBuilder::new();
    assert!(b.preopened_dir(&missing, "/m", FsPerms::ReadWrite).is_err());
    assert!(b.preopened_dir(&file, "/f", FsPerms::ReadWrite).is_err());
    assert!(b.preopened_dir(dir.path(), "/d", FsPerms::ReadOnly).is_ok());
    // The failed ones were not added.
    let out = MemoryOutputPipe::new(1 << 16);
    b.stdout(out.clone());
    let ctx = b.build();
    assert_eq!(run_with(ctx, guests::PREOPENS, Mode::Sync), Exit::Code(0));
    assert_eq!(
        String::from_utf8_lossy(&out.contents()),
        "preopen /d\nend\n"
    );
}

#[test]
fn preopens_are_listed_in_order() {
    let a = common::tempdir();
    let b = common::tempdir();
    for mode in Mode::ALL {
        let out = common::Run::new(guests::PREOPENS)
            .preopen(
                b.path(),
                "/second-added-first",
                DirPerms::READ,
                FilePerms::READ,
            )
            .preopen_rw(a.path(), "/a")
            .preopen(a.path(), "/a-again", DirPerms::READ, FilePerms::READ)
            .run(mode);
        out.assert_success();
        let pre: Vec<String> = out
            .lines()
            .into_iter()
            .filter(|l| l.starts_with("preopen "))
            .collect();
        assert_eq!(
            pre,
            vec![
                "preopen /second-added-first",
                "preopen /a",
                "preopen /a-again"
            ]
        );
    }
}

#[test]
fn builder_chains_and_builds_once() {
    let mut b = WasiCtx::builder();
    b.arg("prog")
        .args(&["a", "b"])
        .env("K", "V")
        .envs(&[("K2", "V2")])
        .initial_cwd("/");
    b.allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false);
    b.max_random_size(1 << 20).insecure_random_seed(5);
    let _ctx = b.build();
    let again = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| b.build()));
    assert!(again.is_err(), "a builder built twice");
}

#[test]
fn linker_entry_points() {
    let engine = common::engine();
    let mut l = wasmtime::component::Linker::<common::Ctx>::new(engine);
    wasi_host::add_to_linker_sync(&mut l).unwrap();
    let mut l = wasmtime::component::Linker::<common::Ctx>::new(engine);
    wasi_host::add_to_linker_async(&mut l).unwrap();
    let mut l = wasmtime::component::Linker::<common::Ctx>::new(engine);
    wasi_host::add_to_linker_proxy_interfaces_sync(&mut l).unwrap();
    let mut l = wasmtime::component::Linker::<common::Ctx>::new(engine);
    wasi_host::add_to_linker_proxy_interfaces_async(&mut l).unwrap();
}

#[test]
fn command_pre_instantiates_repeatedly() {
    // CommandPre: link once, instantiate many times.
    let engine = common::engine();
    let component = common::component(guests::ENVIRONMENT);
    let mut linker = wasmtime::component::Linker::<common::Ctx>::new(engine);
    wasi_host::add_to_linker_sync(&mut linker).unwrap();
    let pre =
        wasi_host::bindings::sync::CommandPre::new(linker.instantiate_pre(&component).unwrap())
            .unwrap();
    for i in 0..3 {
        let out = MemoryOutputPipe::new(1 << 16);
        let ctx = WasiCtxBuilder::new()
            .arg(format!("run{i}"))
            .stdout(out.clone())
            .build();
        let mut store = wasmtime::Store::new(
            engine,
            common::Ctx {
                table: wasi_host::ResourceTable::new(),
                wasi: ctx,
            },
        );
        store.set_epoch_deadline(1000);
        let cmd = pre.instantiate(&mut store).unwrap();
        cmd.wasi_cli_run().call_run(&mut store).unwrap().unwrap();
        assert!(String::from_utf8_lossy(&out.contents()).starts_with(&format!("arg run{i}\n")));
    }
}
