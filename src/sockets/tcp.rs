//! The TCP socket of `wasi:sockets/tcp`: the spec's state machine over
//! non-blocking OS sockets, driven by tokio.
//!
//! Nothing here spawns a task or blocks: each call does its system call
//! at once (`bind`, `listen`, a non-blocking `connect`), and what has to
//! wait (a connection being established, a connection to accept, a policy
//! check that did not answer at once) is a future kept in the socket. The
//! socket's pollable ([`Subscribe::ready`]) and the `finish-*`/`accept`
//! calls poll that future; dropping the socket drops it, so a guest that
//! drops a socket in any state leaves nothing running.
//!
//! States (the spec's names): `unbound` → `bind-in-progress` → `bound` →
//! `listen-in-progress` → `listening`, or `unbound`/`bound` →
//! `connect-in-progress` → `connected`; a failed connection attempt ends
//! in `closed`.

use super::buffer;
use super::error::connect_error;
use super::policy::{Verdict, is_ipv4_mapped, is_unicast, is_valid_remote};
use super::tcp_stream::{Connection, TcpReader, TcpWriter};
use super::{
    ErrorCode, IpAddressFamily, ShutdownType, SocketAddrCheck, SocketAddrUse, SocketError,
    SocketResult,
};
use crate::io::{InputStream, OutputStream, Subscribe};
use crate::limits::HeldBytes;
use rustix::net::{AddressFamily, SocketFlags, SocketType, sockopt};
use std::future::poll_fn;
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::Interest;
use tokio::net::{TcpListener, TcpStream};

/// The listen backlog used when the guest sets none.
const DEFAULT_BACKLOG: i32 = 128;

/// The largest keep-alive idle time and interval Linux accepts, in seconds
/// (`MAX_TCP_KEEPIDLE`, `MAX_TCP_KEEPINTVL`).
const MAX_KEEPALIVE_SECS: u64 = 32767;
/// The largest keep-alive probe count Linux accepts (`MAX_TCP_KEEPCNT`).
const MAX_KEEPALIVE_COUNT: u32 = 127;

/// The host side of `wasi:sockets/tcp.tcp-socket`.
pub(crate) struct OsTcpSocket {
    family: IpAddressFamily,
    state: State,
    /// The backlog for `listen` (already clamped).
    backlog: i32,
    /// The context's budget of bytes held in sends, for the output
    /// streams of its connections.
    sends: HeldBytes,
}

impl std::fmt::Debug for OsTcpSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OsTcpSocket")
            .field("family", &self.family)
            .field("state", &self.state.name())
            .finish()
    }
}

enum State {
    Unbound(OwnedFd),
    BindStarted(Box<Binding>),
    Bound(OwnedFd),
    ListenStarted(Box<ListenStart>),
    Listening(Box<Listener>),
    Connecting(Box<Connecting>),
    Connected(Arc<Connection>),
    Closed,
}

impl State {
    fn name(&self) -> &'static str {
        match self {
            State::Unbound(_) => "unbound",
            State::BindStarted(_) => "bind-in-progress",
            State::Bound(_) => "bound",
            State::ListenStarted(_) => "listen-in-progress",
            State::Listening(_) => "listening",
            State::Connecting(_) => "connect-in-progress",
            State::Connected(_) => "connected",
            State::Closed => "closed",
        }
    }

    /// Whether an asynchronous operation is in progress.
    fn in_progress(&self) -> bool {
        matches!(
            self,
            State::BindStarted(_) | State::ListenStarted(_) | State::Connecting(_)
        )
    }
}

/// A bind whose policy check may still be running.
struct Binding {
    fd: OwnedFd,
    addr: SocketAddr,
    verdict: Verdict,
    /// The OS bind is done (it happens as soon as the policy allows it).
    bound: bool,
}

/// A listen whose policy check may still be running.
struct ListenStart {
    /// The bound socket, until `listen(2)` (while the check runs).
    fd: Option<OwnedFd>,
    /// The socket after `listen(2)`, registered with tokio.
    listener: Option<TcpListener>,
    verdict: Verdict,
    /// The policy, kept for the peers of the connections to accept.
    check: SocketAddrCheck,
}

impl ListenStart {
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        match (&self.fd, &self.listener) {
            (Some(fd), _) => Some(fd.as_fd()),
            (None, Some(listener)) => Some(listener.as_fd()),
            (None, None) => None,
        }
    }

    /// `listen(2)` with `backlog`, once the policy allowed it. A failed
    /// `listen` leaves the bound socket in place.
    fn listen(&mut self, backlog: i32) -> SocketResult<()> {
        let Some(fd) = self.fd.take() else {
            return Ok(());
        };
        if let Err(e) = rustix::net::listen(&fd, backlog) {
            self.fd = Some(fd);
            return Err(e.into());
        }
        self.listener = Some(TcpListener::from_std(std::net::TcpListener::from(fd))?);
        Ok(())
    }

    /// The state to go back to when the listen is refused or fails:
    /// `bound`, or `closed` if the socket is gone.
    fn undo(self) -> State {
        match self.fd {
            Some(fd) => State::Bound(fd),
            None => State::Closed,
        }
    }
}

/// The most refused connections one poll of a listener closes before it
/// lets other work run (a peer that keeps connecting cannot hold the
/// thread).
const MAX_REFUSED_PER_POLL: usize = 64;

/// A listening socket.
struct Listener {
    listener: TcpListener,
    /// The policy, asked about the peer of every connection.
    check: SocketAddrCheck,
    /// The connection taken from the queue and not given to the guest yet,
    /// or the failure of the accept (found by the pollable, for `accept`).
    next: Option<Incoming>,
}

/// A connection taken from a listener's queue.
enum Incoming {
    /// The connection and the policy's verdict on its peer.
    Peer(TcpStream, Verdict),
    /// The OS accept failed.
    Failed(io::Error),
}

impl Listener {
    fn new(listener: TcpListener, check: SocketAddrCheck) -> Self {
        Listener {
            listener,
            check,
            next: None,
        }
    }

    /// The next connection whose peer the policy allows. A refused one is
    /// closed (dropped) and the queue is read on; a verdict still pending
    /// is kept for the next poll.
    fn poll_accept(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<TcpStream>> {
        let mut refused = 0;
        loop {
            match self.next.take() {
                Some(Incoming::Peer(stream, mut verdict)) => match verdict.poll(cx) {
                    Poll::Pending => {
                        self.next = Some(Incoming::Peer(stream, verdict));
                        return Poll::Pending;
                    }
                    Poll::Ready(true) => return Poll::Ready(Ok(stream)),
                    Poll::Ready(false) => {
                        drop(stream);
                        refused += 1;
                        if refused == MAX_REFUSED_PER_POLL {
                            cx.waker().wake_by_ref();
                            return Poll::Pending;
                        }
                    }
                },
                Some(Incoming::Failed(e)) => return Poll::Ready(Err(e)),
                None => match self.listener.poll_accept(cx) {
                    Poll::Pending => return Poll::Pending,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Ready(Ok((stream, peer))) => {
                        let verdict =
                            Verdict::new(&self.check, canonical(peer), SocketAddrUse::TcpAccept);
                        self.next = Some(Incoming::Peer(stream, verdict));
                    }
                },
            }
        }
    }
}

/// `addr` with an IPv4-mapped IPv6 address as the IPv4 address it is (a
/// dual-stack listener preopened by an embedder sees IPv4 peers so), for
/// the policy.
fn canonical(addr: SocketAddr) -> SocketAddr {
    match addr {
        SocketAddr::V6(a) => match a.ip().to_ipv4_mapped() {
            Some(v4) => SocketAddr::new(v4.into(), a.port()),
            None => addr,
        },
        SocketAddr::V4(_) => addr,
    }
}

/// A connection being established.
struct Connecting {
    /// The socket before the OS `connect` (while the policy check runs).
    fd: Option<OwnedFd>,
    /// The socket after it, registered with tokio.
    stream: Option<TcpStream>,
    addr: SocketAddr,
    verdict: Verdict,
    /// The result, once known.
    outcome: Option<SocketResult<()>>,
}

impl Connecting {
    fn fd(&self) -> Option<BorrowedFd<'_>> {
        match (&self.fd, &self.stream) {
            (Some(fd), _) => Some(fd.as_fd()),
            (None, Some(stream)) => Some(stream.as_fd()),
            (None, None) => None,
        }
    }

    /// Drives the connection: the policy check, then the OS `connect`,
    /// then the wait for the socket to become writable and its `SO_ERROR`.
    fn poll(&mut self, cx: &mut Context<'_>) -> Poll<SocketResult<()>> {
        match self.verdict.poll(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(false) => return Poll::Ready(Err(ErrorCode::AccessDenied.into())),
            Poll::Ready(true) => {}
        }
        if let Some(fd) = self.fd.take() {
            match rustix::net::connect(&fd, &self.addr) {
                Ok(()) | Err(rustix::io::Errno::INPROGRESS) => {}
                Err(e) => return Poll::Ready(Err(connect_error(e.into()))),
            }
            match TcpStream::from_std(std::net::TcpStream::from(fd)) {
                Ok(stream) => self.stream = Some(stream),
                Err(e) => return Poll::Ready(Err(e.into())),
            }
        }
        let Some(stream) = &self.stream else {
            return Poll::Ready(Err(SocketError::trap(io::Error::other(
                "TCP connect polled after it finished",
            ))));
        };
        loop {
            match stream.poll_write_ready(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Err(e)) => return Poll::Ready(Err(connect_error(e))),
                Poll::Ready(Ok(())) => {}
            }
            // Writable: connected, or failed. A spurious readiness clears
            // itself (`WouldBlock`) and the loop waits again.
            let result = stream.try_io(Interest::WRITABLE, || {
                if let Some(err) = stream.take_error()? {
                    return Ok(Err(err));
                }
                match stream.peer_addr() {
                    Ok(_) => Ok(Ok(())),
                    Err(e)
                        if e.raw_os_error() == Some(rustix::io::Errno::NOTCONN.raw_os_error()) =>
                    {
                        Err(io::ErrorKind::WouldBlock.into())
                    }
                    Err(e) => Ok(Err(e)),
                }
            });
            match result {
                Ok(Ok(())) => return Poll::Ready(Ok(())),
                Ok(Err(e)) => return Poll::Ready(Err(connect_error(e))),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) => return Poll::Ready(Err(connect_error(e))),
            }
        }
    }
}

/// Polls `f` once with a no-op waker (inside a runtime context).
fn poll_now<T>(f: impl FnMut(&mut Context<'_>) -> Poll<T>) -> Option<T> {
    crate::runtime::poll_once(poll_fn(f))
}

/// An error code as a socket error.
fn err<T>(code: ErrorCode) -> SocketResult<T> {
    Err(code.into())
}

/// The streams of a new connection.
fn streams(conn: &Arc<Connection>) -> (InputStream, OutputStream) {
    (
        Box::new(TcpReader::new(conn.clone())),
        Box::new(TcpWriter::new(conn.clone())),
    )
}

impl OsTcpSocket {
    /// A new, unbound socket of `family` (`create-tcp-socket`). IPv6
    /// sockets are IPv6-only, as the spec says. Its connections' sends
    /// take from `sends`.
    pub(crate) fn new(family: IpAddressFamily, sends: &HeldBytes) -> SocketResult<Self> {
        let domain = match family {
            IpAddressFamily::Ipv4 => AddressFamily::INET,
            IpAddressFamily::Ipv6 => AddressFamily::INET6,
        };
        let fd = rustix::net::socket_with(
            domain,
            SocketType::STREAM,
            SocketFlags::NONBLOCK | SocketFlags::CLOEXEC,
            None,
        )?;
        if family == IpAddressFamily::Ipv6 {
            sockopt::set_ipv6_v6only(&fd, true)?;
        }
        Ok(OsTcpSocket {
            family,
            state: State::Unbound(fd),
            backlog: DEFAULT_BACKLOG,
            sends: sends.clone(),
        })
    }

    /// A socket for an accepted connection, in the `connected` state.
    fn connected(family: IpAddressFamily, conn: Arc<Connection>, sends: HeldBytes) -> Self {
        OsTcpSocket {
            family,
            state: State::Connected(conn),
            backlog: DEFAULT_BACKLOG,
            sends,
        }
    }

    /// A socket in the `listening` state over a listener the embedder
    /// opened (a preopened listener of a core module); `check` judges the
    /// peers of its connections, whose sends take from `sends`.
    pub(crate) fn listening(
        listener: std::net::TcpListener,
        check: SocketAddrCheck,
        sends: &HeldBytes,
    ) -> io::Result<Self> {
        let family = IpAddressFamily::of(listener.local_addr()?.ip());
        listener.set_nonblocking(true)?;
        let _rt = crate::runtime::enter_ambient();
        let listener = TcpListener::from_std(listener)?;
        Ok(OsTcpSocket {
            family,
            state: State::Listening(Box::new(Listener::new(listener, check))),
            backlog: DEFAULT_BACKLOG,
            sends: sends.clone(),
        })
    }

    /// Whether `addr` belongs to this socket's family (an IPv4-mapped IPv6
    /// address does not belong to either, as the spec says).
    fn check_family(&self, addr: &SocketAddr) -> SocketResult<()> {
        match (self.family, addr) {
            (IpAddressFamily::Ipv4, SocketAddr::V4(_)) => Ok(()),
            (IpAddressFamily::Ipv6, SocketAddr::V6(a)) if !is_ipv4_mapped(a.ip()) => Ok(()),
            _ => err(ErrorCode::InvalidArgument),
        }
    }

    /// `start-bind`: checks the state, the address and the policy, and
    /// binds at once when the policy answers at once.
    pub(crate) fn start_bind(
        &mut self,
        addr: SocketAddr,
        check: &SocketAddrCheck,
    ) -> SocketResult<()> {
        match &self.state {
            State::Unbound(_) => {}
            s if s.in_progress() => return err(ErrorCode::ConcurrencyConflict),
            _ => return err(ErrorCode::InvalidState),
        }
        self.check_family(&addr)?;
        if !is_unicast(addr.ip()) {
            return err(ErrorCode::InvalidArgument);
        }
        let verdict = Verdict::ask(check, addr, SocketAddrUse::TcpBind);
        if let Verdict::Done(false) = verdict {
            return err(ErrorCode::AccessDenied);
        }
        let State::Unbound(fd) = std::mem::replace(&mut self.state, State::Closed) else {
            unreachable!("checked above");
        };
        let mut binding = Binding {
            fd,
            addr,
            verdict,
            bound: false,
        };
        if let Verdict::Done(true) = binding.verdict {
            if let Err(e) = bind(&binding.fd, addr) {
                self.state = State::Unbound(binding.fd);
                return Err(e);
            }
            binding.bound = true;
        }
        self.state = State::BindStarted(Box::new(binding));
        Ok(())
    }

    /// `finish-bind`.
    pub(crate) fn finish_bind(&mut self) -> SocketResult<()> {
        let State::BindStarted(binding) = &mut self.state else {
            return err(ErrorCode::NotInProgress);
        };
        if !binding.bound {
            match poll_now(|cx| binding.verdict.poll(cx)) {
                None => return err(ErrorCode::WouldBlock),
                Some(allowed) => {
                    let result = if allowed {
                        bind(&binding.fd, binding.addr)
                    } else {
                        err(ErrorCode::AccessDenied)
                    };
                    if let Err(e) = result {
                        let State::BindStarted(binding) =
                            std::mem::replace(&mut self.state, State::Closed)
                        else {
                            unreachable!("matched above");
                        };
                        self.state = State::Unbound(binding.fd);
                        return Err(e);
                    }
                }
            }
        }
        let State::BindStarted(binding) = std::mem::replace(&mut self.state, State::Closed) else {
            unreachable!("matched above");
        };
        self.state = State::Bound(binding.fd);
        Ok(())
    }

    /// `start-connect`: checks the state, the address and the policy, and
    /// starts the OS `connect` when the policy answers at once.
    pub(crate) fn start_connect(
        &mut self,
        addr: SocketAddr,
        check: &SocketAddrCheck,
    ) -> SocketResult<()> {
        match &self.state {
            State::Unbound(_) | State::Bound(_) => {}
            s if s.in_progress() => return err(ErrorCode::ConcurrencyConflict),
            _ => return err(ErrorCode::InvalidState),
        }
        self.check_family(&addr)?;
        if !is_valid_remote(addr) {
            return err(ErrorCode::InvalidArgument);
        }
        let verdict = Verdict::ask(check, addr, SocketAddrUse::TcpConnect);
        if let Verdict::Done(false) = verdict {
            return err(ErrorCode::AccessDenied);
        }
        let fd = match std::mem::replace(&mut self.state, State::Closed) {
            State::Unbound(fd) | State::Bound(fd) => fd,
            _ => unreachable!("checked above"),
        };
        let mut connecting = Box::new(Connecting {
            fd: Some(fd),
            stream: None,
            addr,
            verdict,
            outcome: None,
        });
        match poll_now(|cx| connecting.poll(cx)) {
            // Failed at once (the OS refused the `connect` call itself).
            Some(Err(e)) => return Err(e),
            Some(Ok(())) => connecting.outcome = Some(Ok(())),
            None => {}
        }
        self.state = State::Connecting(connecting);
        Ok(())
    }

    /// `finish-connect`: the connection's streams once it is established.
    pub(crate) fn finish_connect(&mut self) -> SocketResult<(InputStream, OutputStream)> {
        let State::Connecting(connecting) = &mut self.state else {
            return err(ErrorCode::NotInProgress);
        };
        let outcome = match connecting.outcome.take() {
            Some(outcome) => outcome,
            None => match poll_now(|cx| connecting.poll(cx)) {
                Some(outcome) => outcome,
                None => return err(ErrorCode::WouldBlock),
            },
        };
        let State::Connecting(connecting) = std::mem::replace(&mut self.state, State::Closed)
        else {
            unreachable!("matched above");
        };
        outcome?;
        let Some(stream) = connecting.stream else {
            return Err(SocketError::trap(io::Error::other(
                "TCP connection established without a socket",
            )));
        };
        let conn = Connection::new(stream, self.sends.clone())?;
        let pair = streams(&conn);
        self.state = State::Connected(conn);
        Ok(pair)
    }

    /// `start-listen`: checks the state and the policy (the address the
    /// socket is bound to), and calls the OS `listen` when the policy
    /// answers at once. A refusal is `access-denied` and leaves the socket
    /// bound.
    pub(crate) fn start_listen(&mut self, check: &SocketAddrCheck) -> SocketResult<()> {
        let addr = match &self.state {
            State::Bound(fd) => local_addr(fd.as_fd())?,
            s if s.in_progress() => return err(ErrorCode::ConcurrencyConflict),
            _ => return err(ErrorCode::InvalidState),
        };
        let verdict = Verdict::ask(check, addr, SocketAddrUse::TcpListen);
        if let Verdict::Done(false) = verdict {
            return err(ErrorCode::AccessDenied);
        }
        let State::Bound(fd) = std::mem::replace(&mut self.state, State::Closed) else {
            unreachable!("checked above");
        };
        let mut start = Box::new(ListenStart {
            fd: Some(fd),
            listener: None,
            verdict,
            check: check.clone(),
        });
        if let Verdict::Done(true) = start.verdict
            && let Err(e) = start.listen(self.backlog)
        {
            self.state = start.undo();
            return Err(e);
        }
        self.state = State::ListenStarted(start);
        Ok(())
    }

    /// `finish-listen`: `would-block` while the policy's check runs.
    pub(crate) fn finish_listen(&mut self) -> SocketResult<()> {
        let backlog = self.backlog;
        let State::ListenStarted(start) = &mut self.state else {
            return err(ErrorCode::NotInProgress);
        };
        let result = match poll_now(|cx| start.verdict.poll(cx)) {
            None => return err(ErrorCode::WouldBlock),
            Some(true) => start.listen(backlog),
            Some(false) => err(ErrorCode::AccessDenied),
        };
        let State::ListenStarted(start) = std::mem::replace(&mut self.state, State::Closed) else {
            unreachable!("matched above");
        };
        if let Err(e) = result {
            self.state = start.undo();
            return Err(e);
        }
        let ListenStart {
            listener, check, ..
        } = *start;
        let Some(listener) = listener else {
            return Err(SocketError::trap(io::Error::other(
                "TCP listen finished without a socket",
            )));
        };
        self.state = State::Listening(Box::new(Listener::new(listener, check)));
        Ok(())
    }

    /// `accept`: a connection waiting in the queue whose peer the policy
    /// allows, as a socket in the `connected` state with its streams.
    /// Connections from refused peers are closed on the way;
    /// `would-block` when none is left, or while the policy's check of the
    /// next one runs.
    pub(crate) fn accept(&mut self) -> SocketResult<(OsTcpSocket, InputStream, OutputStream)> {
        match poll_now(|cx| self.poll_accept(cx)) {
            Some(result) => result,
            None => err(ErrorCode::WouldBlock),
        }
    }

    /// [`OsTcpSocket::accept`] for a caller that waits: `Pending` (with
    /// `cx`'s waker registered) until a connection whose peer the policy
    /// allows is there. `invalid-state` unless listening.
    pub(crate) fn poll_accept(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<SocketResult<(OsTcpSocket, InputStream, OutputStream)>> {
        let State::Listening(listener) = &mut self.state else {
            return Poll::Ready(err(ErrorCode::InvalidState));
        };
        let stream = match listener.poll_accept(cx) {
            Poll::Pending => return Poll::Pending,
            Poll::Ready(Ok(stream)) => stream,
            Poll::Ready(Err(e)) => return Poll::Ready(Err(e.into())),
        };
        let accepted = Connection::new(stream, self.sends.clone()).map(|conn| {
            let (input, output) = streams(&conn);
            let sends = self.sends.clone();
            (
                OsTcpSocket::connected(self.family, conn, sends),
                input,
                output,
            )
        });
        Poll::Ready(accepted.map_err(Into::into))
    }

    /// Polls the operation in progress (a bind or listen whose policy
    /// check is still running, a connection being established) until it
    /// can finish: what the socket's pollable waits for, as a poll, for
    /// callers that cannot hold the socket across an `await` (0.3 keeps it
    /// behind a lock). `Ready` at once in any other state.
    pub(crate) fn poll_in_progress(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.state {
            State::BindStarted(binding) => binding.verdict.poll(cx).map(drop),
            State::ListenStarted(start) => start.verdict.poll(cx).map(drop),
            State::Connecting(connecting) if connecting.outcome.is_none() => {
                let outcome = std::task::ready!(connecting.poll(cx));
                connecting.outcome = Some(outcome);
                Poll::Ready(())
            }
            _ => Poll::Ready(()),
        }
    }

    /// `local-address`.
    pub(crate) fn local_address(&self) -> SocketResult<SocketAddr> {
        let fd = match &self.state {
            State::Bound(fd) => fd.as_fd(),
            State::ListenStarted(start) => match start.fd() {
                Some(fd) => fd,
                None => return err(ErrorCode::InvalidState),
            },
            State::Listening(l) => l.listener.as_fd(),
            State::Connected(conn) => conn.stream.as_fd(),
            State::Connecting(c) if c.stream.is_some() => match c.fd() {
                Some(fd) => fd,
                None => return err(ErrorCode::InvalidState),
            },
            _ => return err(ErrorCode::InvalidState),
        };
        local_addr(fd)
    }

    /// `remote-address`.
    pub(crate) fn remote_address(&self) -> SocketResult<SocketAddr> {
        match &self.state {
            State::Connected(conn) => Ok(conn.stream.peer_addr()?),
            _ => err(ErrorCode::InvalidState),
        }
    }

    /// `is-listening`.
    pub(crate) fn is_listening(&self) -> bool {
        matches!(self.state, State::Listening(_))
    }

    /// The socket's descriptor, for its options; `invalid-state` once
    /// closed.
    fn fd(&self) -> SocketResult<BorrowedFd<'_>> {
        let fd = match &self.state {
            State::Unbound(fd) | State::Bound(fd) => fd.as_fd(),
            State::BindStarted(b) => b.fd.as_fd(),
            State::ListenStarted(start) => match start.fd() {
                Some(fd) => fd,
                None => return err(ErrorCode::InvalidState),
            },
            State::Listening(l) => l.listener.as_fd(),
            State::Connecting(c) => match c.fd() {
                Some(fd) => fd,
                None => return err(ErrorCode::InvalidState),
            },
            State::Connected(conn) => conn.stream.as_fd(),
            State::Closed => return err(ErrorCode::InvalidState),
        };
        Ok(fd)
    }

    /// `set-listen-backlog-size`: 0 is `invalid-argument`; larger values
    /// are clamped to what `listen` takes (the OS clamps further). On a
    /// listening socket the new size applies at once.
    pub(crate) fn set_listen_backlog_size(&mut self, value: u64) -> SocketResult<()> {
        if value == 0 {
            return err(ErrorCode::InvalidArgument);
        }
        let backlog = i32::try_from(value).unwrap_or(i32::MAX);
        match &self.state {
            State::Connecting(_) | State::Connected(_) | State::Closed => {
                err(ErrorCode::InvalidState)
            }
            State::ListenStarted(start) => {
                // Before `listen(2)` (a policy check still running) the
                // size is only kept.
                if let Some(l) = &start.listener {
                    rustix::net::listen(l, backlog)?;
                }
                self.backlog = backlog;
                Ok(())
            }
            State::Listening(l) => {
                rustix::net::listen(&l.listener, backlog)?;
                self.backlog = backlog;
                Ok(())
            }
            _ => {
                self.backlog = backlog;
                Ok(())
            }
        }
    }

    /// `keep-alive-enabled`.
    pub(crate) fn keep_alive_enabled(&self) -> SocketResult<bool> {
        Ok(sockopt::socket_keepalive(self.fd()?)?)
    }

    /// `set-keep-alive-enabled`.
    pub(crate) fn set_keep_alive_enabled(&self, value: bool) -> SocketResult<()> {
        Ok(sockopt::set_socket_keepalive(self.fd()?, value)?)
    }

    /// `keep-alive-idle-time`, in nanoseconds.
    pub(crate) fn keep_alive_idle_time(&self) -> SocketResult<u64> {
        Ok(nanos(sockopt::tcp_keepidle(self.fd()?)?))
    }

    /// `set-keep-alive-idle-time`: 0 is `invalid-argument`; the value is
    /// rounded up to whole seconds and clamped to what Linux accepts.
    pub(crate) fn set_keep_alive_idle_time(&self, value: u64) -> SocketResult<()> {
        let fd = self.fd()?;
        Ok(sockopt::set_tcp_keepidle(fd, keepalive_secs(value)?)?)
    }

    /// `keep-alive-interval`, in nanoseconds.
    pub(crate) fn keep_alive_interval(&self) -> SocketResult<u64> {
        Ok(nanos(sockopt::tcp_keepintvl(self.fd()?)?))
    }

    /// `set-keep-alive-interval`: as the idle time.
    pub(crate) fn set_keep_alive_interval(&self, value: u64) -> SocketResult<()> {
        let fd = self.fd()?;
        Ok(sockopt::set_tcp_keepintvl(fd, keepalive_secs(value)?)?)
    }

    /// `keep-alive-count`.
    pub(crate) fn keep_alive_count(&self) -> SocketResult<u32> {
        Ok(sockopt::tcp_keepcnt(self.fd()?)?)
    }

    /// `set-keep-alive-count`: 0 is `invalid-argument`; clamped to what
    /// Linux accepts.
    pub(crate) fn set_keep_alive_count(&self, value: u32) -> SocketResult<()> {
        let fd = self.fd()?;
        if value == 0 {
            return err(ErrorCode::InvalidArgument);
        }
        Ok(sockopt::set_tcp_keepcnt(
            fd,
            value.min(MAX_KEEPALIVE_COUNT),
        )?)
    }

    /// `hop-limit` (`IP_TTL` or `IPV6_UNICAST_HOPS`).
    pub(crate) fn hop_limit(&self) -> SocketResult<u8> {
        let fd = self.fd()?;
        let hops = match self.family {
            IpAddressFamily::Ipv4 => sockopt::ip_ttl(fd)?,
            IpAddressFamily::Ipv6 => u32::from(sockopt::ipv6_unicast_hops(fd)?),
        };
        Ok(u8::try_from(hops).unwrap_or(u8::MAX))
    }

    /// `set-hop-limit`: 0 is `invalid-argument`.
    pub(crate) fn set_hop_limit(&self, value: u8) -> SocketResult<()> {
        let fd = self.fd()?;
        if value == 0 {
            return err(ErrorCode::InvalidArgument);
        }
        match self.family {
            IpAddressFamily::Ipv4 => sockopt::set_ip_ttl(fd, value.into())?,
            IpAddressFamily::Ipv6 => sockopt::set_ipv6_unicast_hops(fd, Some(value))?,
        }
        Ok(())
    }

    /// `receive-buffer-size` (in the guest's units: see `buffer.rs`).
    pub(crate) fn receive_buffer_size(&self) -> SocketResult<u64> {
        buffer::receive(self.fd()?)
    }

    /// `set-receive-buffer-size`: 0 is `invalid-argument`; the value is
    /// clamped (the OS clamps it further to its own maximum).
    pub(crate) fn set_receive_buffer_size(&self, value: u64) -> SocketResult<()> {
        buffer::set_receive(self.fd()?, value)
    }

    /// `send-buffer-size` (in the guest's units).
    pub(crate) fn send_buffer_size(&self) -> SocketResult<u64> {
        buffer::send(self.fd()?)
    }

    /// `set-send-buffer-size`: as the receive buffer size.
    pub(crate) fn set_send_buffer_size(&self, value: u64) -> SocketResult<()> {
        buffer::set_send(self.fd()?, value)
    }

    /// `shutdown`: only on a connected socket.
    pub(crate) fn shutdown(&self, how: ShutdownType) -> SocketResult<()> {
        match &self.state {
            State::Connected(conn) => Ok(conn.shutdown(how.receive(), how.send())?),
            _ => err(ErrorCode::InvalidState),
        }
    }
}

/// What 0.3 needs beyond the 0.2 calls.
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
impl OsTcpSocket {
    /// What 0.3's `listen` does before the listen itself. An unbound
    /// socket is bound to the unspecified address of its family and a port
    /// the OS chooses (the spec's implicit bind; not a policy question of
    /// its own: the policy is asked about the listen, with the address this
    /// bind produced). A bound socket gets `SO_REUSEADDR`, which a bind
    /// sets for a non-zero port only (so that a socket bound to an
    /// ephemeral port keeps it to itself): the connections accepted from
    /// the listener inherit it, so that once the listener is gone its port
    /// can be bound again while they linger in `TIME_WAIT`, as the spec's
    /// note on `bind` asks (a listening socket's port is never shared).
    /// Any other state is left for [`OsTcpSocket::start_listen`] to judge.
    pub(crate) fn prepare_listen(&mut self) -> SocketResult<()> {
        if let State::Unbound(fd) = &self.state {
            bind(fd, SocketAddr::new(self.family.unspecified(), 0))?;
            if let State::Unbound(fd) = std::mem::replace(&mut self.state, State::Closed) {
                self.state = State::Bound(fd);
            }
        }
        if let State::Bound(fd) = &self.state {
            sockopt::set_socket_reuseaddr(fd, true)?;
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl Subscribe for OsTcpSocket {
    /// Ready when the operation in progress can finish (a bind, listen or
    /// connect whose policy check or connection completed, a connection
    /// whose peer the policy allows to accept); in every other state at
    /// once.
    async fn ready(&mut self) {
        match &mut self.state {
            State::BindStarted(_) | State::Connecting(_) | State::ListenStarted(_) => {
                poll_fn(|cx| self.poll_in_progress(cx)).await;
            }
            State::Listening(l) => {
                // A connection the policy allowed (or a failure) is kept
                // for `accept`; refused ones are closed on the way.
                let result = poll_fn(|cx| l.poll_accept(cx)).await;
                l.next = Some(match result {
                    Ok(stream) => Incoming::Peer(stream, Verdict::Done(true)),
                    Err(e) => Incoming::Failed(e),
                });
            }
            _ => {}
        }
    }
}

/// Binds `fd` to `addr`, with `SO_REUSEADDR` for a non-zero port (the
/// spec's note: a bind must not fail because of a recently closed
/// connection in `TIME_WAIT`).
fn bind(fd: &OwnedFd, addr: SocketAddr) -> SocketResult<()> {
    if addr.port() != 0 {
        sockopt::set_socket_reuseaddr(fd, true)?;
    }
    rustix::net::bind(fd, &addr)?;
    Ok(())
}

/// The local address of a socket.
fn local_addr(fd: BorrowedFd<'_>) -> SocketResult<SocketAddr> {
    let addr = rustix::net::getsockname(fd)?;
    Ok(SocketAddr::try_from(addr)?)
}

/// A duration as nanoseconds, saturating.
fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// A keep-alive time in nanoseconds as the whole seconds Linux takes:
/// rounded up, at least 1, at most [`MAX_KEEPALIVE_SECS`]; 0 is
/// `invalid-argument`.
fn keepalive_secs(value: u64) -> SocketResult<Duration> {
    if value == 0 {
        return err(ErrorCode::InvalidArgument);
    }
    let secs = value.div_ceil(1_000_000_000).clamp(1, MAX_KEEPALIVE_SECS);
    Ok(Duration::from_secs(secs))
}
