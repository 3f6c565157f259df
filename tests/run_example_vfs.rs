//! The `run` example's virtual mounts (issue 9): `--mount-memory`,
//! `--overlay` (host tree unchanged, changes reported on stderr) and
//! `--file`, through both linkers.

use crate::common;
use common::{guests, run_example, tempdir};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(run_example()).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn memory_overlay_and_file_mounts() {
    for mode in [&[][..], &["--async"][..]] {
        let host = tempdir();
        std::fs::create_dir(host.path().join("tree")).unwrap();
        std::fs::write(host.path().join("tree/old.txt"), "old").unwrap();
        std::fs::create_dir(host.path().join("tree/gone")).unwrap();
        std::fs::write(host.path().join("tree/gone/x.txt"), "gone").unwrap();
        std::fs::write(host.path().join("hosts"), "127.0.0.1 localhost").unwrap();
        let before = common::snapshot(&host.path().join("tree"));
        let overlay = format!("{}::/o", host.path().join("tree").display());
        let file = format!("{}::/etc/hosts", host.path().join("hosts").display());
        let mut args = mode.to_vec();
        args.extend([
            "--mount-memory",
            "/scratch",
            "--overlay",
            &overlay,
            "--file",
            &file,
        ]);
        args.extend([
            guests::FS_TOOLS,
            "write",
            "/scratch/a.txt",
            "scratch",
            "cat",
            "/scratch/a.txt",
            "write",
            "/o/new.txt",
            "new",
            "write",
            "/o/old.txt",
            "changed",
            "rm",
            "/o/gone",
            "cat",
            "/o/old.txt",
            "find",
            "/o",
            "cat",
            "/etc/hosts",
        ]);
        let out = run(&args);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{mode:?}: {stderr}");
        assert!(stdout.contains("cat /scratch/a.txt scratch"), "{stdout}");
        assert!(stdout.contains("cat /o/old.txt changed"), "{stdout}");
        assert!(stdout.contains("find new.txt\nfind old.txt\n"), "{stdout}");
        assert!(
            stdout.contains("cat /etc/hosts 127.0.0.1 localhost"),
            "{stdout}"
        );
        assert!(
            stderr.contains("overlay /o: removed gone/\noverlay /o: removed gone/x.txt\n"),
            "{stderr}"
        );
        assert!(stderr.contains("overlay /o: added new.txt\n"), "{stderr}");
        assert!(
            stderr.contains("overlay /o: modified old.txt\n"),
            "{stderr}"
        );
        common::assert_unchanged(
            "the overlaid tree",
            &before,
            &common::snapshot(&host.path().join("tree")),
        );
    }
}

#[test]
fn bad_mount_options_are_one_error_line() {
    for args in [
        &["--overlay", "nothing-here"][..],
        &["--file", "/no/such/file::/x/y"][..],
        &["--overlay", "/no/such/dir::/o"][..],
    ] {
        let mut all = args.to_vec();
        all.push(guests::FS_TOOLS);
        let out = run(&all);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(text(&out.stderr).starts_with("error: "), "{args:?}");
    }
}

/// The custom-backend example runs a std guest over its catalog.
#[test]
fn custom_backend_example() {
    let exe = run_example().with_file_name("vfs_custom");
    if std::env::var_os("WASI_HOST_RUN_EXAMPLE").is_some() && !exe.exists() {
        return;
    }
    let out = Command::new(exe)
        .args([
            guests::FS_TOOLS,
            "find",
            "/data",
            "cat",
            "/data/hello.txt",
            "du",
            "/data",
        ])
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains("find hello.txt\nfind numbers.csv\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("cat /data/hello.txt hello from the embedder"),
        "{stdout}"
    );
    assert!(stdout.contains("du 35 /data"), "{stdout}");
}
