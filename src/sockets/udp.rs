//! The host side of `wasi:sockets/udp.udp-socket`: an OS datagram socket,
//! its bind and its association with a peer, and its options.
//!
//! The OS socket is created (non-blocking, close-on-exec, IPv6-only for
//! IPv6) and registered with tokio when the guest creates the resource, so
//! that options can be set before the bind. `start-bind` binds it;
//! `finish-bind` only completes the state change. `stream` connects or
//! disconnects it and hands out a new pair of datagram streams
//! (`udp_streams.rs`), which share the tokio socket.
//!
//! 0.3 has no streams: its `connect`, `disconnect`, `send` and `receive`
//! act on the socket itself (binding it implicitly where the spec says
//! so), and a send or receive that has to wait does so on a handle of its
//! own (`OsDatagramSend`, `OsDatagramReceive`), without the socket.

use super::SocketAddrCheck;
use super::SocketAddrUse;
use super::SocketResult;
use super::buffer;
use super::policy::{family_accepts, is_unicast, is_valid_remote};
use super::udp_streams::{
    Association, MAX_DATAGRAM, OsDatagramReceive, OsDatagramSend, OsIncomingDatagramStream,
    OsOutgoingDatagramStream,
};
use super::{ErrorCode, IpAddressFamily};
use crate::io::Subscribe;
use rustix::net::{AddressFamily, SocketFlags, SocketType, sockopt};
use std::io;
use std::net::SocketAddr;
use std::os::fd::{AsFd, BorrowedFd};
use std::sync::Arc;

/// The host side of `wasi:sockets/udp.udp-socket`.
pub(crate) struct OsUdpSocket {
    family: IpAddressFamily,
    /// The OS socket, registered with tokio from the start (an unbound
    /// datagram socket can be watched like any other).
    socket: Arc<tokio::net::UdpSocket>,
    state: State,
    /// The address bound to, with the port the OS chose for port 0.
    bound_to: Option<SocketAddr>,
    /// The association of the most recent `stream` call; streams of
    /// earlier calls hold older ones, which are closed.
    association: Option<Arc<Association>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Created, not bound yet.
    Unbound,
    /// Bound by `start-bind`; `finish-bind` has not been called yet.
    BindStarted,
    /// Bound, and associated with a peer (`Some`) or not.
    Bound(Option<SocketAddr>),
}

impl std::fmt::Debug for OsUdpSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OsUdpSocket")
            .field("family", &self.family)
            .field("state", &self.state)
            .finish()
    }
}

impl OsUdpSocket {
    /// A new, unbound socket of `family`.
    pub(crate) fn new(family: IpAddressFamily) -> SocketResult<Self> {
        let domain = match family {
            IpAddressFamily::Ipv4 => AddressFamily::INET,
            IpAddressFamily::Ipv6 => AddressFamily::INET6,
        };
        let flags = SocketFlags::NONBLOCK | SocketFlags::CLOEXEC;
        let fd = rustix::net::socket_with(domain, SocketType::DGRAM, flags, None)?;
        if family == IpAddressFamily::Ipv6 {
            sockopt::set_ipv6_v6only(&fd, true)?;
        }
        let socket = register(std::net::UdpSocket::from(fd))?;
        Ok(OsUdpSocket {
            family,
            socket: Arc::new(socket),
            state: State::Unbound,
            bound_to: None,
            association: None,
        })
    }

    fn fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }

    /// `start-bind`: checks the address (`invalid-argument`), the policy
    /// (`access-denied`), then binds. A refused or failed bind leaves the
    /// socket unbound.
    pub(crate) async fn start_bind(
        &mut self,
        addr: SocketAddr,
        check: &SocketAddrCheck,
    ) -> SocketResult<()> {
        if self.state != State::Unbound {
            return Err(ErrorCode::InvalidState.into());
        }
        if !family_accepts(self.family, addr.ip()) || !is_unicast(addr.ip()) {
            return Err(ErrorCode::InvalidArgument.into());
        }
        if !check.check(addr, SocketAddrUse::UdpBind).await {
            return Err(ErrorCode::AccessDenied.into());
        }
        rustix::net::bind(self.fd(), &addr)?;
        let mut bound_to = addr;
        bound_to.set_port(self.socket.local_addr()?.port());
        self.bound_to = Some(bound_to);
        self.state = State::BindStarted;
        Ok(())
    }

    /// `finish-bind`.
    pub(crate) fn finish_bind(&mut self) -> SocketResult<()> {
        if self.state != State::BindStarted {
            return Err(ErrorCode::NotInProgress.into());
        }
        self.state = State::Bound(None);
        Ok(())
    }

    /// `stream`: checks the remote address (`invalid-argument`) and the
    /// policy (`access-denied`), then dissolves any previous association
    /// and makes the new one, closing the streams of earlier calls.
    pub(crate) async fn stream(
        &mut self,
        remote: Option<SocketAddr>,
        check: &SocketAddrCheck,
    ) -> SocketResult<(OsIncomingDatagramStream, OsOutgoingDatagramStream)> {
        let State::Bound(current) = self.state else {
            return Err(ErrorCode::InvalidState.into());
        };
        if let Some(addr) = remote {
            if !family_accepts(self.family, addr.ip()) || !is_valid_remote(addr) {
                return Err(ErrorCode::InvalidArgument.into());
            }
            if !check.check(addr, SocketAddrUse::UdpConnect).await {
                return Err(ErrorCode::AccessDenied.into());
            }
        }
        if let Some(old) = self.association.take() {
            old.close();
        }
        if current.is_some() {
            self.disconnect()?;
        }
        if let Some(addr) = remote {
            rustix::net::connect(self.fd(), &addr)?;
            self.state = State::Bound(Some(addr));
        }
        let association = Arc::new(Association::new(self.socket.clone(), remote));
        self.association = Some(association.clone());
        Ok((
            OsIncomingDatagramStream::new(association.clone(), check.clone()),
            OsOutgoingDatagramStream::new(association, self.family, check.clone()),
        ))
    }

    /// Dissolves the association with the peer. Linux also gives up an
    /// ephemeral port (one bound as port 0) on disconnect; the socket is
    /// bound to it again, so its local address stays what the guest saw.
    fn disconnect(&mut self) -> SocketResult<()> {
        rustix::net::connect_unspec(self.fd())?;
        self.state = State::Bound(None);
        if let Some(addr) = self.bound_to
            && self.socket.local_addr()?.port() == 0
        {
            rustix::net::bind(self.fd(), &addr)?;
        }
        Ok(())
    }

    /// `local-address`: `invalid-state` until `finish-bind`.
    pub(crate) fn local_address(&self) -> SocketResult<SocketAddr> {
        match self.state {
            State::Bound(_) => Ok(self.socket.local_addr()?),
            _ => Err(ErrorCode::InvalidState.into()),
        }
    }

    /// `remote-address`: `invalid-state` unless `stream` was given a peer.
    pub(crate) fn remote_address(&self) -> SocketResult<SocketAddr> {
        match self.state {
            State::Bound(Some(addr)) => Ok(addr),
            _ => Err(ErrorCode::InvalidState.into()),
        }
    }

    /// `unicast-hop-limit` (`IP_TTL` or `IPV6_UNICAST_HOPS`).
    pub(crate) fn unicast_hop_limit(&self) -> SocketResult<u8> {
        Ok(match self.family {
            IpAddressFamily::Ipv4 => u8::try_from(sockopt::ip_ttl(self.fd())?).unwrap_or(u8::MAX),
            IpAddressFamily::Ipv6 => sockopt::ipv6_unicast_hops(self.fd())?,
        })
    }

    /// `set-unicast-hop-limit`: 0 is `invalid-argument`.
    pub(crate) fn set_unicast_hop_limit(&self, value: u8) -> SocketResult<()> {
        if value == 0 {
            return Err(ErrorCode::InvalidArgument.into());
        }
        match self.family {
            IpAddressFamily::Ipv4 => sockopt::set_ip_ttl(self.fd(), value.into())?,
            IpAddressFamily::Ipv6 => sockopt::set_ipv6_unicast_hops(self.fd(), Some(value))?,
        }
        Ok(())
    }

    /// `receive-buffer-size` (`SO_RCVBUF`, in the guest's units: see
    /// `buffer.rs`).
    pub(crate) fn receive_buffer_size(&self) -> SocketResult<u64> {
        buffer::receive(self.fd())
    }

    /// `set-receive-buffer-size`: 0 is `invalid-argument`, anything above
    /// [`MAX_BUFFER_SIZE`](super::MAX_BUFFER_SIZE) is clamped to it.
    pub(crate) fn set_receive_buffer_size(&self, value: u64) -> SocketResult<()> {
        buffer::set_receive(self.fd(), value)
    }

    /// `send-buffer-size` (`SO_SNDBUF`, in the guest's units).
    pub(crate) fn send_buffer_size(&self) -> SocketResult<u64> {
        buffer::send(self.fd())
    }

    /// `set-send-buffer-size`: as [`Self::set_receive_buffer_size`].
    pub(crate) fn set_send_buffer_size(&self, value: u64) -> SocketResult<()> {
        buffer::set_send(self.fd(), value)
    }
}

/// 0.3's calls, which act on the socket itself (no datagram streams).
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
impl OsUdpSocket {
    /// Binds an unbound socket to the unspecified address of its family
    /// and a port the OS chooses, as 0.3's `send` does implicitly. Not a
    /// policy question of its own: the policy is asked about each
    /// datagram's destination. Any other state is left as it is.
    pub(crate) fn bind_if_unbound(&mut self) -> SocketResult<()> {
        if self.state != State::Unbound {
            return Ok(());
        }
        let ip = self.family.unspecified();
        rustix::net::bind(self.fd(), &SocketAddr::new(ip, 0))?;
        self.bound_to = Some(SocketAddr::new(ip, self.socket.local_addr()?.port()));
        self.state = State::Bound(None);
        Ok(())
    }

    /// 0.3's `connect`: checks the remote address (`invalid-argument`) and
    /// the policy (`access-denied`), then associates the socket with the
    /// peer, dissolving any earlier association. An unbound socket is
    /// bound by the OS's `connect` itself (a free port, and the source
    /// address of the route to the peer), as the spec asks; like a TCP
    /// connect's, that implicit bind is no policy question of its own.
    pub(crate) async fn connect(
        &mut self,
        remote: SocketAddr,
        check: &SocketAddrCheck,
    ) -> SocketResult<()> {
        if !family_accepts(self.family, remote.ip()) || !is_valid_remote(remote) {
            return Err(ErrorCode::InvalidArgument.into());
        }
        if !check.check(remote, SocketAddrUse::UdpConnect).await {
            return Err(ErrorCode::AccessDenied.into());
        }
        match self.state {
            State::BindStarted => return Err(ErrorCode::InvalidState.into()),
            State::Bound(Some(_)) => self.disconnect()?,
            State::Unbound | State::Bound(None) => {}
        }
        if let Some(old) = self.association.take() {
            old.close();
        }
        rustix::net::connect(self.fd(), &remote)?;
        if self.state == State::Unbound {
            let port = self.socket.local_addr()?.port();
            self.bound_to = Some(SocketAddr::new(self.family.unspecified(), port));
        }
        self.state = State::Bound(Some(remote));
        Ok(())
    }

    /// 0.3's `disconnect`: dissolves the association with the peer;
    /// `invalid-state` when there is none.
    pub(crate) fn disconnect_peer(&mut self) -> SocketResult<()> {
        match self.state {
            State::Bound(Some(_)) => self.disconnect(),
            _ => Err(ErrorCode::InvalidState.into()),
        }
    }

    /// 0.3's `send` up to its wait: checks the destination against the
    /// socket's association and family (`invalid-argument`: none on an
    /// unconnected socket, another than the peer on a connected one, or
    /// not a valid remote address) and the size (`datagram-too-large`
    /// above [`MAX_DATAGRAM`]), binds an unbound socket implicitly
    /// ([`OsUdpSocket::bind_if_unbound`]), and returns what sends the
    /// datagram without the socket.
    pub(crate) fn prepare_send(
        &mut self,
        len: usize,
        to: Option<SocketAddr>,
        check: &SocketAddrCheck,
    ) -> SocketResult<OsDatagramSend> {
        let peer = match self.state {
            State::Bound(peer) => peer,
            _ => None,
        };
        let to = match (peer, to) {
            (Some(peer), Some(to)) if to != peer => return Err(ErrorCode::InvalidArgument.into()),
            (Some(_), _) => None,
            (None, None) => return Err(ErrorCode::InvalidArgument.into()),
            (None, Some(to)) if family_accepts(self.family, to.ip()) && is_valid_remote(to) => {
                Some(to)
            }
            (None, Some(_)) => return Err(ErrorCode::InvalidArgument.into()),
        };
        if len > MAX_DATAGRAM {
            return Err(ErrorCode::DatagramTooLarge.into());
        }
        self.bind_if_unbound()?;
        Ok(OsDatagramSend::new(self.socket.clone(), to, check.clone()))
    }

    /// 0.3's `receive` up to its wait: `invalid-state` unless the socket is
    /// bound; otherwise what receives the next datagram (from the peer
    /// only, on a connected socket) without the socket.
    pub(crate) fn prepare_receive(
        &self,
        check: &SocketAddrCheck,
    ) -> SocketResult<OsDatagramReceive> {
        match self.state {
            State::Bound(peer) => Ok(OsDatagramReceive::new(
                self.socket.clone(),
                peer,
                check.clone(),
            )),
            _ => Err(ErrorCode::InvalidState.into()),
        }
    }
}

/// Every state change of a UDP socket completes in the call that starts it
/// (`start-bind` binds), so the socket's pollable is always ready.
#[async_trait::async_trait]
impl Subscribe for OsUdpSocket {
    async fn ready(&mut self) {}
}

/// Registers a socket with tokio: with the runtime the call runs on,
/// or the crate's shared runtime outside of any (both flavours always run
/// inside one, so the second case is a safety net).
fn register(socket: std::net::UdpSocket) -> io::Result<tokio::net::UdpSocket> {
    if tokio::runtime::Handle::try_current().is_ok() {
        return tokio::net::UdpSocket::from_std(socket);
    }
    crate::runtime::poll_once(async move { tokio::net::UdpSocket::from_std(socket) })
        .unwrap_or_else(|| {
            Err(io::Error::other(
                "no tokio runtime to register a socket with",
            ))
        })
}
