//! A socket connection's streams when the context records (the OS
//! streams, with the outcome of every call journaled) or replays (no OS
//! stream: reads give the journal's bytes, writes are dropped and answer as
//! they answered then). Keys: the socket's, with `/in` and `/out`.
//!
//! Every way of reading (`read`, `read_into`, `blocking_read`) is the
//! journal's `read`, and every way of writing (`write`, `write_from_slice`,
//! `write_zeroes`) its `write`, so a front-end may take another path in
//! the replay and still get the same answers.

use crate::io::{HostInputStream, HostOutputStream, InputStream, OutputStream, StreamError};
use crate::io::{StreamResult, Subscribe};
use crate::journal::Tap;
use bytes::Bytes;

/// The streams `input` and `output` of the socket journaled under `tap`,
/// recorded.
pub(crate) fn recorded_streams(
    tap: &Tap,
    input: InputStream,
    output: OutputStream,
) -> (InputStream, OutputStream) {
    (
        Box::new(RecordedInput {
            inner: input,
            tap: tap.child("/in"),
        }),
        Box::new(RecordedOutput {
            inner: output,
            tap: tap.child("/out"),
        }),
    )
}

/// The replayed streams of the socket journaled under `tap`.
pub(crate) fn replayed_streams(tap: &Tap) -> (InputStream, OutputStream) {
    (
        Box::new(ReplayedInput {
            tap: tap.child("/in"),
        }),
        Box::new(ReplayedOutput {
            tap: tap.child("/out"),
        }),
    )
}

/// An input stream whose reads are journaled.
struct RecordedInput {
    inner: InputStream,
    tap: Tap,
}

#[async_trait::async_trait]
impl Subscribe for RecordedInput {
    async fn ready(&mut self) {
        self.inner.ready().await
    }
}

#[async_trait::async_trait]
impl HostInputStream for RecordedInput {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        self.tap.record("read", self.inner.read(size))
    }

    fn read_into(&mut self, buf: &mut [u8]) -> Option<StreamResult<usize>> {
        let read = match self.inner.read_into(buf)? {
            Ok(n) => Ok(Bytes::copy_from_slice(&buf[..n])),
            Err(e) => Err(e),
        };
        Some(self.tap.record("read", read).map(|bytes| bytes.len()))
    }

    async fn blocking_read(&mut self, size: usize) -> StreamResult<Bytes> {
        let read = self.inner.blocking_read(size).await;
        self.tap.record("read", read)
    }

    async fn cancel(&mut self) {
        self.inner.cancel().await
    }
}

/// An input stream that reads the journal.
struct ReplayedInput {
    tap: Tap,
}

#[async_trait::async_trait]
impl Subscribe for ReplayedInput {
    /// At once while the journal holds reads; never after.
    async fn ready(&mut self) {
        self.tap.replayed_wait().await
    }
}

#[async_trait::async_trait]
impl HostInputStream for ReplayedInput {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        let bytes = self.tap.replay::<StreamResult<Bytes>>("read")?;
        if bytes.len() > size {
            return Err(StreamError::Trap(wasmtime::format_err!(
                "replay diverged: the guest read at most {size} bytes from a socket, but the \
                 journal holds a read of {}",
                bytes.len()
            )));
        }
        Ok(bytes)
    }

    fn read_into(&mut self, buf: &mut [u8]) -> Option<StreamResult<usize>> {
        Some(self.read(buf.len()).map(|bytes| {
            buf[..bytes.len()].copy_from_slice(&bytes);
            bytes.len()
        }))
    }

    async fn blocking_read(&mut self, size: usize) -> StreamResult<Bytes> {
        self.read(size)
    }
}

/// An output stream whose calls are journaled (not what is written).
struct RecordedOutput {
    inner: OutputStream,
    tap: Tap,
}

#[async_trait::async_trait]
impl Subscribe for RecordedOutput {
    async fn ready(&mut self) {
        self.inner.ready().await
    }
}

#[async_trait::async_trait]
impl HostOutputStream for RecordedOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.tap.record("write", self.inner.write(bytes))
    }

    fn write_from_slice(&mut self, bytes: &[u8]) -> StreamResult<()> {
        self.tap.record("write", self.inner.write_from_slice(bytes))
    }

    fn write_zeroes(&mut self, size: usize) -> StreamResult<()> {
        self.tap.record("write", self.inner.write_zeroes(size))
    }

    fn flush(&mut self) -> StreamResult<()> {
        self.tap.record("flush", self.inner.flush())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        self.tap.record("check-write", self.inner.check_write())
    }

    fn write_all_flushed_now(&mut self, bytes: &[u8]) -> StreamResult<bool> {
        self.tap
            .record("write-now", self.inner.write_all_flushed_now(bytes))
    }

    fn release_permit(&mut self) {
        self.inner.release_permit()
    }

    async fn cancel(&mut self) {
        self.inner.cancel().await
    }
}

/// An output stream that drops what is written and answers from the
/// journal.
struct ReplayedOutput {
    tap: Tap,
}

#[async_trait::async_trait]
impl Subscribe for ReplayedOutput {
    /// At once: a replayed write is never in progress. (A host that waits
    /// for the last write to go out before it reports a send done, as 0.3
    /// does, waits here without asking the journal anything.)
    async fn ready(&mut self) {}
}

#[async_trait::async_trait]
impl HostOutputStream for ReplayedOutput {
    fn write(&mut self, _: Bytes) -> StreamResult<()> {
        self.tap.replay("write")
    }

    fn write_from_slice(&mut self, _: &[u8]) -> StreamResult<()> {
        self.tap.replay("write")
    }

    fn write_zeroes(&mut self, _: usize) -> StreamResult<()> {
        self.tap.replay("write")
    }

    fn flush(&mut self) -> StreamResult<()> {
        self.tap.replay("flush")
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        self.tap.replay("check-write")
    }

    fn write_all_flushed_now(&mut self, _: &[u8]) -> StreamResult<bool> {
        self.tap.replay("write-now")
    }
}
