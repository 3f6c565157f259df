//! `wasi:cli@0.3.0` for [`WasiCliCtxView`]: arguments, environment and
//! exit as in 0.2; stdin, stdout and stderr as `stream<u8>`s over the
//! context's stdio (the same backend streams 0.2 hands out, bridged by
//! `stream.rs`); terminals as in 0.2. Each call observed when the context
//! has an observer (a stream's call when it is handed over; what flows
//! through it later is no call).

use super::stream;
use crate::I32Exit;
use crate::cli::{TerminalInput, TerminalOutput, WasiCli, WasiCliCtxView};
use crate::p3::bindings::cli::{
    environment, exit, stderr, stdin, stdout, terminal_input, terminal_output, terminal_stderr,
    terminal_stdin, terminal_stdout, types,
};
use crate::p3::observe::observed;
use types::ErrorCode;
use wasmtime::component::{Access, FutureReader, Resource, StreamReader};

impl environment::Host for WasiCliCtxView<'_> {
    fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/environment",
            "get-environment",
            [],
            Ok(self.ctx.env.clone())
        )
    }

    fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/environment",
            "get-arguments",
            [],
            Ok(self.ctx.args.clone())
        )
    }

    fn get_initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/environment",
            "get-initial-cwd",
            [],
            Ok(self.ctx.initial_cwd.clone())
        )
    }
}

impl exit::Host for WasiCliCtxView<'_> {
    fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/exit",
            "exit",
            [status = i32::from(status.is_err())],
            Err(I32Exit(if status.is_ok() { 0 } else { 1 }).into())
        )
    }

    fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/exit",
            "exit-with-code",
            [status_code],
            Err(I32Exit(status_code.into()).into())
        )
    }
}

impl types::Host for WasiCliCtxView<'_> {}

/// A stdio stream's failure as `wasi:cli`'s error code: a reader that went
/// away is `pipe`, anything else `io`.
fn stdio_error(err: &wasmtime::Error) -> ErrorCode {
    match err.downcast_ref::<std::io::Error>() {
        Some(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ErrorCode::Pipe,
        _ => ErrorCode::Io,
    }
}

impl stdin::Host for WasiCliCtxView<'_> {}

impl<T: 'static> stdin::HostWithStore<T> for WasiCli {
    /// The context's stdin as a stream (each call a new reader of it).
    fn read_via_stream(
        mut host: Access<T, Self>,
    ) -> wasmtime::Result<(StreamReader<u8>, FutureReader<Result<(), ErrorCode>>)> {
        let observer = host.get().ctx.observer.clone();
        observed!(&observer, "wasi:cli/stdin", "read-via-stream", [], {
            let input = host.get().ctx.stdin.p2_stream();
            stream::input(host, input, stdio_error)
        })
    }
}

impl stdout::Host for WasiCliCtxView<'_> {}

impl<T: 'static> stdout::HostWithStore<T> for WasiCli {
    /// Writes the guest's `data` to the context's stdout.
    fn write_via_stream(
        mut host: Access<T, Self>,
        data: StreamReader<u8>,
    ) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
        let observer = host.get().ctx.observer.clone();
        observed!(&observer, "wasi:cli/stdout", "write-via-stream", [data], {
            let output = host.get().ctx.stdout.p2_stream();
            stream::output(host, data, output, stdio_error)
        })
    }
}

impl stderr::Host for WasiCliCtxView<'_> {}

impl<T: 'static> stderr::HostWithStore<T> for WasiCli {
    /// Writes the guest's `data` to the context's stderr.
    fn write_via_stream(
        mut host: Access<T, Self>,
        data: StreamReader<u8>,
    ) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
        let observer = host.get().ctx.observer.clone();
        observed!(&observer, "wasi:cli/stderr", "write-via-stream", [data], {
            let output = host.get().ctx.stderr.p2_stream();
            stream::output(host, data, output, stdio_error)
        })
    }
}

impl terminal_input::Host for WasiCliCtxView<'_> {}

impl terminal_input::HostTerminalInput for WasiCliCtxView<'_> {
    fn drop(&mut self, rep: Resource<TerminalInput>) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/terminal-input",
            "[resource-drop]terminal-input",
            [rep],
            self.table.delete(rep).map(drop).map_err(Into::into)
        )
    }
}

impl terminal_output::Host for WasiCliCtxView<'_> {}

impl terminal_output::HostTerminalOutput for WasiCliCtxView<'_> {
    fn drop(&mut self, rep: Resource<TerminalOutput>) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/terminal-output",
            "[resource-drop]terminal-output",
            [rep],
            self.table.delete(rep).map(drop).map_err(Into::into)
        )
    }
}

impl terminal_stdin::Host for WasiCliCtxView<'_> {
    fn get_terminal_stdin(&mut self) -> wasmtime::Result<Option<Resource<TerminalInput>>> {
        observed!(&self.ctx.observer, "wasi:cli/terminal-stdin", "get-terminal-stdin", [], -> wasmtime::Result<Option<Resource<TerminalInput>>> {
            if !self.ctx.stdin.is_terminal() {
                return Ok(None);
            }
            Ok(Some(self.table.push(TerminalInput)?))
        })
    }
}

impl terminal_stdout::Host for WasiCliCtxView<'_> {
    fn get_terminal_stdout(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        observed!(&self.ctx.observer, "wasi:cli/terminal-stdout", "get-terminal-stdout", [], -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
            if !self.ctx.stdout.is_terminal() {
                return Ok(None);
            }
            Ok(Some(self.table.push(TerminalOutput)?))
        })
    }
}

impl terminal_stderr::Host for WasiCliCtxView<'_> {
    fn get_terminal_stderr(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        observed!(&self.ctx.observer, "wasi:cli/terminal-stderr", "get-terminal-stderr", [], -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
            if !self.ctx.stderr.is_terminal() {
                return Ok(None);
            }
            Ok(Some(self.table.push(TerminalOutput)?))
        })
    }
}
