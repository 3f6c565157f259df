//! wasi:filesystem through real guests: std::fs, every descriptor method
//! called directly, permissions of preopens, tools that copy and remove
//! trees, and a directory of 10,000 entries. Each run gets fresh host
//! directories, and the test checks what the guest left on the host.

use crate::common;
use common::{Mode, Run, assert_unchanged, check_cases, guests, snapshot, tempdir};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use wasi_host::{DirPerms, FilePerms};

fn read(p: impl AsRef<Path>) -> String {
    let p = p.as_ref();
    fs::read_to_string(p).unwrap_or_else(|e| panic!("reading {}: {e}", p.display()))
}

#[test]
fn std_fs_basics() {
    for mode in Mode::ALL {
        let dir = tempdir();
        let s = dir.path();
        let out = Run::new(guests::FS_BASICS)
            .preopen_rw(s, "/sandbox")
            .run(mode);
        out.assert_success();
        for step in [
            "write-read",
            "append",
            "metadata",
            "create_dir",
            "rename",
            "copy",
            "symlink",
            "hard_link",
            "set_len",
            "seek",
            "read_dir",
            "remove",
            "set_modified",
            "create-truncates",
            "errors",
        ] {
            out.assert_line(&format!("ok {step}"));
        }
        // What the guest left behind.
        assert_eq!(read(s.join("dir/renamed.txt")), "hello world\nappended\n");
        assert!(!s.join("hello.txt").exists());
        assert_eq!(
            fs::read_link(s.join("dir/link")).unwrap().to_str(),
            Some("renamed.txt")
        );
        assert!(s.join("dir/a/b/c").is_dir());
        assert_eq!(
            read(s.join("copy.txt")),
            "hello world\nappended\nvia-hard-link\n"
        );
        let (c, h) = (
            fs::metadata(s.join("copy.txt")).unwrap(),
            fs::metadata(s.join("hard.txt")).unwrap(),
        );
        assert_eq!(
            (c.ino(), c.nlink()),
            (h.ino(), 2),
            "hard.txt is not a hard link of copy.txt"
        );
        assert_eq!(c.mtime(), 1_000_000_000);
        assert_eq!(fs::read(s.join("sized.bin")).unwrap(), b"0123\0\0\0\0");
        assert_eq!(fs::read(s.join("seek.txt")).unwrap(), b"0123ab6789\0\0Z");
        assert_eq!(read(s.join("trunc.txt")), "short");
        for gone in ["gone.txt", "empty", "tree"] {
            assert!(!s.join(gone).exists(), "{gone} still exists");
        }
        let mut names: Vec<String> = fs::read_dir(s)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                "copy.txt",
                "dir",
                "hard.txt",
                "seek.txt",
                "sized.bin",
                "trunc.txt"
            ]
        );
    }
}

fn run_direct(part: &str, mode: Mode) -> (tempfile::TempDir, common::Outcome) {
    let dir = tempdir();
    let out = Run::new(guests::FS_DIRECT)
        .arg(part)
        .preopen_rw(dir.path(), "/sandbox")
        .run(mode);
    (dir, out)
}

#[test]
fn direct_open_at_flags() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("open", mode);
        out.assert_success();
        let s = dir.path();
        assert!(s.join("od/x").is_dir() && s.join("od/f").is_file());
        assert!(s.join("x.txt").is_file());
        assert_eq!(fs::read(s.join("o.txt")).unwrap(), b"after truncate");
        assert_eq!(
            fs::read_link(s.join("o.link")).unwrap().to_str(),
            Some("o.txt")
        );
    }
}

/// A directory opened with `read` only keeps the mutate right of its
/// preopen, as wasi-libc and Rust std's `remove_dir_all` need (DESIGN.md:
/// "mutate-directory"): every change made through it lands on the host.
#[test]
fn direct_mutate_directory_flag() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("mutate", mode);
        out.assert_success().assert_line("ok mutate-flag");
        let s = dir.path();
        assert!(s.join("md/x").is_dir());
        assert_eq!(read(s.join("md/renamed")), "e");
        assert_eq!(
            fs::read_link(s.join("md/l")).unwrap().to_str(),
            Some("renamed")
        );
        assert!(!s.join("md/existing").exists() && !s.join("md/sub").exists());
        assert!(!s.join("md/f").exists());
    }
}

#[test]
fn direct_read_write_set_size_sync_advise() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("rw", mode);
        out.assert_success();
        for step in [
            "read-write",
            "set-size",
            "sync-advise",
            "fd-permissions",
            "dir-not-file",
        ] {
            out.assert_line(&format!("ok {step}"));
        }
        assert_eq!(fs::read(dir.path().join("rw.txt")).unwrap(), b"hel\0\0\0");
    }
}

/// Issue 6, item 2: neither read nor write opens for reading, create or
/// truncate open for writing too, set-size on a read-only descriptor is
/// `invalid`.
#[test]
fn direct_open_modes_as_posix() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("modes", mode);
        out.assert_success().assert_line("ok open-modes");
        let s = dir.path();
        assert_eq!(read(s.join("created.txt")), "made");
        assert_eq!(read(s.join("created2.txt")), "also");
        assert_eq!(read(s.join("modes.txt")), "new");
    }
}

/// Issue 6, item 9: `sync` and `sync-data` of a directory work.
#[test]
fn direct_sync_of_a_directory() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("dirsync", mode);
        out.assert_success().assert_line("ok dir-sync");
        assert_eq!(read(dir.path().join("syncdir/b.txt")), "a");
    }
}

#[test]
fn direct_directories_unlink_rename() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("dirs", mode);
        out.assert_success();
        let s = dir.path();
        let mut dd: Vec<String> = fs::read_dir(s.join("dd"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        dd.sort();
        assert_eq!(dd, ["f2", "rf-moved"]);
        assert!(s.join("r1-renamed").is_dir() && !s.join("r1").exists());
        assert_eq!(read(s.join("r2/keep")), "k");
        assert_eq!(read(s.join("victim")), "new");
        assert!(!s.join("winner").exists());
    }
}

#[test]
fn direct_links() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("links", mode);
        out.assert_success();
        let s = dir.path();
        let t = fs::metadata(s.join("target.txt")).unwrap();
        assert_eq!(t.nlink(), 2);
        assert_eq!(fs::metadata(s.join("hard.txt")).unwrap().ino(), t.ino());
        // `symlink-follow` is refused: nothing was made.
        assert!(!s.join("sym-followed").exists() && !s.join("t2").exists());
        assert_eq!(
            fs::read_link(s.join("sym-hard")).unwrap().to_str(),
            Some("target.txt")
        );
        assert_eq!(
            fs::read_link(s.join("dangling")).unwrap().to_str(),
            Some("nowhere")
        );
    }
}

#[test]
fn direct_streams() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("streams", mode);
        out.assert_success();
        out.assert_line("ok streams")
            .assert_line("ok stream-errors");
        assert_eq!(read(dir.path().join("s.txt")), "01234ABC89xyz!");
    }
}

#[test]
fn direct_concurrent_streams_on_one_file() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("concurrent", mode);
        out.assert_success().assert_line("ok concurrent-streams");
        let mut expected: String = (0..50).map(|i| format!("chunk-{i:03};")).collect();
        expected.replace_range(..5, "CHUNK");
        expected.push_str("[end]-nonblocking-tail");
        assert_eq!(read(dir.path().join("c.txt")), expected);
    }
}

#[test]
fn direct_stat_times_hashes() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("meta", mode);
        out.assert_success();
        out.assert_line("ok stat")
            .assert_line("ok set-times")
            .assert_line("ok metadata-hash-after-lookups")
            .assert_line("ok metadata-hash")
            .assert_line("ok stat-after-hash");
        assert_eq!(read(dir.path().join("m.txt")), "changed!");
    }
}

#[test]
fn direct_big_reads_are_bounded() {
    for mode in Mode::ALL {
        let (dir, out) = run_direct("big", mode);
        out.assert_success().assert_line("ok big");
        assert_eq!(
            fs::metadata(dir.path().join("big.bin")).unwrap().len(),
            8 << 20
        );
    }
}

#[test]
fn direct_everything_with_blocking_on_the_current_thread() {
    for mode in Mode::ALL {
        let dir = tempdir();
        let out = Run::new(guests::FS_DIRECT)
            .arg("all")
            .configure(|b| {
                b.allow_blocking_current_thread(true);
            })
            .preopen_rw(dir.path(), "/sandbox")
            .run(mode);
        out.assert_success().assert_line("done");
    }
}

/// The layout of the read-only tests.
fn ro_tree(root: &Path) {
    fs::create_dir_all(root.join("sub")).unwrap();
    fs::write(root.join("file.txt"), "content").unwrap();
    fs::write(root.join("sub/inner.txt"), "inner").unwrap();
    std::os::unix::fs::symlink("file.txt", root.join("link")).unwrap();
}

/// What the preopen's permissions refuse is `not-permitted`, as other WASI
/// runtimes report it (issue 6); `read-only` is only the host's `EROFS`.
const READ_ONLY: &[&str] = &["not-permitted"];
const REFUSED: &[&str] = &["not-permitted"];
/// The preopen's permission is checked before the descriptor's own mode.
const FD_REFUSED: &[&str] = &["not-permitted"];

#[test]
fn read_only_preopen() {
    for mode in Mode::ALL {
        let dir = tempdir();
        ro_tree(dir.path());
        let before = snapshot(dir.path());
        let out = Run::new(guests::FS_READONLY)
            .arg("ro")
            .preopen(dir.path(), "/ro", DirPerms::READ, FilePerms::READ)
            .run(mode);
        out.assert_success().assert_line("done");
        out.assert_line("flags read=true write=false mutate=false");
        out.assert_line("file-flags read=true write=false");
        let ok: &[&str] = &["ok"];
        check_cases(
            &out,
            &[
                ("read-open", ok),
                ("read-stat-at", ok),
                ("read-stat", ok),
                ("read-readdir", ok),
                ("read-readlink", ok),
                ("read-hash-at", ok),
                ("read-open-dir", ok),
                ("read-via-stream", ok),
                ("read-advise", ok),
                ("read-sync", ok),
                ("read-sync-data", ok),
                // open-at with write, mutate-directory, truncate or create
                // on a read-only preopen
                ("open-write", READ_ONLY),
                ("open-truncate", READ_ONLY),
                ("open-create-new", READ_ONLY),
                ("open-create-existing", READ_ONLY),
                ("open-create-exclusive", READ_ONLY),
                ("open-dir-mutate", READ_ONLY),
                ("open-dot-mutate", READ_ONLY),
                // operations that would create, rename, delete or modify
                ("mkdir", READ_ONLY),
                ("unlink", READ_ONLY),
                ("unlink-link", READ_ONLY),
                ("rmdir-nonempty", READ_ONLY),
                ("rename", READ_ONLY),
                ("symlink", READ_ONLY),
                ("link", READ_ONLY),
                ("set-times-at", READ_ONLY),
                ("set-times-dir", READ_ONLY),
                ("sub-mkdir", READ_ONLY),
                ("sub-unlink", READ_ONLY),
                ("sub-open-write", READ_ONLY),
                ("sub-create", READ_ONLY),
                ("file-write", FD_REFUSED),
                ("file-set-size", FD_REFUSED),
                ("file-set-times", FD_REFUSED),
                ("file-write-via-stream", FD_REFUSED),
                ("file-append-via-stream", FD_REFUSED),
            ],
        );
        assert_unchanged("the read-only preopen", &before, &snapshot(dir.path()));
    }
}

#[test]
fn read_only_files_in_a_mutable_directory() {
    for mode in Mode::ALL {
        let dir = tempdir();
        fs::write(dir.path().join("file.txt"), "keep me").unwrap();
        let out = Run::new(guests::FS_READONLY)
            .arg("rofiles")
            .preopen(dir.path(), "/rofiles", DirPerms::all(), FilePerms::READ)
            .run(mode);
        out.assert_success().assert_line("done");
        let ok: &[&str] = &["ok"];
        check_cases(
            &out,
            &[
                ("open-write", REFUSED),
                // truncate alone changes the file: it needs write permission
                ("open-truncate-alone", REFUSED),
                ("open-truncate-create", REFUSED),
                ("file-set-size", FD_REFUSED),
                ("file-write", FD_REFUSED),
                ("open-read", ok),
                ("mkdir", ok),
                ("create-read-only", ok),
                ("symlink", ok),
            ],
        );
        assert_eq!(read(dir.path().join("file.txt")), "keep me");
        assert!(dir.path().join("newdir").is_dir());
        assert!(dir.path().join("created.txt").is_file());
    }
}

#[test]
fn links_and_renames_across_preopens() {
    for mode in Mode::ALL {
        let (ro, rw, rw2) = (tempdir(), tempdir(), tempdir());
        ro_tree(ro.path());
        fs::write(rw.path().join("mine.txt"), "mine").unwrap();
        fs::write(rw2.path().join("other.txt"), "other").unwrap();
        let ro_before = snapshot(ro.path());
        let out = Run::new(guests::FS_READONLY)
            .arg("cross")
            .preopen(ro.path(), "/ro", DirPerms::READ, FilePerms::READ)
            .preopen_rw(rw.path(), "/rw")
            .preopen_rw(rw2.path(), "/rw2")
            .run(mode);
        out.assert_success().assert_line("done");
        // Permissions are checked before the preopens are compared: a link
        // or rename out of (or into) a read-only preopen is `not-permitted`.
        let refused: &[&str] = &["not-permitted"];
        let either: &[&str] = &["ok", "cross-device"];
        check_cases(
            &out,
            &[
                ("rename-ro-to-rw", refused),
                ("link-ro-to-rw", refused),
                ("rename-rw-to-ro", refused),
                ("link-rw-to-ro", refused),
                ("rename-rw-to-rw2", either),
                ("link-rw2-to-rw", either),
                ("rw-open-ro-path", &["not-permitted"]),
            ],
        );
        assert_unchanged("the read-only preopen", &ro_before, &snapshot(ro.path()));
        let cases = common::cases(&out);
        if cases["rename-rw-to-rw2"] == "ok" {
            assert!(!rw.path().join("mine.txt").exists());
            assert_eq!(read(rw2.path().join("moved.txt")), "mine");
        } else {
            assert_eq!(read(rw.path().join("mine.txt")), "mine");
        }
        if cases["link-rw2-to-rw"] == "ok" {
            assert_eq!(read(rw.path().join("linked.txt")), "other");
        }
    }
}

#[test]
fn std_writes_into_a_read_only_preopen_fail() {
    for mode in Mode::ALL {
        let dir = tempdir();
        ro_tree(dir.path());
        let before = snapshot(dir.path());
        let out = Run::new(guests::FS_READONLY)
            .arg("std")
            .preopen(dir.path(), "/ro", DirPerms::READ, FilePerms::READ)
            .run(mode);
        out.assert_success();
        for line in out.lines() {
            if let Some(rest) = line.strip_prefix("std ") {
                let (name, result) = rest.split_once(": ").unwrap();
                if name == "read" {
                    assert_eq!(result, "ok", "{out:?}");
                } else {
                    assert_ne!(result, "ok", "std {name} succeeded in a read-only preopen");
                }
            }
        }
        assert_unchanged("the read-only preopen", &before, &snapshot(dir.path()));
    }
}

/// Content-only view of a tree (no times): path -> kind and data.
fn tree(dir: &Path) -> Vec<(String, String)> {
    snapshot(dir)
        .into_iter()
        .filter(|(k, _)| k != ".")
        .map(|(k, v)| {
            let v = match v.split_once(" mtime") {
                Some((a, _)) => a.to_string(),
                None => v,
            };
            (k, v)
        })
        .collect()
}

fn tools_tree(src: &Path) {
    fs::create_dir_all(src.join("sub/deeper")).unwrap();
    fs::create_dir_all(src.join("emptydir")).unwrap();
    fs::write(src.join("a.txt"), "alpha\n").unwrap();
    fs::write(src.join("sub/b.txt"), "beta beta\n").unwrap();
    let bin: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    fs::write(src.join("sub/deeper/c.bin"), bin).unwrap();
    std::os::unix::fs::symlink("a.txt", src.join("link")).unwrap();
}

#[test]
fn tar_cp_find_rm_du_inside_preopens() {
    for mode in Mode::ALL {
        let (sandbox, out_dir) = (tempdir(), tempdir());
        let s = sandbox.path();
        tools_tree(&s.join("src"));
        let out = Run::new(guests::FS_TOOLS)
            .args(common::TOOLS_SCRIPT.iter().copied())
            .preopen_rw(s, "/sandbox")
            .preopen_rw(out_dir.path(), "/out")
            .run(mode);
        common::assert_tools_output(&out);
        // Exactly the expected files on the host.
        let src = tree(&s.join("src"));
        assert_eq!(tree(&s.join("restored")), src);
        assert_eq!(tree(&out_dir.path().join("copy")), src);
        assert!(!s.join("copy").exists());
        assert!(s.join("archive.tar").is_file());
        let mut top: Vec<String> = fs::read_dir(s)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        top.sort();
        assert_eq!(top, ["archive.tar", "restored", "src"]);
        assert_eq!(
            read(out_dir.path().join("made/deep/note.txt")),
            "written by the guest"
        );
    }
}

#[test]
fn ten_thousand_entries() {
    for mode in Mode::ALL {
        let dir = tempdir();
        let out = Run::new(guests::FS_MANY)
            .args(["10000", "/sandbox/many"])
            .preopen_rw(dir.path(), "/sandbox")
            .run(mode);
        out.assert_success().assert_line("listed 10000");
        assert_eq!(
            fs::read_dir(dir.path().join("many")).unwrap().count(),
            10_000
        );
        eprintln!("{mode:?}: {}", out.stderr().trim());
    }
}

#[test]
fn preopen_with_a_nested_guest_path() {
    for mode in Mode::ALL {
        let dir = tempdir();
        fs::write(dir.path().join("f"), "x").unwrap();
        let out = Run::new(guests::PREOPENS)
            .preopen_rw(dir.path(), "/deep/nested/dir")
            .run(mode);
        out.assert_success().assert_line("preopen /deep/nested/dir");
    }
}
