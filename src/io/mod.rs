//! `wasi:io`: streams, pollables and errors. The traits here are the
//! extension points through which any host resource becomes a guest stream
//! or pollable; `pipe` has ready-made streams.

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
