//! The resource of `wasi:sockets/tcp.tcp-socket`: the OS socket of
//! `tcp.rs` (its state machine), with every outcome journaled when the
//! context records, or, in a replay, no OS socket at all: every outcome
//! comes from the journal, and nothing touches the network (see
//! `crate::journal`'s `net.rs` for the keys and the lines).
//!
//! A replayed socket keeps only what the guest could learn without asking
//! the network: its family, whether it listens, and how many connections
//! it accepted (the keys of their journal entries).

use super::journaled_stream::{recorded_streams, replayed_streams};
use super::tcp::OsTcpSocket;
use super::{ErrorCode, IpAddressFamily, ShutdownType, SocketAddrCheck, SocketResult};
use crate::io::{InputStream, OutputStream, Subscribe};
use crate::journal::Tap;
use crate::limits::{Budget, HeldBytes, Slot};
use std::net::SocketAddr;
use std::task::{Context, Poll};

/// The host side of `wasi:sockets/tcp.tcp-socket`.
#[derive(Debug)]
pub struct TcpSocket {
    family: IpAddressFamily,
    kind: Kind,
    /// The context's socket budget, which accepted connections take from.
    budget: Budget,
    /// This socket's place in it (`None` for a listener the embedder
    /// preopened), given back when the socket is dropped.
    _slot: Option<Slot>,
}

/// A place in the context's socket budget, or `new-socket-limit`.
pub(crate) fn take_socket(budget: &Budget) -> SocketResult<Slot> {
    budget
        .take(1)
        .ok_or_else(|| ErrorCode::NewSocketLimit.into())
}

#[derive(Debug)]
enum Kind {
    /// Nothing journaled.
    Live(OsTcpSocket),
    /// Recording: the OS socket, and its place in the journal.
    Recorded(OsTcpSocket, Track),
    /// Replaying: only the journal.
    Replayed(Track),
}

/// A journaled socket's key, and what a replay keeps of its state.
struct Track {
    tap: Tap,
    /// Connections accepted so far (the n-th is key `K.n`); a `u64`, so
    /// that no number of accepts a guest makes can overflow it.
    accepted: u64,
    /// Whether a replayed socket listens.
    listening: bool,
}

impl std::fmt::Debug for Track {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Track")
            .field("accepted", &self.accepted)
            .finish()
    }
}

impl Track {
    fn new(tap: Tap, listening: bool) -> Self {
        Track {
            tap,
            accepted: 0,
            listening,
        }
    }

    /// The key of the accepts.
    fn accepts(&self) -> Tap {
        self.tap.child("/accept")
    }

    /// The key of the next accepted connection.
    fn next_accepted(&mut self) -> Tap {
        self.accepted += 1;
        self.tap.child(&format!(".{}", self.accepted))
    }
}

impl TcpSocket {
    /// A new, unbound socket of `family` (`create-tcp-socket`), journaled
    /// under `tap` when the context records or replays, taking a place in
    /// `budget` (`new-socket-limit` when it is spent, before any journal
    /// or OS work); its connections' sends take from `sends`.
    pub(crate) fn new(
        family: IpAddressFamily,
        tap: Option<Tap>,
        budget: &Budget,
        sends: &HeldBytes,
    ) -> SocketResult<Self> {
        let slot = take_socket(budget)?;
        let kind = match tap {
            None => Kind::Live(OsTcpSocket::new(family, sends)?),
            Some(tap) if tap.is_replay() => {
                tap.replay::<SocketResult<()>>("create")?;
                Kind::Replayed(Track::new(tap, false))
            }
            Some(tap) => {
                let os = tap.record_done("create", OsTcpSocket::new(family, sends))?;
                Kind::Recorded(os, Track::new(tap, false))
            }
        };
        Ok(TcpSocket {
            family,
            kind,
            budget: budget.clone(),
            _slot: Some(slot),
        })
    }

    /// A socket in the `listening` state over a listener the embedder
    /// opened (a preopened listener of a core module); `check` judges the
    /// peers of its connections, which take from `budget` (the listener
    /// itself does not) and whose sends take from `sends`. In a replay the
    /// listener is not used.
    pub(crate) fn listening(
        listener: std::net::TcpListener,
        check: SocketAddrCheck,
        tap: Option<Tap>,
        budget: &Budget,
        sends: &HeldBytes,
    ) -> std::io::Result<Self> {
        let family = IpAddressFamily::of(listener.local_addr()?.ip());
        let kind = match tap {
            Some(tap) if tap.is_replay() => Kind::Replayed(Track::new(tap, true)),
            Some(tap) => Kind::Recorded(
                OsTcpSocket::listening(listener, check, sends)?,
                Track::new(tap, true),
            ),
            None => Kind::Live(OsTcpSocket::listening(listener, check, sends)?),
        };
        Ok(TcpSocket {
            family,
            kind,
            budget: budget.clone(),
            _slot: None,
        })
    }

    journaled_calls! {
        /// `start-bind`.
        fn start_bind(&mut self, addr: SocketAddr, check: &SocketAddrCheck) -> () = "start-bind";
        /// `finish-bind`.
        fn finish_bind(&mut self) -> () = "finish-bind";
        /// `start-connect`.
        fn start_connect(&mut self, addr: SocketAddr, check: &SocketAddrCheck) -> () = "start-connect";
        /// `start-listen`.
        fn start_listen(&mut self, check: &SocketAddrCheck) -> () = "start-listen";
        /// `set-listen-backlog-size`.
        fn set_listen_backlog_size(&mut self, value: u64) -> () = "set-listen-backlog-size";
    }

    journaled_calls! {
        /// `local-address`.
        fn local_address(&self) -> SocketAddr = "local-address";
        /// `remote-address`.
        fn remote_address(&self) -> SocketAddr = "remote-address";
        /// `keep-alive-enabled`.
        fn keep_alive_enabled(&self) -> bool = "keep-alive-enabled";
        /// `set-keep-alive-enabled`.
        fn set_keep_alive_enabled(&self, value: bool) -> () = "set-keep-alive-enabled";
        /// `keep-alive-idle-time`, in nanoseconds.
        fn keep_alive_idle_time(&self) -> u64 = "keep-alive-idle-time";
        /// `set-keep-alive-idle-time`.
        fn set_keep_alive_idle_time(&self, value: u64) -> () = "set-keep-alive-idle-time";
        /// `keep-alive-interval`, in nanoseconds.
        fn keep_alive_interval(&self) -> u64 = "keep-alive-interval";
        /// `set-keep-alive-interval`.
        fn set_keep_alive_interval(&self, value: u64) -> () = "set-keep-alive-interval";
        /// `keep-alive-count`.
        fn keep_alive_count(&self) -> u32 = "keep-alive-count";
        /// `set-keep-alive-count`.
        fn set_keep_alive_count(&self, value: u32) -> () = "set-keep-alive-count";
        /// `hop-limit`.
        fn hop_limit(&self) -> u8 = "hop-limit";
        /// `set-hop-limit`.
        fn set_hop_limit(&self, value: u8) -> () = "set-hop-limit";
        /// `receive-buffer-size`.
        fn receive_buffer_size(&self) -> u64 = "receive-buffer-size";
        /// `set-receive-buffer-size`.
        fn set_receive_buffer_size(&self, value: u64) -> () = "set-receive-buffer-size";
        /// `send-buffer-size`.
        fn send_buffer_size(&self) -> u64 = "send-buffer-size";
        /// `set-send-buffer-size`.
        fn set_send_buffer_size(&self, value: u64) -> () = "set-send-buffer-size";
        /// `shutdown`.
        fn shutdown(&self, how: ShutdownType) -> () = "shutdown";
    }

    /// `finish-connect`: the connection's streams once it is established.
    pub(crate) fn finish_connect(&mut self) -> SocketResult<(InputStream, OutputStream)> {
        match &mut self.kind {
            Kind::Live(s) => s.finish_connect(),
            Kind::Recorded(s, t) => {
                let (input, output) = t.tap.record_done("finish-connect", s.finish_connect())?;
                Ok(recorded_streams(&t.tap, input, output))
            }
            Kind::Replayed(t) => {
                t.tap.replay::<SocketResult<()>>("finish-connect")?;
                Ok(replayed_streams(&t.tap))
            }
        }
    }

    /// `finish-listen`.
    pub(crate) fn finish_listen(&mut self) -> SocketResult<()> {
        match &mut self.kind {
            Kind::Live(s) => s.finish_listen(),
            Kind::Recorded(s, t) => t.tap.record("finish-listen", s.finish_listen()),
            Kind::Replayed(t) => {
                t.tap.replay::<SocketResult<()>>("finish-listen")?;
                t.listening = true;
                Ok(())
            }
        }
    }

    /// `accept`: a connection whose peer the policy allows, or
    /// `would-block`; `new-socket-limit` when the context's socket budget
    /// is spent (the connection stays queued for a later accept).
    pub(crate) fn accept(&mut self) -> SocketResult<(TcpSocket, InputStream, OutputStream)> {
        let slot = take_socket(&self.budget)?;
        let (kind, input, output) = match &mut self.kind {
            Kind::Live(s) => {
                let (os, input, output) = s.accept()?;
                (Kind::Live(os), input, output)
            }
            Kind::Recorded(s, t) => {
                let accepted = s.accept();
                Self::record_accept(t, accepted)?
            }
            Kind::Replayed(t) => Self::replay_accept(t)?,
        };
        Ok((self.accepted(kind, slot), input, output))
    }

    /// An accepted connection of this listener, holding `slot`.
    fn accepted(&self, kind: Kind, slot: Slot) -> TcpSocket {
        TcpSocket {
            family: self.family,
            kind,
            budget: self.budget.clone(),
            _slot: Some(slot),
        }
    }

    /// Records an accept's outcome; the connection is journaled as the
    /// next child of `track`.
    fn record_accept(
        track: &mut Track,
        accepted: SocketResult<(OsTcpSocket, InputStream, OutputStream)>,
    ) -> SocketResult<(Kind, InputStream, OutputStream)> {
        let (os, input, output) = track.accepts().record_done("accept", accepted)?;
        let tap = track.next_accepted();
        let (input, output) = recorded_streams(&tap, input, output);
        Ok((Kind::Recorded(os, Track::new(tap, false)), input, output))
    }

    /// Replays an accept's outcome.
    fn replay_accept(track: &mut Track) -> SocketResult<(Kind, InputStream, OutputStream)> {
        track.accepts().replay::<SocketResult<()>>("accept")?;
        let tap = track.next_accepted();
        let (input, output) = replayed_streams(&tap);
        Ok((Kind::Replayed(Track::new(tap, false)), input, output))
    }

    /// Whether the context's socket budget has room for a connection this
    /// listener accepts.
    #[cfg_attr(not(feature = "p3"), allow(dead_code))]
    pub(crate) fn has_room(&self) -> bool {
        self.budget.has_room(1)
    }

    /// `is-listening`.
    pub(crate) fn is_listening(&self) -> bool {
        match &self.kind {
            Kind::Live(s) | Kind::Recorded(s, _) => s.is_listening(),
            Kind::Replayed(t) => t.listening,
        }
    }

    /// `address-family`.
    pub(crate) fn address_family(&self) -> IpAddressFamily {
        self.family
    }
}

/// What 0.3 needs beyond the 0.2 calls.
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
impl TcpSocket {
    journaled_calls! {
        /// What 0.3's `listen` does before the listen itself (see
        /// `tcp.rs`).
        fn prepare_listen(&mut self) -> () = "prepare-listen";
    }

    /// [`TcpSocket::accept`] for a caller that waits: `Pending` until a
    /// connection is there. In a replay, `Pending` for good once the
    /// journal holds no more accepts. A spent socket budget is
    /// `new-socket-limit` at once, the connections left queued.
    pub(crate) fn poll_accept(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<SocketResult<(TcpSocket, InputStream, OutputStream)>> {
        let slot = match take_socket(&self.budget) {
            Ok(slot) => slot,
            Err(e) => return Poll::Ready(Err(e)),
        };
        let polled = match &mut self.kind {
            Kind::Live(s) => s
                .poll_accept(cx)
                .map_ok(|(os, input, output)| (Kind::Live(os), input, output)),
            Kind::Recorded(s, t) => s
                .poll_accept(cx)
                .map(|accepted| Self::record_accept(t, accepted)),
            Kind::Replayed(t) if t.accepts().has_next() => Poll::Ready(Self::replay_accept(t)),
            Kind::Replayed(_) => Poll::Pending,
        };
        polled.map_ok(|(kind, input, output)| (self.accepted(kind, slot), input, output))
    }

    /// Polls the operation in progress until it can finish (see
    /// `tcp.rs`); a replayed one can at once.
    pub(crate) fn poll_in_progress(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        match &mut self.kind {
            Kind::Live(s) | Kind::Recorded(s, _) => s.poll_in_progress(cx),
            Kind::Replayed(_) => Poll::Ready(()),
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for TcpSocket {
    /// The OS socket's readiness; a replayed socket is ready at once,
    /// except a listener whose journal holds no more accepts.
    async fn ready(&mut self) {
        match &mut self.kind {
            Kind::Live(s) | Kind::Recorded(s, _) => s.ready().await,
            Kind::Replayed(t) if t.listening => t.accepts().replayed_wait().await,
            Kind::Replayed(_) => {}
        }
    }
}
