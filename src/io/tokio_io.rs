//! The crate's streams seen as tokio readers and writers: what
//! [`StdinStream::async_stream`](crate::cli::StdinStream::async_stream) and
//! [`StdoutStream::async_stream`](crate::cli::StdoutStream::async_stream)
//! hand out for a stdio source that is one of the crate's own streams (a
//! memory pipe, the process's stdin), so a front-end that reads and writes
//! asynchronously sees the same bytes as one that uses the 0.2 streams.
//!
//! A wait for readiness moves the stream into the waiting future and takes
//! it back when the future is done, so nothing borrows across polls.

use super::stream::{HostInputStream, HostOutputStream, StreamError, Subscribe};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A stream waiting to become ready; it comes back when the wait is done.
type Waiting<S> = Pin<Box<dyn Future<Output = S> + Send>>;

/// Where a stream adapter stands.
enum Slot<S> {
    Idle(S),
    Waiting(Waiting<S>),
    /// Only between taking the stream out and putting it back.
    Empty,
}

impl<S: Subscribe + 'static> Slot<S> {
    /// The stream, once any wait in progress is done.
    fn poll_stream(&mut self, cx: &mut Context<'_>) -> Poll<&mut S> {
        if let Slot::Waiting(wait) = self {
            let stream = ready!(wait.as_mut().poll(cx));
            *self = Slot::Idle(stream);
        }
        match self {
            Slot::Idle(stream) => Poll::Ready(stream),
            // `Empty` never outlives a call; `Waiting` was replaced above.
            Slot::Waiting(_) | Slot::Empty => Poll::Pending,
        }
    }

    /// Starts waiting until the stream is ready, and polls the wait once.
    fn wait(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        if let Slot::Idle(mut stream) = std::mem::replace(self, Slot::Empty) {
            *self = Slot::Waiting(Box::pin(async move {
                stream.ready().await;
                stream
            }));
        }
        match self.poll_stream(cx) {
            // Ready at once: the caller tries again.
            Poll::Ready(_) => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// A tokio reader over an input stream. (The mutex makes it `Sync`, as
/// the stdio traits ask; polling takes it through `&mut`, never locking.)
pub struct StreamReader(std::sync::Mutex<Slot<Box<dyn HostInputStream>>>);

impl StreamReader {
    /// Reads from `stream`.
    pub fn new(stream: Box<dyn HostInputStream>) -> Self {
        StreamReader(std::sync::Mutex::new(Slot::Idle(stream)))
    }
}

impl AsyncRead for StreamReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            let stream = ready!(slot(&mut self.0).poll_stream(cx));
            match stream.read(buf.remaining()) {
                Ok(bytes) if bytes.is_empty() => {
                    if buf.remaining() == 0 {
                        return Poll::Ready(Ok(()));
                    }
                    ready!(slot(&mut self.0).wait(cx));
                }
                Ok(bytes) => {
                    buf.put_slice(&bytes);
                    return Poll::Ready(Ok(()));
                }
                // The end of the stream: a read of nothing.
                Err(StreamError::Closed) => return Poll::Ready(Ok(())),
                Err(e) => return Poll::Ready(Err(io::Error::other(e.to_string()))),
            }
        }
    }
}

/// A tokio writer over an output stream: each write takes what the
/// stream's permit allows; a flush waits until the stream grants again.
pub struct StreamWriter(std::sync::Mutex<Slot<Box<dyn HostOutputStream>>>);

impl StreamWriter {
    /// Writes to `stream`.
    pub fn new(stream: Box<dyn HostOutputStream>) -> Self {
        StreamWriter(std::sync::Mutex::new(Slot::Idle(stream)))
    }
}

/// The slot of an adapter, through `&mut` (no locking).
fn slot<S>(m: &mut std::sync::Mutex<Slot<S>>) -> &mut Slot<S> {
    m.get_mut().unwrap_or_else(|p| p.into_inner())
}

/// A stream error as an I/O error (`closed` is a broken pipe).
fn io_error(e: StreamError) -> io::Error {
    match e {
        StreamError::Closed => io::ErrorKind::BrokenPipe.into(),
        e => io::Error::other(e.to_string()),
    }
}

impl AsyncWrite for StreamWriter {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            let stream = ready!(slot(&mut self.0).poll_stream(cx));
            match stream.check_write() {
                Ok(0) => ready!(slot(&mut self.0).wait(cx)),
                Ok(permit) => {
                    let n = permit.min(data.len());
                    return Poll::Ready(
                        stream
                            .write_from_slice(&data[..n])
                            .map(|()| n)
                            .map_err(io_error),
                    );
                }
                Err(e) => return Poll::Ready(Err(io_error(e))),
            }
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let stream = ready!(slot(&mut self.0).poll_stream(cx));
        if let Err(e) = stream.flush() {
            return Poll::Ready(Err(io_error(e)));
        }
        loop {
            let stream = ready!(slot(&mut self.0).poll_stream(cx));
            match stream.check_write() {
                Ok(0) => ready!(slot(&mut self.0).wait(cx)),
                Ok(_) => {
                    stream.release_permit();
                    return Poll::Ready(Ok(()));
                }
                Err(e) => return Poll::Ready(Err(io_error(e))),
            }
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_flush(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::pipe::{MemoryInputPipe, MemoryOutputPipe};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn memory_pipes_read_and_write_through_tokio() {
        let mut reader = StreamReader::new(Box::new(MemoryInputPipe::new("hello world")));
        let mut got = String::new();
        reader.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "hello world");

        let pipe = MemoryOutputPipe::new(8);
        let mut writer = StreamWriter::new(Box::new(pipe.clone()));
        writer.write_all(b"12345").await.unwrap();
        writer.flush().await.unwrap();
        assert_eq!(&pipe.contents()[..], b"12345");
        // Beyond the capacity the pipe is closed: a broken pipe.
        let err = writer.write_all(b"6789").await.unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::BrokenPipe);
    }
}
