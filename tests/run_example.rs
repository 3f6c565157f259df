//! The `run` example, the project's main job, end to end: the bundled demo,
//! issue 2's CLI program in sync and async mode, issue 3's file tools
//! inside a preopen (checking exactly which host files result), a read-only
//! preopen, and the one-line errors for bad input.

mod common;
use common::{guests, tempdir};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// `target/<profile>/examples/run`, which `cargo test` builds beside the
/// test binaries (`target/<profile>/deps/`).
fn run_example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let profile_dir = exe.parent().and_then(Path::parent).unwrap();
    let run = profile_dir.join("examples").join("run");
    assert!(run.exists(), "{} not built", run.display());
    run
}

fn run(args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(run_example())
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const MODES: [&[&str]; 2] = [&[], &["--async"]];

#[test]
fn demo_runs_without_arguments() {
    let out = run(&[], b"");
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        text(&out.stderr)
    );
    for expected in [
        "argv[0]",
        "wall clock:",
        "monotonic clock:",
        "random bytes:",
    ] {
        assert!(stdout.contains(expected), "{expected} missing:\n{stdout}");
    }
}

#[test]
fn cli_program_prints_what_it_prints_natively() {
    for mode in MODES {
        let mut args = mode.to_vec();
        args.extend([
            "--env",
            "GREETING=hi",
            guests::CLI_BASICS,
            "one",
            "two words",
        ]);
        let out = run(&args, b"first line\nsecond\n");
        let stdout = text(&out.stdout);
        // wasi-libc turns every non-zero `exit` code into `exit(err)`: 1.
        assert_eq!(out.status.code(), Some(1), "{mode:?}\n{stdout}");
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(lines[0], "argc=3");
        assert_eq!(lines[1], format!("arg[0]={}", guests::CLI_BASICS));
        assert_eq!(&lines[2..4], ["arg[1]=one", "arg[2]=two words"]);
        assert_eq!(lines[4], "env GREETING=hi");
        for expected in [
            "stdin bytes=18",
            "stdin> first line",
            "stdin> second",
            "systemtime plausible=true",
            "slept>=10ms=true",
            "getrandom nonzero=true",
            "exiting with 3",
        ] {
            assert!(lines.contains(&expected), "{mode:?}: {expected}\n{stdout}");
        }
        assert!(text(&out.stderr).contains("stderr: hello from cli_basics"));
    }
}

#[test]
fn file_tools_leave_exactly_the_expected_files() {
    for mode in MODES {
        let (root, outside) = (tempdir(), tempdir());
        std::fs::write(outside.path().join("keep.txt"), "untouched").unwrap();
        let dir = format!("{}::/box", root.path().display());
        let mut args = mode.to_vec();
        args.extend(["--dir", &dir, guests::FS_TOOLS]);
        args.extend([
            "mkdir",
            "/box/src/a",
            "write",
            "/box/src/a/x.txt",
            "hello",
            "write",
            "/box/src/y.txt",
            "world",
            "cp",
            "/box/src",
            "/box/copy",
            "tar",
            "/box/src",
            "/box/t.tar",
            "untar",
            "/box/t.tar",
            "/box/un",
            "du",
            "/box/src",
            "rm",
            "/box/copy",
        ]);
        let out = run(&args, b"");
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{mode:?}\n{stdout}\n{}",
            text(&out.stderr)
        );
        assert!(stdout.contains("du 10 /box/src"), "{stdout}");
        let mut files: Vec<String> = Vec::new();
        collect(root.path(), root.path(), &mut files);
        files.sort();
        assert_eq!(
            files,
            [
                "src/",
                "src/a/",
                "src/a/x.txt=hello",
                "src/y.txt=world",
                "t.tar",
                "un/",
                "un/a/",
                "un/a/x.txt=hello",
                "un/y.txt=world",
            ],
            "{mode:?}"
        );
        assert_eq!(
            std::fs::read_to_string(outside.path().join("keep.txt")).unwrap(),
            "untouched"
        );
    }
}

/// Every path under `dir`, relative to `root`: directories end in `/`,
/// small text files carry `=contents`.
fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let rel = path.strip_prefix(root).unwrap().display().to_string();
        if path.is_dir() {
            out.push(format!("{rel}/"));
            collect(root, &path, out);
        } else if rel.ends_with(".txt") {
            out.push(format!("{rel}={}", std::fs::read_to_string(&path).unwrap()));
        } else {
            out.push(rel);
        }
    }
}

#[test]
fn read_only_preopen_refuses_writes() {
    let root = tempdir();
    let dir = format!("{}::/box:ro", root.path().display());
    let out = run(
        &[
            "--dir",
            &dir,
            guests::FS_TOOLS,
            "write",
            "/box/new.txt",
            "x",
        ],
        b"",
    );
    // The guest's std::fs call fails (the preopen's permissions refuse it:
    // not-permitted, EPERM) and it panics.
    assert_eq!(out.status.code(), Some(134), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("Operation not permitted"));
    assert!(!root.path().join("new.txt").exists());
}

#[test]
fn bad_input_is_one_clear_line() {
    let dir = tempdir();
    let not_wasm = dir.path().join("not.wasm");
    std::fs::write(&not_wasm, "hello").unwrap();
    let missing = dir.path().join("missing.wasm");
    for file in [&not_wasm, &missing] {
        let out = run(&[file.to_str().unwrap()], b"");
        assert_eq!(out.status.code(), Some(2));
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
    }
    let out = run(&[guests::TRAP], b"");
    assert_eq!(out.status.code(), Some(134));
    assert!(text(&out.stderr).contains("error: "));
}
