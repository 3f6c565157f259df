//! A sync embedding called from inside a tokio runtime must not panic
//! ("Cannot start a runtime from within a runtime"), and an async embedding
//! must work on whatever runtime the embedder drives it with.

use crate::common;
use common::{Mode, Run, guests};

fn sync_guests_here() {
    // Blocking stdio, timers (sleep) and poll, all through the sync linker,
    // on the calling thread.
    let out = Run::new(guests::CLI_BASICS)
        .stdin("x\n")
        .run_here(Mode::Sync);
    out.assert_code(1).assert_line("slept>=10ms=true");
    let out = Run::new(guests::POLL)
        .args(["many", "60"])
        .run_here(Mode::Sync);
    out.assert_success();
    let out = Run::new(guests::STREAMS)
        .args(["splice", "0123456789abcdef"])
        .stdin("0123456789abcdef")
        .run_here(Mode::Sync);
    out.assert_success();
}

fn sync_fs_guest_here() {
    let dir = common::tempdir();
    let out = Run::new(guests::FS_DIRECT)
        .arg("rw")
        .preopen_rw(dir.path(), "/sandbox")
        .run_here(Mode::Sync);
    out.assert_success();
}

#[tokio::test(flavor = "current_thread")]
async fn sync_embedding_inside_current_thread_runtime() {
    sync_guests_here();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_embedding_inside_multi_thread_runtime() {
    sync_guests_here();
}

#[tokio::test(flavor = "current_thread")]
async fn sync_filesystem_inside_current_thread_runtime() {
    sync_fs_guest_here();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_filesystem_inside_multi_thread_runtime() {
    sync_fs_guest_here();
}

#[test]
fn sync_embedding_inside_block_on() {
    for rt in [
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap(),
    ] {
        rt.block_on(async {
            sync_guests_here();
            sync_fs_guest_here();
        });
    }
}

#[test]
fn sync_embedding_inside_spawn_blocking() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        tokio::task::spawn_blocking(|| {
            sync_guests_here();
            sync_fs_guest_here();
        })
        .await
        .unwrap();
    });
}

async fn async_guests_here() {
    let component = common::component(guests::POLL);
    let run = Run::new(guests::POLL).args(["many", "60"]);
    let (ctx, stdout, _stderr) = run.build_ctx();
    let state = common::Ctx {
        table: wasi_host::ResourceTable::new(),
        wasi: ctx,
    };
    let exit = common::run_async(&component, state).await;
    assert_eq!(
        exit,
        common::Exit::Code(0),
        "{}",
        String::from_utf8_lossy(&stdout.contents())
    );

    let dir = common::tempdir();
    for inline in [false, true] {
        let component = common::component(guests::FS_DIRECT);
        let run = Run::new(guests::FS_DIRECT)
            .arg("streams")
            .configure(move |b| {
                b.allow_blocking_current_thread(inline);
            })
            .preopen_rw(dir.path(), "/sandbox");
        let (ctx, stdout, stderr) = run.build_ctx();
        let state = common::Ctx {
            table: wasi_host::ResourceTable::new(),
            wasi: ctx,
        };
        let exit = common::run_async(&component, state).await;
        assert_eq!(
            exit,
            common::Exit::Code(0),
            "inline={inline}\n{}\n{}",
            String::from_utf8_lossy(&stdout.contents()),
            String::from_utf8_lossy(&stderr.contents())
        );
        std::fs::remove_file(dir.path().join("s.txt")).unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn async_embedding_on_a_current_thread_runtime() {
    async_guests_here().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_embedding_on_a_multi_thread_runtime() {
    async_guests_here().await;
}

#[test]
fn runtime_helpers() {
    // Outside any runtime: in_tokio runs a future to completion.
    assert_eq!(wasi_host::runtime::in_tokio(async { 40 + 2 }), 42);
    let h = wasi_host::runtime::spawn(async { 7 });
    assert_eq!(wasi_host::runtime::in_tokio(h), 7);
    let h = wasi_host::runtime::spawn_blocking(|| 8);
    assert_eq!(wasi_host::runtime::in_tokio(h), 8);
    // Inside a runtime: the same calls do not panic.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        assert_eq!(wasi_host::runtime::in_tokio(async { 1 }), 1);
    });
}
