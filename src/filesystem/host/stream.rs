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
//!   the blocking pool (one hop), a non-blocking `read` still reads at once
//!   (a regular file is always ready, as POSIX `poll` says: programs read
//!   an empty answer as the end of the file, so a read may not come back
//!   empty while the bytes are on their way), and a `write` starts a
//!   background write during which `check-write` grants nothing (a write
//!   of 0 bytes is still accepted). A flush completes only when that write
//!   is in the file, a stream dropped with a write in flight finishes the
//!   write, and every later operation on the file waits for it (see
//!   `order.rs`).
//!
//! A WASI 0.3 stream reads straight into the guest's buffer
//! (`read_into`: one copy, no allocation), where the rules above allow:
//! what the page cache holds first (`preadv2` with `RWF_NOWAIT` on Linux,
//! no thread hop), the rest as `read` reads it.
//!
//! A failed read or write is reported once as `last-operation-failed` with
//! an error that `filesystem-error-code` turns back into the spec code; the
//! stream is closed afterwards.

use super::File;
use super::order::{Order, Ticket};
use crate::filesystem::MAX_WRITE;
use crate::filesystem::error::stream_failure;
use crate::io::{HostInputStream, HostOutputStream, StreamError, StreamResult, Subscribe};
use crate::limits::Slot;
use crate::runtime::{AbortOnDropJoinHandle, blocking_allowed, poll_once, spawn_blocking};
use crate::runtime::{run_now, try_run_now};
use bytes::Bytes;
use std::io;
use std::sync::{Arc, Mutex};
use system_interface::fs::FileIoExt;

/// Where a stream's read or write stands in the file's [`Order`]: run now
/// after the background work issued so far, or in the background with a
/// place in line taken when the guest asked.
enum Turn {
    Now(Arc<Order>),
    Background(Ticket),
}

impl Turn {
    /// The turn of an operation issued now (in the background unless
    /// [`try_run_now`] would run it at once).
    fn take(order: &Arc<Order>, inline: bool) -> Turn {
        match run_now(inline) {
            Some(_) => Turn::Now(Arc::clone(order)),
            None => Turn::Background(order.ticket()),
        }
    }

    /// Runs `op` (blocking) when its turn comes; a background operation's
    /// place is given up when it is done.
    fn then<R>(self, op: impl FnOnce() -> R) -> R {
        match self {
            Turn::Now(order) => {
                order.wait_idle();
                op()
            }
            Turn::Background(ticket) => {
                ticket.wait_turn();
                op()
            }
        }
    }
}

/// One `pread` of up to `size` bytes at `offset` into a buffer of its own
/// (see [`super::file::pread_append`]).
fn read_once(f: &cap_std::fs::File, size: usize, offset: u64) -> io::Result<Bytes> {
    let mut buf = Vec::with_capacity(size);
    super::file::pread_append(f, &mut buf, offset)?;
    Ok(Bytes::from(buf))
}

/// One `pread` of what the page cache holds at `offset` into `buf`
/// (`preadv2` with `RWF_NOWAIT`: it never waits for the disk); `None` when
/// that would have to wait or the file system has no such reads (tmpfs).
#[cfg(target_os = "linux")]
fn read_cached(f: &cap_std::fs::File, buf: &mut [u8], offset: u64) -> Option<usize> {
    use rustix::io::{Errno, ReadWriteFlags, preadv2};
    // `u64::MAX` asks for the file's own offset.
    if offset == u64::MAX {
        return None;
    }
    loop {
        let bufs = &mut [io::IoSliceMut::new(buf)];
        match preadv2(f, bufs, offset, ReadWriteFlags::NOWAIT) {
            Ok(n) => return Some(n),
            Err(Errno::INTR) => {}
            // `EAGAIN`: not cached; `EOPNOTSUPP`: no such reads here.
            Err(_) => return None,
        }
    }
}

/// Elsewhere every read takes the ordinary path.
#[cfg(not(target_os = "linux"))]
fn read_cached(_: &cap_std::fs::File, _: &mut [u8], _: u64) -> Option<usize> {
    None
}

enum ReadState {
    /// No read in flight.
    Idle,
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
        self.file.blocking.inline || blocking_allowed()
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
        // Always ready: a read never waits for anything but the disk.
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
            ReadState::Idle if size == 0 => Ok(Bytes::new()),
            ReadState::Idle => {
                let file = self.file.file.clone();
                let order = Arc::clone(&self.file.order);
                let position = self.position;
                let read = move || {
                    order.wait_idle();
                    read_once(&file, size, position)
                };
                // Now, also where blocking is not allowed (see the module
                // docs); on a multi-thread runtime through `block_in_place`.
                let result = try_run_now(self.inline(), read).unwrap_or_else(|read| read());
                self.advance(&result);
                self.deliver(result, size)
            }
        }
    }

    fn read_into(&mut self, buf: &mut [u8]) -> Option<StreamResult<usize>> {
        // Only with nothing pending: no bytes of an earlier read held back,
        // no write of this file in flight (reads see every earlier write).
        if !matches!(self.state, ReadState::Idle) || !self.file.order.is_idle() {
            return None;
        }
        let (file, position) = (&self.file.file, self.position);
        // What the page cache holds without a thread hop; the rest as
        // `read` reads it (at once, see the module docs).
        let result = match read_cached(file, buf, position) {
            Some(n) => Ok(n),
            None => {
                let read = move || super::file::pread_into(file, buf, position);
                try_run_now(self.inline(), read).unwrap_or_else(|mut read| read())
            }
        };
        Some(match result {
            Ok(0) => {
                self.state = ReadState::Closed;
                Err(StreamError::Closed)
            }
            Ok(n) => {
                self.position = self.position.saturating_add(n as u64);
                Ok(n)
            }
            Err(e) => {
                self.state = ReadState::Closed;
                Err(StreamError::LastOperationFailed(stream_failure(e)))
            }
        })
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
    /// Starts `job` on the blocking pool, holding `task` (its slot in the
    /// context's budget of background tasks) until it ends.
    fn start(job: WriteJob, task: Slot) -> Self {
        let job = Arc::new(Mutex::new(Some(job)));
        let shared = Arc::clone(&job);
        let handle = spawn_blocking(move || {
            let _task = task;
            let job = shared.lock().unwrap_or_else(|p| p.into_inner()).take();
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
        self.file.blocking.inline || blocking_allowed()
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

    /// Checks that a write of `len` bytes may start now and claims its
    /// place: where it writes, or `None` for an empty write (accepted,
    /// nothing to do).
    fn accept(&mut self, len: usize) -> StreamResult<Option<WriteAt>> {
        self.settle();
        match self.state {
            WriteState::Ready => {}
            // Writing nothing is within any permit, 0 included.
            WriteState::Busy(_) if len == 0 => return Ok(None),
            WriteState::Busy(_) => {
                return Err(StreamError::trap("write to a file stream without a permit"));
            }
            WriteState::Failed(_) | WriteState::Closed => return Err(self.fail()),
        }
        if len > MAX_WRITE {
            return Err(StreamError::trap("write beyond the check-write permit"));
        }
        if len == 0 {
            return Ok(None);
        }
        // The mount's write limit: a write that does not fit whole fails
        // whole (`insufficient-space`), so nothing past the limit is
        // written. A write that fails on the host stays counted.
        let fits = self.file.written.reserve(len);
        if fits < len {
            self.file.written.unreserve(fits);
            self.state = WriteState::Failed(io::Error::from(rustix::io::Errno::NOSPC));
            return Err(self.fail());
        }
        let at = self.at;
        if let WriteAt::Position(p) = &mut self.at {
            *p = p.saturating_add(len as u64);
        }
        Ok(Some(at))
    }

    /// The answer to a write that ran now.
    fn finish(&mut self, result: io::Result<()>) -> StreamResult<()> {
        match result {
            Ok(()) => Ok(()),
            Err(e) => {
                self.state = WriteState::Failed(e);
                Err(self.fail())
            }
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
        let Some(at) = self.accept(bytes.len())? else {
            return Ok(());
        };
        let file = self.file.file.clone();
        let turn = Turn::take(&self.file.order, self.inline());
        let write = move || turn.then(|| Self::write_blocking(&file, at, &bytes));
        match try_run_now(self.inline(), write) {
            Ok(result) => self.finish(result),
            Err(write) => match self.file.blocking.task() {
                Some(task) => {
                    let background = BackgroundWrite::start(Box::new(write), task);
                    self.state = WriteState::Busy(background);
                    Ok(())
                }
                // The context's background tasks are spent: written now.
                None => self.finish(write()),
            },
        }
    }

    fn write_from_slice(&mut self, bytes: &[u8]) -> StreamResult<()> {
        // Straight from the caller's buffer when the write runs now; one
        // that goes to the background needs a copy of its own.
        if run_now(self.inline()).is_none() {
            return self.write(Bytes::copy_from_slice(bytes));
        }
        let Some(at) = self.accept(bytes.len())? else {
            return Ok(());
        };
        let (file, order) = (&self.file.file, &self.file.order);
        let write = || {
            order.wait_idle();
            Self::write_blocking(file, at, bytes)
        };
        let result = try_run_now(self.inline(), write).unwrap_or_else(|write| write());
        self.finish(result)
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
        // One write of a static buffer: nothing is allocated for the guest.
        static ZEROES: [u8; MAX_WRITE] = [0; MAX_WRITE];
        match ZEROES.get(..size) {
            Some(zeroes) => self.write(Bytes::from_static(zeroes)),
            None => Err(StreamError::trap(
                "write-zeroes beyond the check-write permit",
            )),
        }
    }
}
