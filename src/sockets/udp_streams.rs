//! The datagram streams of a UDP socket (`incoming-datagram-stream`,
//! `outgoing-datagram-stream`).
//!
//! Both streams of one `stream` call share an [`Association`]: the tokio
//! socket and the peer, if any. A later `stream` call closes it, and the
//! streams that hold it then answer `invalid-state`, with pollables that
//! are ready at once (only the most recent pair is operational, as the spec
//! says; a guest waiting on an old one wakes up and learns why).
//!
//! Guest-controlled sizes are bounded: `receive` returns at most
//! [`MAX_BATCH`] datagrams whatever `max-results` says, each read into one
//! reused buffer of [`MAX_DATAGRAM`] bytes and copied out at its real size;
//! `check-send` permits at most [`MAX_BATCH`] datagrams.
//!
//! 0.3, which has no datagram streams, sends and receives one datagram at
//! a time on the socket itself, through `OsDatagramSend` and
//! `OsDatagramReceive` (the same rules: the policy for each datagram of an
//! unconnected socket, only the peer's datagrams on a connected one,
//! [`MAX_DATAGRAM`] at most), which wait where the streams' calls answer
//! at once.

use super::policy::{family_accepts, is_valid_remote};
use super::{
    ErrorCode, IncomingDatagram, IpAddressFamily, OutgoingDatagram, SocketAddrCheck, SocketAddrUse,
    SocketError, SocketResult,
};
use crate::io::Subscribe;
use rustix::event::{PollFd, PollFlags};
use rustix::net::{RecvFlags, SendFlags};
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Waker};
use tokio::io::Interest;

/// The most datagrams one `receive` returns, and one `check-send` permits.
pub const MAX_BATCH: usize = 64;

/// The largest datagram received: the largest UDP payload (IPv6 without
/// jumbograms: 65535 minus the 8-byte header), rounded up. Longer ones
/// cannot arrive; the buffer is allocated once per stream, on first use.
pub const MAX_DATAGRAM: usize = 64 * 1024;

/// How many datagrams one `receive` discards, at most: from other peers on
/// a connected stream (ones queued before the socket was connected), from
/// sources the policy refuses on an unconnected one.
const MAX_DISCARDED: usize = 256;

/// What the two streams of one `stream` call share.
pub(crate) struct Association {
    socket: Arc<tokio::net::UdpSocket>,
    remote: Option<SocketAddr>,
    closed: AtomicBool,
}

impl Association {
    pub(crate) fn new(socket: Arc<tokio::net::UdpSocket>, remote: Option<SocketAddr>) -> Self {
        Association {
            socket,
            remote,
            closed: AtomicBool::new(false),
        }
    }

    /// Makes the streams of this association inoperative.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// `invalid-state` when a later `stream` call replaced this one.
    fn check_open(&self) -> SocketResult<()> {
        if self.is_closed() {
            Err(ErrorCode::InvalidState.into())
        } else {
            Ok(())
        }
    }
}

/// The host side of `wasi:sockets/udp.incoming-datagram-stream`.
pub(crate) struct OsIncomingDatagramStream {
    association: Arc<Association>,
    /// The policy, asked about the source of each datagram of an
    /// unconnected stream.
    check: SocketAddrCheck,
    /// The receive buffer, allocated on the first `receive`.
    buffer: Vec<u8>,
}

impl OsIncomingDatagramStream {
    pub(crate) fn new(association: Arc<Association>, check: SocketAddrCheck) -> Self {
        OsIncomingDatagramStream {
            association,
            check,
            buffer: Vec::new(),
        }
    }

    /// `receive`: up to `max_results` (at most [`MAX_BATCH`]) datagrams that
    /// have arrived, without waiting for more. An error after some
    /// datagrams were received ends the batch; the datagrams are returned.
    /// On an unconnected stream the policy is asked about each datagram's
    /// source (the only wait: a check that takes its time); a refused
    /// datagram is dropped, as are those from other peers on a connected
    /// stream (at most [`MAX_DISCARDED`] per call, all reasons together).
    pub(crate) async fn receive(
        &mut self,
        max_results: u64,
    ) -> SocketResult<Vec<IncomingDatagram>> {
        self.association.check_open()?;
        let max = usize::try_from(max_results)
            .unwrap_or(MAX_BATCH)
            .min(MAX_BATCH);
        let mut out = Vec::new();
        if max == 0 {
            return Ok(out);
        }
        if self.buffer.is_empty() {
            self.buffer = vec![0; MAX_DATAGRAM];
        }
        let remote = self.association.remote;
        let socket = &self.association.socket;
        let buffer = &mut self.buffer;
        let mut discarded = 0;
        while out.len() < max {
            let mut received = recv_from(socket, buffer, Interest::READABLE);
            // An error the OS holds for the socket (an ICMP port-unreachable
            // on a connected socket) makes it ready for `ERROR` only, and
            // `recvfrom` reports it. (tokio cannot try both interests at
            // once: a combined interest never counts as ready in `try_io`.)
            if out.is_empty()
                && matches!(&received, Err(e) if e.kind() == io::ErrorKind::WouldBlock)
            {
                received = recv_from(socket, buffer, Interest::ERROR);
            }
            match received {
                // No IP sender: cannot happen on an IP socket.
                Ok((_, None)) if discarded < MAX_DISCARDED => discarded += 1,
                Ok((_, None)) => break,
                Ok((n, Some(from))) => {
                    let from = match remote {
                        // Connected: the spec promises the stream's own
                        // remote address; anything else was queued before
                        // the connect and is not for this stream.
                        Some(peer) if same_peer(peer, from) => peer,
                        Some(_) if discarded < MAX_DISCARDED => {
                            discarded += 1;
                            continue;
                        }
                        Some(_) => break,
                        None => {
                            if !self.check.check(from, SocketAddrUse::UdpReceive).await {
                                if discarded < MAX_DISCARDED {
                                    discarded += 1;
                                    continue;
                                }
                                break;
                            }
                            from
                        }
                    };
                    out.push(IncomingDatagram {
                        data: buffer[..n].to_vec(),
                        remote_address: from,
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                Err(_) if !out.is_empty() => break,
                Err(e) => return Err(e.into()),
            }
        }
        Ok(out)
    }
}

/// One `recvfrom` into `buffer`, if tokio has seen `interest` readiness
/// (`WouldBlock` otherwise, and then the readiness is cleared).
fn recv_from(
    socket: &tokio::net::UdpSocket,
    buffer: &mut [u8],
    interest: Interest,
) -> io::Result<(usize, Option<SocketAddr>)> {
    socket.try_io(interest, || {
        let (n, _, from) = rustix::net::recvfrom(socket, &mut *buffer, RecvFlags::empty())?;
        Ok((n, from.and_then(|a| SocketAddr::try_from(a).ok())))
    })
}

/// Whether a datagram from `from` comes from the connected `peer`: the same
/// address and port (the OS fills in flow information and scope on its
/// own).
fn same_peer(peer: SocketAddr, from: SocketAddr) -> bool {
    peer.ip() == from.ip() && peer.port() == from.port()
}

#[async_trait::async_trait]
impl Subscribe for OsIncomingDatagramStream {
    async fn ready(&mut self) {
        if self.association.is_closed() {
            return;
        }
        // An error is readiness too: `receive` then reports it.
        let interest = Interest::READABLE | Interest::ERROR;
        let _ = self.association.socket.ready(interest).await;
    }
}

/// The host side of `wasi:sockets/udp.outgoing-datagram-stream`.
pub(crate) struct OsOutgoingDatagramStream {
    association: Arc<Association>,
    family: IpAddressFamily,
    check: SocketAddrCheck,
    /// How many datagrams the last `check-send` permitted.
    permit: usize,
}

impl OsOutgoingDatagramStream {
    pub(crate) fn new(
        association: Arc<Association>,
        family: IpAddressFamily,
        check: SocketAddrCheck,
    ) -> Self {
        OsOutgoingDatagramStream {
            association,
            family,
            check,
            permit: 0,
        }
    }

    /// `check-send`: [`MAX_BATCH`] when the socket can send now, else 0.
    ///
    /// tokio learns that a socket is writable from its I/O driver, which
    /// has not run yet right after `stream` (the socket's first event is
    /// still on its way), so when tokio does not know, the kernel is asked
    /// (a zero-timeout `poll(2)`): a fresh stream permits sending at once,
    /// as programs expect, without a wait on its pollable first.
    pub(crate) fn check_send(&mut self) -> SocketResult<u64> {
        self.association.check_open()?;
        let socket = &self.association.socket;
        let mut cx = Context::from_waker(Waker::noop());
        let writable = match socket.poll_send_ready(&mut cx) {
            Poll::Ready(Ok(())) => true,
            Poll::Ready(Err(e)) => return Err(e.into()),
            Poll::Pending => kernel_writable(socket),
        };
        self.permit = if writable { MAX_BATCH } else { 0 };
        Ok(self.permit as u64)
    }

    /// `send`: sends the datagrams in order until one cannot be sent now
    /// or fails. Sending more than the last `check-send` permitted traps.
    /// On an unconnected stream the policy is asked about each datagram's
    /// destination (`access-denied`).
    pub(crate) async fn send(&mut self, datagrams: Vec<OutgoingDatagram>) -> SocketResult<u64> {
        if datagrams.is_empty() {
            return Ok(0);
        }
        if datagrams.len() > self.permit {
            return Err(SocketError::trap(wasmtime::format_err!(
                "send of {} datagrams exceeds the {} permitted by check-send",
                datagrams.len(),
                self.permit
            )));
        }
        self.permit = 0;
        self.association.check_open()?;
        let mut sent = 0;
        for datagram in datagrams {
            match self.send_one(datagram).await {
                Ok(true) => sent += 1,
                Ok(false) => break,
                Err(_) if sent > 0 => break,
                Err(e) => return Err(e),
            }
        }
        Ok(sent)
    }

    /// Sends one datagram: `Ok(false)` if the socket cannot take it now.
    ///
    /// The datagram goes to the kernel whatever tokio believes about the
    /// socket's readiness (`check-send` may have asked the kernel itself);
    /// a send the kernel cannot take clears tokio's readiness, so the
    /// stream's pollable waits for the socket to drain.
    async fn send_one(&self, datagram: OutgoingDatagram) -> SocketResult<bool> {
        let socket = &self.association.socket;
        let result = match (self.association.remote, datagram.remote_address) {
            (Some(peer), to) => {
                if to.is_some_and(|to| to != peer) {
                    return Err(ErrorCode::InvalidArgument.into());
                }
                rustix::net::send(&**socket, &datagram.data, SendFlags::DONTWAIT)
            }
            (None, None) => return Err(ErrorCode::InvalidArgument.into()),
            (None, Some(to)) => {
                if !family_accepts(self.family, to.ip()) || !is_valid_remote(to) {
                    return Err(ErrorCode::InvalidArgument.into());
                }
                if !self.check.check(to, SocketAddrUse::UdpSend).await {
                    return Err(ErrorCode::AccessDenied.into());
                }
                rustix::net::sendto(&**socket, &datagram.data, SendFlags::DONTWAIT, &to)
            }
        };
        match result {
            Ok(_) => Ok(true),
            Err(rustix::io::Errno::AGAIN) => {
                // Clears tokio's readiness (if it had any) for the pollable.
                let _ = socket.try_io(Interest::WRITABLE, || {
                    Err::<(), _>(io::ErrorKind::WouldBlock.into())
                });
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// Whether the kernel would take a datagram on `socket` now (a
/// zero-timeout `poll(2)`); an error the kernel holds for the socket counts
/// as writable, since the send then reports it.
fn kernel_writable(socket: &tokio::net::UdpSocket) -> bool {
    let mut fds = [PollFd::new(socket, PollFlags::OUT)];
    let now = rustix::event::Timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    matches!(rustix::event::poll(&mut fds, Some(&now)), Ok(n) if n > 0)
}

#[async_trait::async_trait]
impl Subscribe for OsOutgoingDatagramStream {
    async fn ready(&mut self) {
        if self.association.is_closed() {
            return;
        }
        let _ = self.association.socket.writable().await;
    }
}

/// A datagram on its way out of a socket, as 0.3's `send` has it: what is
/// left to do once the socket checked it
/// ([`OsUdpSocket::prepare_send`](super::udp::OsUdpSocket::prepare_send)), which
/// needs no borrow of the socket.
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
pub(crate) struct OsDatagramSend {
    socket: Arc<tokio::net::UdpSocket>,
    /// The destination; `None`: the connected peer.
    to: Option<SocketAddr>,
    check: SocketAddrCheck,
}

#[cfg_attr(not(feature = "p3"), allow(dead_code))]
impl OsDatagramSend {
    pub(crate) fn new(
        socket: Arc<tokio::net::UdpSocket>,
        to: Option<SocketAddr>,
        check: SocketAddrCheck,
    ) -> Self {
        OsDatagramSend { socket, to, check }
    }

    /// Sends `data`: to the destination once the policy allowed it
    /// (`access-denied`), or to the connected peer. Waits while the
    /// socket cannot take it.
    pub(crate) async fn send(self, data: &[u8]) -> SocketResult<()> {
        if let Some(to) = self.to
            && !self.check.check(to, SocketAddrUse::UdpSend).await
        {
            return Err(ErrorCode::AccessDenied.into());
        }
        let socket = &*self.socket;
        loop {
            let sent = match self.to {
                Some(to) => rustix::net::sendto(socket, data, SendFlags::DONTWAIT, &to),
                None => rustix::net::send(socket, data, SendFlags::DONTWAIT),
            };
            match sent {
                Ok(_) => return Ok(()),
                Err(rustix::io::Errno::AGAIN) => {
                    // Clears tokio's readiness (if it had any), then waits
                    // for the socket to drain.
                    let _ = socket.try_io(Interest::WRITABLE, || {
                        Err::<(), _>(io::ErrorKind::WouldBlock.into())
                    });
                    socket.writable().await?;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

/// A wait for the next datagram of a socket, as 0.3's `receive` has it
/// ([`OsUdpSocket::prepare_receive`](super::udp::OsUdpSocket::prepare_receive)),
/// which needs no borrow of the socket.
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
pub(crate) struct OsDatagramReceive {
    socket: Arc<tokio::net::UdpSocket>,
    /// The connected peer, the only source accepted.
    peer: Option<SocketAddr>,
    check: SocketAddrCheck,
}

#[cfg_attr(not(feature = "p3"), allow(dead_code))]
impl OsDatagramReceive {
    pub(crate) fn new(
        socket: Arc<tokio::net::UdpSocket>,
        peer: Option<SocketAddr>,
        check: SocketAddrCheck,
    ) -> Self {
        OsDatagramReceive {
            socket,
            peer,
            check,
        }
    }

    /// The next datagram, waiting until one comes. As a stream's
    /// `receive`: on a connected socket datagrams from other sources are
    /// dropped, on an unconnected one those whose source the policy
    /// refuses; after [`MAX_DISCARDED`] of them in a row the wait yields
    /// once, so that a flood cannot hold the executor.
    pub(crate) async fn receive(self) -> SocketResult<IncomingDatagram> {
        let socket = &*self.socket;
        // Unused capacity is not initialised, and is given back with the
        // datagram's payload, which is copied into the guest and dropped.
        let mut buffer = Vec::with_capacity(MAX_DATAGRAM);
        let mut discarded = 0;
        loop {
            buffer.clear();
            let mut received = recv_into(socket, &mut buffer, Interest::READABLE);
            // An error the OS holds for the socket makes it ready for
            // `ERROR` only (see `OsIncomingDatagramStream::receive`).
            if matches!(&received, Err(e) if e.kind() == io::ErrorKind::WouldBlock) {
                received = recv_into(socket, &mut buffer, Interest::ERROR);
            }
            let from = match received {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    socket.ready(Interest::READABLE | Interest::ERROR).await?;
                    continue;
                }
                Err(e) => return Err(e.into()),
                Ok(from) => from,
            };
            let accepted = match (self.peer, from) {
                (Some(peer), Some(from)) if same_peer(peer, from) => Some(peer),
                (Some(_), _) | (None, None) => None,
                (None, Some(from)) => self
                    .check
                    .check(from, SocketAddrUse::UdpReceive)
                    .await
                    .then_some(from),
            };
            if let Some(remote_address) = accepted {
                return Ok(IncomingDatagram {
                    data: buffer,
                    remote_address,
                });
            }
            discarded += 1;
            if discarded % MAX_DISCARDED == 0 {
                yield_once().await;
            }
        }
    }
}

/// One `recvfrom` into the spare capacity of `buffer` (whose length
/// becomes the datagram's), if tokio has seen `interest` readiness
/// (`WouldBlock` otherwise, and then the readiness is cleared); the source.
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
fn recv_into(
    socket: &tokio::net::UdpSocket,
    buffer: &mut Vec<u8>,
    interest: Interest,
) -> io::Result<Option<SocketAddr>> {
    socket.try_io(interest, || {
        let spare = rustix::buffer::spare_capacity(&mut *buffer);
        let (_, _, from) = rustix::net::recvfrom(socket, spare, RecvFlags::empty())?;
        Ok(from.and_then(|a| SocketAddr::try_from(a).ok()))
    })
}

/// Lets the executor run other work once.
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
async fn yield_once() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receives_what_was_sent() {
        crate::runtime::block_on(async {
            let a = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let b = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
            let from = a.local_addr().unwrap();
            a.send_to(b"hi", b.local_addr().unwrap()).await.unwrap();
            let association = Arc::new(Association::new(Arc::new(b), None));
            let allow_all = SocketAddrCheck::new(Arc::new(|_, _| Box::pin(async { true })));
            let mut inc = OsIncomingDatagramStream::new(association, allow_all);
            inc.ready().await;
            let got = inc.receive(4).await.unwrap();
            assert_eq!(got.len(), 1);
            assert_eq!(got[0].data, b"hi");
            assert_eq!(got[0].remote_address, from);
        })
    }
}
