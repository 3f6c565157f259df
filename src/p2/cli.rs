//! `Host` traits of `wasi:cli` for [`WasiImpl`].

use crate::bindings::cli::{
    environment, exit, stderr, stdin, stdout, terminal_input, terminal_output, terminal_stderr,
    terminal_stdin, terminal_stdout,
};
use crate::cli::{TerminalInput, TerminalOutput};
use crate::io::{InputStream, OutputStream};
use crate::{I32Exit, WasiImpl, WasiView};
use wasmtime::component::Resource;

impl<T: WasiView> environment::Host for WasiImpl<T> {
    fn get_environment(&mut self) -> wasmtime::Result<Vec<(String, String)>> {
        Ok(self.ctx().env.clone())
    }

    fn get_arguments(&mut self) -> wasmtime::Result<Vec<String>> {
        Ok(self.ctx().args.clone())
    }

    fn initial_cwd(&mut self) -> wasmtime::Result<Option<String>> {
        Ok(self.ctx().initial_cwd.clone())
    }
}

impl<T: WasiView> exit::Host for WasiImpl<T> {
    fn exit(&mut self, status: Result<(), ()>) -> wasmtime::Result<()> {
        Err(I32Exit(if status.is_ok() { 0 } else { 1 }).into())
    }

    fn exit_with_code(&mut self, status_code: u8) -> wasmtime::Result<()> {
        Err(I32Exit(status_code.into()).into())
    }
}

impl<T: WasiView> stdin::Host for WasiImpl<T> {
    fn get_stdin(&mut self) -> wasmtime::Result<Resource<InputStream>> {
        let stream = self.ctx().stdin.p2_stream();
        Ok(self.table().push(stream)?)
    }
}

impl<T: WasiView> stdout::Host for WasiImpl<T> {
    fn get_stdout(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        let stream = self.ctx().stdout.p2_stream();
        Ok(self.table().push(stream)?)
    }
}

impl<T: WasiView> stderr::Host for WasiImpl<T> {
    fn get_stderr(&mut self) -> wasmtime::Result<Resource<OutputStream>> {
        let stream = self.ctx().stderr.p2_stream();
        Ok(self.table().push(stream)?)
    }
}

impl<T: WasiView> terminal_input::Host for WasiImpl<T> {}

impl<T: WasiView> terminal_input::HostTerminalInput for WasiImpl<T> {
    fn drop(&mut self, rep: Resource<TerminalInput>) -> wasmtime::Result<()> {
        self.table().delete(rep)?;
        Ok(())
    }
}

impl<T: WasiView> terminal_output::Host for WasiImpl<T> {}

impl<T: WasiView> terminal_output::HostTerminalOutput for WasiImpl<T> {
    fn drop(&mut self, rep: Resource<TerminalOutput>) -> wasmtime::Result<()> {
        self.table().delete(rep)?;
        Ok(())
    }
}

impl<T: WasiView> terminal_stdin::Host for WasiImpl<T> {
    fn get_terminal_stdin(&mut self) -> wasmtime::Result<Option<Resource<TerminalInput>>> {
        if !self.ctx().stdin.is_terminal() {
            return Ok(None);
        }
        Ok(Some(self.table().push(TerminalInput)?))
    }
}

impl<T: WasiView> terminal_stdout::Host for WasiImpl<T> {
    fn get_terminal_stdout(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        if !self.ctx().stdout.is_terminal() {
            return Ok(None);
        }
        Ok(Some(self.table().push(TerminalOutput)?))
    }
}

impl<T: WasiView> terminal_stderr::Host for WasiImpl<T> {
    fn get_terminal_stderr(&mut self) -> wasmtime::Result<Option<Resource<TerminalOutput>>> {
        if !self.ctx().stderr.is_terminal() {
            return Ok(None);
        }
        Ok(Some(self.table().push(TerminalOutput)?))
    }
}
