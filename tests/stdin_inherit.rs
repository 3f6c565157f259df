//! The host process's stdin, inherited by guests: a guest waiting for input
//! must not hold up other guests, even on a single-threaded executor, and
//! gets the input once it arrives.
//!
//! The test re-runs this test binary as a child process whose stdin is a
//! pipe the parent controls; the child (`CHILD_ENV` set) runs the guests.

use crate::common;
use common::{Ctx, Exit, Run, component, guests, run_async};
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use wasi_host::{ResourceTable, WasiCtxBuilder, pipe::MemoryOutputPipe};

const CHILD_ENV: &str = "WASI_HOST_STDIN_CHILD";

/// In the child: on one current-thread runtime, a guest echoing the
/// inherited stdin and, beside it, a guest that only uses the clock. The
/// clock guest must finish while the echo guest still waits for input.
fn child() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let echo_out = MemoryOutputPipe::new(1 << 16);
        let mut echo = WasiCtxBuilder::new();
        echo.arg("stdin_echo")
            .inherit_stdin()
            .stdout(echo_out.clone());
        let echo_state = Ctx {
            table: ResourceTable::new(),
            wasi: echo.build(),
        };
        let echo_component = component(guests::STDIN_ECHO);
        let echo_task = tokio::spawn(async move {
            let exit = run_async(&echo_component, echo_state).await;
            (exit, echo_out.contents())
        });

        let (clocks_ctx, clocks_out, _) = Run::new(guests::CLOCKS).arg("check").build_ctx();
        let clocks_state = Ctx {
            table: ResourceTable::new(),
            wasi: clocks_ctx,
        };
        let exit = run_async(&component(guests::CLOCKS), clocks_state).await;
        assert!(matches!(exit, Exit::Code(0)), "clocks guest: {exit:?}");
        assert!(!clocks_out.contents().is_empty());
        // Tell the parent the other guest made progress; it then sends input.
        println!("CHILD: other guest done");
        std::io::stdout().flush().unwrap();

        let (exit, echoed) = echo_task.await.expect("echo task");
        assert!(matches!(exit, Exit::Code(0)), "echo guest: {exit:?}");
        assert_eq!(echoed.as_ref(), b"late input\n");
        println!("CHILD: echo done");
    });
}

#[test]
fn waiting_on_inherited_stdin_does_not_block_other_guests() {
    if std::env::var_os(CHILD_ENV).is_some() {
        child();
        return;
    }
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "stdin_inherit::waiting_on_inherited_stdin_does_not_block_other_guests",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();

    // Wait (bounded) for the child to report that the clock guest finished
    // while nothing had been written to stdin yet.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut lines = Vec::new();
    while !lines
        .iter()
        .any(|l: &String| l.contains("other guest done"))
    {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => lines.push(line),
            Err(_) => {
                let _ = child.kill();
                panic!("the other guest never finished; child said: {lines:?}");
            }
        }
    }
    stdin.write_all(b"late input\n").unwrap();
    drop(stdin);
    let status = child.wait().unwrap();
    lines.extend(rx.try_iter());
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read;
        let _ = e.read_to_string(&mut err);
    }
    assert!(status.success(), "child failed: {lines:?}\n{err}");
    assert!(
        lines.iter().any(|l| l.contains("echo done")),
        "{lines:?}\n{err}"
    );
}
