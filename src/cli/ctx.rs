//! The `wasi:cli` part of a context: arguments, environment, initial
//! working directory and stdio, and the view its host code works through.

use super::{StdinStream, StdoutStream};
use crate::io::pipe::{ClosedInputStream, SinkOutputStream};
use crate::limits::ByteCount;
use std::sync::Arc;
use wasmtime::component::{HasData, ResourceTable};

/// What a guest was given through `wasi:cli`: its arguments, environment,
/// initial working directory and stdio. Part of a [`crate::WasiCtx`]
/// ([`WasiCtx::cli`](crate::WasiCtx::cli)); filled by the
/// [`WasiCtxBuilder`](crate::WasiCtxBuilder).
pub struct WasiCliCtx {
    /// Who is told of every call (the context's observer, copied here
    /// when it is built).
    pub(crate) observer: crate::observe::Observer,
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) initial_cwd: Option<String>,
    pub(crate) stdin: Box<dyn StdinStream>,
    pub(crate) stdout: Box<dyn StdoutStream>,
    pub(crate) stderr: Box<dyn StdoutStream>,
    /// The bytes written to stdout, and the most allowed (the stream
    /// counts in it once the context is built).
    pub(crate) stdout_bytes: Arc<ByteCount>,
    /// The same for stderr.
    pub(crate) stderr_bytes: Arc<ByteCount>,
}

impl Default for WasiCliCtx {
    /// No arguments, no environment, no working directory, stdin at its
    /// end and output discarded.
    fn default() -> Self {
        WasiCliCtx {
            observer: None,
            args: Vec::new(),
            env: Vec::new(),
            initial_cwd: None,
            stdin: Box::new(ClosedInputStream),
            stdout: Box::new(SinkOutputStream),
            stderr: Box::new(SinkOutputStream),
            stdout_bytes: ByteCount::new(u64::MAX),
            stderr_bytes: ByteCount::new(u64::MAX),
        }
    }
}

impl WasiCliCtx {
    /// Makes stdout and stderr count their bytes against the limits
    /// (when the context is built, after the builder set them).
    pub(crate) fn count_output(&mut self) {
        fn wrap(dest: &mut Box<dyn StdoutStream>, count: &Arc<ByteCount>) {
            let inner = std::mem::replace(dest, Box::new(SinkOutputStream));
            *dest = Box::new(super::Limited::new(inner, count.clone()));
        }
        wrap(&mut self.stdout, &self.stdout_bytes);
        wrap(&mut self.stderr, &self.stderr_bytes);
    }
}

/// What the `wasi:cli` host functions see: the cli context and the
/// resource table.
pub struct WasiCliCtxView<'a> {
    /// The cli part of the context.
    pub ctx: &'a mut WasiCliCtx,
    /// The store's resource table.
    pub table: &'a mut ResourceTable,
}

/// Store data that can give the `wasi:cli` host functions their view
/// (every [`crate::WasiView`] can).
pub trait WasiCliView: Send {
    /// The view of this store's cli context.
    fn cli(&mut self) -> WasiCliCtxView<'_>;
}

/// The [`HasData`] of the `wasi:cli` interfaces, for linking them one by
/// one with the generated `add_to_linker` functions.
pub struct WasiCli;

impl HasData for WasiCli {
    type Data<'a> = WasiCliCtxView<'a>;
}
