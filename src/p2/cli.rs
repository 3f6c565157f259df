//! `Host` traits of `wasi:cli` for [`crate::cli::WasiCliCtxView`]; each
//! call observed when the context has an observer.

use crate::I32Exit;
use crate::cli::WasiCliCtxView;
use crate::cli::{TerminalInput, TerminalOutput};
use crate::io::{InputStream, OutputStream};
use crate::p2::bindings::cli::{
    environment, exit, stderr, stdin, stdout, terminal_input, terminal_output, terminal_stderr,
    terminal_stdin, terminal_stdout,
};
use crate::p2::observe::observed;
use wasmtime::component::{Resource, ResourceTable};

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

    fn initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/environment",
            "initial-cwd",
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

/// Hands a new resource to the guest.
fn push<R: Send + 'static>(table: &mut ResourceTable, r: R) -> wasmtime::Result<Resource<R>> {
    Ok(table.push(r)?)
}

/// Hands a terminal resource to the guest if the stream is a terminal.
fn terminal<R: Send + 'static>(
    table: &mut ResourceTable,
    is_terminal: bool,
    r: R,
) -> wasmtime::Result<Option<Resource<R>>> {
    is_terminal.then(|| push(table, r)).transpose()
}

impl stdin::Host for WasiCliCtxView<'_> {
    fn get_stdin(&mut self) -> wasmtime::Result<Resource<InputStream>> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/stdin",
            "get-stdin",
            [],
            push(self.table, self.ctx.stdin.p2_stream())
        )
    }
}

impl stdout::Host for WasiCliCtxView<'_> {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/stdout",
            "get-stdout",
            [],
            push(self.table, self.ctx.stdout.p2_stream())
        )
    }
}

impl stderr::Host for WasiCliCtxView<'_> {
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/stderr",
            "get-stderr",
            [],
            push(self.table, self.ctx.stderr.p2_stream())
        )
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
        observed!(
            &self.ctx.observer,
            "wasi:cli/terminal-stdin",
            "get-terminal-stdin",
            [],
            terminal(self.table, self.ctx.stdin.is_terminal(), TerminalInput)
        )
    }
}

impl terminal_stdout::Host for WasiCliCtxView<'_> {
    fn get_terminal_stdout(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/terminal-stdout",
            "get-terminal-stdout",
            [],
            terminal(self.table, self.ctx.stdout.is_terminal(), TerminalOutput)
        )
    }
}

impl terminal_stderr::Host for WasiCliCtxView<'_> {
    fn get_terminal_stderr(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        observed!(
            &self.ctx.observer,
            "wasi:cli/terminal-stderr",
            "get-terminal-stderr",
            [],
            terminal(self.table, self.ctx.stderr.is_terminal(), TerminalOutput)
        )
    }
}
