//! wasi:io/streams through the `streams` guest: every input and output
//! method on stdio, closed semantics, the traps the spec asks for, output
//! past a pipe's capacity and a custom failing stream.

use crate::common;
use bytes::Bytes;
use common::{Exit, Mode, Run, guests};
use wasi_host::{HostOutputStream, IsTerminal, StdoutStream, StreamError, StreamResult, Subscribe};

#[test]
fn read_skip_and_closed() {
    let input = "The quick brown fox jumps over the lazy dog";
    for mode in Mode::ALL {
        let out = Run::new(guests::STREAMS)
            .args(["read", input])
            .stdin(input)
            .run(mode);
        out.assert_success();
        out.assert_line(&format!("read ok consumed={}", input.len()));
    }
}

#[test]
fn closed_stdin_everywhere() {
    for mode in Mode::ALL {
        // No stdin configured: closed from the start.
        let out = Run::new(guests::STREAMS).arg("closed-stdin").run(mode);
        out.assert_success().assert_line("closed-stdin ok");
        // An empty pipe: the same.
        let out = Run::new(guests::STREAMS)
            .arg("closed-stdin")
            .stdin("")
            .run(mode);
        out.assert_success().assert_line("closed-stdin ok");
    }
}

#[test]
fn every_output_method() {
    let mut expected = Vec::new();
    expected.extend_from_slice(b"write:hello\n");
    expected.extend_from_slice(b"bwf:world\n");
    expected.extend_from_slice(&[b'x'; 4096]);
    expected.extend_from_slice(b"\n");
    expected.extend_from_slice(&[0u8; 5]);
    expected.extend_from_slice(b"\n");
    expected.extend_from_slice(b"end\n");
    for mode in Mode::ALL {
        let out = Run::new(guests::STREAMS).arg("write").run(mode);
        out.assert_success();
        assert!(out.stdout == expected, "stdout differs:\n{out:?}");
        assert_eq!(out.stderr(), "stderr-direct\n");
    }
}

#[test]
fn splice_and_blocking_splice() {
    let input: String = (0..40).map(|i| format!("{i:02}-")).collect();
    for mode in Mode::ALL {
        let out = Run::new(guests::STREAMS)
            .args(["splice", &input])
            .stdin(input.clone())
            .run(mode);
        out.assert_success();
        assert_eq!(out.stdout(), input, "{out:?}");
    }
}

#[test]
fn output_past_pipe_capacity_is_an_error_for_the_guest() {
    let capacity = 10_500;
    let pattern: Vec<u8> = (0..50_000).map(|i| b'a' + (i % 26) as u8).collect();
    for mode in Mode::ALL {
        let out = Run::new(guests::STREAMS)
            .args(["overflow", "50000", "1000"])
            .stdout_capacity(capacity)
            .run(mode);
        out.assert_success();
        let err = out.stderr();
        let line = err
            .lines()
            .find(|l| l.starts_with("overflow accepted="))
            .unwrap_or_else(|| panic!("no report:\n{out:?}"));
        assert!(
            line.contains("error=closed") || line.contains("error=last-operation-failed"),
            "the guest saw no error writing 50000 bytes into a {capacity}-byte pipe: {line}"
        );
        let accepted: usize = line["overflow accepted=".len()..]
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            out.stdout.len() <= capacity,
            "{} bytes in the pipe",
            out.stdout.len()
        );
        assert!(
            accepted <= out.stdout.len(),
            "accepted {accepted}, pipe holds {}",
            out.stdout.len()
        );
        assert!(
            out.stdout[..] == pattern[..out.stdout.len()],
            "pipe content is not a prefix of the data"
        );
    }
}

#[test]
fn write_beyond_permit_traps() {
    for mode in Mode::ALL {
        let out = Run::new(guests::STREAMS)
            .arg("write-over-permit")
            .stdout_capacity(64 << 10)
            .run(mode);
        out.assert_trap();
        assert!(
            !out.stdout.contains(&b'p'),
            "the oversized write reached stdout"
        );
    }
}

#[test]
fn blocking_write_and_flush_over_4096_traps() {
    for mode in Mode::ALL {
        let out = Run::new(guests::STREAMS).arg("bwf-too-long").run(mode);
        out.assert_trap();
        assert!(out.stdout.is_empty(), "{out:?}");
    }
}

#[test]
fn blocking_write_zeroes_and_flush_over_4096_traps() {
    for mode in Mode::ALL {
        let out = Run::new(guests::STREAMS).arg("bwzf-too-long").run(mode);
        out.assert_trap();
        assert!(out.stdout.is_empty(), "{out:?}");
    }
}

/// An output stream whose writes fail once, then report closed.
struct FailingOut {
    failed: bool,
}

#[wasi_host::async_trait]
impl Subscribe for FailingOut {
    async fn ready(&mut self) {}
}

impl HostOutputStream for FailingOut {
    fn write(&mut self, _bytes: Bytes) -> StreamResult<()> {
        if self.failed {
            return Err(StreamError::Closed);
        }
        self.failed = true;
        Err(StreamError::LastOperationFailed(wasmtime::Error::msg(
            "disk on fire",
        )))
    }
    fn flush(&mut self) -> StreamResult<()> {
        if self.failed {
            Err(StreamError::Closed)
        } else {
            Ok(())
        }
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        if self.failed {
            Err(StreamError::Closed)
        } else {
            Ok(4096)
        }
    }
}

struct FailingStdout;

impl IsTerminal for FailingStdout {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for FailingStdout {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(wasi_host::io::StreamWriter::new(self.p2_stream()))
    }
    fn p2_stream(&self) -> Box<dyn HostOutputStream> {
        Box::new(FailingOut { failed: false })
    }
}

#[test]
fn last_operation_failed_carries_the_error() {
    for mode in Mode::ALL {
        let out = Run::new(guests::STREAMS)
            .arg("error-string")
            .configure(|b| {
                b.stdout(FailingStdout);
            })
            .run(mode);
        out.assert_success();
        assert!(
            out.stderr().contains("error-string: ") && out.stderr().contains("disk on fire"),
            "{out:?}"
        );
    }
}

/// A stream whose write reports a host failure as a trap.
struct TrappingOut;

#[wasi_host::async_trait]
impl Subscribe for TrappingOut {
    async fn ready(&mut self) {}
}

impl HostOutputStream for TrappingOut {
    fn write(&mut self, _bytes: Bytes) -> StreamResult<()> {
        Err(StreamError::trap("host invariant broken"))
    }
    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(4096)
    }
}

struct TrappingStdout;

impl IsTerminal for TrappingStdout {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for TrappingStdout {
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(wasi_host::io::StreamWriter::new(self.p2_stream()))
    }
    fn p2_stream(&self) -> Box<dyn HostOutputStream> {
        Box::new(TrappingOut)
    }
}

#[test]
fn stream_trap_ends_the_guest_with_the_message() {
    for mode in Mode::ALL {
        let out = Run::new(guests::STREAMS)
            .arg("error-string")
            .configure(|b| {
                b.stdout(TrappingStdout);
            })
            .run(mode);
        let msg = out.assert_trap();
        assert!(msg.contains("host invariant broken"), "trap text: {msg}");
    }
}

#[test]
fn default_stdout_discards_and_default_stdin_is_empty() {
    // The builder's defaults: writes succeed and go nowhere; stdin is empty.
    let component = common::component(guests::STREAMS);
    for mode in Mode::ALL {
        let mut b = wasi_host::WasiCtxBuilder::new();
        b.args(&["streams", "write"]);
        let state = common::Ctx {
            table: wasi_host::ResourceTable::new(),
            wasi: b.build(),
        };
        let exit = common::run_in(mode, &component, state);
        assert_eq!(exit, Exit::Code(0), "{mode:?}");
    }
}
