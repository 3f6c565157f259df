//! The stream traits an embedder implements to give a guest a custom
//! `wasi:io/streams` input or output stream.
//!
//! # The output contract
//!
//! Writing is a three-step protocol, and no step ever blocks:
//!
//! 1. [`HostOutputStream::check_write`] returns how many bytes the stream
//!    accepts right now (`Ok(0)` means "not now": wait on
//!    [`Subscribe::ready`]);
//! 2. [`HostOutputStream::write`] hands over at most that many bytes (more is
//!    a guest bug, and the host traps);
//! 3. [`HostOutputStream::flush`] asks for everything written so far to be
//!    delivered; until it is, `check_write` returns `Ok(0)` and `ready`
//!    completes when it is.
//!
//! A stream that can no longer accept data returns
//! [`StreamError::Closed`]; a failed write or flush returns
//! [`StreamError::LastOperationFailed`] once, and the stream is closed after
//! that. [`StreamError::Trap`] ends the guest: use it only for host bugs.
//!
//! # The input contract
//!
//! [`HostInputStream::read`] returns what is available now, possibly nothing;
//! [`Subscribe::ready`] completes when a read would return data or an error.
//! End of stream is `Err(StreamError::Closed)`.

use bytes::Bytes;
use std::fmt;
use std::future::Future;
use std::pin::Pin;

/// The result of a stream operation.
pub type StreamResult<T> = Result<T, StreamError>;

/// Why a stream operation did not succeed.
#[derive(Debug)]
pub enum StreamError {
    /// The stream is closed: end of input, or output that is no longer
    /// accepted. Every later operation reports the same.
    Closed,
    /// The last write or flush failed; the guest sees
    /// `last-operation-failed` with this error, and the stream is closed
    /// afterwards.
    LastOperationFailed(wasmtime::Error),
    /// A host failure that is not the guest's to handle: ends the guest with
    /// a trap.
    Trap(wasmtime::Error),
}

impl StreamError {
    /// A `LastOperationFailed` from any error.
    pub fn failed(err: impl Into<wasmtime::Error>) -> Self {
        StreamError::LastOperationFailed(err.into())
    }

    /// A `Trap` with a message.
    pub fn trap(msg: impl fmt::Display + fmt::Debug + Send + Sync + 'static) -> Self {
        StreamError::Trap(wasmtime::Error::msg(msg))
    }
}

/// The stream error of a failed host write or flush: a reader that went
/// away (`EPIPE`) closes the stream, as the spec's stream contract has it;
/// any other failure is reported once as `last-operation-failed`.
pub(crate) fn write_failure(err: std::io::Error) -> StreamError {
    match err.kind() {
        std::io::ErrorKind::BrokenPipe => StreamError::Closed,
        _ => StreamError::failed(err),
    }
}

impl fmt::Display for StreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamError::Closed => f.write_str("stream closed"),
            StreamError::LastOperationFailed(e) => write!(f, "last operation failed: {e}"),
            StreamError::Trap(e) => write!(f, "trap: {e}"),
        }
    }
}

impl std::error::Error for StreamError {}

impl From<wasmtime::component::ResourceTableError> for StreamError {
    fn from(err: wasmtime::component::ResourceTableError) -> Self {
        StreamError::Trap(err.into())
    }
}

/// Readiness of a host resource, the basis of every `pollable`.
#[async_trait::async_trait]
pub trait Subscribe: Send + 'static {
    /// Completes when the resource is ready: for an input stream, when a
    /// read returns data or an error; for an output stream, when
    /// `check_write` returns a non-zero permit or an error. Must be
    /// cancel-safe: it may be dropped before it completes and called again.
    async fn ready(&mut self);
}

/// The host side of a `wasi:io/streams.input-stream`.
#[async_trait::async_trait]
pub trait HostInputStream: Subscribe {
    /// Reads up to `size` bytes that are available now, without blocking.
    /// An empty result means "nothing yet"; end of stream is
    /// `Err(StreamError::Closed)`.
    fn read(&mut self, size: usize) -> StreamResult<Bytes>;

    /// Reads what is available now straight into `buf`, without waiting
    /// and without blocking the thread: the one-copy path of WASI 0.3
    /// streams, which hand over the guest's own buffer. Returns
    /// `Some(Ok(n))` with the `n` bytes read (0: nothing yet, as an empty
    /// [`read`](Self::read)), `Some(Err(Closed))` at the end of the
    /// stream, or `None` when this stream cannot read into a caller's
    /// buffer now (a write in flight, or not supported: the default); the
    /// caller then uses [`read`](Self::read). Never called with an empty
    /// `buf`.
    fn read_into(&mut self, buf: &mut [u8]) -> Option<StreamResult<usize>> {
        let _ = buf;
        None
    }

    /// Discards up to `size` available bytes, returning how many.
    fn skip(&mut self, size: usize) -> StreamResult<usize> {
        Ok(self.read(size)?.len())
    }

    /// Waits until data (or an error) is available, then reads. Streams
    /// whose reads do blocking work (files) override this to do it off the
    /// async executor.
    async fn blocking_read(&mut self, size: usize) -> StreamResult<Bytes> {
        self.ready().await;
        self.read(size)
    }

    /// Waits until data (or an error) is available, then skips.
    async fn blocking_skip(&mut self, size: usize) -> StreamResult<usize> {
        self.ready().await;
        self.skip(size)
    }

    /// Called before the stream is dropped, to finish or abandon work in
    /// progress. The default does nothing.
    async fn cancel(&mut self) {}
}

/// The host side of a `wasi:io/streams.output-stream`; see the module docs
/// for the check-write / write / flush contract.
#[async_trait::async_trait]
pub trait HostOutputStream: Subscribe {
    /// Accepts `bytes`, at most the last `check_write` permit. Never blocks.
    fn write(&mut self, bytes: Bytes) -> StreamResult<()>;

    /// Starts delivering what was written. Never blocks; `check_write`
    /// returns `Ok(0)` until delivery finished.
    fn flush(&mut self) -> StreamResult<()>;

    /// How many bytes `write` accepts now. Never blocks.
    fn check_write(&mut self) -> StreamResult<usize>;

    /// Like `write` with a copy of `bytes`. Streams that copy the data
    /// anyway (into a buffer of their own, or straight to the OS) override
    /// it to skip the intermediate `Bytes` allocation.
    fn write_from_slice(&mut self, bytes: &[u8]) -> StreamResult<()> {
        self.write(Bytes::copy_from_slice(bytes))
    }

    /// A shortcut for a blocking write of a small buffer: when the stream
    /// can take all of `bytes` and deliver them without waiting, it does,
    /// and returns `Ok(true)`: the same as check-write, write, flush and a
    /// finished flush. `Ok(false)` means nothing happened, and the caller
    /// goes the check-write / write / flush / ready way. A closed stream is
    /// `Err(Closed)`. Never blocks; the default always answers `Ok(false)`.
    fn write_all_flushed_now(&mut self, bytes: &[u8]) -> StreamResult<bool> {
        let _ = bytes;
        Ok(false)
    }

    /// Gives back the last `check_write` permit unused: the host asked only
    /// to learn the stream's state (whether a blocking flush completed, or
    /// a splice that found its source at its end), not to write. Streams
    /// whose handles share one budget of permits (`MemoryOutputPipe`) make
    /// the room available to the others again; the default does nothing.
    fn release_permit(&mut self) {}

    /// Waits for a non-zero permit and returns it (an error as
    /// `check_write` reports it).
    async fn write_ready(&mut self) -> StreamResult<usize> {
        loop {
            match self.check_write()? {
                0 => self.ready().await,
                n => return Ok(n),
            }
        }
    }

    /// Writes all of `bytes` as the permits allow, flushes, and waits until
    /// the flush is done.
    async fn blocking_write_and_flush(&mut self, mut bytes: Bytes) -> StreamResult<()> {
        while !bytes.is_empty() {
            let permit = self.write_ready().await?;
            self.write(bytes.split_to(permit.min(bytes.len())))?;
        }
        self.flush()?;
        self.write_ready().await?;
        self.release_permit();
        Ok(())
    }

    /// Called before the stream is dropped, to finish or abandon work in
    /// progress. The default does nothing.
    async fn cancel(&mut self) {}

    /// Like `write` with `size` zero bytes (at most the last permit). The
    /// default writes slices of a static buffer: no allocation of `size`.
    fn write_zeroes(&mut self, size: usize) -> StreamResult<()> {
        static ZEROES: [u8; 64 * 1024] = [0; 64 * 1024];
        let mut left = size;
        while left > 0 {
            let n = left.min(ZEROES.len());
            self.write(Bytes::from_static(&ZEROES[..n]))?;
            left -= n;
        }
        Ok(())
    }
}

/// An input stream as stored in the resource table.
pub type InputStream = Box<dyn HostInputStream>;

/// An output stream as stored in the resource table.
pub type OutputStream = Box<dyn HostOutputStream>;

/// A boxed readiness future, as `Subscribe::ready` returns it.
type ReadyFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

// Forward without another box: `ready` already returns a boxed future.
impl Subscribe for InputStream {
    fn ready<'life0, 'async_trait>(&'life0 mut self) -> ReadyFuture<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        (**self).ready()
    }
}

impl Subscribe for OutputStream {
    fn ready<'life0, 'async_trait>(&'life0 mut self) -> ReadyFuture<'async_trait>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        (**self).ready()
    }
}
