//! Conversions between the spec's address records and `std::net` addresses.

use crate::bindings::sockets::network::{
    IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};

impl From<IpSocketAddress> for SocketAddr {
    fn from(addr: IpSocketAddress) -> Self {
        match addr {
            IpSocketAddress::Ipv4(a) => {
                let (b0, b1, b2, b3) = a.address;
                SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::new(b0, b1, b2, b3), a.port))
            }
            IpSocketAddress::Ipv6(a) => {
                let (s0, s1, s2, s3, s4, s5, s6, s7) = a.address;
                SocketAddr::V6(SocketAddrV6::new(
                    Ipv6Addr::new(s0, s1, s2, s3, s4, s5, s6, s7),
                    a.port,
                    a.flow_info,
                    a.scope_id,
                ))
            }
        }
    }
}

impl From<SocketAddr> for IpSocketAddress {
    fn from(addr: SocketAddr) -> Self {
        match addr {
            SocketAddr::V4(a) => IpSocketAddress::Ipv4(Ipv4SocketAddress {
                port: a.port(),
                address: ipv4_tuple(*a.ip()),
            }),
            SocketAddr::V6(a) => IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port: a.port(),
                flow_info: a.flowinfo(),
                address: ipv6_tuple(*a.ip()),
                scope_id: a.scope_id(),
            }),
        }
    }
}

impl From<IpAddr> for IpAddress {
    fn from(addr: IpAddr) -> Self {
        match addr {
            IpAddr::V4(a) => IpAddress::Ipv4(ipv4_tuple(a)),
            IpAddr::V6(a) => IpAddress::Ipv6(ipv6_tuple(a)),
        }
    }
}

fn ipv4_tuple(a: Ipv4Addr) -> (u8, u8, u8, u8) {
    let [b0, b1, b2, b3] = a.octets();
    (b0, b1, b2, b3)
}

fn ipv6_tuple(a: Ipv6Addr) -> (u16, u16, u16, u16, u16, u16, u16, u16) {
    let [s0, s1, s2, s3, s4, s5, s6, s7] = a.segments();
    (s0, s1, s2, s3, s4, s5, s6, s7)
}

/// The family of an address.
#[allow(dead_code)] // used by the socket backends
pub(crate) fn family_of(addr: &SocketAddr) -> IpAddressFamily {
    match addr {
        SocketAddr::V4(_) => IpAddressFamily::Ipv4,
        SocketAddr::V6(_) => IpAddressFamily::Ipv6,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for text in ["127.0.0.1:80", "[::1]:443", "[fe80::1%3]:9", "0.0.0.0:0"] {
            let addr: SocketAddr = text.parse().unwrap();
            let spec = IpSocketAddress::from(addr);
            assert_eq!(SocketAddr::from(spec), addr, "{text}");
        }
    }
}
