//! `wasi:filesystem@0.3.0` on whatever is mounted at `/sandbox`.
//!
//! * `copy IN OUT`: copies IN to OUT through `read-via-stream` into
//!   `write-via-stream`, then compares sizes and prints `copied N`.
//! * `copy-limited IN OUT`: the same under a write limit the copy
//!   exceeds: `write side RESULT size N` (the write's result, OUT's size).
//! * `append F TEXT`: appends TEXT through `append-via-stream`.
//! * `list DIR N`: reads DIR's listing to its end, checks it has N
//!   entries, prints `listed N`.
//! * `list-drop DIR`: takes a few entries, drops the stream, then lists
//!   DIR again to its end: `dropped then listed N`.
//! * `read-drop F`: reads a little of F through `read-via-stream`, drops
//!   the stream, and reads F again to its end: `read-drop then N`.
//! * `write-drop F`: writes 1 MiB through a `write-via-stream` ended
//!   half-way, then 1 MiB more through one whose result future was
//!   dropped first: `write-drop sizes 1048576 2097152`.
//! * `budget`: opens a file until the context's descriptor budget
//!   refuses, keeping each: `budget opened N then CODE`; then closes them
//!   all and opens once more: `budget reopened Ok(())`.
//! * `errors`: the error codes of refused calls, one per line.
//! * `tree`: makes, stats, renames and removes entries, printing what it
//!   sees.

use std::future::IntoFuture;
use wasi_guests_p3::exports::wasi::cli::run::Guest;
use wasi_guests_p3::wasi::cli::environment;
use wasi_guests_p3::wasi::filesystem::preopens;
use wasi_guests_p3::wasi::filesystem::types::{
    Descriptor, DescriptorFlags as DF, DescriptorType, ErrorCode, OpenFlags as OF, PathFlags as PF,
};
use wasi_guests_p3::{export, line, wit_stream};
use wit_bindgen::StreamResult;

struct Component;
export!(Component);

/// The descriptor mounted at `/sandbox`.
fn sandbox() -> Descriptor {
    preopens::get_directories()
        .into_iter()
        .find(|(_, path)| path == "/sandbox")
        .map(|(d, _)| d)
        .expect("/sandbox is mounted")
}

async fn open(d: &Descriptor, path: &str, oflags: OF, flags: DF) -> Result<Descriptor, ErrorCode> {
    d.open_at(PF::SYMLINK_FOLLOW, path.to_string(), oflags, flags)
        .await
}

/// Counts a directory's entries by reading its stream to the end.
async fn count(dir: &Descriptor) -> usize {
    let (mut entries, result) = dir.read_directory();
    let mut n = 0;
    loop {
        let (status, batch) = entries.read(Vec::with_capacity(100)).await;
        n += batch.len();
        if !matches!(status, StreamResult::Complete(_)) {
            break;
        }
    }
    result.await.expect("listing ended without error");
    n
}

impl Guest for Component {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
        let root = sandbox();
        match arg(1).as_str() {
            "copy" | "copy-limited" => {
                let from = open(&root, &arg(2), OF::empty(), DF::READ)
                    .await
                    .expect("open IN");
                let to = open(&root, &arg(3), OF::CREATE | OF::TRUNCATE, DF::WRITE)
                    .await
                    .expect("create OUT");
                let (data, read_done) = from.read_via_stream(0);
                let write_done = to.write_via_stream(data, 0);
                let (r, w) = futures::join!(async { read_done.await }, async { write_done.await });
                let b = to.stat().await.expect("stat OUT").size;
                if arg(1) == "copy-limited" {
                    line(format!("write side {w:?} size {b}")).await;
                } else {
                    r.expect("read side");
                    w.expect("write side");
                    let a = from.stat().await.expect("stat IN").size;
                    assert_eq!(a, b, "sizes differ");
                    line(format!("copied {b}")).await;
                }
            }
            "append" => {
                let f = open(&root, &arg(2), OF::empty(), DF::WRITE)
                    .await
                    .expect("open F");
                let (mut tx, rx) = wit_stream::new();
                let done = f.append_via_stream(rx);
                let text = arg(3).into_bytes();
                let ((), result) = futures::join!(
                    async {
                        tx.write_all(text).await;
                        drop(tx);
                    },
                    async { done.await }
                );
                result.expect("append");
                line("appended").await;
            }
            "list" => {
                let dir = open(&root, &arg(2), OF::DIRECTORY, DF::READ)
                    .await
                    .expect("open DIR");
                let n = count(&dir).await;
                assert_eq!(n.to_string(), arg(3), "entry count");
                line(format!("listed {n}")).await;
            }
            "list-drop" => {
                let dir = open(&root, &arg(2), OF::DIRECTORY, DF::READ)
                    .await
                    .expect("open DIR");
                let (mut entries, result) = dir.read_directory();
                let (_, first) = entries.read(Vec::with_capacity(10)).await;
                assert!(!first.is_empty(), "no entries");
                drop(entries);
                result.await.expect("a dropped listing ends without error");
                let n = count(&dir).await;
                line(format!("dropped then listed {n}")).await;
            }
            "read-drop" => {
                let f = open(&root, &arg(2), OF::empty(), DF::READ)
                    .await
                    .expect("open F");
                let (mut data, done) = f.read_via_stream(0);
                let (_, first) = data.read(Vec::with_capacity(100)).await;
                assert!(!first.is_empty(), "no bytes");
                drop(data);
                done.await
                    .expect("a dropped read stream ends without error");
                let (mut data, done) = f.read_via_stream(0);
                let mut n = 0;
                loop {
                    let (status, got) = data.read(Vec::with_capacity(64 << 10)).await;
                    n += got.len();
                    if !matches!(status, StreamResult::Complete(_)) {
                        break;
                    }
                }
                done.await.expect("read to the end");
                line(format!("read-drop then {n}")).await;
            }
            "write-drop" => {
                let f = open(
                    &root,
                    &arg(2),
                    OF::CREATE | OF::TRUNCATE,
                    DF::READ | DF::WRITE,
                )
                .await
                .expect("create F");
                let (mut tx, rx) = wit_stream::new();
                let done = f.write_via_stream(rx, 0);
                let ((), r) = futures::join!(
                    async {
                        tx.write_all(vec![1; 1 << 20]).await;
                        drop(tx);
                    },
                    done.into_future()
                );
                r.expect("write-via-stream");
                let first = f.stat().await.expect("stat").size;
                let (mut tx, rx) = wit_stream::new();
                drop(f.write_via_stream(rx, 1 << 20));
                let rest = tx.write_all(vec![2; 1 << 20]).await;
                assert!(rest.is_empty(), "the stream closed early");
                drop(tx);
                // Nothing reports the end now: wait for the size.
                let mut second = 0;
                for _ in 0..5000 {
                    second = f.stat().await.expect("stat").size;
                    if second == 2 << 20 {
                        break;
                    }
                    wasi_guests_p3::wasi::clocks::monotonic_clock::wait_for(1_000_000).await;
                }
                line(format!("write-drop sizes {first} {second}")).await;
            }
            "budget" => {
                // Opens f.txt until the context's budget says no, keeping
                // every descriptor; then gives them back and opens again.
                let mut held = Vec::new();
                let refused = loop {
                    match open(&root, "f.txt", OF::empty(), DF::READ).await {
                        Ok(d) => held.push(d),
                        Err(e) => break e,
                    }
                    assert!(held.len() <= 100_000, "no budget");
                };
                line(format!("budget opened {} then {refused:?}", held.len())).await;
                held.clear();
                let again = open(&root, "f.txt", OF::empty(), DF::READ)
                    .await
                    .map(|_| ());
                line(format!("budget reopened {again:?}")).await;
            }
            "errors" => {
                let code = |r: Result<Descriptor, ErrorCode>| match r {
                    Ok(_) => "ok".to_string(),
                    Err(e) => format!("{e:?}"),
                };
                line(format!(
                    "missing {}",
                    code(open(&root, "missing", OF::empty(), DF::READ).await)
                ))
                .await;
                line(format!(
                    "escape {}",
                    code(open(&root, "../x", OF::empty(), DF::READ).await)
                ))
                .await;
                line(format!(
                    "dir-write {}",
                    code(open(&root, ".", OF::empty(), DF::WRITE).await)
                ))
                .await;
                // A stream the descriptor refuses: the refusal is the
                // future's.
                let dir = open(&root, ".", OF::DIRECTORY, DF::READ)
                    .await
                    .expect("open .");
                let (_, refused) = dir.read_via_stream(0);
                line(format!("dir-read-stream {:?}", refused.await)).await;
                let file = open(&root, "f.txt", OF::empty(), DF::READ)
                    .await
                    .expect("open f.txt");
                let (_, listing) = file.read_directory();
                line(format!("file-listing {:?}", listing.await)).await;
                let (_tx, rx) = wit_stream::new::<u8>();
                line(format!(
                    "read-only-write-stream {:?}",
                    file.write_via_stream(rx, 0).await
                ))
                .await;
            }
            "tree" => {
                root.create_directory_at("made".into())
                    .await
                    .expect("mkdir");
                let f = open(&root, "made/a.txt", OF::CREATE, DF::READ | DF::WRITE)
                    .await
                    .expect("create");
                let stat = f.stat().await.expect("stat");
                line(format!("type {:?} size {}", stat.type_, stat.size)).await;
                assert!(matches!(stat.type_, DescriptorType::RegularFile));
                f.set_size(5).await.expect("set-size");
                let at = root
                    .stat_at(PF::empty(), "made/a.txt".into())
                    .await
                    .expect("stat-at");
                line(format!("resized {}", at.size)).await;
                root.rename_at("made/a.txt".into(), &root, "made/b.txt".into())
                    .await
                    .expect("rename");
                line(format!(
                    "renamed {}",
                    count(
                        &open(&root, "made", OF::DIRECTORY, DF::READ)
                            .await
                            .expect("open made")
                    )
                    .await
                ))
                .await;
                root.unlink_file_at("made/b.txt".into())
                    .await
                    .expect("unlink");
                root.remove_directory_at("made".into())
                    .await
                    .expect("rmdir");
                line(format!(
                    "removed {:?}",
                    root.stat_at(PF::empty(), "made".into()).await.err()
                ))
                .await;
            }
            other => panic!("unknown case {other:?}"),
        }
        Ok(())
    }
}

fn main() {
    unreachable!("the 0.3 `run` export is the entry point")
}
