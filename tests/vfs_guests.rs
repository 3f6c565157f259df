//! Issue 9: real guests (Rust `std::fs` programs) against virtual mounts,
//! through the sync linker and the async one on both tokio runtime kinds:
//! the tar/cp -r/find/rm -r guest on in-memory mounts (read back by the
//! embedder), quotas, the semantics programs rely on, and read-only views.

use crate::common;

use common::{Mode, Run, cases, guests};
use wasi_host::vfs::{MemoryFs, Mount, Overlay, SingleFile};
use wasi_host::{DirPerms, FilePerms};

/// The tree of `tests/filesystem.rs`'s tools test, in memory.
fn tools_tree() -> MemoryFs {
    let bin: Vec<u8> = (0..100_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let fs = MemoryFs::from_files([
        ("src/a.txt", b"alpha\n".to_vec()),
        ("src/sub/b.txt", b"beta beta\n".to_vec()),
        ("src/sub/deeper/c.bin", bin),
    ])
    .unwrap();
    fs.create_dir_all("src/emptydir").unwrap();
    fs.add_symlink("src/link", "a.txt").unwrap();
    fs
}

fn mount_rw(
    fs: &MemoryFs,
    guest: &'static str,
) -> impl Fn(&mut wasi_host::WasiCtxBuilder) + Send + Sync + 'static {
    let fs = fs.clone();
    move |b| {
        b.mount(
            guest,
            Mount::memory(fs.clone()),
            DirPerms::all(),
            FilePerms::all(),
        );
    }
}

#[test]
fn tar_cp_find_rm_on_memory_mounts() {
    for mode in Mode::ALL {
        let sandbox = tools_tree();
        let out_fs = MemoryFs::new();
        let out = Run::new(guests::FS_TOOLS)
            .args(common::TOOLS_SCRIPT.iter().copied())
            .configure(mount_rw(&sandbox, "/sandbox"))
            .configure(mount_rw(&out_fs, "/out"))
            .run(mode);
        common::assert_tools_output(&out);
        // The embedder reads back what the guest wrote.
        assert_eq!(
            out_fs.read_file("made/deep/note.txt").as_deref(),
            Some(&b"written by the guest"[..]),
            "{mode:?}"
        );
        assert_eq!(
            out_fs.read_file("copy/sub/deeper/c.bin"),
            sandbox.read_file("src/sub/deeper/c.bin"),
            "{mode:?}"
        );
        assert!(
            sandbox.read_file("copy/a.txt").is_none(),
            "rm -r removed it"
        );
        assert!(sandbox.paths().contains(&"restored/link".to_string()));
        // ...and can export it to a host directory.
        let host = tempfile::tempdir().unwrap();
        out_fs.export_to(host.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(host.path().join("made/deep/note.txt")).unwrap(),
            "written by the guest"
        );
        assert_eq!(
            std::fs::read_link(host.path().join("copy/link")).unwrap(),
            std::path::Path::new("a.txt")
        );
    }
}

#[test]
fn quota_full_is_insufficient_space_and_keeps_what_was_written() {
    for mode in Mode::ALL {
        let fs = MemoryFs::with_limits(10_500, 20);
        let out = Run::new(guests::VFS_STD)
            .args(["quota", "/mem"])
            .configure(mount_rw(&fs, "/mem"))
            .run(mode);
        out.assert_success();
        // The write that did not fit fails (wasi-libc's blocking write
        // reports a file stream's failure as EIO, whatever its
        // `filesystem-error-code`); what fitted of it is kept, and nothing
        // written before is lost.
        out.assert_line("wrote 10000");
        out.assert_line("error Uncategorized");
        out.assert_line("readback ok");
        // The root and `fill` are two of the 20 entries.
        out.assert_line("files 18");
        out.assert_line("files error StorageFull");
        assert_eq!(fs.bytes_used(), 10_500, "{mode:?}");
        assert_eq!(fs.read_file("fill").map(|b| b.len()), Some(10_500));
    }
}

/// What programs rely on (reads of unlinked open files, append, `set_len`
/// growing with zeros, link counts, renames over names, listings,
/// symlinks, the sandbox): the in-memory mount answers exactly as a host
/// directory does, case by case.
#[test]
fn semantics_programs_rely_on_match_the_host() {
    for mode in Mode::ALL {
        let host = tempfile::tempdir().unwrap();
        let on_host = Run::new(guests::VFS_STD)
            .args(["semantics", "/mem"])
            .preopen_rw(host.path(), "/mem")
            .run(mode);
        let fs = MemoryFs::new();
        let out = Run::new(guests::VFS_STD)
            .args(["semantics", "/mem"])
            .configure(mount_rw(&fs, "/mem"))
            .run(mode);
        out.assert_success().assert_line("done");
        on_host.assert_success();
        let (mut c, mut h) = (cases(&out), cases(&on_host));
        assert!(c.remove("mtime").unwrap().starts_with("ok "));
        h.remove("mtime");
        assert_eq!(c, h, "{mode:?}");
        assert_eq!(c["unlinked read"], "ok \"hello\"");
        assert_eq!(c["append"], "ok \"one\\ntwo\\n\"");
        assert_eq!(
            c["set_len"],
            "ok [111, 110, 101, 10, 116, 119, 111, 10, 0, 0, 0, 0]"
        );
        assert_eq!(c["nlink"], "ok 2");
        assert_eq!(c["escape"], "PermissionDenied");
        assert_eq!(fs.read_file("y").as_deref(), Some(&b"x"[..]));
        assert_eq!(fs.paths(), ["escape", "link", "log", "log2", "y"]);
    }
}

/// Timestamps come from the context's wall clock, so a fixed clock makes
/// them deterministic.
#[test]
fn timestamps_follow_the_context_wall_clock() {
    struct Fixed;
    impl wasi_host::clocks::HostWallClock for Fixed {
        fn resolution(&self) -> std::time::Duration {
            std::time::Duration::from_secs(1)
        }
        fn now(&self) -> std::time::Duration {
            std::time::Duration::from_secs(1_234_567)
        }
    }
    let fs = MemoryFs::new();
    let fs2 = fs.clone();
    let out = Run::new(guests::VFS_STD)
        .args(["semantics", "/mem"])
        .configure(move |b| {
            b.wall_clock(Fixed);
            b.mount(
                "/mem",
                Mount::memory(fs2.clone()),
                DirPerms::all(),
                FilePerms::all(),
            );
        })
        .run(Mode::Sync);
    out.assert_success();
    assert_eq!(
        cases(&out).get("mtime").map(String::as_str),
        Some("ok 1234567")
    );
}

#[test]
fn read_only_view_refuses_every_change() {
    for mode in Mode::ALL {
        let fs = MemoryFs::from_files([("file.txt", "content"), ("sub/inner.txt", "x")]).unwrap();
        let before = fs.paths();
        let view = fs.clone();
        let out = Run::new(guests::VFS_STD)
            .args(["readonly", "/ro"])
            .configure(move |b| {
                b.mount(
                    "/ro",
                    Mount::memory(view.clone()).read_only(),
                    DirPerms::all(),
                    FilePerms::all(),
                );
            })
            .run(mode);
        out.assert_success();
        let c = cases(&out);
        assert_eq!(c["read"], "ok \"content\"", "{mode:?}");
        for case in [
            "write", "create", "append", "mkdir", "remove", "rename", "rmdir",
        ] {
            assert_eq!(c[case], "ReadOnlyFilesystem", "{mode:?}: {case}");
        }
        assert_eq!(fs.paths(), before);
        assert_eq!(fs.read_file("file.txt").as_deref(), Some(&b"content"[..]));
    }
}

/// A single host file, alone in its directory: readable, writable when
/// mounted so, the directory itself fixed.
#[test]
fn single_file_mount() {
    for mode in Mode::ALL {
        let host = tempfile::tempdir().unwrap();
        let path = host.path().join("hosts");
        std::fs::write(&path, "content").unwrap();
        let p = path.clone();
        let out = Run::new(guests::VFS_STD)
            .args(["readonly", "/etc"])
            .configure(move |b| {
                let file = SingleFile::open(&p, "file.txt", false).unwrap();
                b.mount(
                    "/etc",
                    Mount::single_file(file),
                    DirPerms::all(),
                    FilePerms::all(),
                );
            })
            .run(mode);
        out.assert_success();
        let c = cases(&out);
        assert_eq!(c["read"], "ok \"content\"", "{mode:?}");
        assert_eq!(c["write"], "ReadOnlyFilesystem", "{mode:?}");
        assert_eq!(c["append"], "ReadOnlyFilesystem", "{mode:?}");
        for case in ["create", "mkdir", "remove", "rename"] {
            assert_eq!(c[case], "PermissionDenied", "{mode:?}: {case}");
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "content");

        // Writable: the guest's write reaches the host file (the mount
        // needs MUTATE for `create`+`truncate`; the backend keeps the
        // directory itself fixed).
        let p = path.clone();
        let out = Run::new(guests::FS_TOOLS)
            .args([
                "cat",
                "/etc/hosts",
                "write",
                "/etc/hosts",
                "rewritten",
                "find",
                "/etc",
            ])
            .configure(move |b| {
                let file = SingleFile::open(&p, "hosts", true).unwrap();
                b.mount(
                    "/etc",
                    Mount::single_file(file),
                    DirPerms::all(),
                    FilePerms::all(),
                );
            })
            .run(mode);
        out.assert_success()
            .assert_line("cat /etc/hosts content")
            .assert_line("find hosts");
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            "rewritten",
            "{mode:?}"
        );
        std::fs::write(&path, "content").unwrap();
    }
}

/// An overlay over a host tree: the guest's tools run as on a host
/// directory, the host tree is byte-for-byte unchanged, and the embedder
/// reads the changes.
#[test]
fn overlay_over_a_host_tree() {
    for mode in Mode::ALL {
        let host = tempfile::tempdir().unwrap();
        let src = host.path().join("src");
        std::fs::create_dir_all(src.join("sub/deeper")).unwrap();
        std::fs::create_dir_all(src.join("emptydir")).unwrap();
        std::fs::write(src.join("a.txt"), "alpha\n").unwrap();
        std::fs::write(src.join("sub/b.txt"), "beta beta\n").unwrap();
        std::fs::write(src.join("sub/deeper/c.bin"), vec![9u8; 100_000]).unwrap();
        std::os::unix::fs::symlink("a.txt", src.join("link")).unwrap();
        let before = common::snapshot(host.path());
        let overlay = Overlay::new(host.path()).unwrap();
        let o = overlay.clone();
        let out = Run::new(guests::FS_TOOLS)
            .args([
                "cp",
                "/sandbox/src",
                "/sandbox/copy",
                "find",
                "/sandbox/copy",
                "tar",
                "/sandbox/copy",
                "/sandbox/archive.tar",
                "rm",
                "/sandbox/copy",
                "rm",
                "/sandbox/src/sub",
                "write",
                "/sandbox/src/a.txt",
                "changed",
                "cat",
                "/sandbox/src/a.txt",
            ])
            .configure(move |b| {
                b.mount("/sandbox", o.mount(), DirPerms::all(), FilePerms::all());
            })
            .run(mode);
        out.assert_success()
            .assert_line("tools done")
            .assert_line("find sub/deeper/c.bin")
            .assert_line("cat /sandbox/src/a.txt changed");
        common::assert_unchanged(
            "the host tree under the overlay",
            &before,
            &common::snapshot(host.path()),
        );
        use wasi_host::vfs::Change::*;
        assert_eq!(
            overlay.changes().unwrap(),
            [
                Added("archive.tar".into()),
                Modified("src/a.txt".into()),
                Removed("src/sub/".into()),
                Removed("src/sub/b.txt".into()),
                Removed("src/sub/deeper/".into()),
                Removed("src/sub/deeper/c.bin".into()),
            ],
            "{mode:?}"
        );
        assert_eq!(
            overlay.read_file("src/a.txt").as_deref(),
            Some(&b"changed"[..])
        );
        // The upper layer holds what the guest changed, not the host tree.
        assert_eq!(
            overlay.upper().read_file("src/a.txt").as_deref(),
            Some(&b"changed"[..])
        );
        assert_eq!(overlay.upper().read_file("src/link"), None);
        assert_eq!(
            overlay.read_file("src/emptydir/../a.txt"),
            None,
            "no `..` in embedder paths"
        );
    }
}
