//! Virtual mounts seen by core modules: the preview 1 suite guest
//! (`tests/guests-p1`) runs its file and directory groups against in-memory
//! mounts at `/rw` and `/ro` (fds 3 and 4, as the host preopens of
//! `tests/preview1.rs`), and std programs built for `wasm32-wasip1` run over
//! an in-memory mount and over an overlay (whose host tree stays
//! unchanged), in each `P1Mode`.

use crate::common;
use common::p1::{self, P1Mode, assert_group};
use common::{Outcome, Run, guests, tempdir};
use wasi_host::vfs::{Change, MemoryFs, Mount, Overlay};
use wasi_host::{DirPerms, FilePerms};

/// `rw` (empty, read-write) and `ro` (`hello.txt`, `sub/inner.txt`,
/// mounted as a read-only view with read-only permissions).
struct Mounts {
    rw: MemoryFs,
    ro: MemoryFs,
}

fn mounts() -> Mounts {
    let ro = MemoryFs::from_files([
        ("hello.txt", "hello from ro\n"),
        ("sub/inner.txt", "inner\n"),
    ])
    .unwrap();
    Mounts {
        rw: MemoryFs::new(),
        ro,
    }
}

fn suite(group: &str, m: &Mounts) -> Run {
    let (rw, ro) = (m.rw.clone(), m.ro.clone());
    Run::new(guests::p1::P1_SUITE)
        .arg(group)
        .configure(move |b| {
            b.mount(
                "/rw",
                Mount::memory(rw.clone()),
                DirPerms::all(),
                FilePerms::all(),
            );
            b.mount(
                "/ro",
                Mount::memory(ro.clone()).read_only(),
                DirPerms::READ,
                FilePerms::READ,
            );
        })
}

/// Runs `group` in every mode over fresh mounts, checks it passed, then
/// hands the outcome and mounts to `check`.
fn group(group: &str, setup: impl Fn(Run) -> Run, check: impl Fn(&Outcome, &Mounts)) {
    for mode in P1Mode::ALL {
        let m = mounts();
        let out = p1::run(&setup(suite(group, &m)), mode);
        assert_group(&out, group);
        check(&out, &m);
    }
}

fn file(fs: &MemoryFs, path: &str) -> Vec<u8> {
    fs.read_file(path)
        .unwrap_or_else(|| panic!("{path} missing: {:?}", fs.paths()))
}

#[test]
fn prestat_names_the_mounts() {
    group("prestat", |r| r, |_, _| {});
}

#[test]
fn read_write_pread_pwrite_on_a_memory_mount() {
    group(
        "rw",
        |r| r,
        |_, m| {
            let data = file(&m.rw, "rw.txt");
            let mut want = b"01AB456789".to_vec();
            want.extend([0u8; 10]);
            want.push(b'Z');
            assert!(data.len() >= want.len(), "{data:?}");
            assert_eq!(&data[..want.len()], &want[..]);
            assert!(data[want.len()..].iter().all(|&b| b == 0));
        },
    );
}

#[test]
fn seek_on_a_memory_mount() {
    group(
        "seek",
        |r| r,
        |_, m| {
            let mut want = b"0123456789".to_vec();
            want.extend([0u8; 5]);
            want.push(b'!');
            assert_eq!(file(&m.rw, "seek.txt"), want);
        },
    );
}

#[test]
fn append_on_a_memory_mount() {
    group(
        "append",
        |r| r,
        |_, m| assert_eq!(file(&m.rw, "append.txt"), b"sTartABCD"),
    );
}

/// Issue 21: rights are advisory on memory mounts too (see
/// `tests/preview1.rs`).
#[test]
fn rights_are_advisory_on_memory_mounts() {
    group(
        "rights0",
        |r| r,
        |_, m| {
            assert_eq!(file(&m.rw, "scratch/kept/file"), b"0123456789");
            assert_eq!(file(&m.rw, "scratch/renamed"), b"0123456789");
        },
    );
    group(
        "rights_widen",
        |r| r,
        |_, m| {
            assert_eq!(file(&m.ro, "sub/inner.txt"), b"inner\n");
        },
    );
    group("dir_answers", |r| r, |_, _| {});
}

#[test]
fn fdstat_and_renumber_on_a_memory_mount() {
    group(
        "fdstat",
        |r| r,
        |_, m| assert_eq!(file(&m.rw, "f"), b"!ello"),
    );
    group(
        "renumber",
        |r| r,
        |out, m| {
            out.assert_line("before renumber of stdout");
            assert_eq!(file(&m.rw, "out.txt"), b"into the file\n");
        },
    );
}

#[test]
fn path_open_flags_on_a_memory_mount() {
    group(
        "open",
        |r| r,
        |_, m| {
            assert_eq!(file(&m.rw, "new"), b"xy");
            assert_eq!(file(&m.rw, "d/inner"), b"");
            assert_eq!(m.rw.symlink_target("out").as_deref(), Some("../../outside"));
        },
    );
}

#[test]
fn read_only_view_refuses_with_eperm() {
    group(
        "readonly",
        |r| r,
        |_, m| {
            assert_eq!(m.rw.paths(), Vec::<String>::new());
            let mut ro = m.ro.paths();
            ro.sort();
            assert_eq!(ro, ["hello.txt", "sub/", "sub/inner.txt"]);
            assert_eq!(file(&m.ro, "hello.txt"), b"hello from ro\n");
        },
    );
}

#[test]
fn filestat_sizes_and_times_on_a_memory_mount() {
    group(
        "filestat",
        |r| r,
        |_, m| assert_eq!(file(&m.rw, "fs.txt").len(), 3),
    );
}

#[test]
fn path_calls_on_a_memory_mount() {
    group(
        "path",
        |r| r,
        |_, m| {
            let mut top: Vec<String> =
                m.rw.list_dir("")
                    .unwrap()
                    .into_iter()
                    .map(|e| e.name)
                    .collect();
            top.sort();
            assert_eq!(top, ["back", "d2", "full"]);
            assert_eq!(file(&m.rw, "full/x"), b"x");
            assert_eq!(file(&m.rw, "full/moved"), b"through the link");
            assert_eq!(file(&m.rw, "back"), b"through the link");
        },
    );
}

#[test]
fn readdir_small_buffers_on_a_memory_mount() {
    group(
        "readdir",
        |r| r.arg("1000"),
        |out, m| {
            for size in [1, 24, 100, 4096] {
                let line = out.value(&format!("readdir buf={size} entries="));
                assert!(line.starts_with("1004 "), "{line}");
            }
            assert_eq!(m.rw.list_dir("big").unwrap().len(), 1002);
        },
    );
}

#[test]
fn poll_oneoff_on_memory_files() {
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

/// The path of a program of `tests/programs` built for wasip1.
fn program(name: &str) -> &'static str {
    guests::programs::ALL
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap()
        .1
}

#[test]
fn std_program_over_a_memory_mount() {
    for mode in P1Mode::ALL {
        let fs = MemoryFs::new();
        let mount = fs.clone();
        let run = Run::new(program("stdtour"))
            .args(["/work", "plain"])
            .env("TOUR_A", "1")
            .configure(move |b| {
                b.mount(
                    "/work",
                    Mount::memory(mount.clone()),
                    DirPerms::all(),
                    FilePerms::all(),
                );
            });
        let out = p1::run(&run, mode);
        out.assert_success();
        for line in [
            "env TOUR_A=\"1\"",
            "tail: \"appended\\n\"",
            "exists moved: true",
            "nope: NotFound",
            "mkdir a: AlreadyExists",
            "rmdir a fails: true",
            "mtime near now: true",
            "listing work at the end: [\"kept.txt\"]",
        ] {
            out.assert_line(line);
        }
        assert!(
            fs.paths().iter().any(|p| p.ends_with("kept.txt")),
            "{:?}",
            fs.paths()
        );
    }
}

#[test]
fn copier_over_an_overlay_leaves_the_host_tree_unchanged() {
    for mode in P1Mode::ALL {
        let tmp = tempdir();
        let dir = tmp.path().join("d");
        std::fs::create_dir_all(dir.join("src/sub/deeper")).unwrap();
        let big: Vec<u8> = (0..(1 << 20) + 7u32)
            .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
            .collect();
        std::fs::write(dir.join("big.bin"), &big).unwrap();
        std::fs::write(dir.join("src/one.txt"), "one\n").unwrap();
        std::fs::write(dir.join("src/sub/two.txt"), "two\n").unwrap();
        std::fs::write(dir.join("src/sub/deeper/empty"), "").unwrap();
        let before = common::snapshot(&dir);
        let overlay = Overlay::new(&dir).unwrap();
        let mount = overlay.clone();
        let with_overlay = move |b: &mut wasi_host::WasiCtxBuilder| {
            b.mount("/d", mount.mount(), DirPerms::all(), FilePerms::all());
        };
        let out = p1::run(
            &Run::new(program("copy"))
                .args(["/d/big.bin", "/d/copy.bin"])
                .configure(with_overlay.clone()),
            mode,
        );
        out.assert_success().assert_line("file 1048583");
        let out = p1::run(
            &Run::new(program("copy"))
                .args(["-r", "/d/src", "/d/dst"])
                .configure(with_overlay),
            mode,
        );
        out.assert_success();
        assert_eq!(
            out.stdout(),
            "file one.txt 4\ndir sub\ndir sub/deeper\nfile sub/deeper/empty 0\nfile sub/two.txt 4\n"
        );
        common::assert_unchanged("the overlay's host tree", &before, &common::snapshot(&dir));
        assert_eq!(overlay.read_file("copy.bin").unwrap(), big);
        assert_eq!(overlay.read_file("dst/sub/two.txt").unwrap(), b"two\n");
        // The source was only read: nothing of it was copied up.
        assert_eq!(overlay.read_file("big.bin").unwrap(), big);
        assert_eq!(overlay.upper().read_file("big.bin"), None);
        let changes = overlay.changes().unwrap();
        assert!(
            changes.contains(&Change::Added("copy.bin".into())),
            "{changes:?}"
        );
    }
}

/// The `run` example gives core modules its virtual mounts too
/// (`--overlay`, `--mount-memory`), through both linkers.
#[test]
fn run_example_mounts_for_a_core_module() {
    for mode in [&[][..], &["--async"][..]] {
        let tmp = tempdir();
        let dir = tmp.path().join("d");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), "some bytes\n").unwrap();
        let before = common::snapshot(&dir);
        let overlay = format!("{}::/d", dir.display());
        let mut args = mode.to_vec();
        args.extend(["--overlay", &overlay, "--mount-memory", "/tmp"]);
        args.extend([program("copy"), "/d/a.txt", "/d/b.txt"]);
        let out = std::process::Command::new(common::run_example())
            .args(&args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
        assert_eq!(stdout, "file 11\n");
        assert!(
            stderr.lines().any(|l| l == "overlay /d: added b.txt"),
            "{stderr}"
        );
        common::assert_unchanged("the overlay's host tree", &before, &common::snapshot(&dir));
    }
}

/// Links and renames between a host preopen and a mount, or between two
/// mounts, are `xdev`, and nothing moves.
#[test]
fn links_and_renames_across_mounts_are_xdev() {
    use wasi_host::preview1::bindings::types::Errno;
    let xdev = Errno::Xdev as i32;
    for mode in P1Mode::ALL {
        let tmp = tempdir();
        std::fs::write(tmp.path().join("a"), "host").unwrap();
        let one = MemoryFs::from_files([("a", "one")]).unwrap();
        let two = MemoryFs::new();
        let (m1, m2) = (one.clone(), two.clone());
        let run = Run::new(&p1::wat("p1_vfs_xdev.wat"))
            .preopen_rw(tmp.path(), "/h")
            .configure(move |b| {
                b.mount(
                    "/m1",
                    Mount::memory(m1.clone()),
                    DirPerms::all(),
                    FilePerms::all(),
                );
                b.mount(
                    "/m2",
                    Mount::memory(m2.clone()),
                    DirPerms::all(),
                    FilePerms::all(),
                );
            });
        let out = p1::run(&run, mode);
        out.assert_code(xdev | xdev << 8 | xdev << 16 | xdev << 24);
        assert_eq!(std::fs::read(tmp.path().join("a")).unwrap(), b"host");
        assert!(!tmp.path().join("b").exists());
        assert_eq!(one.paths(), ["a"]);
        assert!(two.paths().is_empty());
    }
}

/// Every hostile call of `wat/p1_bad_input.wat` (out-of-bounds pointers,
/// bad fds, flags and offsets) gets the same errno on a memory mount as on
/// a host preopen holding the same files.
#[test]
fn hostile_calls_answer_on_a_mount_as_on_a_host_preopen() {
    let wat = std::fs::read_to_string(p1::wat("p1_bad_input.wat")).unwrap();
    let mut names: Vec<&str> = wat
        .split("(export \"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|n| n.starts_with("case_"))
        .collect();
    assert!(names.len() > 40, "{names:?}");
    names.push("alive");
    for mode in P1Mode::ALL {
        let tmp = tempdir();
        std::fs::write(tmp.path().join("data.txt"), "hello world\n").unwrap();
        std::os::unix::fs::symlink("data.txt", tmp.path().join("ln")).unwrap();
        let base = || {
            Run::new(&p1::wat("p1_bad_input.wat"))
                .arg("one")
                .env("KEY", "value")
                .stdin("some stdin data")
        };
        let (host, _) = p1::call_exports(&base().preopen_rw(tmp.path(), "/w"), mode, &names);
        let fs = MemoryFs::from_files([("data.txt", "hello world\n")]).unwrap();
        fs.add_symlink("ln", "data.txt").unwrap();
        let mount = fs.clone();
        let run = base().configure(move |b| {
            b.mount(
                "/w",
                Mount::memory(mount.clone()),
                DirPerms::all(),
                FilePerms::all(),
            );
        });
        let (virt, _) = p1::call_exports(&run, mode, &names);
        let wrong: Vec<String> = names
            .iter()
            .zip(host.iter().zip(&virt))
            .filter(|(_, (h, v))| h != v)
            .map(|(n, (h, v))| format!("{n}: host {h:?}, mount {v:?}"))
            .collect();
        assert!(wrong.is_empty(), "{mode:?}:\n  {}", wrong.join("\n  "));
        let mut paths = fs.paths();
        paths.sort();
        assert_eq!(paths, ["data.txt", "ln"], "{mode:?}");
    }
}
