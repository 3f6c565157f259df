//! `wasi:io`: streams, pollables and errors. The traits here are the
//! extension points through which any host resource becomes a guest stream
//! or pollable; `pipe` has ready-made streams.
//!
//! Files: `stream.rs` (the stream traits and their contracts), `poll.rs`
//! (pollables, deadlines and `poll` over a list), `ops.rs` (the waiting
//! stream calls, written once for both flavours), `error.rs` (stream
//! errors), `pipe.rs` (memory pipes, sinks, closed streams),
//! `tokio_io.rs` (adapters from tokio's `AsyncRead`/`AsyncWrite`). The 0.2
//! glue is `crate::p2`'s `io/`.

mod error;
pub(crate) mod ops;
pub mod pipe;
pub(crate) mod poll;
mod stream;
mod tokio_io;

pub use error::IoError;
pub(crate) use poll::poll_list;
pub use poll::{Pollable, subscribe};
pub(crate) use stream::write_failure;
pub use stream::{
    HostInputStream, HostOutputStream, InputStream, OutputStream, StreamError, StreamResult,
    Subscribe,
};
pub use tokio_io::{StreamReader, StreamWriter};
