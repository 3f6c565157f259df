//! The datagram streams of a UDP socket (`incoming-datagram-stream`,
//! `outgoing-datagram-stream`) and 0.3's one-datagram sends and receives,
//! as resources: the OS ones of `udp_streams.rs`, with every outcome
//! journaled when the context records, or answered from the journal in a
//! replay (the datagrams received, and how many were sent; what was sent is
//! dropped).

use super::udp_streams::{
    OsDatagramReceive, OsDatagramSend, OsIncomingDatagramStream, OsOutgoingDatagramStream,
};
use super::{IncomingDatagram, OutgoingDatagram, SocketError, SocketResult};
use crate::io::Subscribe;
use crate::journal::Tap;

/// An OS datagram object, journaled or not, or its replay.
enum Kind<Os> {
    Live(Os),
    Recorded(Os, Tap),
    Replayed(Tap),
}

/// The host side of `wasi:sockets/udp.incoming-datagram-stream`.
pub struct IncomingDatagramStream {
    kind: Kind<OsIncomingDatagramStream>,
}

impl IncomingDatagramStream {
    pub(crate) fn live(os: OsIncomingDatagramStream) -> Self {
        IncomingDatagramStream {
            kind: Kind::Live(os),
        }
    }

    pub(crate) fn recorded(os: OsIncomingDatagramStream, tap: Tap) -> Self {
        IncomingDatagramStream {
            kind: Kind::Recorded(os, tap),
        }
    }

    pub(crate) fn replayed(tap: Tap) -> Self {
        IncomingDatagramStream {
            kind: Kind::Replayed(tap),
        }
    }

    /// `receive`: up to `max_results` datagrams that have arrived (see
    /// `udp_streams.rs`); in a replay, those the journal holds.
    pub(crate) async fn receive(
        &mut self,
        max_results: u64,
    ) -> SocketResult<Vec<IncomingDatagram>> {
        match &mut self.kind {
            Kind::Live(s) => s.receive(max_results).await,
            Kind::Recorded(s, tap) => {
                let received = s.receive(max_results).await;
                tap.record("receive", received)
            }
            Kind::Replayed(tap) => {
                let received = tap.replay::<SocketResult<Vec<IncomingDatagram>>>("receive")?;
                if received.len() as u64 > max_results {
                    return Err(SocketError::trap(wasmtime::format_err!(
                        "replay diverged: the guest received at most {max_results} datagrams, \
                         but the journal holds {}",
                        received.len()
                    )));
                }
                Ok(received)
            }
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for IncomingDatagramStream {
    /// In a replay: at once while the journal holds receives, never after.
    async fn ready(&mut self) {
        match &mut self.kind {
            Kind::Live(s) | Kind::Recorded(s, _) => s.ready().await,
            Kind::Replayed(tap) => tap.replayed_wait().await,
        }
    }
}

/// The host side of `wasi:sockets/udp.outgoing-datagram-stream`.
pub struct OutgoingDatagramStream {
    kind: Kind<OsOutgoingDatagramStream>,
}

impl OutgoingDatagramStream {
    pub(crate) fn live(os: OsOutgoingDatagramStream) -> Self {
        OutgoingDatagramStream {
            kind: Kind::Live(os),
        }
    }

    pub(crate) fn recorded(os: OsOutgoingDatagramStream, tap: Tap) -> Self {
        OutgoingDatagramStream {
            kind: Kind::Recorded(os, tap),
        }
    }

    pub(crate) fn replayed(tap: Tap) -> Self {
        OutgoingDatagramStream {
            kind: Kind::Replayed(tap),
        }
    }

    /// `check-send` (see `udp_streams.rs`).
    pub(crate) fn check_send(&mut self) -> SocketResult<u64> {
        match &mut self.kind {
            Kind::Live(s) => s.check_send(),
            Kind::Recorded(s, tap) => tap.record("check-send", s.check_send()),
            Kind::Replayed(tap) => tap.replay("check-send"),
        }
    }

    /// `send`: how many of `datagrams` went out (in a replay, as many as
    /// then; none goes anywhere).
    pub(crate) async fn send(&mut self, datagrams: Vec<OutgoingDatagram>) -> SocketResult<u64> {
        match &mut self.kind {
            Kind::Live(s) => s.send(datagrams).await,
            Kind::Recorded(s, tap) => {
                let sent = s.send(datagrams).await;
                tap.record("send", sent)
            }
            Kind::Replayed(tap) => tap.replay("send"),
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for OutgoingDatagramStream {
    /// In a replay: at once (nothing is ever in flight).
    async fn ready(&mut self) {
        match &mut self.kind {
            Kind::Live(s) | Kind::Recorded(s, _) => s.ready().await,
            Kind::Replayed(_) => {}
        }
    }
}

/// A datagram on its way out of a socket, as 0.3's `send` has it (see
/// `udp_streams.rs`).
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
pub(crate) struct DatagramSend {
    kind: Kind<OsDatagramSend>,
}

#[cfg_attr(not(feature = "p3"), allow(dead_code))]
impl DatagramSend {
    pub(crate) fn live(os: OsDatagramSend) -> Self {
        DatagramSend {
            kind: Kind::Live(os),
        }
    }

    pub(crate) fn recorded(os: OsDatagramSend, tap: Tap) -> Self {
        DatagramSend {
            kind: Kind::Recorded(os, tap),
        }
    }

    pub(crate) fn replayed(tap: Tap) -> Self {
        DatagramSend {
            kind: Kind::Replayed(tap),
        }
    }

    /// Sends `data`, waiting while the socket cannot take it; in a
    /// replay, answers as then.
    pub(crate) async fn send(self, data: &[u8]) -> SocketResult<()> {
        match self.kind {
            Kind::Live(s) => s.send(data).await,
            Kind::Recorded(s, tap) => {
                let sent = s.send(data).await;
                tap.record("send", sent)
            }
            Kind::Replayed(tap) => tap.replay("send"),
        }
    }
}

/// A wait for the next datagram of a socket, as 0.3's `receive` has it
/// (see `udp_streams.rs`).
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
pub(crate) struct DatagramReceive {
    kind: Kind<OsDatagramReceive>,
}

#[cfg_attr(not(feature = "p3"), allow(dead_code))]
impl DatagramReceive {
    pub(crate) fn live(os: OsDatagramReceive) -> Self {
        DatagramReceive {
            kind: Kind::Live(os),
        }
    }

    pub(crate) fn recorded(os: OsDatagramReceive, tap: Tap) -> Self {
        DatagramReceive {
            kind: Kind::Recorded(os, tap),
        }
    }

    pub(crate) fn replayed(tap: Tap) -> Self {
        DatagramReceive {
            kind: Kind::Replayed(tap),
        }
    }

    /// The next datagram, waiting until one comes; in a replay, the
    /// journal's next, or never when it holds no more.
    pub(crate) async fn receive(self) -> SocketResult<IncomingDatagram> {
        match self.kind {
            Kind::Live(s) => s.receive().await,
            Kind::Recorded(s, tap) => {
                let received = s.receive().await;
                tap.record("receive", received)
            }
            Kind::Replayed(tap) => {
                tap.replayed_wait().await;
                tap.replay("receive")
            }
        }
    }
}
