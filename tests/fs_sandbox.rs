//! Escape attempts from a preopen: absolute paths, `..` above the preopen,
//! symlinks out (absolute and relative), loops, trailing slashes, odd names.
//! Each must fail with the spec's error, and the sibling directory outside
//! the preopen must be exactly as it was.

use crate::common;
#[path = "support/no_openat2.rs"]
mod no_openat2;
use common::{Mode, Run, assert_unchanged, check_cases, guests, snapshot, tempdir};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

/// root/sandbox (the preopen) and root/outside (must stay untouched).
fn layout(root: &Path) {
    let s = root.join("sandbox");
    let o = root.join("outside");
    fs::create_dir_all(s.join("sub")).unwrap();
    fs::create_dir_all(&o).unwrap();
    fs::write(o.join("secret.txt"), "secret").unwrap();
    fs::write(s.join("file.txt"), "inside").unwrap();
    fs::write(s.join("sub/inner.txt"), "inner").unwrap();
    symlink(o.join("secret.txt"), s.join("link_abs_file")).unwrap();
    symlink(&o, s.join("link_abs_dir")).unwrap();
    symlink("../outside/secret.txt", s.join("link_rel_file")).unwrap();
    symlink("../outside", s.join("link_rel_dir")).unwrap();
    symlink("../../outside", s.join("sub/link_up")).unwrap();
    symlink("../outside/created.txt", s.join("dangling_out")).unwrap();
    symlink("loop_b", s.join("loop_a")).unwrap();
    symlink("loop_a", s.join("loop_b")).unwrap();
    symlink("self_loop", s.join("self_loop")).unwrap();
    symlink("file.txt", s.join("link_in")).unwrap();
    symlink("sub", s.join("link_sub")).unwrap();
    symlink("sub/../file.txt", s.join("link_dotdot_in")).unwrap();
}

const NP: &[&str] = &["not-permitted"];
const LOOP: &[&str] = &["loop"];
const NOTDIR: &[&str] = &["not-directory"];
/// stat-at without symlink-follow of `link/` where the link points outside:
/// following it (POSIX reads a trailing slash as "follow") must stop at the
/// sandbox's edge; keeping no-follow stats the link itself. Either way the
/// guest learns nothing about the outside (a result of type `Directory` or
/// `RegularFile` would be the outside object: an escape).
const TRAILING_NOFOLLOW: &[&str] = &[
    "not-permitted",
    "not-directory",
    "ok DescriptorType::SymbolicLink",
];

#[test]
fn escape_attempts_fail_and_nothing_outside_changes() {
    no_openat2::disable_openat2_if_asked();
    for mode in Mode::ALL {
        let root = tempdir();
        layout(root.path());
        let outside_before = snapshot(&root.path().join("outside"));
        let out = Run::new(guests::FS_SANDBOX)
            .arg("escape")
            .preopen_rw(root.path().join("sandbox"), "/sandbox")
            .run(mode);
        out.assert_success().assert_line("done");
        let ok: &[&str] = &["ok"];
        check_cases(
            &out,
            &[
                // absolute paths and `..`: "fails with error-code::not-permitted"
                ("open-abs-etc", NP),
                ("open-abs-root", NP),
                ("open-abs-sandbox", NP),
                ("open-dotdot", NP),
                ("open-dotdot-secret", NP),
                ("open-sub-dotdot-dotdot", NP),
                ("open-sub-dotdot-twice", NP),
                ("open-dot-dotdot", NP),
                ("stat-dotdot", NP),
                ("stat-dotdot-outside", NP),
                ("stat-abs", NP),
                ("readdir-dotdot", NP),
                ("sub-open-dotdot", NP),
                ("sub-open-dotdot-file", NP),
                ("sub-stat-dotdot", NP),
                ("sub-link-up", NP),
                // symlinks out
                ("follow-abs-file", NP),
                ("follow-abs-dir", NP),
                ("through-abs-dir", NP),
                ("follow-rel-file", NP),
                ("through-rel-dir", NP),
                ("through-sub-link-up", NP),
                ("nofollow-abs-file", &["loop", "not-permitted"]),
                ("stat-follow-abs-file", NP),
                ("stat-follow-rel-dir", NP),
                ("stat-through-rel-dir", NP),
                ("hash-follow-rel-file", NP),
                ("settimes-follow-abs", NP),
                ("settimes-dotdot", NP),
                // "If the contents contain an absolute or rooted path in the
                // underlying filesystem, this function fails with
                // error-code::not-permitted."
                ("readlink-abs", NP),
                ("readlink-dotdot", NP),
                (
                    "stat-nofollow-abs-link",
                    &["ok SymbolicLink", "ok DescriptorType::SymbolicLink"],
                ),
                ("readlink-rel", &["ok ../outside/secret.txt"]),
                // trailing slashes
                ("trailing-slash-file", NOTDIR),
                ("trailing-dot-file", NOTDIR),
                ("trailing-slash-link-in", NOTDIR),
                ("trailing-slash-abs-dir-nofollow", TRAILING_NOFOLLOW),
                ("trailing-slash-rel-dir-nofollow", TRAILING_NOFOLLOW),
                ("trailing-slash-abs-dir-open", NP),
                ("trailing-slash-rel-file-nofollow", TRAILING_NOFOLLOW),
                // loops
                ("loop-follow", LOOP),
                ("loop-through", LOOP),
                ("self-loop-follow", LOOP),
                ("loop-stat-follow", LOOP),
                // creating outside
                ("create-dotdot", NP),
                ("create-through-rel-dir", NP),
                ("create-through-abs-dir", NP),
                ("create-dangling-follow", NP),
                (
                    "create-dangling-nofollow",
                    &["loop", "exist", "not-permitted"],
                ),
                ("truncate-follow-abs", NP),
                ("write-follow-rel", NP),
                ("mkdir-dotdot", NP),
                ("mkdir-through-link", NP),
                ("mkdir-abs", NP),
                // removing and moving outside
                ("unlink-dotdot", NP),
                ("unlink-through-link", NP),
                ("rmdir-dotdot", NP),
                ("rename-out", NP),
                ("rename-in", NP),
                ("rename-through-link", NP),
                ("link-dotdot", NP),
                ("link-follow-abs", &["not-permitted", "invalid"]),
                ("link-out", NP),
                // "If old-path starts with /, the function fails with
                // error-code::not-permitted."
                ("symlink-abs-target", NP),
                ("symlink-at-dotdot", NP),
                ("symlink-rel-out", &["ok", "not-permitted"]),
                ("follow-new-rel-link", &["not-permitted", "no-entry"]),
                // odd names are plain names
                ("device-name-CON", &["ok 5"]),
                ("device-name-NUL", &["ok 5"]),
                ("device-name-aux.txt", &["ok 5"]),
                ("device-name-COM1", &["ok 5"]),
                ("device-name-LPT1", &["ok 5"]),
                ("device-name-con.txt", &["ok 5"]),
                ("empty-path", &["no-entry", "invalid", "not-permitted"]),
                (
                    "nul-in-path",
                    &[
                        "invalid",
                        "illegal-byte-sequence",
                        "no-entry",
                        "not-permitted",
                    ],
                ),
                ("long-name", &["name-too-long"]),
                ("backslash-dotdot", &["no-entry"]),
                // allowed
                (
                    "dot",
                    &["ok type Directory", "ok type DescriptorType::Directory"],
                ),
                ("inside-dotdot", &["ok read \"inside\""]),
                ("inside-dot-slash", &["ok read \"inner\""]),
                ("double-slash", &["ok read \"inner\""]),
                ("follow-link-in", &["ok read \"inside\""]),
                ("follow-link-dotdot-in", &["ok read \"inside\""]),
                ("through-link-sub", &["ok read \"inner\""]),
                ("timestamp-overflow", &["ok", "overflow", "invalid"]),
                ("timestamp-bad-nanos", &["ok", "overflow", "invalid"]),
            ],
        );
        let _ = ok;
        assert_unchanged(
            "the directory outside the preopen",
            &outside_before,
            &snapshot(&root.path().join("outside")),
        );
        let s = root.path().join("sandbox");
        for never in [
            "hard.txt",
            "hard2.txt",
            "stolen.txt",
            "stolen2.txt",
            "new_abs_link",
        ] {
            assert!(
                fs::symlink_metadata(s.join(never)).is_err(),
                "{never} was created in the sandbox"
            );
        }
        assert_eq!(fs::read_to_string(s.join("file.txt")).unwrap(), "inside");
        for name in ["CON", "NUL", "aux.txt", "COM1", "LPT1", "con.txt"] {
            assert_eq!(fs::read_to_string(s.join(name)).unwrap(), "plain");
        }
        assert!(!Path::new("/tmp/wasi-host-escape").exists());
        // The root itself gained nothing besides the two directories.
        let mut top: Vec<String> = fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        top.sort();
        assert_eq!(top, ["outside", "sandbox"]);
    }
}

#[test]
fn std_escape_attempts_fail() {
    no_openat2::disable_openat2_if_asked();
    for mode in Mode::ALL {
        let root = tempdir();
        layout(root.path());
        let outside_before = snapshot(&root.path().join("outside"));
        let out = Run::new(guests::FS_SANDBOX)
            .arg("std")
            .preopen_rw(root.path().join("sandbox"), "/sandbox")
            .run(mode);
        out.assert_success().assert_line("done");
        let mut seen = 0;
        for line in out.lines() {
            if let Some(rest) = line.strip_prefix("std ") {
                seen += 1;
                let (name, result) = rest.split_once(": ").unwrap();
                if name == "read-inside" {
                    assert_eq!(result, "ok inside", "{out:?}");
                } else {
                    assert!(
                        !result.starts_with("ok"),
                        "std {name} escaped: {result}\n{out:?}"
                    );
                    assert!(!result.contains("secret"), "{name} leaked the secret");
                }
            }
        }
        assert_eq!(seen, 11, "{out:?}");
        assert_unchanged(
            "the directory outside the preopen",
            &outside_before,
            &snapshot(&root.path().join("outside")),
        );
    }
}

#[test]
fn a_preopen_that_is_itself_a_symlink_still_confines() {
    no_openat2::disable_openat2_if_asked();
    // The host path given to the builder may be a symlink; the guest is
    // confined to its target and cannot climb out of it.
    for mode in Mode::ALL {
        let root = tempdir();
        layout(root.path());
        symlink(root.path().join("sandbox"), root.path().join("alias")).unwrap();
        let outside_before = snapshot(&root.path().join("outside"));
        let out = Run::new(guests::FS_SANDBOX)
            .arg("std")
            .preopen_rw(root.path().join("alias"), "/sandbox")
            .run(mode);
        out.assert_success()
            .assert_line("std read-inside: ok inside");
        assert!(!out.stdout().contains(": ok secret"));
        assert_unchanged(
            "outside",
            &outside_before,
            &snapshot(&root.path().join("outside")),
        );
    }
}

/// The links of issue 6, item 5: targets that end in `/` (cap-std's
/// fallback resolver before 3.4.6 let them lead out of the preopen).
fn slash_layout(root: &Path) {
    layout(root);
    let s = root.join("sandbox");
    let o = root.join("outside");
    fs::create_dir(o.join("inner")).unwrap();
    fs::write(o.join("inner/deep.txt"), "deep").unwrap();
    symlink("../outside/", s.join("ts_rel")).unwrap();
    symlink(format!("{}/", o.display()), s.join("ts_abs")).unwrap();
    symlink("../outside/secret.txt/", s.join("ts_rel_file")).unwrap();
    symlink("../../outside/", s.join("sub/ts_up")).unwrap();
    symlink("../outside", s.join("evil_rel")).unwrap();
    symlink(&o, s.join("evil_abs")).unwrap();
    symlink("evil_rel/", s.join("ts_chain_rel")).unwrap();
    symlink("evil_abs/", s.join("ts_chain_abs")).unwrap();
    symlink("ts_rel/", s.join("ts_chain_slash")).unwrap();
    symlink("../evil_rel/", s.join("sub/ts_chain_up")).unwrap();
}

/// Issue 6, item 5: every operation through a symlink whose target ends in
/// `/` (relative and absolute, through one and two links, with and without
/// symlink-follow) fails, or acts on the link itself inside the sandbox;
/// nothing outside is read, listed, created, changed or removed.
#[test]
fn links_with_a_trailing_slash_in_their_target_stay_inside() {
    no_openat2::disable_openat2_if_asked();
    for mode in Mode::ALL {
        let root = tempdir();
        slash_layout(root.path());
        let outside = root.path().join("outside");
        let before = snapshot(&outside);
        let out = Run::new(guests::FS_SANDBOX)
            .arg("slash")
            .preopen_rw(root.path().join("sandbox"), "/sandbox")
            .run(mode);
        out.assert_success().assert_line("done");
        let mut seen = 0;
        let mut escapes = Vec::new();
        for line in out.lines() {
            let Some(rest) = line.strip_prefix("slash ") else {
                continue;
            };
            seen += 1;
            let (what, result) = rest.split_once(": ").unwrap();
            let mut words = what.split(' ');
            let (op, path, follow) = (
                words.next().unwrap(),
                words.next().unwrap(),
                words.next().unwrap(),
            );
            let Some(value) = result.strip_prefix("ok") else {
                continue;
            };
            // The link itself (no suffix, not followed) may be looked at,
            // hashed, touched and hard-linked: it is inside. `link/.` is
            // read as the link itself too (std's `Path` drops a trailing
            // `.`); the unit tests check that such a hash is never the one
            // of an outside object.
            let on_the_link = follow == "nofollow" && {
                let base = path.strip_suffix("/.").unwrap_or(path);
                let name = base.rsplit('/').next().unwrap();
                !base.ends_with('/') && name.starts_with("ts_")
            };
            let allowed = match op {
                "stat" => value.contains("SymbolicLink"),
                "hash" | "set-times" | "link-from" => on_the_link,
                _ => false,
            };
            if !allowed {
                escapes.push(line.clone());
            }
        }
        assert!(seen > 500, "only {seen} cases ran:\n{out:?}");
        assert!(
            escapes.is_empty(),
            "{mode:?}: operations through trailing-slash links succeeded:\n{}",
            escapes.join("\n")
        );
        assert_unchanged(
            "the directory outside the preopen",
            &before,
            &snapshot(&outside),
        );
        let s = root.path().join("sandbox");
        assert!(fs::symlink_metadata(s.join("stolen")).is_err());
        assert_eq!(fs::read_to_string(s.join("file.txt")).unwrap(), "inside");
    }
}

/// Issue 6, item 5: the guest sandbox tests again, in a child process where
/// `openat2` answers `ENOSYS`, so cap-std's fallback resolver is covered.
#[test]
fn sandbox_tests_pass_without_openat2() {
    if no_openat2::asked() {
        return;
    }
    no_openat2::rerun_without_openat2(&[
        "fs_sandbox::escape_attempts_fail_and_nothing_outside_changes",
        "fs_sandbox::std_escape_attempts_fail",
        "fs_sandbox::a_preopen_that_is_itself_a_symlink_still_confines",
        "fs_sandbox::links_with_a_trailing_slash_in_their_target_stay_inside",
    ]);
}
