//! Call observation: one structured event per WASI call of a guest, for
//! an embedder's [`CallObserver`]
//! ([`WasiCtxBuilder::call_observer`](crate::WasiCtxBuilder::call_observer)),
//! a ready-made observer that writes them as JSON lines ([`JsonLines`]),
//! and the audit view of the same events ([`AccessLog`]).
//!
//! An event carries the front-end, the interface and function, the
//! arguments in a compact form (descriptors and numbers as numbers, paths
//! as strings, buffers as their lengths), the outcome (the values the call
//! returned, or its error code), and when the call started and how long it
//! took. With no observer installed, a call pays one test of an `Option`.
//!
//! Which front-ends report: preview 1, preview 0, 0.2 and 0.3 (every
//! function; a 0.3 call that hands over a `stream` or a `future` is one
//! event, what flows through it later is none, except the connections
//! `listen`'s stream hands over: each is an event
//! `[stream-item]tcp-socket.listen`, with the listener as `self` and the
//! new socket as `ret`, so that the access log has 0.3's accepts).
//!
//! Files: this one (the event and the trait), `call.rs` (a call from its
//! start to its event, and the `observed!` macro of the component
//! front-ends), `values.rs` (the compact forms of component values and
//! results), `json.rs` (the JSON-lines writer), `access.rs` (the access
//! log).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

mod access;
mod call;
mod json;
mod values;

pub use access::{Access, AccessEvent, AccessLog, Verdict};
pub(crate) use call::{Call, observed};
pub use json::JsonLines;
pub(crate) use values::{
    CodeName, MAX_TEXT_SHOWN, Report, Shown, arg_name, code_names, shown_as_debug,
};

/// The front-end a call came through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrontEnd {
    /// WASI preview 0 (`wasi_unstable`), a core module.
    Preview0,
    /// WASI preview 1 (`wasi_snapshot_preview1`), a core module.
    Preview1,
    /// WASI 0.2 (preview 2), a component.
    Preview2,
    /// WASI 0.3, a component.
    Preview3,
}

impl FrontEnd {
    /// Its short name: `preview0`, `preview1`, `preview2`, `preview3`.
    pub fn name(self) -> &'static str {
        match self {
            FrontEnd::Preview0 => "preview0",
            FrontEnd::Preview1 => "preview1",
            FrontEnd::Preview2 => "preview2",
            FrontEnd::Preview3 => "preview3",
        }
    }
}

/// One argument or returned value, in compact form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A descriptor number.
    Fd(u32),
    /// A number (an offset, a size, a count, a time, a clock id).
    Int(i64),
    /// A bit set (flags, rights), as the guest passed it.
    Flags(u64),
    /// A path, as the guest wrote it (invalid UTF-8 replaced; a path the
    /// guest's memory does not hold is `<fault>`).
    Path(String),
    /// A buffer or a list of buffers: its length in bytes, or in elements
    /// for a list of buffers (`iovs`) or of subscriptions.
    Len(u64),
    /// A guest-memory address the host writes a result to.
    Ptr(u32),
    /// A value with no compact form (an address, a timestamp, a
    /// structure), as short text.
    Text(String),
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Fd(n) => write!(f, "{n}"),
            Value::Int(n) => write!(f, "{n}"),
            Value::Flags(n) => write!(f, "{n:#x}"),
            Value::Path(p) => write!(f, "{p:?}"),
            Value::Len(n) => write!(f, "<{n}>"),
            Value::Ptr(p) => write!(f, "@{p:#x}"),
            Value::Text(t) => f.write_str(t),
        }
    }
}

/// How a call ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded, returning these named values (empty for a call that
    /// returns nothing).
    Ok(Vec<(&'static str, Value)>),
    /// It failed with this error code (the front-end's name for it:
    /// `noent`, `badf`, ...).
    Err(String),
    /// It trapped, or ended the program (`proc_exit`), with this message.
    Trap(String),
}

/// One WASI call.
#[derive(Clone, Debug)]
pub struct CallEvent {
    /// The front-end it came through.
    pub front_end: FrontEnd,
    /// The interface (module) name: `wasi_snapshot_preview1`, ...
    pub interface: &'static str,
    /// The function name: `path_open`, ...
    pub function: &'static str,
    /// The arguments, named as the specification names them.
    pub args: Vec<(&'static str, Value)>,
    /// How it ended.
    pub outcome: Outcome,
    /// When it started (the host's wall clock, also in a deterministic
    /// run).
    pub start: SystemTime,
    /// How long it took.
    pub duration: Duration,
}

/// Receives one [`CallEvent`] per WASI call of the guests of the contexts
/// it is installed on. Called on the thread that runs the call, after the
/// call, before the guest continues: a slow observer slows the guest.
pub trait CallObserver: Send + Sync {
    /// One call ended.
    fn on_call(&self, event: &CallEvent);
}

/// A trap's text in an event: `exit N` for a program that ended itself,
/// else the error's message.
pub(crate) fn trap_text(err: &wasmtime::Error) -> String {
    match err.downcast_ref::<crate::I32Exit>() {
        Some(exit) => format!("exit {}", exit.0),
        None => err.to_string(),
    }
}

/// A context's observer, if any.
pub(crate) type Observer = Option<Arc<dyn CallObserver>>;
