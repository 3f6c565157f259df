//! `wasi:cli@0.3.0`: arguments, environment, stdin read to its end, stdout
//! and stderr as streams, exit codes.
//!
//! `p3_cli echo`: prints its arguments and environment, then stdin
//! upper-cased, and a line on stderr. `p3_cli exit N`: exits with code N.
//! `p3_cli fail`: returns `err` from `run`. `p3_cli drop-stdin`: drops
//! stdin's stream after one read; its future still completes.
//! `p3_cli flood N`: writes N lines of 100 bytes to stdout through one
//! stream; on stderr, `flood left K then RESULT` (the bytes stdout did not
//! take, and the write's result), then `still running`.

use wasi_guests_p3::exports::wasi::cli::run::Guest;
use wasi_guests_p3::wasi::cli::{environment, exit, stderr, stdin, stdout};
use wasi_guests_p3::{err, export, line, out, wit_stream};
use wit_bindgen::StreamResult;

struct Component;
export!(Component);

impl Guest for Component {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        match args.get(1).map(String::as_str) {
            Some("echo") => {
                line(format!("args {}", args[1..].join(" "))).await;
                for (k, v) in environment::get_environment() {
                    line(format!("env {k}={v}")).await;
                }
                let (mut input, done) = stdin::read_via_stream();
                let mut all = Vec::new();
                loop {
                    let (result, chunk) = input.read(Vec::with_capacity(4096)).await;
                    all.extend_from_slice(&chunk);
                    match result {
                        StreamResult::Complete(_) => {}
                        StreamResult::Dropped | StreamResult::Cancelled => break,
                    }
                }
                done.await.expect("stdin ended without error");
                out(all.to_ascii_uppercase()).await;
                let (mut tx, rx) = wit_stream::new();
                let (result, ()) =
                    futures::join!(async { stderr::write_via_stream(rx).await }, async {
                        tx.write_all(b"to stderr\n".to_vec()).await;
                        drop(tx);
                    });
                result.expect("stderr write");
                Ok(())
            }
            Some("exit") => {
                let code = args.get(2).and_then(|c| c.parse().ok()).unwrap_or(0);
                exit::exit_with_code(code);
                unreachable!("exit-with-code returned")
            }
            Some("fail") => Err(()),
            Some("flood") => {
                let n: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(0);
                let mut data = Vec::new();
                for _ in 0..n {
                    data.extend_from_slice(&[b'x'; 99]);
                    data.push(b'\n');
                }
                let (mut tx, rx) = wit_stream::new();
                let (result, rest) =
                    futures::join!(async { stdout::write_via_stream(rx).await }, async {
                        let rest = tx.write_all(data).await;
                        drop(tx);
                        rest
                    });
                err(format!("flood left {} then {result:?}\n", rest.len())).await;
                err("still running\n").await;
                Ok(())
            }
            Some("drop-stdin") => {
                let (mut input, done) = stdin::read_via_stream();
                let (_, first) = input.read(Vec::with_capacity(3)).await;
                drop(input);
                done.await
                    .expect("a dropped stdin stream ends without error");
                line(format!("first {}", String::from_utf8_lossy(&first))).await;
                Ok(())
            }
            other => panic!("unknown case {other:?}"),
        }
    }
}

fn main() {
    unreachable!("the 0.3 `run` export is the entry point")
}
