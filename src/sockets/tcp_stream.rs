//! The input and output streams of a TCP connection.
//!
//! Both call the socket directly, without a task in between: a read is one
//! non-blocking `recv` into the buffer handed to the guest, a write one
//! non-blocking `send` of the guest's bytes. Only a write the kernel does
//! not take whole (its send buffer is full) hands the rest to a task,
//! which sends it as the socket drains; until it is done `check-write`
//! grants 0 and the stream's pollable waits for it. So at most one write's
//! worth of data ([`MAX_PERMIT`]) is ever held per connection, and small
//! writes cost one system call.
//!
//! The socket is registered with tokio's I/O driver only while async waits
//! need it (an async read that finds nothing, a pollable, a write task): a
//! registered socket wakes the driver's thread on every packet that
//! arrives, which on a bulk receive costs about as much CPU as the guest's
//! own work. A sync host call waits in the kernel instead
//! (`wait_readable`), so a sync guest's blocking reads and writes never
//! register it and do what a native blocking program does; a write task
//! lets the registration go when it is done, and a reader after
//! [`READS_BEFORE_UNREGISTER`] reads in a row that needed no wait.
//!
//! A write task whose stream was dropped keeps running until its data is
//! sent or the connection fails, as the kernel keeps sending what a closed
//! socket had queued: a guest that writes and then closes loses nothing.

use super::error::stream_error;
use crate::io::{HostInputStream, HostOutputStream, StreamError, StreamResult, Subscribe};
use bytes::{Buf, Bytes};
use rustix::event::{PollFd, PollFlags};
use rustix::net::{RecvFlags, SendFlags};
use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use tokio::io::Interest;
use tokio::io::unix::AsyncFd;
use tokio::task::JoinHandle;

/// The most bytes `check-write` grants at once.
pub(crate) const MAX_PERMIT: usize = 1 << 20;

/// A connected socket, shared by the socket resource and its streams.
#[derive(Debug)]
pub(crate) struct Connection {
    /// The socket's registration with tokio's I/O driver while async waits
    /// need it (see the module docs). Declared before `stream`: it is
    /// dropped, and so deregistered, before the socket closes. Clones of
    /// the `Arc` live only within a call or task that holds the connection
    /// too, so they never outlive it either.
    registration: Mutex<Option<Arc<AsyncFd<SocketFd>>>>,
    /// The socket, in non-blocking mode.
    pub(crate) stream: std::net::TcpStream,
    /// `shutdown(receive)` was called: the input stream is closed.
    read_shut: AtomicBool,
    /// `shutdown(send)` was called: the output stream is closed.
    write_shut: AtomicBool,
    /// A task is sending the rest of a write: it shuts the send side of
    /// the socket when done if `shutdown(send)` came meanwhile.
    sending: AtomicBool,
}

impl Connection {
    /// Takes over a connected socket from tokio (which registered it to
    /// wait for the connection): the streams register it again only if
    /// they wait the async way.
    pub(crate) fn new(stream: tokio::net::TcpStream) -> io::Result<Arc<Self>> {
        // Stays in non-blocking mode.
        let stream = stream.into_std()?;
        Ok(Arc::new(Connection {
            registration: Mutex::new(None),
            stream,
            read_shut: AtomicBool::new(false),
            write_shut: AtomicBool::new(false),
            sending: AtomicBool::new(false),
        }))
    }

    /// The socket's registration with the I/O driver of the current tokio
    /// runtime (the shared one outside any), made now if there is none.
    fn register(&self) -> io::Result<Arc<AsyncFd<SocketFd>>> {
        let mut slot = self
            .registration
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(fd) = &*slot {
            return Ok(fd.clone());
        }
        let _rt = crate::runtime::enter_ambient();
        let fd = SocketFd(self.stream.as_raw_fd());
        // SAFETY: the descriptor is `self.stream`'s, which is never
        // replaced and is closed only when `self` drops, after every clone
        // of the registration (see the field).
        let fd = unsafe {
            AsyncFd::register_with_interest(fd, Interest::READABLE | Interest::WRITABLE)
        }?;
        let fd = Arc::new(fd);
        *slot = Some(fd.clone());
        Ok(fd)
    }

    /// The registration, if there is one.
    fn registered(&self) -> Option<Arc<AsyncFd<SocketFd>>> {
        self.registration
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Drops the registration unless a wait is using it, so the driver
    /// stops waking for this socket.
    fn unregister(&self) {
        let mut slot = self
            .registration
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if slot.as_ref().is_some_and(|fd| Arc::strong_count(fd) == 1) {
            *slot = None;
        }
    }

    /// Shuts down one or both directions, for the OS and for the streams.
    /// A send in progress is finished first: the guest's writes were
    /// accepted, so they go out before the end of the stream, as from the
    /// OS's send queue (`finish_send` shuts the send side then).
    pub(crate) fn shutdown(&self, read: bool, write: bool) -> io::Result<()> {
        if read {
            self.read_shut.store(true, Ordering::Release);
        }
        if write {
            self.write_shut.store(true, Ordering::SeqCst);
        }
        let write_now = write && !self.sending.load(Ordering::SeqCst);
        match (read, write_now) {
            (true, true) => self.shutdown_os(rustix::net::Shutdown::Both),
            (true, false) => self.shutdown_os(rustix::net::Shutdown::Read),
            (false, true) => self.shutdown_os(rustix::net::Shutdown::Write),
            (false, false) => Ok(()),
        }
    }

    fn shutdown_os(&self, how: rustix::net::Shutdown) -> io::Result<()> {
        match rustix::net::shutdown(&self.stream, how) {
            // The peer already closed or reset: nothing is left to shut.
            Err(rustix::io::Errno::NOTCONN) => Ok(()),
            other => Ok(other?),
        }
    }

    /// A send task is done (sent or failed): shuts the send side if
    /// `shutdown(send)` came while it ran. (Both sides use `SeqCst`, so at
    /// least one of them sees the other's flag; shutting twice is
    /// harmless.)
    fn finish_send(&self) {
        self.sending.store(false, Ordering::SeqCst);
        if self.write_shut.load(Ordering::SeqCst) {
            let _ = self.shutdown_os(rustix::net::Shutdown::Write);
        }
    }
}

/// A connection's descriptor as tokio's I/O driver sees it; the connection
/// owns it.
#[derive(Debug)]
struct SocketFd(RawFd);

impl AsRawFd for SocketFd {
    fn as_raw_fd(&self) -> RawFd {
        self.0
    }
}

/// Reads in a row that found data without a wait, after which a reader
/// drops the socket's registration: a bulk receive that keeps the guest
/// busy needs no wake-ups, and each arriving packet would cost one. (A
/// reader that waits before most reads, as in request and response,
/// stays registered.)
const READS_BEFORE_UNREGISTER: u32 = 8;

/// The input stream of a connection.
pub(crate) struct TcpReader {
    conn: Arc<Connection>,
    /// End of stream, a failure, or `shutdown(receive)` was seen.
    closed: bool,
    /// The socket could not be registered for an async wait: the next
    /// read reports it.
    wait_error: Option<io::Error>,
    /// Reads with data since the last async wait.
    reads_since_wait: u32,
}

impl TcpReader {
    pub(crate) fn new(conn: Arc<Connection>) -> Self {
        TcpReader {
            conn,
            closed: false,
            wait_error: None,
            reads_since_wait: 0,
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for TcpReader {
    async fn ready(&mut self) {
        if self.closed || self.conn.read_shut.load(Ordering::Acquire) {
            return;
        }
        self.reads_since_wait = 0;
        match self.conn.register() {
            // An error is ready too: the next read reports it. The guard
            // is dropped without clearing: a read that finds nothing does.
            Ok(fd) => {
                let _ = fd.readable().await;
            }
            Err(e) => self.wait_error = Some(e),
        }
    }
}

#[async_trait::async_trait]
impl HostInputStream for TcpReader {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        self.receive(size, Via::Runtime)
    }

    async fn blocking_read(&mut self, size: usize) -> StreamResult<Bytes> {
        let mut via = Via::Runtime;
        loop {
            let bytes = self.receive(size, via)?;
            if !bytes.is_empty() || size == 0 {
                return Ok(bytes);
            }
            if crate::runtime::blocking_allowed() && wait_readable(&self.conn.stream) {
                // The kernel said readable; the runtime may not know yet.
                via = Via::Kernel;
                continue;
            }
            via = Via::Runtime;
            self.ready().await;
        }
    }
}

/// How a read reaches the socket.
#[derive(Clone, Copy)]
enum Via {
    /// Through tokio's readiness once the socket is registered: no system
    /// call while tokio knows the socket is drained, and an empty `recv`
    /// clears the readiness (so that the next async wait really waits).
    /// A plain `recv` while it is not registered.
    Runtime,
    /// A `recv` whatever tokio's readiness says: right after a wait in the
    /// kernel (`wait_readable`), which tokio's I/O thread may not have
    /// seen yet. A read that finds nothing leaves tokio's readiness as it
    /// was, which is always safe: it can only be "readable" too often.
    Kernel,
}

impl TcpReader {
    /// One non-blocking `recv` of up to `size` bytes (bounded by the
    /// caller: `io::ops::MAX_READ`): empty if nothing is there yet.
    fn receive(&mut self, size: usize, via: Via) -> StreamResult<Bytes> {
        if self.closed || self.conn.read_shut.load(Ordering::Acquire) {
            self.closed = true;
            return Err(StreamError::Closed);
        }
        if let Some(e) = self.wait_error.take() {
            self.closed = true;
            return Err(stream_error(e));
        }
        if size == 0 {
            return Ok(Bytes::new());
        }
        let mut buf = Vec::with_capacity(size);
        let stream = &self.conn.stream;
        let got = match (via, self.conn.registered()) {
            (Via::Runtime, Some(fd)) => {
                fd.try_io(Interest::READABLE, |_| recv_into(stream, &mut buf))
            }
            _ => recv_into(stream, &mut buf),
        };
        match got {
            Ok(0) => {
                self.closed = true;
                Err(StreamError::Closed)
            }
            Ok(_) => {
                self.reads_since_wait = self.reads_since_wait.saturating_add(1);
                if self.reads_since_wait == READS_BEFORE_UNREGISTER {
                    self.conn.unregister();
                }
                Ok(Bytes::from(buf))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Bytes::new()),
            Err(e) => {
                self.closed = true;
                Err(stream_error(e))
            }
        }
    }
}

/// One non-blocking `recv` into the spare capacity of `buf`.
fn recv_into(fd: impl AsFd, buf: &mut Vec<u8>) -> io::Result<usize> {
    let (n, _) = rustix::net::recv(fd, rustix::buffer::spare_capacity(buf), RecvFlags::DONTWAIT)?;
    Ok(n)
}

/// Waits in the kernel until `fd` is readable (or failed), on the calling
/// thread: for a sync host call, which owns its thread, this wakes the
/// guest's thread directly instead of through the runtime's I/O thread (one
/// thread hop less per wait: round trips as fast as a native blocking
/// `read`). `false` if the wait failed; the caller then waits the async way.
fn wait_readable(fd: impl AsFd) -> bool {
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    match rustix::event::poll(&mut fds, None) {
        Ok(_) | Err(rustix::io::Errno::INTR) => true,
        Err(_) => false,
    }
}

/// The state of an output stream.
enum WriteState {
    /// Writes go straight to the socket.
    Idle,
    /// A task is sending the rest of the last write.
    Sending(JoinHandle<io::Result<()>>),
    /// The background send failed; the next call reports it.
    Failed(io::Error),
    /// Closed: every call answers `closed`.
    Closed,
}

/// The output stream of a connection.
pub(crate) struct TcpWriter {
    conn: Arc<Connection>,
    state: WriteState,
}

impl TcpWriter {
    pub(crate) fn new(conn: Arc<Connection>) -> Self {
        TcpWriter {
            conn,
            state: WriteState::Idle,
        }
    }

    /// Takes the result of a finished background send, if any: the
    /// stream's state afterwards, or the error to report once.
    fn settle(&mut self) -> StreamResult<()> {
        let finished = match &self.state {
            WriteState::Sending(task) => task.is_finished(),
            WriteState::Failed(_) => true,
            _ => false,
        };
        if !finished {
            return Ok(());
        }
        match std::mem::replace(&mut self.state, WriteState::Idle) {
            WriteState::Failed(e) => {
                self.state = WriteState::Closed;
                Err(stream_error(e))
            }
            WriteState::Sending(task) => match crate::runtime::poll_once(task) {
                Some(Ok(Ok(()))) => Ok(()),
                Some(Ok(Err(e))) => {
                    self.state = WriteState::Closed;
                    Err(stream_error(e))
                }
                // The task panicked, or its runtime shut down.
                Some(Err(e)) => {
                    self.state = WriteState::Closed;
                    Err(StreamError::trap(e.to_string()))
                }
                // Unreachable: `is_finished` said it was done.
                None => Ok(()),
            },
            other => {
                self.state = other;
                Ok(())
            }
        }
    }

    fn check_open(&mut self) -> StreamResult<()> {
        if self.conn.write_shut.load(Ordering::Acquire) {
            self.state = WriteState::Closed;
        }
        match self.state {
            WriteState::Closed => Err(StreamError::Closed),
            _ => self.settle(),
        }
    }
}

/// Sends `rest` as the socket accepts it, then lets the registration go.
async fn send_rest(conn: Arc<Connection>, rest: Bytes) -> io::Result<()> {
    let result = send_all(&conn, rest).await;
    conn.unregister();
    conn.finish_send();
    result
}

/// Sends `rest` as the socket accepts it.
async fn send_all(conn: &Connection, mut rest: Bytes) -> io::Result<()> {
    let fd = conn.register()?;
    while !rest.is_empty() {
        let mut ready = fd.writable().await?;
        match ready.try_io(|_| send(&conn.stream, &rest)) {
            Ok(Ok(n)) => rest.advance(n),
            Ok(Err(e)) => return Err(e),
            // Would block: the readiness is cleared, wait again.
            Err(_) => {}
        }
    }
    Ok(())
}

/// One non-blocking `send` (without `SIGPIPE` on a closed connection).
fn send(fd: impl AsFd, bytes: &[u8]) -> io::Result<usize> {
    Ok(rustix::net::send(
        fd,
        bytes,
        SendFlags::DONTWAIT | SendFlags::NOSIGNAL,
    )?)
}

#[async_trait::async_trait]
impl Subscribe for TcpWriter {
    async fn ready(&mut self) {
        if let WriteState::Sending(task) = &mut self.state {
            self.state = match task.await {
                Ok(Ok(())) => WriteState::Idle,
                // Reported by the next `check-write`.
                Ok(Err(e)) => WriteState::Failed(e),
                Err(_) => WriteState::Closed,
            };
        }
    }
}

#[async_trait::async_trait]
impl HostOutputStream for TcpWriter {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.check_open()?;
        if bytes.is_empty() {
            return Ok(());
        }
        if matches!(self.state, WriteState::Sending(_)) || bytes.len() > MAX_PERMIT {
            return Err(StreamError::trap(
                "write beyond the permit of check-write on a TCP stream",
            ));
        }
        let sent = match send(&self.conn.stream, &bytes) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            Err(e) => {
                self.state = WriteState::Closed;
                return Err(stream_error(e));
            }
        };
        if sent < bytes.len() {
            let _rt = crate::runtime::enter_ambient();
            self.conn.sending.store(true, Ordering::SeqCst);
            let task = tokio::spawn(send_rest(self.conn.clone(), bytes.slice(sent..)));
            self.state = WriteState::Sending(task);
        }
        Ok(())
    }

    fn flush(&mut self) -> StreamResult<()> {
        // Written bytes are with the kernel or the send task already;
        // `check-write` grants again once the task is done.
        self.check_open()
    }

    fn write_zeroes(&mut self, size: usize) -> StreamResult<()> {
        // One write (the default's several would find the first one's send
        // task in progress); `size` is within the permit, checked by the
        // caller and by `write`.
        static ZEROES: [u8; MAX_PERMIT] = [0; MAX_PERMIT];
        match ZEROES.get(..size) {
            Some(zeroes) => self.write(Bytes::from_static(zeroes)),
            None => Err(StreamError::trap(
                "write-zeroes beyond the permit of check-write on a TCP stream",
            )),
        }
    }

    fn check_write(&mut self) -> StreamResult<usize> {
        self.check_open()?;
        match self.state {
            WriteState::Sending(_) => Ok(0),
            _ => Ok(MAX_PERMIT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A `shutdown(send)` that comes while a task still sends the rest of
    /// a write must not cut that data off. On a current-thread runtime the
    /// task cannot run before the shutdown, so without the deferral the
    /// peer would see the end of the stream early.
    #[test]
    fn shutdown_send_lets_a_send_in_progress_finish() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let peer = std::thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            let mut all = Vec::new();
            s.read_to_end(&mut all).unwrap();
            all
        });
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
            // A small send buffer: the kernel takes only part of the write.
            rustix::net::sockopt::set_socket_send_buffer_size(&stream, 4096).unwrap();
            let conn = Connection::new(stream).unwrap();
            let mut writer = TcpWriter::new(conn.clone());
            writer.write(Bytes::from(vec![7u8; MAX_PERMIT])).unwrap();
            assert!(
                conn.sending.load(Ordering::SeqCst),
                "the kernel took the whole write; the test needs a partial one"
            );
            conn.shutdown(false, true).unwrap();
            writer.ready().await;
        });
        let got = peer.join().unwrap();
        assert_eq!(got.len(), MAX_PERMIT);
        assert!(got.iter().all(|&b| b == 7));
    }
}
