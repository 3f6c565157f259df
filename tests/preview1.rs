//! Preview 1 through real guests: `tests/guests-p1`'s `p1_suite` exercises
//! every `wasi_snapshot_preview1` function on its success and errno paths,
//! one group per test, each run through the sync linker on a plain thread
//! and the async linker on both tokio runtime kinds. The guest checks the
//! errnos itself (a `FAIL:` line per wrong one); the host checks exit codes,
//! stdout/stderr and the host files each group leaves behind.

use crate::common;
use common::p1::{self, P1Mode, assert_group};
use common::{Outcome, Run, guests, tempdir};
use std::path::Path;
use wasi_host::{DirPerms, FilePerms};

/// A host directory with `rw/` (empty) and `ro/` (`hello.txt`,
/// `sub/inner.txt`), preopened as `/rw` (fd 3) and `/ro` (fd 4, read-only).
struct Dirs {
    _tmp: tempfile::TempDir,
    rw: std::path::PathBuf,
    ro: std::path::PathBuf,
}

fn dirs() -> Dirs {
    let tmp = tempdir();
    let rw = tmp.path().join("rw");
    let ro = tmp.path().join("ro");
    std::fs::create_dir_all(&rw).unwrap();
    std::fs::create_dir_all(ro.join("sub")).unwrap();
    std::fs::write(ro.join("hello.txt"), "hello from ro\n").unwrap();
    std::fs::write(ro.join("sub/inner.txt"), "inner\n").unwrap();
    Dirs { _tmp: tmp, rw, ro }
}

fn suite(group: &str, d: &Dirs) -> Run {
    Run::new(guests::p1::P1_SUITE)
        .arg(group)
        .preopen_rw(&d.rw, "/rw")
        .preopen(&d.ro, "/ro", DirPerms::READ, FilePerms::READ)
}

/// Runs `group` in every mode with fresh directories, checks it passed,
/// then hands the outcome and directories to `check`.
fn group(group: &str, setup: impl Fn(Run) -> Run, check: impl Fn(&Outcome, &Dirs)) {
    for mode in P1Mode::ALL {
        let d = dirs();
        let out = p1::run(&setup(suite(group, &d)), mode);
        assert_group(&out, group);
        check(&out, &d);
    }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn fingerprint(b: &[u8]) -> String {
    let sum = b.iter().fold(0u32, |s, &c| s.wrapping_add(c as u32));
    format!("len={} sum={}", b.len(), sum)
}

#[test]
fn args_and_environ_with_empty_and_large_values() {
    let big_arg = "a".repeat(100_000);
    let big_env = "v".repeat(64 * 1024);
    let args = ["", big_arg.as_str(), "ünïcode ✓", "with space"];
    let env = [("EMPTY", ""), ("BIG", big_env.as_str()), ("K", "v=w")];
    group(
        "args",
        |r| {
            let mut r = r.args(args);
            for (k, v) in env {
                r = r.env(k, v);
            }
            r
        },
        |out, _| {
            out.assert_line(&format!("argc={}", args.len() + 2));
            out.assert_line(&format!("arg[0] {}", fingerprint(b"p1_suite")));
            out.assert_line(&format!("arg[1] {}", fingerprint(b"args")));
            for (i, a) in args.iter().enumerate() {
                out.assert_line(&format!("arg[{}] {}", i + 2, fingerprint(a.as_bytes())));
            }
            out.assert_line(&format!("envc={}", env.len()));
            for (i, (k, v)) in env.iter().enumerate() {
                out.assert_line(&format!("env[{i}] {k} value {}", fingerprint(v.as_bytes())));
            }
        },
    );
    // No arguments beyond argv[0]'s group, no environment at all.
    group(
        "args",
        |r| r,
        |out, _| {
            out.assert_line("argc=2");
            out.assert_line("envc=0");
        },
    );
}

#[test]
fn clocks() {
    group(
        "clocks",
        |r| r,
        |out, _| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64;
            let guest: u64 = out
                .value("realtime res=")
                .split("now=")
                .nth(1)
                .unwrap()
                .parse()
                .unwrap();
            // The same clock as the host's (a day of slack: never a timing test).
            assert!(guest.abs_diff(now) < 86_400_000_000_000, "{guest} vs {now}");
        },
    );
}

#[test]
fn random_sched_yield_and_proc_raise() {
    group(
        "random",
        |r| r,
        |out, _| {
            out.assert_line("random 1MiB ok");
        },
    );
    // A request above `max_random_size` is refused with an errno, not served
    // and not a trap.
    group(
        "random",
        |r| {
            r.configure(|b| {
                b.max_random_size(64 * 1024);
            })
        },
        |out, _| {
            let r = out.value("random 1MiB ");
            assert_ne!(r, "ok", "{out:?}");
        },
    );
    group(
        "sched",
        |r| r,
        |out, _| {
            out.assert_line("ok sched_yield");
            out.assert_line("ok proc_raise");
        },
    );
}

#[test]
fn proc_exit_codes_surface_as_i32_exit() {
    for code in [0, 1, 3, 42, 125] {
        for mode in P1Mode::ALL {
            let d = dirs();
            let out = p1::run(&suite("exit", &d).arg(code.to_string()), mode);
            out.assert_code(code);
            out.assert_line(&format!("exiting with {code}"));
            assert!(!out.stdout().contains("FAIL"), "{out:?}");
        }
    }
}

#[test]
fn prestat_lists_preopens_in_order() {
    group("prestat", |r| r, |_, _| {});
}

#[test]
fn sockets_on_non_sockets() {
    group("sock", |r| r, |_, _| {});
}

#[test]
fn stdio_vectored_reads_and_writes() {
    group(
        "stdio",
        |r| r.stdin("hello, vectored world\n"),
        |out, _| {
            out.assert_line("header:body");
            assert!(out.stderr().contains("to stderr\n"), "{out:?}");
        },
    );
}

#[test]
fn read_write_pread_pwrite() {
    group(
        "rw",
        |r| r,
        |_, d| {
            let data = read(&d.rw.join("rw.txt"));
            let mut want = b"01AB456789".to_vec();
            want.extend([0u8; 10]);
            want.push(b'Z');
            assert!(data.len() >= want.len(), "{data:?}");
            assert_eq!(&data[..want.len()], &want[..]);
            // fd_allocate may have grown the file with zeros.
            assert!(data[want.len()..].iter().all(|&b| b == 0));
        },
    );
}

#[test]
fn seek_every_whence_and_past_the_end() {
    group(
        "seek",
        |r| r,
        |_, d| {
            let mut want = b"0123456789".to_vec();
            want.extend([0u8; 5]);
            want.push(b'!');
            assert_eq!(read(&d.rw.join("seek.txt")), want);
        },
    );
}

#[test]
fn append_mode_even_after_a_seek() {
    group(
        "append",
        |r| r,
        |_, d| {
            assert_eq!(read(&d.rw.join("append.txt")), b"sTartABCD");
        },
    );
}

#[test]
fn fdstat_rights_are_advisory() {
    group(
        "fdstat",
        |r| r,
        |_, d| {
            assert_eq!(read(&d.rw.join("f")), b"!ello");
        },
    );
}

#[test]
fn renumber_over_files_preopens_and_stdio() {
    group(
        "renumber",
        |r| r,
        |out, d| {
            out.assert_line("before renumber of stdout");
            assert!(!out.stdout().contains("into the file"), "{out:?}");
            assert_eq!(read(&d.rw.join("out.txt")), b"into the file\n");
            let err = out.stderr();
            assert!(err.contains("stderr via fd 1\n"), "{out:?}");
            assert!(err.contains("done renumber\n"), "{out:?}");
        },
    );
}

#[test]
fn path_open_flags_and_rights_on_a_read_write_preopen() {
    group(
        "open",
        |r| r,
        |_, d| {
            assert_eq!(read(&d.rw.join("new")), b"xy");
            assert_eq!(read(&d.rw.join("d/inner")), b"");
            assert_eq!(
                std::fs::read_link(d.rw.join("out")).unwrap(),
                Path::new("../../outside")
            );
            assert!(!d.rw.parent().unwrap().join("created").exists());
        },
    );
}

/// What the preopen forbids is `not-permitted` (EPERM), checked before
/// cross-device and open-mode errors: preview 1 passes the 0.2 backend's
/// answer through, so a core module sees what a component sees.
#[test]
fn read_only_preopen_refuses_with_eperm() {
    for mode in P1Mode::ALL {
        let d = dirs();
        let ro_before = common::snapshot(&d.ro);
        let rw_before = common::snapshot(&d.rw);
        let out = p1::run(&suite("readonly", &d), mode);
        assert_group(&out, "readonly");
        common::assert_unchanged(
            "the read-only preopen",
            &ro_before,
            &common::snapshot(&d.ro),
        );
        common::assert_unchanged(
            "the read-write preopen",
            &rw_before,
            &common::snapshot(&d.rw),
        );
    }
}

/// Issue 21: rights are advisory. A directory and its files opened with
/// rights 0 do everything the preopen allows.
#[test]
fn rights_zero_opens_do_what_the_preopen_allows() {
    group(
        "rights0",
        |r| r,
        |_, d| {
            let scratch = d.rw.join("scratch");
            assert_eq!(read(&scratch.join("kept/file")), b"0123456789");
            assert_eq!(read(&scratch.join("renamed")), b"0123456789");
            let mut names: Vec<String> = std::fs::read_dir(&scratch)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            assert_eq!(names, ["kept", "renamed"]);
        },
    );
}

/// ...and no requested right widens what the preopen allows.
#[test]
fn rights_do_not_widen_a_read_only_preopen() {
    for mode in P1Mode::ALL {
        let d = dirs();
        let ro_before = common::snapshot(&d.ro);
        let out = p1::run(&suite("rights_widen", &d), mode);
        assert_group(&out, "rights_widen");
        common::assert_unchanged(
            "the read-only preopen",
            &ro_before,
            &common::snapshot(&d.ro),
        );
    }
}

/// The answers wasmtime gives on a directory descriptor (`badf` for the
/// file calls; setting its times works).
#[test]
fn directory_descriptors_answer_as_wasmtime() {
    group(
        "dir_answers",
        |r| r,
        |_, d| assert!(!d.rw.join("t2").exists()),
    );
}

#[test]
fn filestat_sizes_and_times() {
    group(
        "filestat",
        |r| r,
        |_, d| {
            let m = std::fs::metadata(d.rw.join("fs.txt")).unwrap();
            assert_eq!(m.len(), 3);
            let mtime = m
                .modified()
                .unwrap()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap();
            assert_eq!(mtime.as_nanos(), 1_500_000_000_123_456_789);
        },
    );
}

#[test]
fn path_calls() {
    group(
        "path",
        |r| r,
        |_, d| {
            let mut names: Vec<String> = std::fs::read_dir(&d.rw)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect();
            names.sort();
            assert_eq!(names, ["back", "d2", "full"]);
            assert!(d.rw.join("d2").is_dir());
            assert_eq!(read(&d.rw.join("full/x")), b"x");
            assert_eq!(read(&d.rw.join("full/moved")), b"through the link");
            assert_eq!(read(&d.rw.join("back")), b"through the link");
        },
    );
}

#[test]
fn readdir_small_buffers_and_a_thousand_entries() {
    group(
        "readdir",
        |r| r.arg("1000"),
        |out, d| {
            for size in [1, 24, 100, 4096] {
                let line = out.value(&format!("readdir buf={size} entries="));
                assert!(line.starts_with("1004 "), "{line}");
            }
            // 1000 files + sub + link + late - f00001.
            assert_eq!(std::fs::read_dir(d.rw.join("big")).unwrap().count(), 1002);
        },
    );
}

#[test]
fn poll_oneoff_clocks_and_fds() {
    group(
        "poll",
        |r| r.stdin("poll input\n"),
        |out, _| {
            for part in ["clocks", "files", "stdio", "errors", "many"] {
                out.assert_line(&format!("ok poll {part}"));
            }
        },
    );
}
