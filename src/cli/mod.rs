//! `wasi:cli`: arguments and environment, exit, stdio and terminals,
//! version-neutral (the 0.2 glue is `crate::p2`'s `cli.rs`; preview 1
//! reads the same context).
//!
//! Files: `ctx.rs` (the context, [`WasiCliCtx`], and its view), `stdio.rs`
//! (the stdio traits [`StdinStream`]/[`StdoutStream`] with
//! [`IsTerminal`], and the host's stdout/stderr), `stdin.rs` (the host's
//! stdin, one reader thread on demand), `limited.rs` (the byte totals of
//! stdout and stderr).

mod ctx;
mod limited;
mod stdin;
mod stdio;

pub use ctx::{WasiCli, WasiCliCtx, WasiCliCtxView, WasiCliView};
pub(crate) use limited::Limited;
pub use stdin::{Stdin, stdin};
pub use stdio::{
    AsyncStdinStream, AsyncStdoutStream, InputFile, IsATTY, IsTerminal, OutputFile, Stderr,
    StdinStream, Stdout, StdoutStream, stderr, stdout,
};

/// The host side of `wasi:cli/terminal-input.terminal-input`: stdin is a
/// terminal. It has no methods.
pub struct TerminalInput;

/// The host side of `wasi:cli/terminal-output.terminal-output`: stdout or
/// stderr is a terminal. It has no methods.
pub struct TerminalOutput;
