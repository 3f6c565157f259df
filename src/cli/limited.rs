//! Stdout and stderr with a total: every stream handed out for one of them
//! counts its bytes in one shared [`ByteCount`], and once the context's
//! limit is written, each reports itself closed (preview 1: `pipe`); the
//! guest goes on, the host keeps nothing. The counts are what
//! [`WasiCtx::usage`](crate::WasiCtx::usage) reports.

use super::{IsTerminal, StdoutStream};
use crate::io::{
    HostOutputStream, OutputStream, StreamError, StreamResult, StreamWriter, Subscribe,
};
use crate::limits::ByteCount;
use bytes::Bytes;
use std::sync::Arc;
use tokio::io::AsyncWrite;

/// A destination of stdout or stderr whose streams count in `count`.
pub(crate) struct Limited {
    inner: Box<dyn StdoutStream>,
    count: Arc<ByteCount>,
}

impl Limited {
    /// `inner`, counted in `count`.
    pub(crate) fn new(inner: Box<dyn StdoutStream>, count: Arc<ByteCount>) -> Self {
        Limited { inner, count }
    }
}

impl IsTerminal for Limited {
    fn is_terminal(&self) -> bool {
        self.inner.is_terminal()
    }
}

impl StdoutStream for Limited {
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
        Box::new(StreamWriter::new(self.p2_stream()))
    }

    fn p2_stream(&self) -> OutputStream {
        Box::new(LimitedOutput {
            inner: self.inner.p2_stream(),
            count: self.count.clone(),
        })
    }
}

/// One stream of a [`Limited`] destination.
struct LimitedOutput {
    inner: OutputStream,
    count: Arc<ByteCount>,
}

impl LimitedOutput {
    /// Writes what fits of `bytes` with `write`; `Closed` if not all did.
    fn counted(
        &mut self,
        len: usize,
        write: impl FnOnce(&mut OutputStream, usize) -> StreamResult<()>,
    ) -> StreamResult<()> {
        let fits = self.count.reserve(len);
        if fits > 0
            && let Err(e) = write(&mut self.inner, fits)
        {
            self.count.unreserve(fits);
            return Err(e);
        }
        if fits < len {
            return Err(StreamError::Closed);
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Subscribe for LimitedOutput {
    async fn ready(&mut self) {
        if self.count.left() > 0 {
            self.inner.ready().await;
        }
    }
}

#[async_trait::async_trait]
impl HostOutputStream for LimitedOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        let len = bytes.len();
        self.counted(len, |inner, fits| inner.write(bytes.slice(..fits)))
    }

    fn write_from_slice(&mut self, bytes: &[u8]) -> StreamResult<()> {
        self.counted(bytes.len(), |inner, fits| {
            inner.write_from_slice(&bytes[..fits])
        })
    }

    fn flush(&mut self) -> StreamResult<()> {
        self.inner.flush()
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        let left = self.count.left();
        if left == 0 {
            return Err(StreamError::Closed);
        }
        let permit = self.inner.check_write()?;
        Ok(usize::try_from(left).map_or(permit, |left| permit.min(left)))
    }

    fn write_all_flushed_now(&mut self, bytes: &[u8]) -> StreamResult<bool> {
        let fits = self.count.reserve(bytes.len());
        if fits < bytes.len() {
            // The slow way writes what fits and reports the close.
            self.count.unreserve(fits);
            return Ok(false);
        }
        match self.inner.write_all_flushed_now(bytes) {
            Ok(true) => Ok(true),
            other => {
                self.count.unreserve(fits);
                other
            }
        }
    }

    fn release_permit(&mut self) {
        self.inner.release_permit()
    }

    async fn cancel(&mut self) {
        self.inner.cancel().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::pipe::MemoryOutputPipe;

    fn limited(max: u64) -> (Limited, MemoryOutputPipe, Arc<ByteCount>) {
        let pipe = MemoryOutputPipe::new(1 << 20);
        let count = ByteCount::new(max);
        (
            Limited::new(Box::new(pipe.clone()), count.clone()),
            pipe,
            count,
        )
    }

    #[test]
    fn writes_up_to_the_total_then_reports_closed() {
        let (dest, pipe, count) = limited(10);
        let mut a = dest.p2_stream();
        let mut b = dest.p2_stream();
        assert_eq!(a.check_write().unwrap(), 10);
        a.write(Bytes::from_static(b"hello ")).unwrap();
        assert_eq!(b.check_write().unwrap(), 4, "the streams share the total");
        assert!(matches!(
            b.write(Bytes::from_static(b"world!")),
            Err(StreamError::Closed)
        ));
        assert!(matches!(a.check_write(), Err(StreamError::Closed)));
        assert!(matches!(a.write_all_flushed_now(b"x"), Ok(false)));
        assert_eq!(&pipe.contents()[..], b"hello worl");
        assert_eq!(count.written(), 10);
    }

    #[test]
    fn unlimited_counts_every_byte() {
        let (dest, pipe, count) = limited(u64::MAX);
        let mut s = dest.p2_stream();
        assert!(s.write_all_flushed_now(b"abc").unwrap());
        s.write_from_slice(b"def").unwrap();
        assert_eq!(&pipe.contents()[..], b"abcdef");
        assert_eq!(count.written(), 6);
    }
}
