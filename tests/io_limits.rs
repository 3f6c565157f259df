//! Issue 6's stream limits through real guests (`io_limits`): broken pipes
//! and permits on the process's own stdio (in a child process whose stdout
//! is a real pipe), permits of memory pipes with several
//! handles, zero-length writes, flushed and dropped file streams, and
//! partial writes on a full filesystem.

use crate::common;
use common::{Exit, Mode, Run, guests, tempdir};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Set in the child process of the stdio tests: the mode's index in
/// `Mode::ALL`, then the guest's arguments, separated by spaces.
const CHILD_ENV: &str = "WASI_HOST_IO_LIMITS_CHILD";

/// Not a test of its own: in the child process that the stdio tests start
/// (this test binary again, with [`CHILD_ENV`] set), runs `io_limits` with
/// the process's own stdout and stderr, and exits with the guest's code
/// (134 for a trap, as the `run` example). Without the variable it does
/// nothing.
#[test]
fn stdio_child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mut parts = spec.split(' ');
    let mode = Mode::ALL[parts.next().unwrap().parse::<usize>().unwrap()];
    let out = Run::new(guests::IO_LIMITS)
        .args(parts)
        .configure(|b| {
            b.inherit_stdout().inherit_stderr();
        })
        .run(mode);
    let code = match out.exit {
        Exit::Code(c) => c,
        Exit::Trap(t) => {
            eprintln!("trap: {t}");
            134
        }
        Exit::Instantiate(e) => {
            eprintln!("instantiate: {e}");
            2
        }
    };
    std::process::exit(code);
}

/// Starts [`stdio_child`] in `mode` with the guest's `args`, its stdout and
/// stderr piped. The child's test harness prints a line of its own first.
fn child(mode: Mode, args: &str) -> Child {
    let index = Mode::ALL.iter().position(|m| *m == mode).unwrap();
    Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "io_limits::stdio_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, format!("{index} {args}"))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn inherited_stdio_traps_a_write_over_the_permit() {
    for mode in Mode::ALL {
        for which in ["out", "err"] {
            let out = child(mode, &format!("stdio-over-permit {which}"))
                .wait_with_output()
                .unwrap();
            let (tested, report) = match which {
                "out" => (&out.stdout, &out.stderr),
                _ => (&out.stderr, &out.stdout),
            };
            let ctx = format!(
                "{mode:?}, std{which}: {:?}\nstdout: {}\nstderr: {}",
                out.status,
                text(&out.stdout[..out.stdout.len().min(2000)]),
                text(&out.stderr[..out.stderr.len().min(2000)])
            );
            assert_eq!(out.status.code(), Some(134), "no trap: {ctx}");
            let written = tested.iter().filter(|b| **b == b'p').count();
            assert!(written < 100, "the write went through: {ctx}");
            assert!(
                text(report).contains("permit 1048576, writing 1048577"),
                "{ctx}"
            );
            assert!(
                !text(report).contains("write over the permit returned"),
                "{ctx}"
            );
        }
    }
}

#[test]
fn a_broken_stdout_pipe_closes_the_stream_for_good() {
    for mode in Mode::ALL {
        let mut child = child(mode, "epipe");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        // The harness's "test stdio_child ... " comes first on that line.
        while !line.ends_with("ready\n") {
            line.clear();
            assert!(stdout.read_line(&mut line).unwrap() > 0, "no `ready`");
        }
        // The reader goes away: the guest's next writes hit EPIPE.
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        let ctx = format!("{mode:?}: {:?}\nstderr: {stderr}", out.status);
        assert_eq!(out.status.code(), Some(0), "{ctx}");
        assert!(
            stderr
                .lines()
                .any(|l| l.starts_with("epipe first error from ") && l.ends_with(": closed")),
            "EPIPE is not `closed`: {ctx}"
        );
        assert!(
            stderr
                .lines()
                .any(|l| l == "epipe later: closed,closed,closed,closed,closed,closed"),
            "the stream did not stay closed: {ctx}"
        );
        assert!(
            stderr.lines().any(|l| l == "epipe new handle: closed"),
            "{ctx}"
        );
    }
}

#[test]
fn two_handles_to_one_memory_pipe_honour_both_permits() {
    let capacity = 10_000;
    for mode in Mode::ALL {
        let out = Run::new(guests::IO_LIMITS)
            .arg("pipe-clones")
            .stdout_capacity(capacity)
            .run(mode);
        out.assert_success();
        let err = out.stderr();
        assert!(err.contains("writes ok () ok ()"), "{out:?}");
        assert!(out.stdout.len() <= capacity, "{out:?}");
        // Everything granted was taken: the pipe is full now.
        assert_eq!(out.stdout.len(), capacity, "{out:?}");
        assert!(err.contains("after closed closed"), "{out:?}");
    }
}

#[test]
fn zero_length_writes_are_allowed_against_a_zero_permit() {
    for mode in Mode::ALL {
        let dir = tempdir();
        let out = Run::new(guests::IO_LIMITS)
            .arg("zero-write")
            .preopen_rw(dir.path(), "/sandbox")
            .run(mode);
        out.assert_success();
        let line = out.value("zero-write ok");
        eprintln!("{mode:?}: zero-write ok{line}");
        let data = std::fs::read(dir.path().join("zero.bin")).unwrap();
        assert_eq!(data.len(), 20 << 20, "{mode:?}");
    }
}

#[test]
fn flushed_data_is_on_the_host_and_a_dropped_stream_finishes_its_write() {
    for mode in Mode::ALL {
        let dir = tempdir();
        let out = Run::new(guests::IO_LIMITS)
            .arg("flush-drop")
            .preopen_rw(dir.path(), "/sandbox")
            .run(mode);
        out.assert_success()
            .assert_line("flushed size 1048576")
            .assert_line("dropped");
        for (name, byte) in [("flushed.bin", 7), ("dropped.bin", 9)] {
            let data = std::fs::read(dir.path().join(name)).unwrap();
            assert!(
                data.len() == 1 << 20 && data.iter().all(|b| *b == byte),
                "{mode:?}: {name} holds {} bytes",
                data.len()
            );
        }
    }
}

/// A 1 MiB tmpfs mounted on a fresh directory, unmounted on drop; `None`
/// where mounting is not permitted (not root, or no mount namespace).
struct SmallFs(tempfile::TempDir);

impl SmallFs {
    fn mount() -> Option<SmallFs> {
        let dir = tempdir();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status();
        match status {
            Ok(s) if s.success() => Some(SmallFs(dir)),
            _ => None,
        }
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

#[test]
fn partial_writes_report_what_reached_the_file() {
    for mode in Mode::ALL {
        let Some(fs) = SmallFs::mount() else {
            println!("SKIPPED: cannot mount a 1 MiB tmpfs here (needs root)");
            return;
        };
        let out = Run::new(guests::IO_LIMITS)
            .arg("partial-write")
            .preopen_rw(fs.0.path(), "/sandbox")
            .run(mode);
        out.assert_success();
        let lines = out.lines();
        // The first write lands partly and says how much.
        let first: u64 = out.value("write ").parse().expect("a count first");
        assert!(first > 0 && first < 3 << 20, "{out:?}");
        // The error comes with the next write.
        let pos = lines
            .iter()
            .position(|l| l.starts_with("write error"))
            .unwrap();
        assert_eq!(lines[pos], "write error insufficient-space", "{out:?}");
        let total: u64 = out.value("descriptor total ").parse().unwrap();
        let size: u64 = out.value("descriptor size ").parse().unwrap();
        assert_eq!(
            total, size,
            "reported {total}, the file holds {size}\n{out:?}"
        );
        // Through a stream: what was flushed is exactly what the file holds.
        let flushed: u64 = out.value("stream flushed ").parse().unwrap();
        let held = std::fs::metadata(fs.0.path().join("stream.bin"))
            .unwrap()
            .len();
        assert_eq!(flushed, held, "{out:?}");
        assert!(flushed > 0, "{out:?}");
        assert_eq!(
            out.value("stream error "),
            "last-operation-failed(insufficient-space)",
            "{out:?}"
        );
        assert_eq!(out.value("stream later "), "closed", "{out:?}");
    }
}
