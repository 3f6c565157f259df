//! The host side of `wasi:sockets/ip-name-lookup.resolve-address-stream`:
//! the addresses of a name, resolved off the async executor.
//!
//! An IP literal is its own single address, with no lookup. A domain name
//! is converted to its ASCII form (`idna.rs`), then looked up with the
//! system resolver (`getaddrinfo`, through std) on the blocking pool of the
//! crate's shared runtime: no executor thread ever waits for DNS, and no
//! embedder's runtime waits for a slow lookup when it shuts down. The
//! stream holds the task and aborts it when dropped (a lookup already
//! running in `getaddrinfo` cannot be interrupted: it finishes on its pool
//! thread and its result is discarded).

use super::error::lookup_error_code;
use super::{ErrorCode, SocketResult};
use crate::io::Subscribe;
use crate::journal::Tap;
use crate::limits::Slot;
use crate::runtime::{AbortOnDropJoinHandle, spawn_blocking_shared};
use std::future::Future;
use std::net::{IpAddr, ToSocketAddrs};
use std::task::{Context, Poll, Waker};

/// The most addresses one lookup returns; the rest are dropped.
pub const MAX_ADDRESSES: usize = 256;

type LookupResult = Result<Vec<IpAddr>, ErrorCode>;

/// The host side of `wasi:sockets/ip-name-lookup.resolve-address-stream`.
pub struct ResolveAddressStream {
    state: State,
    /// Its place in the journal (each answer is journaled), if any.
    tap: Option<Tap>,
    /// Its place among the context's lookups in flight (a domain name's),
    /// given back when the stream is dropped.
    _slot: Option<Slot>,
}

enum State {
    /// The lookup runs on the blocking pool.
    Pending(AbortOnDropJoinHandle<LookupResult>),
    /// The addresses not yet returned, in the resolver's order (reversed,
    /// so the next one is popped from the end).
    Addresses(Vec<IpAddr>),
    /// The lookup failed; every later call returns the error.
    Failed(ErrorCode),
    /// A replay: the answers are the journal's, and nothing is looked up.
    Replayed,
}

impl std::fmt::Debug for ResolveAddressStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Pending(_) => "pending",
            State::Addresses(_) => "ready",
            State::Failed(_) => "failed",
            State::Replayed => "replayed",
        };
        f.debug_struct("ResolveAddressStream")
            .field("state", &state)
            .finish()
    }
}

impl ResolveAddressStream {
    /// The stream of an IP literal: the address itself, with no lookup;
    /// journaled under `tap` if it is given.
    pub(crate) fn literal(ip: IpAddr, tap: Option<Tap>) -> Self {
        ResolveAddressStream {
            state: State::Addresses(vec![ip.to_canonical()]),
            tap,
            _slot: None,
        }
    }

    /// Starts resolving the domain name `ascii` (its IDNA form, see
    /// `idna.rs`), journaled under `tap` if it is given (in a
    /// replay, nothing is looked up), holding `slot` while it lives.
    pub(crate) fn lookup(ascii: String, tap: Option<Tap>, slot: Option<Slot>) -> Self {
        let state = if tap.as_ref().is_some_and(Tap::is_replay) {
            State::Replayed
        } else {
            State::Pending(spawn_blocking_shared(move || resolve(&ascii)))
        };
        ResolveAddressStream {
            state,
            tap,
            _slot: slot,
        }
    }

    /// A stream whose every `resolve-next-address` answers `code`, with no
    /// lookup (one the context's policy or limits refuse), journaled under
    /// `tap` if it is given.
    pub(crate) fn failed(code: ErrorCode, tap: Option<Tap>) -> Self {
        ResolveAddressStream {
            state: State::Failed(code),
            tap,
            _slot: None,
        }
    }

    /// `resolve-next-address`: `would-block` while the lookup runs, then
    /// each address in turn, then `none`; journaled, or the journal's.
    pub(crate) fn next_address(&mut self) -> SocketResult<Option<IpAddr>> {
        match self.tap.clone() {
            None => self.next_live(),
            Some(tap) if tap.is_replay() => tap.replay("next-address"),
            Some(tap) => tap.record("next-address", self.next_live()),
        }
    }

    /// The next answer of the lookup itself.
    fn next_live(&mut self) -> SocketResult<Option<IpAddr>> {
        if let State::Pending(task) = &mut self.state {
            let mut cx = Context::from_waker(Waker::noop());
            match std::pin::Pin::new(task).poll(&mut cx) {
                Poll::Ready(result) => self.settle(result),
                Poll::Pending => return Err(ErrorCode::WouldBlock.into()),
            }
        }
        match &mut self.state {
            State::Addresses(addrs) => Ok(addrs.pop()),
            State::Failed(code) => Err((*code).into()),
            State::Pending(_) | State::Replayed => Err(ErrorCode::WouldBlock.into()),
        }
    }

    fn settle(&mut self, result: LookupResult) {
        self.state = match result {
            Ok(mut addrs) => {
                addrs.reverse();
                State::Addresses(addrs)
            }
            Err(code) => State::Failed(code),
        };
    }
}

#[async_trait::async_trait]
impl Subscribe for ResolveAddressStream {
    async fn ready(&mut self) {
        if let Some(tap) = &self.tap
            && tap.is_replay()
        {
            return tap.replayed_wait().await;
        }
        if let State::Pending(task) = &mut self.state {
            let result = task.await;
            self.settle(result);
        }
    }
}

/// Looks `domain` up with the system resolver: its addresses in the
/// resolver's order, without duplicates, with IPv4-mapped IPv6 addresses as
/// the IPv4 addresses they are, at most [`MAX_ADDRESSES`].
fn resolve(domain: &str) -> LookupResult {
    let found = (domain, 0u16)
        .to_socket_addrs()
        .map_err(|e| lookup_error_code(&e))?;
    let mut addrs: Vec<IpAddr> = Vec::new();
    for addr in found {
        let ip = addr.ip().to_canonical();
        if !addrs.contains(&ip) {
            addrs.push(ip);
            if addrs.len() == MAX_ADDRESSES {
                break;
            }
        }
    }
    if addrs.is_empty() {
        return Err(ErrorCode::NameUnresolvable);
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_need_no_lookup() {
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
        let mut stream = ResolveAddressStream::literal(mapped, None);
        // No runtime, no task: the address is there at once.
        assert_eq!(
            stream.next_address().unwrap(),
            Some("10.0.0.1".parse().unwrap())
        );
        assert_eq!(stream.next_address().unwrap(), None);
        assert_eq!(stream.next_address().unwrap(), None);
    }

    #[test]
    fn addresses_come_in_the_resolver_order() {
        let mut stream = ResolveAddressStream {
            tap: None,
            _slot: None,
            state: State::Addresses(Vec::new()),
        };
        let addrs: Vec<IpAddr> = vec!["::1".parse().unwrap(), "127.0.0.1".parse().unwrap()];
        stream.settle(Ok(addrs.clone()));
        assert_eq!(stream.next_address().unwrap(), Some(addrs[0]));
        assert_eq!(stream.next_address().unwrap(), Some(addrs[1]));
        assert_eq!(stream.next_address().unwrap(), None);
        stream.settle(Err(ErrorCode::NameUnresolvable));
        let err = stream.next_address().unwrap_err();
        assert_eq!(err.downcast().unwrap(), ErrorCode::NameUnresolvable);
    }
}
