//! Asking the context's policy about an address, and the spec's address
//! rules shared by TCP and UDP.
//!
//! The embedder's `socket_addr_check` is async. Socket calls do not wait,
//! so a call polls the check once: almost every check answers at once, and
//! then the call acts on the verdict. A check that is still pending makes
//! the operation "in progress" (the spec's start/finish pairs allow it),
//! and the verdict is picked up by `subscribe` and the `finish-*` call.

use super::{SocketAddrCheck, SocketAddrUse};
use std::future::Future;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::task::{Context, Poll};

/// The owned future of one policy question.
pub(crate) type CheckFuture = Pin<Box<dyn Future<Output = bool> + Send + Sync>>;

/// One question to the policy, answered or not yet.
pub(crate) enum Verdict {
    /// The check is still running.
    Pending(CheckFuture),
    /// The check answered: whether the use is allowed.
    Done(bool),
}

impl Verdict {
    /// Asks `check` about `addr` for `addr_use`, polling once.
    pub(crate) fn ask(check: &SocketAddrCheck, addr: SocketAddr, addr_use: SocketAddrUse) -> Self {
        let mut verdict = Verdict::Pending((check.0)(addr, addr_use));
        let _ = crate::runtime::poll_once(std::future::poll_fn(|cx| verdict.poll(cx)));
        verdict
    }

    /// Polls a pending check; `Ready` with the verdict once it answered.
    pub(crate) fn poll(&mut self, cx: &mut Context<'_>) -> Poll<bool> {
        match self {
            Verdict::Done(allowed) => Poll::Ready(*allowed),
            Verdict::Pending(future) => match future.as_mut().poll(cx) {
                Poll::Ready(allowed) => {
                    *self = Verdict::Done(allowed);
                    Poll::Ready(allowed)
                }
                Poll::Pending => Poll::Pending,
            },
        }
    }
}

/// Whether `ip` is an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`), which
/// the spec refuses wherever a socket address is given.
pub(crate) fn is_ipv4_mapped(ip: &Ipv6Addr) -> bool {
    ip.to_ipv4_mapped().is_some()
}

/// Whether `ip` is a unicast address (or the unspecified one): not
/// multicast, not the IPv4 limited broadcast address.
pub(crate) fn is_unicast_or_unspecified(ip: &IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_broadcast(),
        IpAddr::V6(v6) => !v6.is_multicast(),
    }
}
