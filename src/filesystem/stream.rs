//! File streams: `read-via-stream`, `write-via-stream` and
//! `append-via-stream`.
//!
//! Each stream keeps its own position (streams on one file do not interfere
//! with each other or with `read`/`write`). File I/O blocks, so:
//!
//! * when blocking is allowed on the calling thread (a sync host call,
//!   `allow_blocking_current_thread`, or a worker of a multi-threaded tokio
//!   runtime through `block_in_place`, see `crate::runtime::try_run_now`) every
//!   read and write runs at once;
//! * otherwise (a current-thread runtime) `blocking-read` does its read on
//!   the blocking pool (one hop), a non-blocking `read` starts a background
//!   read and returns nothing until it completes (the stream's pollable is
//!   ready then), and a `write` starts a background write during which
//!   `check-write` grants nothing (a write of 0 bytes is still accepted).
//!   A flush completes only when that write is in the file, and a stream
//!   dropped with a write in flight finishes the write.
//!
//! A failed read or write is reported once as `last-operation-failed` with
//! an error that `filesystem-error-code` turns back into the spec code; the
//! stream is closed afterwards.

use super::File;
use super::error::stream_failure;
use crate::io::{HostInputStream, HostOutputStream, StreamError, StreamResult, Subscribe};
use crate::runtime::try_run_now;
use crate::runtime::{AbortOnDropJoinHandle, blocking_allowed, poll_once, spawn_blocking};
use bytes::Bytes;
use std::io;
use std::sync::{Arc, Mutex};
use system_interface::fs::FileIoExt;

/// The most bytes one write may carry (the permit `check-write` grants).
pub const MAX_WRITE: usize = 1 << 20;

/// One `pread` of up to `size` bytes at `offset`, retried on `EINTR`.
fn read_once(f: &cap_std::fs::File, size: usize, offset: u64) -> io::Result<Bytes> {
    let mut buf = vec![0; size];
    loop {
        match f.read_at(&mut buf, offset) {
            Ok(n) => {
                buf.truncate(n);
                return Ok(Bytes::from(buf));
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

enum ReadState {
    /// No read in flight.
    Idle,
    /// A background read of the given offset.
    Pending(AbortOnDropJoinHandle<io::Result<Bytes>>),
    /// A completed background read not yet handed to the guest.
    Done(io::Result<Bytes>),
    /// End of file was reached, or a read failed.
    Closed,
}

/// The input stream of `read-via-stream`: reads from a position that it
/// advances.
pub struct FileInputStream {
    file: File,
    position: u64,
    state: ReadState,
}

impl FileInputStream {
    /// A stream reading `file` from `offset`.
    pub fn new(file: File, offset: u64) -> Self {
        FileInputStream {
            file,
            position: offset,
            state: ReadState::Idle,
        }
    }

    fn inline(&self) -> bool {
        self.file.allow_blocking_current_thread || blocking_allowed()
    }

    /// Hands out (up to `size` bytes of) a completed read.
    fn deliver(&mut self, result: io::Result<Bytes>, size: usize) -> StreamResult<Bytes> {
        match result {
            Ok(bytes) if bytes.is_empty() => {
                self.state = ReadState::Closed;
                Err(StreamError::Closed)
            }
            Ok(mut bytes) => {
                if bytes.len() > size {
                    let rest = bytes.split_off(size);
                    self.state = ReadState::Done(Ok(rest));
                }
                Ok(bytes)
            }
            Err(e) => {
                self.state = ReadState::Closed;
                Err(StreamError::LastOperationFailed(stream_failure(e)))
            }
        }
    }

    /// Advances the position past a completed read.
    fn advance(&mut self, result: &io::Result<Bytes>) {
        if let Ok(bytes) = result {
            self.position = self.position.saturating_add(bytes.len() as u64);
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for FileInputStream {
    async fn ready(&mut self) {
        if let ReadState::Pending(handle) = &mut self.state {
            let result = handle.await;
            self.advance(&result);
            self.state = ReadState::Done(result);
        }
    }
}

#[async_trait::async_trait]
impl HostInputStream for FileInputStream {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        match std::mem::replace(&mut self.state, ReadState::Idle) {
            ReadState::Closed => {
                self.state = ReadState::Closed;
                Err(StreamError::Closed)
            }
            ReadState::Done(result) => self.deliver(result, size),
            ReadState::Pending(mut handle) => {
                let finished = if handle.is_finished() {
                    poll_once(&mut handle)
                } else {
                    None
                };
                match finished {
                    Some(result) => {
                        self.advance(&result);
                        self.deliver(result, size)
                    }
                    None => {
                        self.state = ReadState::Pending(handle);
                        Ok(Bytes::new())
                    }
                }
            }
            ReadState::Idle if size == 0 => Ok(Bytes::new()),
            ReadState::Idle => {
                let file = self.file.file.clone();
                let position = self.position;
                let read = move || read_once(&file, size, position);
                match try_run_now(self.inline(), read) {
                    Ok(result) => {
                        self.advance(&result);
                        self.deliver(result, size)
                    }
                    Err(read) => {
                        self.state = ReadState::Pending(spawn_blocking(read));
                        Ok(Bytes::new())
                    }
                }
            }
        }
    }

    async fn blocking_read(&mut self, size: usize) -> StreamResult<Bytes> {
        if let ReadState::Idle = self.state {
            if size == 0 {
                return Ok(Bytes::new());
            }
            let position = self.position;
            let result = self.file.run(move |f| read_once(f, size, position)).await;
            self.advance(&result);
            return self.deliver(result, size);
        }
        self.ready().await;
        self.read(size)
    }

    async fn blocking_skip(&mut self, size: usize) -> StreamResult<usize> {
        Ok(self.blocking_read(size).await?.len())
    }
}

/// Where a file output stream writes.
#[derive(Clone, Copy)]
enum WriteAt {
    /// At this position, advanced by each write.
    Position(u64),
    /// At the end of the file, whatever it is at the time.
    Append,
}

/// A blocking write, run once by whoever claims it first.
type WriteJob = Box<dyn FnOnce() -> io::Result<()> + Send>;

/// A write handed to the blocking pool. The job sits in a slot that the
/// pool thread empties when it starts; if the stream is dropped before
/// that, the drop runs the job itself, so a dropped stream never loses a
/// write it accepted (aborting the task alone would, on a current-thread
/// runtime, before the pool got to it).
struct BackgroundWrite {
    job: Arc<Mutex<Option<WriteJob>>>,
    /// `None` when the drop ran the job (never seen by a live stream).
    handle: AbortOnDropJoinHandle<Option<io::Result<()>>>,
}

impl BackgroundWrite {
    fn start(job: WriteJob) -> Self {
        let job = Arc::new(Mutex::new(Some(job)));
        let slot = Arc::clone(&job);
        let handle = spawn_blocking(move || {
            let job = slot.lock().unwrap_or_else(|p| p.into_inner()).take();
            job.map(|job| job())
        });
        BackgroundWrite { job, handle }
    }

    /// The result of a finished write.
    fn outcome(result: Option<io::Result<()>>) -> WriteState {
        match result {
            Some(Ok(())) | None => WriteState::Ready,
            Some(Err(e)) => WriteState::Failed(e),
        }
    }
}

impl Drop for BackgroundWrite {
    fn drop(&mut self) {
        let job = self.job.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(job) = job {
            // Not started yet: do it now. Its error has no one to go to.
            let _ = job();
        }
        // Otherwise the pool thread is running it; it finishes on its own.
    }
}

enum WriteState {
    /// Accepting writes.
    Ready,
    /// A background write in flight.
    Busy(BackgroundWrite),
    /// A write failed; reported by the next operation.
    Failed(io::Error),
    /// Closed after a failure was reported.
    Closed,
}

/// The output stream of `write-via-stream` and `append-via-stream`.
pub struct FileOutputStream {
    file: File,
    at: WriteAt,
    state: WriteState,
}

impl FileOutputStream {
    /// A stream writing `file` from `offset` on.
    pub fn at(file: File, offset: u64) -> Self {
        FileOutputStream {
            file,
            at: WriteAt::Position(offset),
            state: WriteState::Ready,
        }
    }

    /// A stream appending to `file`.
    pub fn append(file: File) -> Self {
        FileOutputStream {
            file,
            at: WriteAt::Append,
            state: WriteState::Ready,
        }
    }

    fn inline(&self) -> bool {
        self.file.allow_blocking_current_thread || blocking_allowed()
    }

    /// Collects a finished background write, if any.
    fn settle(&mut self) {
        if let WriteState::Busy(write) = &mut self.state
            && write.handle.is_finished()
            && let Some(result) = poll_once(&mut write.handle)
        {
            self.state = BackgroundWrite::outcome(result);
        }
    }

    /// Reports a failure once, then stays closed.
    fn fail(&mut self) -> StreamError {
        match std::mem::replace(&mut self.state, WriteState::Closed) {
            WriteState::Failed(e) => StreamError::LastOperationFailed(stream_failure(e)),
            _ => StreamError::Closed,
        }
    }

    /// The write itself (blocking).
    fn write_blocking(file: &cap_std::fs::File, at: WriteAt, bytes: &[u8]) -> io::Result<()> {
        match at {
            WriteAt::Position(offset) => super::file::write_all_at(file, bytes, offset),
            WriteAt::Append => file.append_all(bytes),
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for FileOutputStream {
    async fn ready(&mut self) {
        if let WriteState::Busy(write) = &mut self.state {
            let result = (&mut write.handle).await;
            self.state = BackgroundWrite::outcome(result);
        }
    }
}

#[async_trait::async_trait]
impl HostOutputStream for FileOutputStream {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.settle();
        match self.state {
            WriteState::Ready => {}
            // Writing nothing is within any permit, 0 included.
            WriteState::Busy(_) if bytes.is_empty() => return Ok(()),
            WriteState::Busy(_) => {
                return Err(StreamError::trap("write to a file stream without a permit"));
            }
            WriteState::Failed(_) | WriteState::Closed => return Err(self.fail()),
        }
        if bytes.len() > MAX_WRITE {
            return Err(StreamError::trap("write beyond the check-write permit"));
        }
        if bytes.is_empty() {
            return Ok(());
        }
        let at = self.at;
        if let WriteAt::Position(p) = &mut self.at {
            *p = p.saturating_add(bytes.len() as u64);
        }
        let file = self.file.file.clone();
        let write = move || Self::write_blocking(&file, at, &bytes);
        match try_run_now(self.inline(), write) {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => {
                self.state = WriteState::Failed(e);
                Err(self.fail())
            }
            Err(write) => {
                let job: WriteJob = Box::new(write);
                self.state = WriteState::Busy(BackgroundWrite::start(job));
                Ok(())
            }
        }
    }

    fn flush(&mut self) -> StreamResult<()> {
        // Writes go straight to the file; a write in flight keeps
        // `check-write` at zero until it is done.
        self.settle();
        match self.state {
            WriteState::Ready | WriteState::Busy(_) => Ok(()),
            WriteState::Failed(_) | WriteState::Closed => Err(self.fail()),
        }
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        self.settle();
        match self.state {
            WriteState::Ready => Ok(MAX_WRITE),
            WriteState::Busy(_) => Ok(0),
            WriteState::Failed(_) | WriteState::Closed => Err(self.fail()),
        }
    }

    fn write_zeroes(&mut self, size: usize) -> StreamResult<()> {
        // Bound the allocation by the permit before making it.
        if size > MAX_WRITE {
            return Err(StreamError::trap(
                "write-zeroes beyond the check-write permit",
            ));
        }
        self.write(Bytes::from(vec![0; size]))
    }
}
