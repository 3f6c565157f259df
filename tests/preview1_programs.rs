//! Real programs as core modules: `tests/programs` (a small grep, a file
//! copier, a tour of std::fs/std::env/std::time) built for `wasm32-wasip1`
//! and natively; the `run` example runs the modules (sync and `--async`)
//! and each must print, exit and leave files exactly as its native build.

use crate::common;
use common::{guests, run_example, tempdir};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

#[derive(Debug, PartialEq)]
struct RunResult {
    code: Option<i32>,
    stdout: String,
    tree: BTreeMap<String, String>,
}

/// Every file under `dir` (relative path -> kind and contents).
fn tree(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            if p.is_dir() {
                out.insert(rel, "dir".into());
                walk(root, &p, out);
            } else {
                let data = std::fs::read(&p).unwrap();
                out.insert(
                    rel,
                    format!("{} bytes {:?}", data.len(), &data[..data.len().min(64)]),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Runs `program` natively and as a module (in each mode of the run
/// example) in fresh copies of the directory `setup` fills, with `args`
/// (where `{dir}` is the directory), `env` and `stdin`; asserts that every
/// run matches the native one and returns it.
fn same_as_native(
    program: &str,
    setup: impl Fn(&Path),
    args: &[&str],
    env: &[(&str, &str)],
    stdin: &[u8],
) -> RunResult {
    let native = guests::native::ALL
        .iter()
        .find(|(n, _)| *n == program)
        .unwrap()
        .1;
    let wasm = guests::programs::ALL
        .iter()
        .find(|(n, _)| *n == program)
        .unwrap()
        .1;
    let go = |wasm_mode: Option<&[&str]>| -> RunResult {
        let tmp = tempdir();
        let dir = tmp.path().join("d");
        std::fs::create_dir(&dir).unwrap();
        setup(&dir);
        let dir_s = dir.to_str().unwrap();
        let args: Vec<String> = args.iter().map(|a| a.replace("{dir}", dir_s)).collect();
        let mut cmd = match wasm_mode {
            None => {
                let mut c = Command::new(native);
                c.env_clear().envs(env.iter().copied());
                c
            }
            Some(flags) => {
                let mut c = Command::new(run_example());
                c.args(flags).arg("--dir").arg(dir_s);
                for (k, v) in env {
                    c.arg("--env").arg(format!("{k}={v}"));
                }
                c.arg(wasm);
                c
            }
        };
        let mut child = cmd
            .args(&args)
            .current_dir(tmp.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        let out = child.wait_with_output().unwrap();
        RunResult {
            code: out.status.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            tree: tree(&dir),
        }
    };
    let native = go(None);
    for flags in [&[][..], &["--async"][..]] {
        let module = go(Some(flags));
        assert_eq!(
            module, native,
            "{program} {args:?} as a module (run {flags:?}) differs from its native build"
        );
    }
    native
}

fn grep_files(dir: &Path) {
    std::fs::write(
        dir.join("a.txt"),
        "first line\na needle here\nNEEDLE upper\nlast\n",
    )
    .unwrap();
    std::fs::write(dir.join("b.txt"), "no match\nanother needle\n").unwrap();
}

#[test]
fn grep_matches_its_native_build() {
    let r = same_as_native(
        "grep",
        grep_files,
        &["-n", "needle", "{dir}/a.txt", "{dir}/b.txt"],
        &[],
        b"",
    );
    assert_eq!(r.code, Some(0));
    assert_eq!(r.stdout, "a.txt:2:a needle here\nb.txt:2:another needle\n");
    let r = same_as_native(
        "grep",
        grep_files,
        &["-ic", "NEEDLE", "{dir}/a.txt"],
        &[],
        b"",
    );
    assert_eq!(r.stdout, "2\n");
    let r = same_as_native("grep", grep_files, &["-v", "e", "{dir}/a.txt"], &[], b"");
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "last\n"));
    let r = same_as_native("grep", grep_files, &["zzz", "{dir}/a.txt"], &[], b"");
    assert_eq!((r.code, r.stdout.as_str()), (Some(1), ""));
    let r = same_as_native(
        "grep",
        grep_files,
        &["needle", "{dir}/missing.txt"],
        &[],
        b"",
    );
    assert_eq!(
        (r.code, r.stdout.as_str()),
        (Some(2), "grep: missing.txt: NotFound\n")
    );
    let r = same_as_native(
        "grep",
        grep_files,
        &["-n", "in"],
        &[],
        b"stdin line\nother\nlast in\n",
    );
    assert_eq!(r.stdout, "1:stdin line\n3:last in\n");
}

fn copy_files(dir: &Path) {
    // 1 MiB + 7 bytes of varied data, and a small tree.
    let big: Vec<u8> = (0..(1 << 20) + 7u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    std::fs::write(dir.join("big.bin"), big).unwrap();
    std::fs::create_dir_all(dir.join("src/sub/deeper")).unwrap();
    std::fs::write(dir.join("src/one.txt"), "one\n").unwrap();
    std::fs::write(dir.join("src/sub/two.txt"), "two\n").unwrap();
    std::fs::write(dir.join("src/sub/deeper/empty"), "").unwrap();
}

#[test]
fn copier_matches_its_native_build() {
    let r = same_as_native(
        "copy",
        copy_files,
        &["{dir}/big.bin", "{dir}/copy.bin"],
        &[],
        b"",
    );
    assert_eq!((r.code, r.stdout.as_str()), (Some(0), "file 1048583\n"));
    assert_eq!(r.tree["copy.bin"], r.tree["big.bin"]);
    let r = same_as_native(
        "copy",
        copy_files,
        &["-r", "{dir}/src", "{dir}/dst"],
        &[],
        b"",
    );
    assert_eq!(r.code, Some(0));
    assert_eq!(
        r.stdout,
        "file one.txt 4\ndir sub\ndir sub/deeper\nfile sub/deeper/empty 0\nfile sub/two.txt 4\n"
    );
    let r = same_as_native("copy", copy_files, &["{dir}/nope", "{dir}/x"], &[], b"");
    assert_eq!((r.code, r.stdout.as_str()), (Some(1), "copy: NotFound\n"));
}

#[test]
fn std_fs_env_time_program_matches_its_native_build() {
    let r = same_as_native(
        "stdtour",
        |_| {},
        &["{dir}", "plain", "", "two words", "ünï"],
        &[("TOUR_A", "1"), ("TOUR_EMPTY", ""), ("OTHER", "x")],
        b"",
    );
    assert_eq!(r.code, Some(0), "{}", r.stdout);
    for line in [
        "env TOUR_A=\"1\"",
        "tail: \"appended\\n\"",
        "exists moved: true",
        "nope: NotFound",
        "mkdir a: AlreadyExists",
        "rmdir a fails: true",
        "mtime near now: true",
        "after 2020: true",
        "slept at least 20ms: true",
        "listing work at the end: [\"kept.txt\"]",
    ] {
        assert!(
            r.stdout.lines().any(|l| l == line),
            "{line:?} missing:\n{}",
            r.stdout
        );
    }
}
