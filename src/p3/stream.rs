//! The bridge between the backends' streams ([`HostInputStream`],
//! [`HostOutputStream`]: stdio, files, pipes, the embedder's own) and the
//! component model's `stream<u8>`, with the `future<result<_, E>>` that
//! reports how the transfer ended.
//!
//! * Host to guest ([`input`]): an [`InputProducer`] copies what the
//!   backend's stream has at hand straight into the guest's read buffer,
//!   at most [`CHUNK`] bytes at a time, and waits on the stream's
//!   readiness only when it has nothing: the guest's reads are the only
//!   pace, nothing is read ahead beyond what the backend itself buffers.
//! * Guest to host ([`output`]): an [`OutputConsumer`] hands the guest's
//!   written bytes to the backend as its write permit allows, flushing
//!   after each; when the guest closes its end, the result future flushes
//!   what is left and reports the outcome.
//!
//! Either side dropping ends the transfer: the guest dropping its end drops
//! the producer or consumer (and the backend stream with it), so no task
//! outlives it. A backend failure ends the stream and is the future's
//! error, mapped by the caller's `map` to its package's `error-code`.

use crate::io::{HostInputStream, HostOutputStream, StreamError};
use bytes::Bytes;
use futures::channel::oneshot;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasmtime::component::{
    Destination, FutureReader, Source, StreamConsumer, StreamProducer, StreamReader, StreamResult,
};
use wasmtime::{AsContextMut, StoreContextMut};

/// The most bytes moved by one step of a transfer.
pub const CHUNK: usize = 64 * 1024;

/// A pending wait for a stream's readiness, owning the stream meanwhile.
type Waiting<S> = Pin<Box<dyn Future<Output = S> + Send>>;

/// A `stream<u8>` for the guest and the future of its outcome.
pub(crate) type ByteStream<E> = (StreamReader<u8>, FutureReader<Result<(), E>>);

/// What an output transfer's consumer sends its result future: the stream
/// back for the final flush, or the failure (a code, or a trap) that ended
/// it.
type OutputEnd<E> = Result<Box<dyn HostOutputStream>, Result<E, wasmtime::Error>>;

/// Maps a backend stream failure to a package's error code.
pub(crate) type MapError<E> = fn(&wasmtime::Error) -> E;

/// A `stream<u8>` the host writes from a backend input stream, and the
/// future that reports how it ended.
pub(crate) fn input<T: 'static, E: Send + Sync + 'static>(
    mut store: impl AsContextMut<Data = T>,
    stream: Box<dyn HostInputStream>,
    map: MapError<E>,
) -> wasmtime::Result<ByteStream<E>>
where
    Result<(), E>: wasmtime::component::Lower + wasmtime::component::Lift,
{
    let (tx, rx) = oneshot::channel();
    let producer = InputProducer {
        state: State::Ready(stream),
        done: Some(tx),
        map,
    };
    let data = StreamReader::new(&mut store, producer)?;
    let result = FutureReader::new(&mut store, async move {
        // A producer dropped without a word: the guest closed the stream
        // early, which is no failure.
        Ok::<_, wasmtime::Error>(rx.await.unwrap_or(Ok(())))
    })?;
    Ok((data, result))
}

/// Feeds the guest's `stream<u8>` `data` into a backend output stream;
/// returns the future that reports how it ended (after the final flush).
pub(crate) fn output<T: 'static, E: Send + Sync + 'static>(
    mut store: impl AsContextMut<Data = T>,
    data: StreamReader<u8>,
    stream: Box<dyn HostOutputStream>,
    map: MapError<E>,
) -> wasmtime::Result<FutureReader<Result<(), E>>>
where
    Result<(), E>: wasmtime::component::Lower + wasmtime::component::Lift,
{
    let (tx, rx) = oneshot::channel();
    let consumer = OutputConsumer {
        state: State::Ready(stream),
        done: Some(tx),
        map,
    };
    data.pipe(&mut store, consumer)?;
    FutureReader::new(&mut store, async move {
        let result = match rx.await {
            // The guest closed its end: deliver what is left.
            Ok(Ok(mut stream)) => finish_output(&mut *stream).await.map_err(|e| match e {
                StreamError::LastOperationFailed(e) => Ok(map(&e)),
                StreamError::Closed => Ok(map(&closed())),
                StreamError::Trap(e) => Err(e),
            }),
            Ok(Err(failure)) => Err(failure),
            // The consumer went away without a word (the store is being
            // torn down): nothing to report.
            Err(_) => Ok(()),
        };
        match result {
            Ok(()) => Ok(Ok(())),
            Err(Ok(code)) => Ok(Err(code)),
            Err(Err(trap)) => Err(trap),
        }
    })
}

/// The error a stream the backend closed under the guest's writes maps
/// from (a reader that went away: `pipe`).
fn closed() -> wasmtime::Error {
    std::io::Error::from(std::io::ErrorKind::BrokenPipe).into()
}

/// Flushes `stream` and waits until everything written has been delivered.
async fn finish_output(stream: &mut dyn HostOutputStream) -> Result<(), StreamError> {
    stream.flush()?;
    stream.write_ready().await.map(drop)
}

/// Where a producer's or consumer's stream is.
enum State<S> {
    /// In hand.
    Ready(S),
    /// Inside a readiness wait.
    Waiting(Waiting<S>),
    /// Gone (the transfer ended).
    Done,
}

impl<S: Send + 'static> State<S> {
    /// The stream, once any wait is over; `Pending` while it lasts.
    fn poll_stream(&mut self, cx: &mut Context<'_>) -> Poll<Option<&mut S>> {
        if let State::Waiting(wait) = self {
            match wait.as_mut().poll(cx) {
                Poll::Ready(stream) => *self = State::Ready(stream),
                Poll::Pending => return Poll::Pending,
            }
        }
        Poll::Ready(match self {
            State::Ready(stream) => Some(stream),
            _ => None,
        })
    }

    /// Puts the stream into a wait made by `wait`.
    fn wait(&mut self, wait: impl FnOnce(S) -> Waiting<S>) {
        if let State::Ready(stream) = std::mem::replace(self, State::Done) {
            *self = State::Waiting(wait(stream));
        }
    }
}

/// Writes a backend input stream into a guest's `stream<u8>`.
pub(crate) struct InputProducer<E> {
    state: State<Box<dyn HostInputStream>>,
    done: Option<oneshot::Sender<Result<(), E>>>,
    map: MapError<E>,
}

impl<E> InputProducer<E> {
    /// Ends the stream with `result` for the future.
    fn end(&mut self, result: Result<(), E>) -> Poll<wasmtime::Result<StreamResult>> {
        self.state = State::Done;
        if let Some(tx) = self.done.take() {
            let _ = tx.send(result);
        }
        Poll::Ready(Ok(StreamResult::Dropped))
    }
}

impl<T, E: Send + 'static> StreamProducer<T> for InputProducer<E> {
    type Item = u8;
    type Buffer = Option<u8>;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut store: StoreContextMut<'a, T>,
        dst: Destination<'a, u8, Self::Buffer>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        let want = match dst.remaining(&mut store) {
            // A guest asking whether data is ready: it may ask again.
            Some(0) => return Poll::Ready(Ok(StreamResult::Completed)),
            Some(n) => n.min(CHUNK),
            None => CHUNK,
        };
        // The reader's own buffer: a stream that can reads straight into
        // it (one copy), the others' bytes are copied in.
        let mut direct = dst.as_direct(store, want);
        loop {
            let stream = match me.state.poll_stream(cx) {
                Poll::Pending if finish => return Poll::Ready(Ok(StreamResult::Cancelled)),
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(Ok(StreamResult::Dropped)),
                Poll::Ready(Some(stream)) => stream,
            };
            let room = direct.remaining();
            let room_len = room.len().min(want);
            let fast = match room_len {
                0 => None,
                n => stream.read_into(&mut room[..n]),
            };
            let read = match fast {
                // Nothing yet: wait as after an empty read.
                Some(Ok(0)) => Ok(Bytes::new()),
                Some(Ok(n)) => {
                    direct.mark_written(n);
                    return Poll::Ready(Ok(StreamResult::Completed));
                }
                Some(Err(e)) => Err(e),
                None => stream.read(room_len),
            };
            match read {
                Ok(bytes) if bytes.is_empty() => {
                    if finish {
                        return Poll::Ready(Ok(StreamResult::Cancelled));
                    }
                    me.state.wait(|mut s| {
                        Box::pin(async move {
                            s.ready().await;
                            s
                        })
                    });
                }
                Ok(bytes) => {
                    let room = direct.remaining();
                    let n = bytes.len().min(room.len());
                    room[..n].copy_from_slice(&bytes[..n]);
                    direct.mark_written(n);
                    if n < bytes.len() {
                        // `read(want)` never returns more than asked.
                        return Poll::Ready(Err(wasmtime::format_err!(
                            "input stream returned more bytes than asked"
                        )));
                    }
                    return Poll::Ready(Ok(StreamResult::Completed));
                }
                Err(StreamError::Closed) => return me.end(Ok(())),
                Err(StreamError::LastOperationFailed(e)) => {
                    let code = (me.map)(&e);
                    return me.end(Err(code));
                }
                Err(StreamError::Trap(e)) => return Poll::Ready(Err(e)),
            }
        }
    }
}

/// Hands a guest's `stream<u8>` to a backend output stream.
pub(crate) struct OutputConsumer<E> {
    state: State<Box<dyn HostOutputStream>>,
    /// Gets the stream back when the guest closes its end (for the final
    /// flush), or the failure that ended the transfer.
    done: Option<oneshot::Sender<OutputEnd<E>>>,
    map: MapError<E>,
}

impl<E> OutputConsumer<E> {
    /// Ends the transfer with `failure`.
    fn fail(
        &mut self,
        failure: Result<E, wasmtime::Error>,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        self.state = State::Done;
        if let Some(tx) = self.done.take() {
            let _ = tx.send(Err(failure));
        }
        Poll::Ready(Ok(StreamResult::Dropped))
    }
}

impl<E> Drop for OutputConsumer<E> {
    /// The guest closed its end (or dropped it): the stream goes to the
    /// result future for its final flush. A stream still inside a wait is
    /// dropped with it (the wait is for the guest's next write, which will
    /// not come).
    fn drop(&mut self) {
        if let (Some(tx), State::Ready(stream)) = (
            self.done.take(),
            std::mem::replace(&mut self.state, State::Done),
        ) {
            let _ = tx.send(Ok(stream));
        }
    }
}

impl<T, E: Send + 'static> StreamConsumer<T> for OutputConsumer<E> {
    type Item = u8;

    fn poll_consume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut store: StoreContextMut<'_, T>,
        src: Source<'_, u8>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        if src.remaining(&mut store) == 0 {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        loop {
            let stream = match me.state.poll_stream(cx) {
                Poll::Pending if finish => return Poll::Ready(Ok(StreamResult::Cancelled)),
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(Ok(StreamResult::Dropped)),
                Poll::Ready(Some(stream)) => stream,
            };
            let permit = match stream.check_write() {
                Ok(permit) => permit,
                Err(e) => return me.fail_with(e),
            };
            if permit == 0 {
                if finish {
                    return Poll::Ready(Ok(StreamResult::Cancelled));
                }
                me.state.wait(|mut s| {
                    Box::pin(async move {
                        s.ready().await;
                        s
                    })
                });
                continue;
            }
            let mut direct = src.as_direct(store);
            let bytes = direct.remaining();
            let n = bytes.len().min(permit).min(CHUNK);
            let written = stream
                .write_from_slice(&bytes[..n])
                .and_then(|()| stream.flush());
            direct.mark_read(n);
            return match written {
                Ok(()) => Poll::Ready(Ok(StreamResult::Completed)),
                Err(e) => me.fail_with(e),
            };
        }
    }
}

impl<E> OutputConsumer<E> {
    /// Ends the transfer on a backend stream error.
    fn fail_with(&mut self, err: StreamError) -> Poll<wasmtime::Result<StreamResult>> {
        match err {
            StreamError::Closed => {
                let code = (self.map)(&closed());
                self.fail(Ok(code))
            }
            StreamError::LastOperationFailed(e) => {
                let code = (self.map)(&e);
                self.fail(Ok(code))
            }
            StreamError::Trap(e) => Poll::Ready(Err(e)),
        }
    }
}
