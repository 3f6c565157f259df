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
//! What the host holds for all of a context's connections together is
//! bounded too (`Limits::socket_send_bytes`): a `check-write` permit takes
//! its bytes from the context's [`HeldBytes`] (so it may be smaller than
//! [`MAX_PERMIT`], or 0 while other streams hold all of it, and the
//! pollable then waits for room); a write gives back what the kernel took
//! at once, and the send task holds the rest until it is sent.
//!
//! The socket is registered with tokio's I/O driver only while async waits
//! need it (an async read that finds nothing, a pollable, a write task): a
//! registered socket wakes the driver's thread on every packet that
//! arrives, which on a bulk receive costs about as much CPU as the guest's
//! own work. A sync host call waits in the kernel instead
//! (`poll_readable`), so a sync guest's blocking reads and writes never
//! register it and do what a native blocking program does; a write task
//! lets the registration go when it is done, and a reader after
//! [`READS_BEFORE_UNREGISTER`] reads in a row that needed no wait.
//!
//! A reader that finds nothing spins briefly before it sleeps, in both
//! flavours ([`SPIN`]): it yields and asks the kernel again, so data that
//! is microseconds away is read without a sleep and a wake-up, and mostly
//! without the I/O driver. Spinning adapts per stream: a spin that finds
//! nothing turns it off until a sleep ends quickly again.
//!
//! A write task whose stream was dropped keeps running until its data is
//! sent or the connection fails, as the kernel keeps sending what a closed
//! socket had queued: a guest that writes and then closes loses nothing.

use super::error::stream_error;
use crate::io::{HostInputStream, HostOutputStream, StreamError, StreamResult, Subscribe};
use crate::limits::{Held, HeldBytes};
use bytes::{Buf, Bytes};
use rustix::event::{PollFd, PollFlags};
use rustix::net::{RecvFlags, SendFlags};
use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
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
    /// The context's budget of bytes held in sends.
    sends: HeldBytes,
}

impl Connection {
    /// Takes over a connected socket from tokio (which registered it to
    /// wait for the connection): the streams register it again only if
    /// they wait the async way. Its output stream's permits and background
    /// sends take from `sends`.
    pub(crate) fn new(stream: tokio::net::TcpStream, sends: HeldBytes) -> io::Result<Arc<Self>> {
        // Stays in non-blocking mode.
        let stream = stream.into_std()?;
        Ok(Arc::new(Connection {
            registration: Mutex::new(None),
            stream,
            read_shut: AtomicBool::new(false),
            write_shut: AtomicBool::new(false),
            sending: AtomicBool::new(false),
            sends,
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

/// How long a read that finds nothing spins (yields, then checks the
/// socket again) before it sleeps: as long as Linux suggests for its own
/// busy polling of sockets (`net.core.busy_read`). On a bulk transfer the
/// next segment is usually a few microseconds away, while sleeping costs
/// a wake-up (tens of microseconds on a virtual machine whose core went
/// idle) and, for an async wait, two thread hops through the I/O driver,
/// whose thread also wakes for every packet while the socket is
/// registered.
const SPIN: Duration = Duration::from_micros(50);

/// A sleep that ends within this time turns spinning back on for the
/// stream: its data comes quickly again (the sleep's own wake-up takes
/// tens of microseconds of it). A stream whose spin found nothing sleeps
/// at once until then, so an idle connection costs no spinning, and one
/// whose data comes at longer intervals than the spin but shorter than
/// this (where each spin is wasted) costs a spin every other wait at most.
const SPIN_AGAIN_WITHIN: Duration = Duration::from_micros(100);

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
    /// Waits spin before they sleep (see [`SPIN`]).
    spin: bool,
    /// The kernel said readable after a spin or a sleep on this thread,
    /// which tokio's I/O driver may not have seen yet: the next read asks
    /// the socket itself, not tokio's readiness. (Such a read finding
    /// nothing leaves tokio's readiness as it was, which is always safe:
    /// it can only be "readable" too often.)
    kernel_readable: bool,
}

impl TcpReader {
    pub(crate) fn new(conn: Arc<Connection>) -> Self {
        TcpReader {
            conn,
            closed: false,
            wait_error: None,
            reads_since_wait: 0,
            spin: true,
            kernel_readable: false,
        }
    }

    fn is_closed(&self) -> bool {
        self.closed || self.conn.read_shut.load(Ordering::Acquire)
    }

    /// Spins for up to [`SPIN`] until the socket is readable (or failed):
    /// `true` if it became so, `false` if not or if the kernel could not
    /// say. Between checks it yields the thread (a sync call, which owns
    /// its thread) or the task (an async wait, which must not hold up the
    /// executor or the other pollables of a `poll`). A spin that finds
    /// nothing turns spinning off.
    async fn spin_until_readable(&mut self, yield_thread: bool) -> bool {
        let since = Instant::now();
        loop {
            match poll_readable(&self.conn.stream, false) {
                Some(true) => {
                    self.kernel_readable = true;
                    return true;
                }
                // The async wait will find out.
                None => return false,
                Some(false) => {}
            }
            if since.elapsed() >= SPIN {
                self.spin = false;
                return false;
            }
            if yield_thread {
                std::thread::yield_now();
            } else {
                tokio::task::yield_now().await;
            }
        }
    }

    /// A sleep that began at `since` has ended: spinning comes back if it
    /// was short.
    fn slept(&mut self, since: Instant) {
        self.spin = since.elapsed() < SPIN_AGAIN_WITHIN;
    }
}

#[async_trait::async_trait]
impl Subscribe for TcpReader {
    async fn ready(&mut self) {
        if self.is_closed() {
            return;
        }
        if self.spin && self.spin_until_readable(false).await {
            return;
        }
        let since = Instant::now();
        self.reads_since_wait = 0;
        match self.conn.register() {
            // An error is ready too: the next read reports it. The guard
            // is dropped without clearing: a read that finds nothing does.
            Ok(fd) => {
                let _ = fd.readable().await;
            }
            Err(e) => self.wait_error = Some(e),
        }
        self.slept(since);
    }
}

#[async_trait::async_trait]
impl HostInputStream for TcpReader {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        self.receive(size)
    }

    fn read_into(&mut self, buf: &mut [u8]) -> Option<StreamResult<usize>> {
        Some(self.receive_with(|stream| recv_slice(stream, buf)))
    }

    async fn blocking_read(&mut self, size: usize) -> StreamResult<Bytes> {
        loop {
            let bytes = self.receive(size)?;
            if !bytes.is_empty() || size == 0 {
                return Ok(bytes);
            }
            // A sync call owns its thread: it spins and sleeps there, in
            // the kernel, and is woken directly instead of through the I/O
            // driver's thread (round trips as fast as a native blocking
            // `read`). If that sleep fails, it waits the async way.
            if crate::runtime::blocking_allowed() {
                if self.spin && self.spin_until_readable(true).await {
                    continue;
                }
                let since = Instant::now();
                if poll_readable(&self.conn.stream, true).is_some() {
                    self.kernel_readable = true;
                    self.slept(since);
                    continue;
                }
            }
            self.ready().await;
        }
    }
}

impl TcpReader {
    /// One non-blocking `recv` of up to `size` bytes (bounded by the
    /// caller: `io::ops::MAX_READ`): empty if nothing is there yet.
    fn receive(&mut self, size: usize) -> StreamResult<Bytes> {
        if size == 0 {
            self.check_open()?;
            return Ok(Bytes::new());
        }
        let mut buf = Vec::with_capacity(size);
        self.receive_with(|stream| recv_into(stream, &mut buf))?;
        Ok(Bytes::from(buf))
    }

    /// `Closed`, or the error a wait saw, if the stream has ended.
    fn check_open(&mut self) -> StreamResult<()> {
        if self.is_closed() {
            self.closed = true;
            return Err(StreamError::Closed);
        }
        if let Some(e) = self.wait_error.take() {
            self.closed = true;
            return Err(stream_error(e));
        }
        Ok(())
    }

    /// Runs `recv`, one non-blocking `recv` on the socket returning the
    /// byte count: `Ok(0)` if nothing is there yet, `Closed` at the end.
    ///
    /// While the socket is registered the read goes through tokio's
    /// readiness (unless [`TcpReader::kernel_readable`]): no system call
    /// while tokio knows the socket is drained, and an empty `recv` clears
    /// the readiness, so that the next async wait really waits.
    fn receive_with(
        &mut self,
        mut recv: impl FnMut(&std::net::TcpStream) -> io::Result<usize>,
    ) -> StreamResult<usize> {
        self.check_open()?;
        let stream = &self.conn.stream;
        let via_tokio = !std::mem::take(&mut self.kernel_readable);
        let got = match self.conn.registered() {
            Some(fd) if via_tokio => fd.try_io(Interest::READABLE, |_| recv(stream)),
            _ => recv(stream),
        };
        match got {
            Ok(0) => {
                self.closed = true;
                Err(StreamError::Closed)
            }
            Ok(n) => {
                self.reads_since_wait = self.reads_since_wait.saturating_add(1);
                if self.reads_since_wait == READS_BEFORE_UNREGISTER {
                    self.conn.unregister();
                }
                Ok(n)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
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

/// One non-blocking `recv` into `buf`.
fn recv_slice(fd: impl AsFd, buf: &mut [u8]) -> io::Result<usize> {
    let (n, _) = rustix::net::recv(fd, buf, RecvFlags::DONTWAIT)?;
    Ok(n)
}

/// Asks the kernel, on the calling thread, whether `fd` is readable (or
/// failed, or closed: a read then says so), waiting until it is if
/// `sleep`: whether the caller should read now. `None` if the kernel could
/// not say (the caller then waits the async way); an interrupted sleep
/// merely reads early.
fn poll_readable(fd: impl AsFd, sleep: bool) -> Option<bool> {
    const NOW: rustix::event::Timespec = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    let mut fds = [PollFd::new(&fd, PollFlags::IN)];
    match rustix::event::poll(&mut fds, if sleep { None } else { Some(&NOW) }) {
        Ok(n) => Some(n > 0),
        Err(rustix::io::Errno::INTR) => Some(true),
        Err(_) => None,
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
    /// The bytes the last `check-write` granted and no write used yet,
    /// taken from the context's budget of bytes held in sends.
    permit: Option<Held>,
}

impl TcpWriter {
    pub(crate) fn new(conn: Arc<Connection>) -> Self {
        TcpWriter {
            conn,
            state: WriteState::Idle,
            permit: None,
        }
    }

    /// The permit, grown to cover `n` bytes; `None` when `n` is beyond
    /// what was granted and the budget has no room for the difference (a
    /// write with no `check-write` before it is allowed while it fits).
    fn permit_for(&mut self, n: usize) -> Option<Held> {
        let mut permit = match self.permit.take() {
            Some(p) => p,
            None => return self.conn.sends.take(n),
        };
        let missing = n.saturating_sub(permit.len());
        (missing == 0 || permit.grow(&self.conn.sends, missing)).then_some(permit)
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

/// Sends `rest` as the socket accepts it, then lets the registration go
/// and gives back `held`, the bytes it took from the context's budget.
async fn send_rest(conn: Arc<Connection>, rest: Bytes, held: Held) -> io::Result<()> {
    let result = send_all(&conn, rest).await;
    drop(held);
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
        // An open stream with nothing granted: `check-write` grants again
        // once the context's sends have room.
        let granted = self.permit.as_ref().is_some_and(|p| p.len() > 0);
        if matches!(self.state, WriteState::Idle)
            && !granted
            && !self.conn.write_shut.load(Ordering::Acquire)
        {
            self.conn.sends.room().await;
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
        let permit = match self.state {
            WriteState::Sending(_) => None,
            _ if bytes.len() > MAX_PERMIT => None,
            _ => self.permit_for(bytes.len()),
        };
        let Some(mut permit) = permit else {
            return Err(StreamError::trap(
                "write beyond the permit of check-write on a TCP stream",
            ));
        };
        let sent = match send(&self.conn.stream, &bytes) {
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => 0,
            Err(e) => {
                self.state = WriteState::Closed;
                return Err(stream_error(e));
            }
        };
        if sent < bytes.len() {
            // The task holds what is left to send; the rest of the permit
            // goes back (`check-write` grants nothing until it is done).
            let held = permit.split_off(bytes.len() - sent);
            drop(permit);
            let _rt = crate::runtime::enter_ambient();
            self.conn.sending.store(true, Ordering::SeqCst);
            let task = tokio::spawn(send_rest(self.conn.clone(), bytes.slice(sent..), held));
            self.state = WriteState::Sending(task);
        } else {
            // What the kernel took needs no room here; the rest of the
            // permit stays for the next write.
            permit.give_back(sent);
            self.permit = Some(permit);
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
        if let WriteState::Sending(_) = self.state {
            return Ok(0);
        }
        // A new permit replaces the last one: what is left of that is
        // topped up, so asking again costs one atomic operation.
        match &mut self.permit {
            Some(permit) => {
                permit.grow_up_to(&self.conn.sends, MAX_PERMIT.saturating_sub(permit.len()))
            }
            None => self.permit = self.conn.sends.take_up_to(MAX_PERMIT),
        }
        Ok(self.permit.as_ref().map_or(0, Held::len))
    }

    fn release_permit(&mut self) {
        self.permit = None;
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
            let conn = Connection::new(stream, HeldBytes::new(usize::MAX)).unwrap();
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

    /// A connected reader and the peer's end, on `rt`.
    fn reader_and_peer(rt: &tokio::runtime::Runtime) -> (TcpReader, std::net::TcpStream) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let stream = rt.block_on(tokio::net::TcpStream::connect(addr)).unwrap();
        let (peer, _) = listener.accept().unwrap();
        (
            TcpReader::new(Connection::new(stream, HeldBytes::new(usize::MAX)).unwrap()),
            peer,
        )
    }

    fn current_thread() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    /// Sends `bytes` from `peer` after `delay`, on another thread.
    fn send_later(
        mut peer: std::net::TcpStream,
        delay: Duration,
        bytes: &'static [u8],
    ) -> std::thread::JoinHandle<std::net::TcpStream> {
        std::thread::spawn(move || {
            std::thread::sleep(delay);
            std::io::Write::write_all(&mut peer, bytes).unwrap();
            peer
        })
    }

    /// A read whose data comes long after the spin gave up turns spinning
    /// off for the stream (an idle connection costs no spinning), in the
    /// async flavour and in the sync one (a sync host call, which sleeps in
    /// the kernel).
    #[test]
    fn a_long_wait_turns_spinning_off() {
        let rt = current_thread();
        let (mut reader, peer) = reader_and_peer(&rt);
        assert!(reader.spin);
        let peer = send_later(peer, Duration::from_millis(20), b"late");
        let got = rt.block_on(reader.blocking_read(64)).unwrap();
        assert_eq!(&got[..], b"late");
        assert!(!reader.spin, "a 20 ms wait left spinning on");

        reader.spin = true;
        let _peer = send_later(peer.join().unwrap(), Duration::from_millis(20), b"later");
        let got = crate::runtime::block_on(reader.blocking_read(64)).unwrap();
        assert_eq!(&got[..], b"later");
        assert!(!reader.spin, "a 20 ms sleep in the kernel left spinning on");
    }

    /// Data that is there when a spin looks is read at once, even while
    /// tokio's readiness for the registered socket still says "drained"
    /// (its I/O driver has not run since): the read after the spin asks
    /// the socket, not tokio.
    #[test]
    fn a_spin_that_sees_data_reads_it_past_stale_readiness() {
        let rt = current_thread();
        let (mut reader, peer) = reader_and_peer(&rt);
        // Register the socket through a real async wait, then drain it so
        // that tokio's readiness is cleared.
        reader.spin = false;
        let mut peer = send_later(peer, Duration::from_millis(5), b"first")
            .join()
            .unwrap();
        rt.block_on(reader.ready());
        assert!(reader.conn.registered().is_some());
        assert_eq!(&reader.read(64).unwrap()[..], b"first");
        assert!(reader.read(64).unwrap().is_empty());

        std::io::Write::write_all(&mut peer, b"second").unwrap();
        // The data is in the socket before the spin's first look.
        while poll_readable(&reader.conn.stream, false) != Some(true) {
            std::thread::yield_now();
        }
        reader.spin = true;
        rt.block_on(reader.ready());
        assert_eq!(&reader.read(64).unwrap()[..], b"second");
        assert!(reader.spin);
    }
}
