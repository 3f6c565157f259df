//! The `run` example, the project's main job, end to end: the bundled demo,
//! a CLI program in sync and async mode, file tools inside a preopen (checking exactly which host files result), a read-only
//! preopen, the one-line errors for bad input, every exit-status path
//! (`--help` documents them), `--env NAME` inheriting from the host,
//! text-format (`.wat`) components, `--deterministic` runs and `--trace`.

use crate::common;
use common::{guests, run_example, tempdir};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: &[u8]) -> Output {
    run_with_env(args, stdin, &[])
}

/// `run` with extra variables in the `run` process's own environment.
fn run_with_env(args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    use std::io::Write;
    let mut child = Command::new(run_example())
        .args(args)
        .envs(env.iter().copied())
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

/// Runs `guest` with `args` in both modes and checks the exit status; a
/// trap (`134`) must come with one `error:` line on stderr, any other status
/// with none.
fn assert_status(guest: &str, args: &[&str], expected: i32) {
    for mode in MODES {
        let mut all = mode.to_vec();
        all.push(guest);
        all.extend(args);
        let out = run(&all, b"");
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(expected),
            "{all:?}\nstdout: {}\nstderr: {stderr}",
            text(&out.stdout)
        );
        let errors = stderr.lines().filter(|l| l.starts_with("error: ")).count();
        let expected_errors = usize::from(expected == 134);
        assert_eq!(errors, expected_errors, "{all:?}\nstderr: {stderr}");
    }
}

#[test]
fn exit_with_code_passes_the_code_through() {
    for code in [0, 3, 42, 255] {
        assert_status(guests::EXIT_WITH_CODE, &[&code.to_string()], code);
    }
}

#[test]
fn run_result_and_exit_status_give_0_or_1() {
    assert_status(guests::EXIT_CODE, &["return-ok"], 0);
    assert_status(guests::EXIT_CODE, &["wasi-ok"], 0);
    assert_status(guests::EXIT_CODE, &["wasi-err"], 1);
    // `main` returning `Err`: std prints the error and exits 1.
    assert_status(guests::EXIT_CODE, &["return-err"], 1);
    // wasi-libc reports every non-zero `exit` code of a wasm32-wasip2
    // program as `exit(err)`: 42 ends as 1 (the `--help` text says so).
    assert_status(guests::EXIT_CODE, &["std", "42"], 1);
    assert_status(guests::EXIT_CODE, &["std", "0"], 0);
}

#[test]
fn traps_and_panics_give_134() {
    assert_status(guests::EXIT_CODE, &["panic"], 134);
    for case in ["unreachable", "oob", "stack-overflow"] {
        assert_status(guests::TRAP, &[case], 134);
    }
}

#[test]
fn help_explains_flags_and_exit_codes() {
    for flag in ["--help", "-h"] {
        let out = run(&[flag], b"");
        assert_eq!(out.status.code(), Some(0));
        let help = text(&out.stdout);
        for expected in [
            "--dir HOST[::GUEST][:ro]",
            "--env NAME=VALUE",
            "--env NAME ",
            "--async",
            "--deterministic SEED",
            "--trace FILE",
            "ARGS...",
            "exit status:",
            "exit-with-code(N)",
            "134",
        ] {
            assert!(help.contains(expected), "{expected} missing:\n{help}");
        }
    }
    // A wrong option prints the short usage, which points to --help.
    let out = run(&["--frobnicate"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--help"));
}

#[test]
fn env_name_alone_inherits_the_host_value() {
    for mode in MODES {
        let mut args = mode.to_vec();
        args.extend([
            "--env",
            "WASI_HOST_INHERITED",
            "--env=WASI_HOST_NOT_SET_ANYWHERE",
            "--env",
            "WASI_HOST_SET=here",
            guests::ENVIRONMENT,
        ]);
        let env = [("WASI_HOST_INHERITED", "from the host"), ("OTHER", "x")];
        let out = run_with_env(&args, b"", &env);
        let stdout = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "{stdout}{}", text(&out.stderr));
        let envs: Vec<&str> = stdout.lines().filter(|l| l.starts_with("env ")).collect();
        assert_eq!(
            envs,
            [
                "env WASI_HOST_INHERITED=from the host",
                "env WASI_HOST_SET=here"
            ],
            "{mode:?}"
        );
    }
}

/// A command component in text format whose `run` returns `RESULT` (0 for
/// ok, 1 for err), exported under the 0.2.0 name.
fn text_command(result: u8) -> String {
    format!(
        r#"(component
  (core module $m (func (export "run") (result i32) i32.const {result}))
  (core instance $i (instantiate $m))
  (func $run (result (result)) (canon lift (core func $i "run")))
  (instance $cli (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $cli))
)"#
    )
}

#[test]
fn text_format_components_run() {
    let dir = tempdir();
    for (result, expected) in [(0, 0), (1, 1)] {
        let file = dir.path().join(format!("run{result}.wat"));
        std::fs::write(&file, text_command(result)).unwrap();
        for mode in MODES {
            let mut args = mode.to_vec();
            args.push(file.to_str().unwrap());
            let out = run(&args, b"");
            assert_eq!(
                out.status.code(),
                Some(expected),
                "{mode:?}: {}",
                text(&out.stderr)
            );
            assert_eq!(text(&out.stderr), "");
        }
    }
    // Text without the `.wat` extension is recognized too.
    let file = dir.path().join("text.wasm");
    std::fs::write(&file, format!("  ;; a comment\n{}", text_command(0))).unwrap();
    assert_eq!(run(&[file.to_str().unwrap()], b"").status.code(), Some(0));
}

#[test]
fn components_without_run_and_bad_text_are_one_line_errors() {
    let dir = tempdir();
    let cases = [
        (
            "library.wat",
            "(component)",
            "is not a command component: it exports no wasi:cli/run",
        ),
        (
            "broken.wat",
            "(component (frobnicate))",
            "is not valid WebAssembly text format",
        ),
    ];
    for (name, source, expected) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, source).unwrap();
        let out = run(&[file.to_str().unwrap()], b"");
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("error: "), "{stderr}");
        assert!(stderr.contains(expected), "{expected} missing: {stderr}");
    }
}

/// A preview 1 core module in text format that calls `proc_exit(CODE)`, or
/// returns from `_start` when `CODE` is `None`, or traps when it is `-1`.
fn text_core_module(code: Option<i32>) -> String {
    let body = match code {
        None => String::new(),
        Some(-1) => "unreachable".to_string(),
        Some(n) => format!("i32.const {n} call $proc_exit"),
    };
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start") {body})
)"#
    )
}

#[test]
fn core_modules_report_proc_exit_returns_and_traps() {
    let dir = tempdir();
    let cases = [
        (None, 0),
        (Some(0), 0),
        (Some(3), 3),
        (Some(42), 42),
        (Some(-1), 134),
    ];
    for (code, expected) in cases {
        let file = dir.path().join(format!("exit{code:?}.wat"));
        std::fs::write(&file, text_core_module(code)).unwrap();
        assert_status(file.to_str().unwrap(), &[], expected);
    }
    // A Rust wasm32-wasip1 program calling `proc_exit(N)`.
    for code in [0, 7, 42] {
        assert_status(guests::p1::P1_SUITE, &["exit", &code.to_string()], code);
    }
}

/// A WASI 0.3 command (told apart by the `run` it exports) runs with the
/// same flags and the same exit statuses, with or without `--async`.
#[test]
fn wasi_0_3_commands_run() {
    for mode in MODES {
        let dir = tempdir();
        std::fs::write(dir.path().join("in.bin"), b"0.3 data").unwrap();
        std::fs::write(dir.path().join("f.txt"), b"x").unwrap();
        let spec = format!("{}::/sandbox", dir.path().display());
        let mut args = mode.to_vec();
        args.extend([
            "--dir",
            &spec,
            guests::p3::P3_FS,
            "copy",
            "in.bin",
            "out.bin",
        ]);
        let out = run(&args, b"");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(text(&out.stdout), "copied 8\n");
        assert_eq!(
            std::fs::read(dir.path().join("out.bin")).unwrap(),
            b"0.3 data"
        );

        let mut args = mode.to_vec();
        args.extend(["--env", "K=v", guests::p3::P3_CLI, "echo"]);
        let out = run(&args, b"lower\n");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(
            stdout.contains("env K=v\n") && stdout.ends_with("LOWER\n"),
            "{stdout}"
        );
        assert_eq!(text(&out.stderr), "to stderr\n");
    }
    assert_status(guests::p3::P3_CLI, &["exit", "9"], 9);
    assert_status(guests::p3::P3_CLI, &["fail"], 1);
}

#[test]
fn deterministic_runs_repeat_themselves() {
    let host = tempdir();
    for name in ["b", "a", "c"] {
        std::fs::write(host.path().join(name), name).unwrap();
    }
    let host_arg = format!("{}::/host", host.path().display());
    for mode in MODES {
        let run_seed = |seed: &str| {
            let mut args = mode.to_vec();
            args.extend([
                "--deterministic",
                seed,
                "--mount-memory",
                "/mem",
                "--dir",
                &host_arg,
                guests::DETERMINISM,
                "/mem",
                "/host",
            ]);
            run(&args, b"")
        };
        let (first, second, other) = (run_seed("9"), run_seed("9"), run_seed("10"));
        assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
        assert_eq!(text(&first.stdout), text(&second.stdout));
        assert_ne!(text(&first.stdout), text(&other.stdout));
        let stdout = text(&first.stdout);
        assert!(
            stdout.contains("after an hour: mono 3600000000000 "),
            "{stdout}"
        );
        assert!(stdout.contains("host listing a b c\n"), "{stdout}");
        // A host directory is not reproducible in full: said once.
        let stderr = text(&first.stderr);
        assert_eq!(
            stderr
                .matches("warning: --deterministic with --dir")
                .count(),
            1,
            "{stderr}"
        );
    }
    let out = run(&["--deterministic", "x"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--deterministic x: expected an integer seed"));
}

#[test]
fn trace_writes_one_json_line_per_call() {
    let dir = tempdir();
    let file = dir.path().join("trace.jsonl");
    let file_arg = file.display().to_string();
    let args = [
        "--deterministic",
        "1",
        "--trace",
        &file_arg,
        "--mount-memory",
        "/mem",
        guests::p1::DETERMINISM,
        "/mem",
    ];
    let out = run(&args, b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let trace = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = trace.lines().collect();
    assert!(lines.len() > 200, "{} lines", lines.len());
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("{\"front_end\":\"preview1\","))
    );
    assert!(trace.contains(
        "\"function\":\"path_rename\",\"args\":{\"fd\":3,\"old_path\":\"out/f2.txt\",\"new_fd\":3,\"new_path\":\"out/b.txt\",\"mount\":\"/mem\"},\"ok\":{}"
    ));
    // `-`: on stderr, beside the guest's own output on stdout.
    let mut args = args.to_vec();
    args[3] = "-";
    let out = run(&args, b"");
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("after an hour"));
    assert_eq!(
        text(&out.stderr)
            .lines()
            .filter(|l| l.starts_with("{\"front_end\""))
            .count(),
        lines.len()
    );
}

#[test]
fn trace_covers_components() {
    // The 0.2 determinism guest: its calls by their WIT names.
    let dir = tempdir();
    let file = dir.path().join("trace.jsonl");
    let file_arg = file.display().to_string();
    let args = [
        "--deterministic",
        "1",
        "--trace",
        &file_arg,
        "--mount-memory",
        "/mem",
        guests::DETERMINISM,
        "/mem",
    ];
    let out = run(&args, b"");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let trace = std::fs::read_to_string(&file).unwrap();
    assert!(trace.lines().count() > 200);
    assert!(
        trace
            .lines()
            .all(|l| l.starts_with("{\"front_end\":\"preview2\","))
    );
    assert!(trace.contains("\"interface\":\"wasi:io/poll\",\"function\":\"poll\""));
    assert!(trace.contains("\"function\":\"[method]descriptor.rename-at\""));
}

#[test]
fn record_then_replay() {
    // Recorded with one stdin, replayed with another: the same output;
    // then the host file changes and the replay stops, naming it.
    let dir = tempdir();
    std::fs::write(dir.path().join("in.txt"), "hello").unwrap();
    let journal = dir.path().join("journal.txt");
    let journal_arg = journal.display().to_string();
    let data = format!("{}::/data", dir.path().display());
    for mode in MODES {
        let mut args: Vec<&str> = mode.to_vec();
        args.extend([
            "--record",
            &journal_arg,
            "--dir",
            &data,
            guests::REPLAY,
            "/data/in.txt",
        ]);
        let recorded = run(&args, b"first\n");
        assert_eq!(
            recorded.status.code(),
            Some(0),
            "{}",
            text(&recorded.stderr)
        );
        assert!(text(&recorded.stdout).contains("stdin \"first\""));
        let at = args.iter().position(|a| *a == "--record").unwrap();
        args[at] = "--replay";
        let replayed = run(&args, b"second\n");
        assert_eq!(
            replayed.status.code(),
            Some(0),
            "{}",
            text(&replayed.stderr)
        );
        assert_eq!(text(&replayed.stdout), text(&recorded.stdout));
    }
    std::fs::write(dir.path().join("in.txt"), "changed").unwrap();
    let args = [
        "--replay",
        &journal_arg,
        "--dir",
        &data,
        guests::REPLAY,
        "/data/in.txt",
    ];
    let out = run(&args, b"");
    assert_ne!(out.status.code(), Some(0));
    assert!(
        text(&out.stderr).contains("the host file `in.txt` has changed since it was recorded"),
        "{}",
        text(&out.stderr)
    );
    let both = run(&["--record", "a", "--replay", "b", guests::REPLAY], b"");
    assert_eq!(both.status.code(), Some(2));
    assert!(text(&both.stderr).contains("a run records or replays, not both"));
}
