//! The `wasi:sockets` part of a context: the network policy, and the view
//! its host code works through.

use super::{
    ErrorCode, HostName, IpAddressFamily, ResolveAddressStream, SocketAddrCheck, SocketResult,
    TcpSocket, UdpSocket,
};
use crate::journal::Tap;
use crate::limits::{
    Budget, DEFAULT_MAX_LOOKUPS_IN_FLIGHT, DEFAULT_MAX_LOOKUPS_PER_RUN,
    DEFAULT_MAX_LOOKUPS_PER_SECOND, DEFAULT_MAX_SOCKET_SEND_BYTES, DEFAULT_MAX_SOCKETS, HeldBytes,
    Rate, Refusal,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;
use wasmtime::component::{HasData, ResourceTable};

/// A guest's network grants: which kinds of socket and lookup it may use
/// and which addresses (the `socket_addr_check` policy), and the listening
/// sockets given to a core module. Part of a [`crate::WasiCtx`]
/// ([`WasiCtx::sockets`](crate::WasiCtx::sockets)). Nothing is allowed by
/// default.
pub struct WasiSocketsCtx {
    /// Who is told of every call (the context's observer, copied here
    /// when it is built).
    pub(crate) observer: crate::observe::Observer,
    /// The context's record/replay journal (copied here when it is
    /// built).
    pub(crate) journal: crate::journal::Journal,
    pub(crate) socket_addr_check: SocketAddrCheck,
    pub(crate) allow_tcp: bool,
    pub(crate) allow_udp: bool,
    pub(crate) allow_ip_name_lookup: bool,
    /// Listening sockets for a core module's descriptor table.
    pub(crate) tcp_listeners: Vec<std::net::TcpListener>,
    /// The journal key of the next socket or lookup the guest makes.
    next_key: AtomicU64,
    /// The sockets the guest holds (`Limits::sockets`).
    pub(crate) socket_budget: Budget,
    /// The bytes its TCP sends hold (`Limits::socket_send_bytes`).
    pub(crate) send_bytes: HeldBytes,
    /// The lookups of domain names it holds (`Limits::lookups_in_flight`).
    pub(crate) lookup_budget: Budget,
    /// The lookups of domain names it started, per run and per second.
    pub(crate) lookup_rate: Rate,
}

impl Default for WasiSocketsCtx {
    /// No TCP, no UDP, no lookups, no address.
    fn default() -> Self {
        WasiSocketsCtx {
            observer: None,
            journal: crate::journal::Journal::Off,
            socket_addr_check: SocketAddrCheck::unset(),
            allow_tcp: false,
            allow_udp: false,
            allow_ip_name_lookup: false,
            tcp_listeners: Vec::new(),
            next_key: AtomicU64::new(1),
            socket_budget: Budget::new(DEFAULT_MAX_SOCKETS),
            send_bytes: HeldBytes::new(DEFAULT_MAX_SOCKET_SEND_BYTES),
            lookup_budget: Budget::new(DEFAULT_MAX_LOOKUPS_IN_FLIGHT),
            lookup_rate: Rate::new(DEFAULT_MAX_LOOKUPS_PER_RUN, DEFAULT_MAX_LOOKUPS_PER_SECOND),
        }
    }
}

impl WasiSocketsCtx {
    /// The default grants, with `limits`' socket and lookup budgets inside
    /// the context's `handles`.
    pub(crate) fn within(limits: &crate::limits::Limits, handles: &Budget) -> Self {
        WasiSocketsCtx {
            socket_budget: Budget::with_parent(limits.sockets, Some(handles.clone())),
            lookup_budget: Budget::with_parent(limits.lookups_in_flight, Some(handles.clone())),
            send_bytes: HeldBytes::new(limits.socket_send_bytes),
            ..WasiSocketsCtx::default()
        }
    }

    /// The journal's place for the next socket or lookup the guest makes
    /// (`None` when nothing is journaled).
    fn tap(&self) -> Option<Tap> {
        if !self.journal.is_on() {
            return None;
        }
        let key = self.next_key.fetch_add(1, Ordering::Relaxed);
        Tap::new(&self.journal, key.to_string())
    }

    /// The journal's place for the `index`-th listener preopened for a
    /// core module (key `pN`).
    pub(crate) fn listener_tap(&self, index: usize) -> Option<Tap> {
        Tap::new(&self.journal, format!("p{index}"))
    }

    /// `create-tcp-socket`: a new TCP socket of `family`;
    /// `access-denied` unless the context allows TCP.
    pub(crate) fn create_tcp_socket(&self, family: IpAddressFamily) -> SocketResult<TcpSocket> {
        if !self.allow_tcp {
            return Err(ErrorCode::AccessDenied.into());
        }
        TcpSocket::new(family, self.tap(), &self.socket_budget, &self.send_bytes)
    }

    /// `create-udp-socket`: a new UDP socket of `family`;
    /// `access-denied` unless the context allows UDP.
    pub(crate) fn create_udp_socket(&self, family: IpAddressFamily) -> SocketResult<UdpSocket> {
        if !self.allow_udp {
            return Err(ErrorCode::AccessDenied.into());
        }
        UdpSocket::new(family, self.tap(), &self.socket_budget)
    }

    /// `resolve-addresses` of a checked name: the lookup, or, when the
    /// context allows none, a stream that answers
    /// `permanent-resolver-failure` (what programs written for wasmtime
    /// check for).
    ///
    /// A domain name (an IP literal needs no lookup) takes a place among
    /// the lookups in flight and counts against the run's and the second's
    /// lookups; a spent limit gives a stream whose answer is
    /// `temporary-resolver-failure` (in flight, this second) or
    /// `permanent-resolver-failure` (the run's). That answer is journaled
    /// like a lookup's, and a replay gives the journal's answers without
    /// counting.
    pub(crate) fn resolve_addresses(&self, name: HostName) -> SocketResult<ResolveAddressStream> {
        if !self.allow_ip_name_lookup {
            return Ok(ResolveAddressStream::failed(
                ErrorCode::PermanentResolverFailure,
                None,
            ));
        }
        let ascii = match name {
            HostName::Ip(ip) => return Ok(ResolveAddressStream::literal(ip, self.tap())),
            // Refused before any limit counts it, in a replay as in the run.
            HostName::Domain(domain) => {
                super::idna::to_ascii(&domain).ok_or(ErrorCode::InvalidArgument)?
            }
        };
        let tap = self.tap();
        if tap.as_ref().is_some_and(Tap::is_replay) {
            let slot = self.lookup_budget.take(1);
            return Ok(ResolveAddressStream::lookup(ascii, tap, slot));
        }
        let Some(slot) = self.lookup_budget.take(1) else {
            return Ok(ResolveAddressStream::failed(
                ErrorCode::TemporaryResolverFailure,
                tap,
            ));
        };
        let timed = tap.is_none();
        Ok(match self.lookup_rate.admit(Instant::now(), timed) {
            Ok(()) => ResolveAddressStream::lookup(ascii, tap, Some(slot)),
            Err(Refusal::PerSecond) => {
                ResolveAddressStream::failed(ErrorCode::TemporaryResolverFailure, tap)
            }
            Err(Refusal::PerRun) => {
                ResolveAddressStream::failed(ErrorCode::PermanentResolverFailure, tap)
            }
        })
    }
}

/// What the `wasi:sockets` host functions see: the sockets context and the
/// resource table.
pub struct WasiSocketsCtxView<'a> {
    /// The sockets part of the context.
    pub ctx: &'a mut WasiSocketsCtx,
    /// The store's resource table.
    pub table: &'a mut ResourceTable,
}

/// Store data that can give the `wasi:sockets` host functions their view
/// (every [`crate::WasiView`] can).
pub trait WasiSocketsView: Send {
    /// The view of this store's sockets context.
    fn sockets(&mut self) -> WasiSocketsCtxView<'_>;
}

/// The [`HasData`] of the `wasi:sockets` interfaces.
pub struct WasiSockets;

impl HasData for WasiSockets {
    type Data<'a> = WasiSocketsCtxView<'a>;
}
