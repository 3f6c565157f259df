//! WASI 0.3 through guests of our own (`tests/guests-p3`, wit-bindgen's
//! async bindings over `wit/p3`), on both tokio runtime kinds, through the
//! 0.2 and 0.3 linkers together: cli (arguments, environment, stdin to its
//! end and dropped half-way, stdout, stderr, exit codes), the filesystem
//! on a host preopen, a memory mount and an overlay (a file copied through
//! `read-via-stream` into `write-via-stream`, appends, a 10,000-entry
//! listing read to its end and dropped half-way, refusals as error codes),
//! read and write streams dropped half-way, the open-file budget, and
//! 100 concurrent waits in one guest.

use crate::common;
use common::{Exit, Mode, Run, guests, tempdir};
use std::path::Path;
use wasi_host::vfs::{MemoryFs, Mount, Overlay};
use wasi_host::{DirPerms, FilePerms};

/// A 0.3 run of `wasm` with `args`.
fn p3(wasm: &str, args: &[&str]) -> Run {
    let mut run = Run::new(wasm).args(args.iter().copied());
    run.p3 = true;
    run
}

#[test]
fn cli_arguments_environment_and_stdio() {
    for mode in Mode::ASYNC {
        let out = p3(guests::p3::P3_CLI, &["echo", "a b"])
            .env("NAME", "value")
            .stdin(b"hello through stdin\n".repeat(1000))
            .run(mode);
        out.assert_success();
        out.assert_line("args echo a b");
        out.assert_line("env NAME=value");
        assert_eq!(
            out.stdout().matches("HELLO THROUGH STDIN\n").count(),
            1000,
            "{mode:?}"
        );
        assert_eq!(out.stderr(), "to stderr\n", "{mode:?}");
    }
}

#[test]
fn exit_codes() {
    for mode in Mode::ASYNC {
        assert_eq!(
            p3(guests::p3::P3_CLI, &["exit", "7"]).run(mode).exit,
            Exit::Code(7)
        );
        assert_eq!(
            p3(guests::p3::P3_CLI, &["exit", "0"]).run(mode).exit,
            Exit::Code(0)
        );
        assert_eq!(
            p3(guests::p3::P3_CLI, &["fail"]).run(mode).exit,
            Exit::Code(1)
        );
    }
}

#[test]
fn stdin_dropped_half_way() {
    for mode in Mode::ASYNC {
        let out = p3(guests::p3::P3_CLI, &["drop-stdin"])
            .stdin(b"abcdef".repeat(100_000))
            .run(mode);
        out.assert_success().assert_line("first abc");
    }
}

#[test]
fn many_concurrent_waits() {
    for mode in Mode::ASYNC {
        let out = p3(guests::p3::P3_TASKS, &["100", "200"]).run(mode);
        out.assert_success();
        let took: u64 = out
            .value("all 100 done in ")
            .trim_end_matches(" ms")
            .parse()
            .expect("a duration");
        // 100 waits of 200 ms one after the other would take 20 s.
        assert!((200..5000).contains(&took), "took {took} ms ({mode:?})");
        for i in 0..100 {
            out.assert_line(&format!("task {i}"));
        }
    }
}

/// Where `/sandbox` comes from in a filesystem test.
#[derive(Clone, Copy, Debug)]
enum Backing {
    Host,
    Memory,
    Overlay,
}

const BACKINGS: [Backing; 3] = [Backing::Host, Backing::Memory, Backing::Overlay];

/// Files every filesystem run starts with: `in.bin` (8 MiB), `f.txt`, and
/// `big/` with 10,000 empty files.
fn files() -> Vec<(String, Vec<u8>)> {
    let data: Vec<u8> = (0..8u32 << 20).map(|i| (i * 31 % 251) as u8).collect();
    let mut files = vec![
        ("in.bin".to_string(), data),
        ("f.txt".to_string(), b"text".to_vec()),
    ];
    files.extend((0..10_000).map(|i| (format!("big/e{i}"), Vec::new())));
    files
}

fn write_host(dir: &Path) {
    for (name, data) in files() {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, data).expect("write");
    }
}

/// A run of the `p3_fs` guest with `/sandbox` from `backing`; the host
/// folder (if any) is kept alive by the returned guard.
fn fs_run(backing: Backing, args: &[&str]) -> (Run, tempfile::TempDir) {
    let host = tempdir();
    let run = p3(guests::p3::P3_FS, args);
    let run = match backing {
        Backing::Host => {
            write_host(host.path());
            run.preopen_rw(host.path(), "/sandbox")
        }
        Backing::Memory => {
            let fs = MemoryFs::from_files(files()).expect("memory tree");
            run.configure(move |b| {
                b.mount(
                    "/sandbox",
                    Mount::memory(fs.clone()),
                    DirPerms::all(),
                    FilePerms::all(),
                );
            })
        }
        Backing::Overlay => {
            write_host(host.path());
            let lower = host.path().to_path_buf();
            run.configure(move |b| {
                let overlay = Overlay::new(&lower).expect("overlay");
                b.mount(
                    "/sandbox",
                    overlay.mount(),
                    DirPerms::all(),
                    FilePerms::all(),
                );
            })
        }
    };
    (run, host)
}

#[test]
fn file_copied_through_streams() {
    for backing in BACKINGS {
        for mode in Mode::ASYNC {
            let (run, _host) = fs_run(backing, &["copy", "in.bin", "out.bin"]);
            let out = run.run(mode);
            out.assert_success();
            out.assert_line(&format!("copied {}", 8u32 << 20));
            let (run, _host) = fs_run(backing, &["append", "f.txt", "+more"]);
            run.run(mode).assert_success().assert_line("appended");
        }
    }
}

#[test]
fn listings_read_to_the_end_and_dropped() {
    for backing in BACKINGS {
        for mode in Mode::ASYNC {
            let (run, _host) = fs_run(backing, &["list", "big", "10000"]);
            run.run(mode).assert_success().assert_line("listed 10000");
            let (run, _host) = fs_run(backing, &["list-drop", "big"]);
            run.run(mode)
                .assert_success()
                .assert_line("dropped then listed 10000");
        }
    }
}

#[test]
fn refusals_are_error_codes() {
    for backing in BACKINGS {
        for mode in Mode::ASYNC {
            let (run, _host) = fs_run(backing, &["errors"]);
            let out = run.run(mode);
            out.assert_success();
            out.assert_line("missing ErrorCode::NoEntry");
            out.assert_line("escape ErrorCode::NotPermitted");
            out.assert_line("dir-write ErrorCode::IsDirectory");
            out.assert_line("dir-read-stream Err(ErrorCode::IsDirectory)");
            out.assert_line("file-listing Err(ErrorCode::NotDirectory)");
            out.assert_line("read-only-write-stream Err(ErrorCode::BadDescriptor)");
        }
    }
}

#[test]
fn a_tree_made_and_removed() {
    for backing in BACKINGS {
        for mode in Mode::ASYNC {
            let (run, _host) = fs_run(backing, &["tree"]);
            let out = run.run(mode);
            out.assert_success();
            out.assert_line("type DescriptorType::RegularFile size 0");
            out.assert_line("resized 5");
            out.assert_line("renamed 1");
            out.assert_line("removed Some(ErrorCode::NoEntry)");
        }
    }
}

#[test]
fn file_streams_dropped_half_way() {
    for backing in BACKINGS {
        for mode in Mode::ASYNC {
            let (run, _host) = fs_run(backing, &["read-drop", "in.bin"]);
            run.run(mode)
                .assert_success()
                .assert_line(&format!("read-drop then {}", 8u32 << 20));
            let (run, _host) = fs_run(backing, &["write-drop", "w.bin"]);
            run.run(mode)
                .assert_success()
                .assert_line("write-drop sizes 1048576 2097152");
        }
    }
}

#[test]
fn the_open_file_budget_holds() {
    for mode in Mode::ASYNC {
        let (run, _host) = fs_run(Backing::Host, &["budget"]);
        let out = run
            .configure(|b| {
                b.max_open_files(20);
            })
            .run(mode);
        out.assert_success();
        out.assert_line("budget opened 20 then ErrorCode::InsufficientMemory");
        out.assert_line("budget reopened Ok(())");
    }
}
