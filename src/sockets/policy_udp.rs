//! Address rules of the spec that do not depend on the OS: which addresses
//! a socket of a family may use, and which may be a remote peer. Checked
//! before the context's policy and before any system call.

use crate::bindings::sockets::network::IpAddressFamily;
use std::net::{IpAddr, SocketAddr};

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
