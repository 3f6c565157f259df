//! The official WASI testsuite (github.com/WebAssembly/wasi-testsuite,
//! branch `prod/testsuite-base`): programs written by others, in Rust, C
//! and AssemblyScript, run as the suite's specification says and judged by
//! their exit code and the outputs their JSON names.
//!
//! The suite is not part of this repository. It is found through
//! `WASI_TESTSUITE_DIR` (the folder that holds `rust/`, `c/` and
//! `assemblyscript/`; `.ci/run` points it at the workspace's copy). Without
//! it every test here passes as skipped, after printing how to get the
//! suite.
//!
//! Each preview 1 program runs through the sync linker and the async linker
//! on both tokio runtime kinds, with its `root` (when it has one) copied to
//! a fresh directory and preopened as `/`, its arguments after argv[0] (the
//! file name), its environment and nothing else (no stdin).
//!
//! Each WASI 0.3 program runs through the 0.2 and 0.3 linkers on both
//! runtime kinds. A test whose operations go beyond `run`, `read` and
//! `wait` is run interactively: the runner writes the program's stdin
//! (`write`), waits for its outputs (`read`), and talks to it over TCP
//! (`connect` to the `<host>:<port>` it prints, `send`, `recv`), in the
//! order of the operations, while it runs.

use crate::common;
use common::p1::{self, P1Mode};
use common::{Exit, Mode, Outcome, Run, Started, tempdir};
use serde_json::Value;
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::AsyncWriteExt;
use wasi_host::cli::AsyncStdinStream;

/// One operation the runner performs while the program runs.
#[derive(Debug, PartialEq)]
enum Step {
    /// Wait for `payload` on stdout (or stderr): the output so far must
    /// have grown by its length.
    Read { stderr: bool, payload: String },
    /// Write `payload` to the program's stdin.
    Write(String),
    /// Connect over TCP to the `<host>:<port>` the program printed, as
    /// connection `id`.
    Connect(String),
    /// Send `payload` on connection `id`.
    Send { id: String, payload: String },
    /// Receive exactly `payload` on connection `id`.
    Recv { id: String, payload: String },
}

/// How a test is to be run and judged: the suite's JSON in either of its
/// forms (the legacy one, or `operations`), with its defaults.
#[derive(Debug, Default)]
struct Spec {
    args: Vec<String>,
    env: Vec<(String, String)>,
    root: Option<String>,
    exit_code: i32,
    stdout: Option<String>,
    stderr: Option<String>,
    /// What the runner does while the program runs, in order (the
    /// operation-based form between `run` and `wait`).
    steps: Vec<Step>,
    /// The test needs an operation this runner does not perform (a
    /// `connect` over UDP or HTTP, or one the specification does not name).
    unsupported: Option<String>,
    /// The proposals the test needs (`"sockets"`: the network is granted).
    proposals: Vec<String>,
}

impl Spec {
    /// The specification of `wasm`: its JSON beside it, or the defaults.
    fn of(wasm: &Path) -> Spec {
        let json = wasm.with_extension("json");
        let Ok(text) = std::fs::read_to_string(&json) else {
            return Spec::default();
        };
        let value: Value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not JSON: {e}", json.display()));
        let proposals: Vec<String> = value
            .get("proposals")
            .and_then(Value::as_array)
            .map(|p| {
                p.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let mut spec = Spec::of_value(&value);
        spec.proposals = proposals;
        spec
    }

    /// The run and its judgement, from either form.
    fn of_value(value: &Value) -> Spec {
        match value.get("operations").and_then(Value::as_array) {
            Some(ops) => Spec::from_operations(ops),
            None => {
                let mut spec = Spec::default();
                spec.run_fields(value);
                spec.exit_code = exit_code(value);
                spec.stdout = string(value, "stdout");
                spec.stderr = string(value, "stderr");
                spec
            }
        }
    }

    /// The operation-based form: `run`, `wait`, `read`, `write` (stdin),
    /// and the network operations.
    fn from_operations(ops: &[Value]) -> Spec {
        let mut spec = Spec::default();
        for op in ops {
            let payload = string(op, "payload").unwrap_or_default();
            let id = string(op, "id");
            match op.get("type").and_then(Value::as_str) {
                Some("run") => spec.run_fields(op),
                Some("wait") => spec.exit_code = exit_code(op),
                Some("read") => {
                    let stderr = id.as_deref() == Some("stderr");
                    let all = match stderr {
                        true => &mut spec.stderr,
                        false => &mut spec.stdout,
                    };
                    all.get_or_insert_default().push_str(&payload);
                    spec.steps.push(Step::Read { stderr, payload });
                }
                Some("write") if id.as_deref().unwrap_or("stdin") == "stdin" => {
                    spec.steps.push(Step::Write(payload))
                }
                Some("connect") => match string(op, "protocol_type").as_deref() {
                    None | Some("tcp") => spec
                        .steps
                        .push(Step::Connect(id.unwrap_or("server".into()))),
                    Some(other) => spec.unsupported = Some(format!("a connect over {other}")),
                },
                Some("send") => spec.steps.push(Step::Send {
                    id: id.unwrap_or_default(),
                    payload,
                }),
                Some("recv") => spec.steps.push(Step::Recv {
                    id: id.unwrap_or_default(),
                    payload,
                }),
                other => spec.unsupported = Some(format!("the operation {other:?}")),
            }
        }
        spec
    }

    /// Whether the runner must act while the program runs (anything beyond
    /// reading its outputs).
    fn interactive(&self) -> bool {
        self.steps.iter().any(|s| !matches!(s, Step::Read { .. }))
    }

    /// `args`, `env` and `root`, where the form puts them.
    fn run_fields(&mut self, v: &Value) {
        if let Some(args) = v.get("args").and_then(Value::as_array) {
            self.args = args
                .iter()
                .map(|a| a.as_str().unwrap_or_default().to_string())
                .collect();
        }
        if let Some(env) = v.get("env").and_then(Value::as_object) {
            self.env = env
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect();
        }
        self.root = string(v, "root");
    }
}

fn string(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn exit_code(v: &Value) -> i32 {
    v.get("exit_code")
        .and_then(Value::as_i64)
        .and_then(|c| i32::try_from(c).ok())
        .unwrap_or(0)
}

/// The suite's folder, or `None` (with a note on how to get it).
fn suite_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("WASI_TESTSUITE_DIR").map(PathBuf::from);
    match dir {
        Some(dir) if dir.is_dir() => Some(dir),
        _ => {
            eprintln!(
                "skipped: the official WASI testsuite is not here. Get it with\n  \
                 git clone --branch prod/testsuite-base https://github.com/WebAssembly/wasi-testsuite\n\
                 and run the tests with WASI_TESTSUITE_DIR=<that clone>/tests"
            );
            None
        }
    }
}

/// The `.wasm` programs of one folder of the suite, sorted by name.
fn programs(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "wasm"))
        .collect();
    found.sort();
    found
}

/// Copies `from` into `to` (files, directories and symlinks as they are),
/// leaving out the `*.cleanup` leftovers of earlier runs.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if Path::new(&name).extension().is_some_and(|x| x == "cleanup") {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        let ft = entry.file_type().unwrap();
        if ft.is_symlink() {
            std::os::unix::fs::symlink(std::fs::read_link(&src).unwrap(), &dst).unwrap();
        } else if ft.is_dir() {
            copy_tree(&src, &dst);
        } else {
            std::fs::copy(&src, &dst).unwrap();
        }
    }
}

/// What is wrong with one run of a test, if anything.
fn judge(spec: &Spec, out: &Outcome) -> Option<String> {
    let mut wrong = Vec::new();
    match &out.exit {
        Exit::Code(code) if *code == spec.exit_code => {}
        Exit::Code(code) => wrong.push(format!("exit {code}, expected {}", spec.exit_code)),
        // A trap's first and last lines: what trapped and why.
        Exit::Trap(text) | Exit::Instantiate(text) => {
            let first = text.lines().next().unwrap_or_default();
            let last = text.lines().last().unwrap_or_default();
            wrong.push(format!("trapped: {first} .. {last}"));
        }
    }
    if let Some(expected) = &spec.stdout
        && out.stdout() != *expected
    {
        wrong.push(format!("stdout {:?}, expected {expected:?}", out.stdout()));
    }
    if let Some(expected) = &spec.stderr
        && out.stderr() != *expected
    {
        wrong.push(format!("stderr {:?}, expected {expected:?}", out.stderr()));
    }
    if wrong.is_empty() {
        return None;
    }
    Some(format!(
        "{}\n    stdout: {:?}\n    stderr: {:?}",
        wrong.join("; "),
        out.stdout(),
        out.stderr()
    ))
}

/// The front-end a folder's programs are run through.
#[derive(Clone, Copy, PartialEq)]
enum Front {
    /// Core modules, through the preview 1 linkers in every mode.
    Preview1,
    /// WASI 0.3 components, through the 0.2 and 0.3 linkers on both tokio
    /// runtime kinds.
    P3,
}

/// How to run a program in one mode: its outcome, or what went wrong
/// in the runner's part of the test.
type Runner = Box<dyn Fn(&Run, &Spec) -> Result<Outcome, String>>;

/// The runs of one program for `front`: a name for each mode and how to
/// run in it.
fn runners(front: Front) -> Vec<(String, Runner)> {
    match front {
        Front::Preview1 => P1Mode::ALL
            .into_iter()
            .map(|mode| {
                let run: Runner = Box::new(move |r, _| Ok(p1::run(r, mode)));
                (format!("{mode:?}"), run)
            })
            .collect(),
        Front::P3 => Mode::ASYNC
            .into_iter()
            .map(|mode| {
                let run: Runner = Box::new(move |r, spec| {
                    let mut r = r.clone();
                    r.p3 = true;
                    match spec.interactive() {
                        true => interact(&r, mode, spec),
                        false => Ok(r.run(mode)),
                    }
                });
                (format!("{mode:?}"), run)
            })
            .collect(),
    }
}

/// How long the runner waits for each step of an interactive test.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs `run` in `mode` with a stdin the runner writes to, performing
/// `spec`'s steps while it runs; stdin and every connection are closed
/// before waiting for the program's end.
fn interact(run: &Run, mode: Mode, spec: &Spec) -> Result<Outcome, String> {
    let (stdin, reader) = tokio::io::duplex(64 << 10);
    let reader = Arc::new(Mutex::new(Some(reader)));
    let run = run.clone().timeout(STEP_TIMEOUT * 2).configure(move |b| {
        if let Some(reader) = reader.lock().expect("stdin slot").take() {
            b.stdin(AsyncStdinStream::new(reader));
        }
    });
    let started = run.start(mode);
    let mut peer = Peer {
        stdin: Some(stdin),
        connections: HashMap::new(),
        read: [0, 0],
    };
    let failed = spec
        .steps
        .iter()
        .try_for_each(|step| peer.perform(step, &started))
        .err();
    drop(peer);
    let out = started.wait();
    match failed {
        Some(why) => Err(format!(
            "{why}\n    exit: {:?}\n    stdout: {:?}\n    stderr: {:?}",
            out.exit,
            out.stdout(),
            out.stderr()
        )),
        None => Ok(out),
    }
}

/// The runner's side of an interactive test.
struct Peer {
    stdin: Option<tokio::io::DuplexStream>,
    connections: HashMap<String, TcpStream>,
    /// How many bytes of stdout and stderr the `read` steps have waited
    /// for so far.
    read: [usize; 2],
}

impl Peer {
    fn perform(&mut self, step: &Step, started: &Started) -> Result<(), String> {
        match step {
            Step::Read { stderr, payload } => {
                let pipe = match stderr {
                    true => &started.stderr,
                    false => &started.stdout,
                };
                let want = &mut self.read[usize::from(*stderr)];
                *want += payload.len();
                let want = *want;
                wait_for(started, || (pipe.contents().len() >= want).then_some(()))
                    .ok_or_else(|| format!("no {payload:?} in the output"))
            }
            Step::Write(payload) => {
                let stdin = self.stdin.as_mut().ok_or("stdin is closed")?;
                common::runtime()
                    .block_on(stdin.write_all(payload.as_bytes()))
                    .map_err(|e| format!("writing stdin: {e}"))
            }
            Step::Connect(id) => {
                let addr = wait_for(started, || printed_address(&started.stdout.contents()))
                    .ok_or("the program printed no <host>:<port>")?;
                let stream = wait_for(started, || TcpStream::connect(addr).ok())
                    .ok_or_else(|| format!("could not connect to {addr}"))?;
                stream
                    .set_read_timeout(Some(STEP_TIMEOUT))
                    .map_err(|e| e.to_string())?;
                self.connections.insert(id.clone(), stream);
                Ok(())
            }
            Step::Send { id, payload } => self
                .connection(id)?
                .write_all(payload.as_bytes())
                .map_err(|e| format!("send on {id}: {e}")),
            Step::Recv { id, payload } => {
                let mut got = vec![0; payload.len()];
                self.connection(id)?
                    .read_exact(&mut got)
                    .map_err(|e| format!("recv on {id}: {e}"))?;
                match got == payload.as_bytes() {
                    true => Ok(()),
                    false => Err(format!(
                        "received {:?}, expected {payload:?}",
                        String::from_utf8_lossy(&got)
                    )),
                }
            }
        }
    }

    fn connection(&mut self, id: &str) -> Result<&mut TcpStream, String> {
        self.connections
            .get_mut(id)
            .ok_or_else(|| format!("no connection {id:?}"))
    }
}

/// Polls `check` until it gives a value, the program ends (one last
/// check) or [`STEP_TIMEOUT`] passes.
fn wait_for<T>(started: &Started, mut check: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + STEP_TIMEOUT;
    loop {
        let ended = started.finished();
        if let Some(value) = check() {
            return Some(value);
        }
        if ended || Instant::now() > deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The first line of `out` that is a socket address.
fn printed_address(out: &[u8]) -> Option<SocketAddr> {
    String::from_utf8_lossy(out)
        .lines()
        .find_map(|line| line.trim().parse().ok())
}

/// The 0.3 programs that cannot pass yet, by name prefix, and why (the
/// README's status table lists the same).
const P3_NOT_YET: &[(&str, &str)] = &[
    (
        "sockets-tcp-listen",
        "an accepted connection's send buffer differs from its listener's: \
         Linux autotunes it (wasmtime has the same open issue, 12561)",
    ),
    (
        "sockets-udp-send",
        "it expects `address-not-bindable` for a destination with port 0, \
         where the 0.3 spec says `invalid-argument`",
    ),
];

/// Runs every program of `folder` (relative to the suite) through
/// `front` in each of its modes; fails with the list of what went wrong.
fn run_folder(folder: &str, front: Front) {
    let Some(suite) = suite_dir() else { return };
    let dir = suite.join(folder);
    let wasm = programs(&dir);
    if wasm.is_empty() {
        eprintln!(
            "skipped: {} holds no .wasm programs (a copy without its binaries?)",
            dir.display()
        );
        return;
    }
    let mut failures = Vec::new();
    let mut runs = 0;
    for path in &wasm {
        let spec = Spec::of(path);
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("test");
        if let Some(what) = &spec.unsupported {
            eprintln!("skipped {name}: this runner does not perform {what}");
            continue;
        }
        let not_yet = P3_NOT_YET
            .iter()
            .find(|(prefix, _)| name.starts_with(prefix))
            .map(|(_, why)| why);
        if front == Front::Preview1 && spec.interactive() {
            eprintln!("skipped {name}: preview 1 programs are run without a peer");
            continue;
        }
        if let (Front::P3, Some(why)) = (front, not_yet) {
            eprintln!("skipped {name}: {why}");
            continue;
        }
        for (mode, run_in) in runners(front) {
            let scratch = tempdir();
            let mut run = Run::new(path.to_str().expect("UTF-8 path"));
            run.name = name.to_string();
            let mut run = run.args(spec.args.iter().cloned());
            for (k, v) in &spec.env {
                run = run.env(k.clone(), v.clone());
            }
            if let Some(root) = &spec.root {
                let fresh = scratch.path().join("root");
                copy_tree(&dir.join(root), &fresh);
                run = run.preopen_rw(&fresh, "/");
            }
            // The `sockets` proposal, or a 0.3 sockets program without a
            // JSON (the suite has two): the network is granted.
            let sockets = spec.proposals.iter().any(|p| p == "sockets")
                || (front == Front::P3 && name.starts_with("sockets-"));
            if sockets {
                run = run.configure(|b| {
                    b.allow_tcp(true)
                        .allow_udp(true)
                        .allow_ip_name_lookup(true)
                        .inherit_network();
                });
            }
            runs += 1;
            let why = match run_in(&run, &spec) {
                Ok(out) => judge(&spec, &out),
                Err(why) => Some(why),
            };
            if let Some(why) = why {
                failures.push(format!("{name} ({mode}): {why}"));
            }
        }
    }
    eprintln!("{folder}: {} programs, {runs} runs", wasm.len());
    assert!(
        failures.is_empty(),
        "{} of {runs} runs of {folder} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn wasi_0_3_rust() {
    run_folder("rust/testsuite/wasm32-wasip3", Front::P3);
}

#[test]
fn preview1_rust() {
    run_folder("rust/testsuite/wasm32-wasip1", Front::Preview1);
}

#[test]
fn preview1_c() {
    run_folder("c/testsuite/wasm32-wasip1", Front::Preview1);
}

#[test]
fn preview1_assemblyscript() {
    run_folder("assemblyscript/testsuite/wasm32-wasip1", Front::Preview1);
}

#[test]
fn specifications_in_both_forms_are_read() {
    let legacy: Value = serde_json::json!({
        "args": ["a", "b"], "env": {"K": "v"}, "root": "fs", "exit_code": 3, "stdout": "hi"
    });
    let dir = tempdir();
    let wasm = dir.path().join("t.wasm");
    std::fs::write(dir.path().join("t.json"), legacy.to_string()).unwrap();
    let spec = Spec::of(&wasm);
    assert_eq!(spec.args, ["a", "b"]);
    assert_eq!(spec.env, [("K".to_string(), "v".to_string())]);
    assert_eq!(spec.root.as_deref(), Some("fs"));
    assert_eq!(spec.exit_code, 3);
    assert_eq!(spec.stdout.as_deref(), Some("hi"));
    assert_eq!(spec.stderr, None);
    assert!(spec.steps.is_empty() && spec.unsupported.is_none());

    let ops: Value = serde_json::json!({"operations": [
        {"type": "run", "args": ["x"], "root": "r"},
        {"type": "read", "payload": "out"},
        {"type": "read", "id": "stderr", "payload": "err"},
        {"type": "wait", "exit_code": 1},
    ]});
    std::fs::write(dir.path().join("t.json"), ops.to_string()).unwrap();
    let spec = Spec::of(&wasm);
    assert_eq!(spec.args, ["x"]);
    assert_eq!(spec.root.as_deref(), Some("r"));
    assert_eq!(spec.exit_code, 1);
    assert_eq!(spec.stdout.as_deref(), Some("out"));
    assert_eq!(spec.stderr.as_deref(), Some("err"));

    assert!(!spec.interactive());

    let net: Value = serde_json::json!({"operations": [
        {"type": "run"},
        {"type": "write", "id": "stdin", "payload": "in"},
        {"type": "connect", "id": "s"},
        {"type": "send", "id": "s", "payload": "a"},
        {"type": "recv", "id": "s", "payload": "b"},
        {"type": "wait"},
    ]});
    std::fs::write(dir.path().join("t.json"), net.to_string()).unwrap();
    let spec = Spec::of(&wasm);
    assert!(spec.interactive() && spec.unsupported.is_none());
    assert_eq!(
        spec.steps,
        [
            Step::Write("in".into()),
            Step::Connect("s".into()),
            Step::Send {
                id: "s".into(),
                payload: "a".into()
            },
            Step::Recv {
                id: "s".into(),
                payload: "b".into()
            },
        ]
    );
    let udp: Value = serde_json::json!({"operations": [
        {"type": "run"}, {"type": "connect", "protocol_type": "udp"}, {"type": "wait"}
    ]});
    std::fs::write(dir.path().join("t.json"), udp.to_string()).unwrap();
    assert!(Spec::of(&wasm).unsupported.is_some());

    std::fs::remove_file(dir.path().join("t.json")).unwrap();
    let spec = Spec::of(&wasm);
    assert_eq!((spec.exit_code, spec.stdout, spec.root), (0, None, None));
}
