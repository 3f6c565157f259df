//! Asking the context's policy about an address, and the spec's address
//! rules shared by TCP and UDP (which do not depend on the OS and are
//! checked before the policy and before any system call).
//!
//! The embedder's `socket_addr_check` is async. Socket calls do not wait,
//! so a call polls the check once: almost every check answers at once, and
//! then the call acts on the verdict. A check that is still pending makes
//! the operation "in progress" (the spec's start/finish pairs allow it),
//! and the verdict is picked up by `subscribe` and the `finish-*` call.

use super::{IpAddressFamily, SocketAddrCheck, SocketAddrUse};
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
    /// Asks `check` about `addr` for `addr_use`, without polling yet.
    pub(crate) fn new(check: &SocketAddrCheck, addr: SocketAddr, addr_use: SocketAddrUse) -> Self {
        Verdict::Pending(check.ask(addr, addr_use))
    }

    /// Asks `check` about `addr` for `addr_use`, polling once.
    pub(crate) fn ask(check: &SocketAddrCheck, addr: SocketAddr, addr_use: SocketAddrUse) -> Self {
        let mut verdict = Verdict::new(check, addr, addr_use);
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

/// Whether `ip` may be used by a socket of `family`. An IPv6 socket is
/// always IPv6-only (the spec: `IPV6_V6ONLY` is on and cannot be turned
/// off), so IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`) are refused
/// there, as are the deprecated IPv4-compatible ones (`::a.b.c.d`, other
/// than `::` and `::1`), which name no IPv6 host either.
pub(crate) fn family_accepts(family: IpAddressFamily, ip: IpAddr) -> bool {
    match (family, ip) {
        (IpAddressFamily::Ipv4, IpAddr::V4(_)) => true,
        (IpAddressFamily::Ipv6, IpAddr::V6(v6)) => {
            let s = v6.segments();
            let embeds_v4 = s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0);
            !embeds_v4 || v6.is_unspecified() || v6.is_loopback()
        }
        _ => false,
    }
}

/// Whether `ip` is a unicast address: not multicast, and not the IPv4
/// limited broadcast address. Only unicast is supported.
pub(crate) fn is_unicast(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => !v4.is_multicast() && !v4.is_broadcast(),
        IpAddr::V6(v6) => !v6.is_multicast(),
    }
}

/// Whether `addr` may be a remote peer: a unicast address that is not the
/// unspecified one, and a port other than 0.
pub(crate) fn is_valid_remote(addr: SocketAddr) -> bool {
    !addr.ip().is_unspecified() && addr.port() != 0 && is_unicast(addr.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn families() {
        use IpAddressFamily::{Ipv4, Ipv6};
        assert!(family_accepts(Ipv4, ip("127.0.0.1")));
        assert!(!family_accepts(Ipv4, ip("::1")));
        assert!(family_accepts(Ipv6, ip("::1")));
        assert!(family_accepts(Ipv6, ip("::")));
        assert!(family_accepts(Ipv6, ip("fe80::1")));
        assert!(!family_accepts(Ipv6, ip("127.0.0.1")));
        assert!(!family_accepts(Ipv6, ip("::ffff:127.0.0.1")));
        assert!(!family_accepts(Ipv6, ip("::127.0.0.2")));
    }

    #[test]
    fn remotes() {
        let ok = |s: &str| is_valid_remote(s.parse().unwrap());
        assert!(ok("127.0.0.1:9"));
        assert!(ok("[::1]:9"));
        assert!(!ok("127.0.0.1:0"));
        assert!(!ok("0.0.0.0:9"));
        assert!(!ok("[::]:9"));
        assert!(!ok("224.0.0.1:9"));
        assert!(!ok("255.255.255.255:9"));
        assert!(!ok("[ff02::1]:9"));
    }
}
