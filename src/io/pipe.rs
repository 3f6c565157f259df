//! Ready-made streams: in-memory pipes, adapters for tokio readers and
//! writers, and always-closed / always-empty streams.

use super::stream::{HostInputStream, HostOutputStream, StreamError, StreamResult, Subscribe};
use crate::runtime::{AbortOnDropJoinHandle, spawn};
use bytes::{Bytes, BytesMut};
use std::sync::{Arc, Mutex, MutexGuard};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::{Notify, mpsc};

/// Locks a mutex, ignoring poisoning: the data is bytes, which stay valid.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// An input stream over bytes held in memory. Clones share the remaining
/// bytes. Once they are read, the stream is closed.
#[derive(Debug, Clone)]
pub struct MemoryInputPipe {
    buffer: Arc<Mutex<Bytes>>,
}

impl MemoryInputPipe {
    /// A pipe that yields `bytes`, then closes.
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        MemoryInputPipe {
            buffer: Arc::new(Mutex::new(bytes.into())),
        }
    }

    /// Whether every byte has been read.
    pub fn is_empty(&self) -> bool {
        lock(&self.buffer).is_empty()
    }
}

#[async_trait::async_trait]
impl Subscribe for MemoryInputPipe {
    async fn ready(&mut self) {}
}

impl HostInputStream for MemoryInputPipe {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        let mut buffer = lock(&self.buffer);
        if buffer.is_empty() {
            return Err(StreamError::Closed);
        }
        let n = size.min(buffer.len());
        Ok(buffer.split_to(n))
    }
}

/// An output stream that collects bytes in memory, up to a capacity. Clones
/// share the buffer, so the embedder keeps a clone to read
/// [`contents`](Self::contents) after the guest ran.
///
/// When the buffer is full the stream reports closed: a guest sees the same
/// as a pipe whose reader went away, and the host keeps what fitted.
///
/// Every clone is its own handle with its own `check_write` permit, and the
/// permits of all handles together never exceed the room left: a handle
/// that asks while the others hold all of it gets `Ok(0)`, and its
/// [`Subscribe::ready`] completes when some of that room is released (the
/// holder writes, asks again, or is dropped). So whatever a handle was
/// granted, its next write is accepted.
#[derive(Debug)]
pub struct MemoryOutputPipe {
    capacity: usize,
    shared: Arc<PipeShared>,
    /// The permit this handle holds: room reserved for its next write.
    granted: usize,
}

#[derive(Debug, Default)]
struct PipeState {
    buffer: BytesMut,
    /// The sum of the permits every handle holds.
    granted: usize,
}

#[derive(Debug, Default)]
struct PipeShared {
    state: Mutex<PipeState>,
    /// Signalled when a handle gives up (part of) its permit.
    released: Notify,
}

impl MemoryOutputPipe {
    /// A pipe that accepts up to `capacity` bytes.
    pub fn new(capacity: usize) -> Self {
        MemoryOutputPipe {
            capacity,
            shared: Arc::default(),
            granted: 0,
        }
    }

    /// A copy of everything written so far.
    pub fn contents(&self) -> Bytes {
        lock(&self.shared.state).buffer.clone().freeze()
    }

    /// The buffer, if this is the last clone.
    pub fn try_into_inner(self) -> Option<BytesMut> {
        let shared = Arc::clone(&self.shared);
        drop(self);
        Arc::into_inner(shared).map(|s| {
            let state = s.state.into_inner().unwrap_or_else(|p| p.into_inner());
            state.buffer
        })
    }

    /// How many bytes this handle may write now: its own permit and the room
    /// no handle holds.
    fn allowed(&self, state: &PipeState) -> usize {
        let room = self.capacity - state.buffer.len();
        self.granted + (room - state.granted)
    }

    /// Appends `len` bytes made by `fill` if this handle may write them;
    /// a write uses up the handle's permit.
    fn append(&mut self, len: usize, fill: impl FnOnce(&mut BytesMut)) -> StreamResult<()> {
        let mut state = lock(&self.shared.state);
        if len > self.allowed(&state) {
            return Err(StreamError::trap("write beyond the permit of check-write"));
        }
        release(&mut self.granted, &self.shared, &mut state);
        fill(&mut state.buffer);
        Ok(())
    }
}

/// Gives up the permit `granted` of a handle.
fn release(granted: &mut usize, shared: &PipeShared, state: &mut PipeState) {
    if *granted > 0 {
        state.granted -= *granted;
        *granted = 0;
        shared.released.notify_waiters();
    }
}

impl Clone for MemoryOutputPipe {
    /// Another handle to the same buffer, holding no permit yet.
    fn clone(&self) -> Self {
        MemoryOutputPipe {
            capacity: self.capacity,
            shared: Arc::clone(&self.shared),
            granted: 0,
        }
    }
}

impl Drop for MemoryOutputPipe {
    fn drop(&mut self) {
        if self.granted > 0 {
            release(
                &mut self.granted,
                &self.shared,
                &mut lock(&self.shared.state),
            );
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for MemoryOutputPipe {
    async fn ready(&mut self) {
        loop {
            let released = self.shared.released.notified();
            let mut released = std::pin::pin!(released);
            released.as_mut().enable();
            {
                let state = lock(&self.shared.state);
                // Ready when full (closed), or when there is room to grant.
                if state.buffer.len() == self.capacity || self.allowed(&state) > 0 {
                    return;
                }
            }
            released.await;
        }
    }
}

impl HostOutputStream for MemoryOutputPipe {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.write_from_slice(&bytes)
    }

    fn write_from_slice(&mut self, bytes: &[u8]) -> StreamResult<()> {
        self.append(bytes.len(), |buffer| buffer.extend_from_slice(bytes))
    }

    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        let mut state = lock(&self.shared.state);
        if state.buffer.len() == self.capacity {
            release(&mut self.granted, &self.shared, &mut state);
            return Err(StreamError::Closed);
        }
        // A new permit replaces this handle's previous one.
        let grant = self.allowed(&state);
        state.granted += grant - self.granted;
        self.granted = grant;
        Ok(grant)
    }

    fn write_zeroes(&mut self, size: usize) -> StreamResult<()> {
        self.append(size, |buffer| buffer.resize(buffer.len() + size, 0))
    }

    fn release_permit(&mut self) {
        release(
            &mut self.granted,
            &self.shared,
            &mut lock(&self.shared.state),
        );
    }

    /// One lock: appends `bytes` when this handle may write them all now.
    /// Writing into memory is delivery, so they are flushed.
    fn write_all_flushed_now(&mut self, bytes: &[u8]) -> StreamResult<bool> {
        let mut state = lock(&self.shared.state);
        if state.buffer.len() == self.capacity {
            release(&mut self.granted, &self.shared, &mut state);
            return Err(StreamError::Closed);
        }
        if bytes.len() > self.allowed(&state) {
            return Ok(false);
        }
        release(&mut self.granted, &self.shared, &mut state);
        state.buffer.extend_from_slice(bytes);
        Ok(true)
    }
}

/// An input stream that is closed from the start.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClosedInputStream;

#[async_trait::async_trait]
impl Subscribe for ClosedInputStream {
    async fn ready(&mut self) {}
}

impl HostInputStream for ClosedInputStream {
    fn read(&mut self, _size: usize) -> StreamResult<Bytes> {
        Err(StreamError::Closed)
    }
}

/// An output stream that is closed from the start.
#[derive(Debug, Clone, Copy, Default)]
pub struct ClosedOutputStream;

#[async_trait::async_trait]
impl Subscribe for ClosedOutputStream {
    async fn ready(&mut self) {}
}

impl HostOutputStream for ClosedOutputStream {
    fn write(&mut self, _bytes: Bytes) -> StreamResult<()> {
        Err(StreamError::Closed)
    }
    fn flush(&mut self) -> StreamResult<()> {
        Err(StreamError::Closed)
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        Err(StreamError::Closed)
    }
}

/// An output stream that accepts and discards everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct SinkOutputStream;

#[async_trait::async_trait]
impl Subscribe for SinkOutputStream {
    async fn ready(&mut self) {}
}

impl HostOutputStream for SinkOutputStream {
    fn write(&mut self, _bytes: Bytes) -> StreamResult<()> {
        Ok(())
    }
    fn write_from_slice(&mut self, _bytes: &[u8]) -> StreamResult<()> {
        Ok(())
    }
    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(usize::MAX)
    }
    fn write_zeroes(&mut self, _size: usize) -> StreamResult<()> {
        Ok(())
    }
    fn write_all_flushed_now(&mut self, _bytes: &[u8]) -> StreamResult<bool> {
        Ok(true)
    }
}

/// How much an [`AsyncReadStream`] reads ahead in one go.
const READ_CHUNK: usize = 64 * 1024;

/// An input stream over any tokio `AsyncRead`. A background task reads
/// ahead one chunk at a time, so `read` never blocks.
pub struct AsyncReadStream {
    buffer: Option<StreamResult<Bytes>>,
    receiver: mpsc::Receiver<StreamResult<Bytes>>,
    closed: bool,
    _task: AbortOnDropJoinHandle<()>,
}

impl AsyncReadStream {
    /// Starts reading `reader` in the background.
    pub fn new<T: AsyncRead + Send + 'static>(reader: T) -> Self {
        let mut reader = Box::pin(reader);
        let (sender, receiver) = mpsc::channel(1);
        let task = spawn(async move {
            loop {
                let mut buf = BytesMut::with_capacity(READ_CHUNK);
                let item = match reader.read_buf(&mut buf).await {
                    Ok(0) => Err(StreamError::Closed),
                    Ok(_) => Ok(buf.freeze()),
                    Err(e) => Err(StreamError::failed(e)),
                };
                let last = item.is_err();
                if sender.send(item).await.is_err() || last {
                    break;
                }
            }
        });
        AsyncReadStream {
            buffer: None,
            receiver,
            closed: false,
            _task: task,
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for AsyncReadStream {
    async fn ready(&mut self) {
        if self.buffer.is_some() || self.closed {
            return;
        }
        self.buffer = Some(match self.receiver.recv().await {
            Some(item) => item,
            None => Err(StreamError::Closed),
        });
    }
}

impl HostInputStream for AsyncReadStream {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.closed {
            return Err(StreamError::Closed);
        }
        let item = match self.buffer.take() {
            Some(item) => item,
            None => match self.receiver.try_recv() {
                Ok(item) => item,
                Err(mpsc::error::TryRecvError::Empty) => return Ok(Bytes::new()),
                Err(mpsc::error::TryRecvError::Disconnected) => Err(StreamError::Closed),
            },
        };
        match item {
            Ok(mut bytes) => {
                if bytes.len() > size {
                    let rest = bytes.split_off(size);
                    self.buffer = Some(Ok(rest));
                }
                Ok(bytes)
            }
            Err(e) => {
                self.closed = true;
                Err(e)
            }
        }
    }
}

/// Shared state of an [`AsyncWriteStream`] and its background writer.
#[derive(Default)]
struct WriterState {
    /// Bytes accepted but not yet written.
    pending: usize,
    queue: std::collections::VecDeque<Bytes>,
    flush_requested: bool,
    error: Option<std::io::Error>,
    closed: bool,
}

struct WriterShared {
    state: Mutex<WriterState>,
    /// Signals the writer task that there is work.
    work: Notify,
    /// Signals the stream that the writer made progress.
    progress: Notify,
}

/// An output stream over any tokio `AsyncWrite`. Accepted bytes are written
/// by a background task; `check_write` grants up to `write_budget` bytes
/// beyond what is still in flight.
pub struct AsyncWriteStream {
    budget: usize,
    shared: Arc<WriterShared>,
    _task: AbortOnDropJoinHandle<()>,
}

impl AsyncWriteStream {
    /// Starts a background writer for `writer`, accepting up to
    /// `write_budget` bytes in flight.
    pub fn new<T: AsyncWrite + Send + 'static>(write_budget: usize, writer: T) -> Self {
        let mut writer = Box::pin(writer);
        let shared = Arc::new(WriterShared {
            state: Mutex::new(WriterState::default()),
            work: Notify::new(),
            progress: Notify::new(),
        });
        let worker = shared.clone();
        let task = spawn(async move {
            loop {
                let (next, flush) = {
                    let mut state = lock(&worker.state);
                    if state.error.is_some() || state.closed {
                        break;
                    }
                    (state.queue.pop_front(), state.flush_requested)
                };
                let result = match (&next, flush) {
                    (Some(bytes), _) => writer.write_all(bytes).await,
                    (None, true) => writer.flush().await,
                    (None, false) => {
                        worker.work.notified().await;
                        continue;
                    }
                };
                let mut state = lock(&worker.state);
                match result {
                    Ok(()) => match next {
                        Some(bytes) => state.pending -= bytes.len(),
                        None => state.flush_requested = false,
                    },
                    Err(e) => state.error = Some(e),
                }
                drop(state);
                worker.progress.notify_waiters();
            }
        });
        AsyncWriteStream {
            budget: write_budget.max(1),
            shared,
            _task: task,
        }
    }

    /// Takes a recorded failure, closing the stream. A writer whose reader
    /// went away (`BrokenPipe`) is just closed, as the spec's streams are.
    fn take_error(state: &mut WriterState) -> StreamResult<()> {
        if let Some(e) = state.error.take() {
            state.closed = true;
            return Err(super::stream::write_failure(e));
        }
        if state.closed {
            return Err(StreamError::Closed);
        }
        Ok(())
    }
}

impl AsyncWriteStream {
    /// A future that completes when the stream can accept a write (or has
    /// failed). It owns what it needs, so it outlives a borrow of the
    /// stream.
    pub(crate) fn ready_owned(
        &self,
    ) -> impl std::future::Future<Output = ()> + Send + 'static + use<> {
        let shared = self.shared.clone();
        let budget = self.budget;
        async move {
            loop {
                let progressed = shared.progress.notified();
                let mut progressed = std::pin::pin!(progressed);
                progressed.as_mut().enable();
                {
                    let state = lock(&shared.state);
                    let idle = !state.flush_requested && state.pending < budget;
                    if idle || state.error.is_some() || state.closed {
                        return;
                    }
                }
                progressed.await;
            }
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for AsyncWriteStream {
    async fn ready(&mut self) {
        self.ready_owned().await
    }
}

impl HostOutputStream for AsyncWriteStream {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        let mut state = lock(&self.shared.state);
        Self::take_error(&mut state)?;
        if bytes.is_empty() {
            return Ok(());
        }
        if state.flush_requested || state.pending + bytes.len() > self.budget {
            return Err(StreamError::trap("write beyond the permit of check-write"));
        }
        state.pending += bytes.len();
        state.queue.push_back(bytes);
        drop(state);
        self.shared.work.notify_one();
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        let mut state = lock(&self.shared.state);
        Self::take_error(&mut state)?;
        state.flush_requested = true;
        drop(state);
        self.shared.work.notify_one();
        Ok(())
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        let mut state = lock(&self.shared.state);
        Self::take_error(&mut state)?;
        if state.flush_requested {
            return Ok(0);
        }
        Ok(self.budget - state.pending.min(self.budget))
    }
}
