//! The resource of `wasi:sockets/udp.udp-socket`: the OS socket of
//! `udp.rs`, with every outcome journaled when the context records, or,
//! in a replay, no OS socket at all (as `tcp_socket.rs` does for TCP). The
//! datagram streams of its n-th `stream` call are journaled under the
//! socket's key with `~n/in` and `~n/out`; 0.3's sends and receives under
//! `/send` and `/receive` (`journaled_datagrams.rs`).

use super::journaled_datagrams::{
    DatagramReceive, DatagramSend, IncomingDatagramStream, OutgoingDatagramStream,
};
use super::udp::OsUdpSocket;
use super::{IpAddressFamily, SocketAddrCheck, SocketResult};
use crate::io::Subscribe;
use crate::journal::Tap;
use crate::limits::{Budget, Slot};
use std::net::SocketAddr;

/// The host side of `wasi:sockets/udp.udp-socket`.
#[derive(Debug)]
pub struct UdpSocket {
    family: IpAddressFamily,
    kind: Kind,
    /// Its place in the context's socket budget, given back when dropped.
    _slot: Slot,
}

#[derive(Debug)]
enum Kind {
    /// Nothing journaled.
    Live(OsUdpSocket),
    /// Recording: the OS socket, and its place in the journal.
    Recorded(OsUdpSocket, Track),
    /// Replaying: only the journal.
    Replayed(Track),
}

/// A journaled socket's key, and how many stream pairs it handed out.
struct Track {
    tap: Tap,
    /// Stream pairs handed out so far (a `u64`: no number of `stream`
    /// calls a guest makes can overflow it).
    streams: u64,
}

impl std::fmt::Debug for Track {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Track")
            .field("streams", &self.streams)
            .finish()
    }
}

impl Track {
    fn new(tap: Tap) -> Self {
        Track { tap, streams: 0 }
    }

    /// The key of the next pair of datagram streams.
    fn next_streams(&mut self) -> Tap {
        self.streams += 1;
        self.tap.child(&format!("~{}", self.streams))
    }
}

impl UdpSocket {
    /// A new, unbound socket of `family` (`create-udp-socket`), journaled
    /// under `tap` when the context records or replays, taking a place in
    /// `budget` (`new-socket-limit` when it is spent, before any journal
    /// or OS work).
    pub(crate) fn new(
        family: IpAddressFamily,
        tap: Option<Tap>,
        budget: &Budget,
    ) -> SocketResult<Self> {
        let slot = super::tcp_socket::take_socket(budget)?;
        let kind = match tap {
            None => Kind::Live(OsUdpSocket::new(family)?),
            Some(tap) if tap.is_replay() => {
                tap.replay::<SocketResult<()>>("create")?;
                Kind::Replayed(Track::new(tap))
            }
            Some(tap) => {
                let os = tap.record_done("create", OsUdpSocket::new(family))?;
                Kind::Recorded(os, Track::new(tap))
            }
        };
        Ok(UdpSocket {
            family,
            kind,
            _slot: slot,
        })
    }

    /// The socket's address family.
    pub(crate) fn family(&self) -> IpAddressFamily {
        self.family
    }

    journaled_calls! {
        /// `start-bind`.
        async fn start_bind(&mut self, addr: SocketAddr, check: &SocketAddrCheck) -> () = "start-bind";
    }

    journaled_calls! {
        /// `finish-bind`.
        fn finish_bind(&mut self) -> () = "finish-bind";
    }

    /// `stream`: a new pair of datagram streams (see `udp.rs`).
    pub(crate) async fn stream(
        &mut self,
        remote: Option<SocketAddr>,
        check: &SocketAddrCheck,
    ) -> SocketResult<(IncomingDatagramStream, OutgoingDatagramStream)> {
        match &mut self.kind {
            Kind::Live(s) => {
                let (incoming, outgoing) = s.stream(remote, check).await?;
                Ok((
                    IncomingDatagramStream::live(incoming),
                    OutgoingDatagramStream::live(outgoing),
                ))
            }
            Kind::Recorded(s, t) => {
                let streams = s.stream(remote, check).await;
                let (incoming, outgoing) = t.tap.record_done("stream", streams)?;
                let tap = t.next_streams();
                Ok((
                    IncomingDatagramStream::recorded(incoming, tap.child("/in")),
                    OutgoingDatagramStream::recorded(outgoing, tap.child("/out")),
                ))
            }
            Kind::Replayed(t) => {
                t.tap.replay::<SocketResult<()>>("stream")?;
                let tap = t.next_streams();
                Ok((
                    IncomingDatagramStream::replayed(tap.child("/in")),
                    OutgoingDatagramStream::replayed(tap.child("/out")),
                ))
            }
        }
    }
}

/// 0.3's calls (see `udp.rs`).
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
impl UdpSocket {
    journaled_calls! {
        /// 0.3's `connect`.
        async fn connect(&mut self, remote: SocketAddr, check: &SocketAddrCheck) -> () = "connect";
    }

    journaled_calls! {
        /// 0.3's `disconnect`.
        fn disconnect_peer(&mut self) -> () = "disconnect";
    }

    journaled_calls! {
        /// `local-address`.
        fn local_address(&self) -> SocketAddr = "local-address";
        /// `remote-address`.
        fn remote_address(&self) -> SocketAddr = "remote-address";
        /// `unicast-hop-limit`.
        fn unicast_hop_limit(&self) -> u8 = "unicast-hop-limit";
        /// `set-unicast-hop-limit`.
        fn set_unicast_hop_limit(&self, value: u8) -> () = "set-unicast-hop-limit";
        /// `receive-buffer-size`.
        fn receive_buffer_size(&self) -> u64 = "receive-buffer-size";
        /// `set-receive-buffer-size`.
        fn set_receive_buffer_size(&self, value: u64) -> () = "set-receive-buffer-size";
        /// `send-buffer-size`.
        fn send_buffer_size(&self) -> u64 = "send-buffer-size";
        /// `set-send-buffer-size`.
        fn set_send_buffer_size(&self, value: u64) -> () = "set-send-buffer-size";
    }

    /// 0.3's `send` up to its wait (see `udp.rs`).
    pub(crate) fn prepare_send(
        &mut self,
        len: usize,
        to: Option<SocketAddr>,
        check: &SocketAddrCheck,
    ) -> SocketResult<DatagramSend> {
        match &mut self.kind {
            Kind::Live(s) => s.prepare_send(len, to, check).map(DatagramSend::live),
            Kind::Recorded(s, t) => {
                let send = t
                    .tap
                    .record_done("prepare-send", s.prepare_send(len, to, check))?;
                Ok(DatagramSend::recorded(send, t.tap.child("/send")))
            }
            Kind::Replayed(t) => {
                t.tap.replay::<SocketResult<()>>("prepare-send")?;
                Ok(DatagramSend::replayed(t.tap.child("/send")))
            }
        }
    }

    /// 0.3's `receive` up to its wait (see `udp.rs`).
    pub(crate) fn prepare_receive(&self, check: &SocketAddrCheck) -> SocketResult<DatagramReceive> {
        match &self.kind {
            Kind::Live(s) => s.prepare_receive(check).map(DatagramReceive::live),
            Kind::Recorded(s, t) => {
                let receive = t
                    .tap
                    .record_done("prepare-receive", s.prepare_receive(check))?;
                Ok(DatagramReceive::recorded(receive, t.tap.child("/receive")))
            }
            Kind::Replayed(t) => {
                t.tap.replay::<SocketResult<()>>("prepare-receive")?;
                Ok(DatagramReceive::replayed(t.tap.child("/receive")))
            }
        }
    }
}

/// Every state change of a UDP socket completes in the call that starts
/// it, so the socket's pollable is always ready (a replayed one too).
#[async_trait::async_trait]
impl Subscribe for UdpSocket {
    async fn ready(&mut self) {}
}
