//! Target `p2_sockets`: `wasi:sockets` calls with arbitrary addresses and
//! families under an address policy (issue 19, part 2, "socket policy and
//! addresses").
//!
//! A case makes up to 48 calls on the sync 0.2 host (`create`, `bind`,
//! `connect`, `listen`, `accept`, UDP `stream` and `send`, options,
//! lookups of arbitrary names, drops), with addresses drawn from loopback
//! (also IPv4-mapped IPv6), the unspecified and broadcast addresses and
//! random loopback addresses, never one off this machine, and ports that
//! are free, refused or raw. Lookups are of raw strings when the context
//! allows none (the name is still checked), and of local names and
//! literals when it does, so that no query leaves the machine. The
//! policy refuses every address whose port is the canaries' and every
//! address of 127.0.0.3, in every form.
//!
//! Oracles (a panic is a finding): no host panic and no trap (the case
//! only uses handles it owns, so every refusal must be an error code);
//! nothing the policy refused reaches the network: the canary TCP
//! listeners and UDP sockets (on 127.0.0.1 at the refused port, and on
//! 127.0.0.3) never see a connection or a datagram.

use super::input::Input;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, UdpSocket as StdUdp};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{Mutex, OnceLock};

/// Calls made by all cases so far, and those that succeeded (for the
/// reports).
pub static CALLS: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
use wasi_host::bindings::sockets::network::{
    IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
};
use wasi_host::bindings::sockets::{
    instance_network, ip_name_lookup, tcp, tcp_create_socket, udp_create_socket,
};
use wasi_host::bindings::sync::sockets::udp::{self, OutgoingDatagram};
use wasi_host::sockets::{
    IncomingDatagramStream, OutgoingDatagramStream, TcpSocket, UdpSocket, WasiSocketsView,
};
use wasi_host::{ResourceTable, SocketError, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime::component::Resource;

/// The canaries: what the policy refuses, held open so nothing else takes
/// their ports, and checked after every case.
struct Canaries {
    /// The refused port (on 127.0.0.1, where the canaries listen).
    refused_port: u16,
    tcp: Vec<TcpListener>,
    udp: Vec<StdUdp>,
}

fn canaries() -> &'static Mutex<Canaries> {
    static CANARIES: OnceLock<Mutex<Canaries>> = OnceLock::new();
    CANARIES.get_or_init(|| {
        let tcp1 = TcpListener::bind("127.0.0.1:0").expect("a canary listener");
        let refused_port = tcp1.local_addr().unwrap().port();
        let udp1 = StdUdp::bind(("127.0.0.1", refused_port)).expect("a canary UDP socket");
        let tcp3 = TcpListener::bind(("127.0.0.3", refused_port)).expect("a listener on 127.0.0.3");
        let udp3 = StdUdp::bind(("127.0.0.3", refused_port)).expect("a UDP socket on 127.0.0.3");
        let tcp = vec![tcp1, tcp3];
        let udp = vec![udp1, udp3];
        for l in &tcp {
            l.set_nonblocking(true).unwrap();
        }
        for u in &udp {
            u.set_nonblocking(true).unwrap();
        }
        Mutex::new(Canaries {
            refused_port,
            tcp,
            udp,
        })
    })
}

/// Whether the policy refuses `addr`: the canaries' port, or 127.0.0.3
/// (also as an IPv4-mapped IPv6 address).
fn refused(addr: SocketAddr, refused_port: u16) -> bool {
    let v4 = match addr.ip() {
        IpAddr::V4(a) => Some(a),
        IpAddr::V6(a) => a.to_ipv4_mapped(),
    };
    addr.port() == refused_port || v4 == Some(Ipv4Addr::new(127, 0, 0, 3))
}

struct State {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

/// An address for a call. Every address stays on this machine: loopback
/// (also IPv4-mapped), the unspecified address (which reaches loopback),
/// the broadcast address (refused by the kernel without `SO_BROADCAST`),
/// and random addresses of 127.0.0.0/8. A raw port goes only with an
/// address where no canary of another run of this target can listen (its
/// canaries are on 127.0.0.1 and 127.0.0.3, at a port the kernel gave it,
/// and it refuses every port of 127.0.0.3), so parallel runs cannot reach
/// each other's canaries.
fn address(input: &mut Input<'_>, refused_port: u16, free_port: u16) -> IpSocketAddress {
    let three = Ipv4Addr::new(127, 0, 0, 3);
    let (ip, raw_port_ok): (IpAddr, bool) = match input.u8() % 9 {
        0 => (Ipv4Addr::LOCALHOST.into(), false),
        1 => (three.into(), true),
        2 => (Ipv6Addr::LOCALHOST.into(), false),
        3 => (three.to_ipv6_mapped().into(), true),
        4 => (Ipv4Addr::LOCALHOST.to_ipv6_mapped().into(), false),
        5 => (Ipv4Addr::UNSPECIFIED.into(), false),
        6 => (Ipv6Addr::UNSPECIFIED.into(), false),
        7 => (Ipv4Addr::BROADCAST.into(), true),
        _ => {
            let [_, b, c, d] = input.u32().to_be_bytes();
            (Ipv4Addr::new(127, b.max(1), c, d).into(), true)
        }
    };
    let port = match input.u8() % 4 {
        0 => refused_port,
        1 => free_port,
        2 => 0,
        _ if raw_port_ok => input.u16(),
        _ => free_port,
    };
    match ip {
        IpAddr::V4(a) => IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port,
            address: a.octets().into(),
        }),
        IpAddr::V6(a) => {
            let s = a.segments();
            IpSocketAddress::Ipv6(Ipv6SocketAddress {
                port,
                flow_info: 0,
                address: (s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]),
                scope_id: 0,
            })
        }
    }
}

/// `Ok` for a success or an error code; a trap is a finding.
fn answered<T>(call: &str, result: Result<T, SocketError>) -> Option<T> {
    CALLS[0].fetch_add(1, Relaxed);
    match result {
        Ok(v) => {
            CALLS[1].fetch_add(1, Relaxed);
            Some(v)
        }
        Err(e) => {
            assert!(e.downcast_ref().is_some(), "{call} trapped: {e:?}");
            None
        }
    }
}

/// One case; panics on a finding.
pub fn run(data: &[u8]) {
    let canaries = canaries().lock().unwrap_or_else(|e| e.into_inner());
    let refused_port = canaries.refused_port;
    let free_port = {
        let probe = StdUdp::bind("127.0.0.1:0").expect("a free port");
        probe.local_addr().unwrap().port()
    };
    let mut input = Input::new(data);
    let lookups = input.u8().is_multiple_of(4);
    let mut builder = WasiCtxBuilder::new();
    builder
        .inherit_network()
        .allow_tcp(true)
        .allow_udp(true)
        .allow_ip_name_lookup(lookups)
        .socket_addr_check(move |addr, _| async move { !refused(addr, refused_port) });
    let mut state = State {
        ctx: builder.build(),
        table: ResourceTable::new(),
    };
    let mut host = state.sockets();
    let net = instance_network::Host::instance_network(&mut host).expect("network");
    let mut tcps: Vec<Resource<TcpSocket>> = Vec::new();
    let mut udps: Vec<Resource<UdpSocket>> = Vec::new();
    let mut dgrams: Vec<(
        Resource<IncomingDatagramStream>,
        Resource<OutgoingDatagramStream>,
    )> = Vec::new();
    let borrow = |r: &Resource<TcpSocket>| Resource::<TcpSocket>::new_borrow(r.rep());
    let borrow_udp = |r: &Resource<UdpSocket>| Resource::<UdpSocket>::new_borrow(r.rep());
    let net_b = || Resource::new_borrow(net.rep());
    for _ in 0..48 {
        if input.is_empty() {
            break;
        }
        let family = input.pick(&[IpAddressFamily::Ipv4, IpAddressFamily::Ipv6]);
        let op = input.u8() % 16;
        let t = (!tcps.is_empty()).then(|| usize::from(input.u8()) % tcps.len());
        let u = (!udps.is_empty()).then(|| usize::from(input.u8()) % udps.len());
        match (op, t, u) {
            (0 | 1, _, _) if tcps.len() < 8 => {
                let r = tcp_create_socket::Host::create_tcp_socket(&mut host, family);
                tcps.extend(answered("create-tcp-socket", r));
            }
            (2, _, _) if udps.len() < 8 => {
                let r = udp_create_socket::Host::create_udp_socket(&mut host, family);
                udps.extend(answered("create-udp-socket", r));
            }
            (3, Some(i), _) => {
                let a = address(&mut input, refused_port, free_port);
                let r = tcp::HostTcpSocket::start_bind(&mut host, borrow(&tcps[i]), net_b(), a);
                if answered("start-bind", r).is_some() {
                    answered(
                        "finish-bind",
                        tcp::HostTcpSocket::finish_bind(&mut host, borrow(&tcps[i])),
                    );
                }
            }
            (4 | 5, Some(i), _) => {
                let a = address(&mut input, refused_port, free_port);
                let r = tcp::HostTcpSocket::start_connect(&mut host, borrow(&tcps[i]), net_b(), a);
                if answered("start-connect", r).is_some() {
                    // Not waited for: the attempt is made either way.
                    let r = tcp::HostTcpSocket::finish_connect(&mut host, borrow(&tcps[i]));
                    if let Some((i, o)) = answered("finish-connect", r) {
                        let _ = host.table.delete(i);
                        let _ = host.table.delete(o);
                    }
                }
            }
            (6, Some(i), _) => {
                let r = tcp::HostTcpSocket::start_listen(&mut host, borrow(&tcps[i]));
                if answered("start-listen", r).is_some() {
                    answered(
                        "finish-listen",
                        tcp::HostTcpSocket::finish_listen(&mut host, borrow(&tcps[i])),
                    );
                }
            }
            (7, Some(i), _) => {
                let r = tcp::HostTcpSocket::accept(&mut host, borrow(&tcps[i]));
                if let Some((s, i, o)) = answered("accept", r) {
                    let _ = host.table.delete(i);
                    let _ = host.table.delete(o);
                    tcps.push(s);
                }
            }
            (8, Some(i), _) => {
                let v = input.u64();
                let _ = answered(
                    "set-receive-buffer-size",
                    tcp::HostTcpSocket::set_receive_buffer_size(&mut host, borrow(&tcps[i]), v),
                );
                let _ = answered(
                    "set-hop-limit",
                    tcp::HostTcpSocket::set_hop_limit(&mut host, borrow(&tcps[i]), input.u8()),
                );
            }
            (9, Some(i), _) => {
                let s = tcps.swap_remove(i);
                tcp::HostTcpSocket::drop(&mut host, s).expect("drop a socket");
            }
            (10, _, Some(i)) => {
                let a = address(&mut input, refused_port, free_port);
                let r = udp::HostUdpSocket::start_bind(&mut host, borrow_udp(&udps[i]), net_b(), a);
                if answered("udp start-bind", r).is_some() {
                    answered(
                        "udp finish-bind",
                        udp::HostUdpSocket::finish_bind(&mut host, borrow_udp(&udps[i])),
                    );
                }
            }
            (11 | 12, _, Some(i)) => {
                let remote = input
                    .u8()
                    .is_multiple_of(2)
                    .then(|| address(&mut input, refused_port, free_port));
                // A socket's streams go before a new pair is made.
                for (inc, out) in dgrams.drain(..) {
                    let _ = host.table.delete(inc);
                    let _ = host.table.delete(out);
                }
                let r = udp::HostUdpSocket::stream(&mut host, borrow_udp(&udps[i]), remote);
                dgrams.extend(answered("udp stream", r));
            }
            (13, _, _) if !dgrams.is_empty() => {
                let out = Resource::new_borrow(dgrams[0].1.rep());
                let permit = answered(
                    "check-send",
                    udp::HostOutgoingDatagramStream::check_send(&mut host, out),
                );
                let n = permit.unwrap_or(0).min(4);
                let datagrams = (0..n)
                    .map(|_| OutgoingDatagram {
                        data: b"canary?".to_vec(),
                        remote_address: (!input.u8().is_multiple_of(3))
                            .then(|| address(&mut input, refused_port, free_port)),
                    })
                    .collect();
                let out = Resource::new_borrow(dgrams[0].1.rep());
                let _ = answered(
                    "send",
                    udp::HostOutgoingDatagramStream::send(&mut host, out, datagrams),
                );
            }
            (14, _, Some(i)) => {
                for (inc, out) in dgrams.drain(..) {
                    let _ = host.table.delete(inc);
                    let _ = host.table.delete(out);
                }
                let s = udps.swap_remove(i);
                udp::HostUdpSocket::drop(&mut host, s).expect("drop a UDP socket");
            }
            (15, _, _) => {
                let name = if lookups {
                    input
                        .pick(&[
                            "localhost",
                            "LOCALHOST.",
                            "127.0.0.3",
                            "127.1",
                            "0x7f.0.0.3",
                            "[::1]",
                            "::ffff:127.0.0.3",
                            "[::ffff:127.0.0.3]",
                            "localhost:80",
                            "",
                        ])
                        .to_owned()
                } else {
                    let len = usize::from(input.u8() % 40);
                    String::from_utf8_lossy(input.take(len)).into_owned()
                };
                let r = ip_name_lookup::Host::resolve_addresses(&mut host, net_b(), name);
                if let Some(stream) = answered("resolve-addresses", r) {
                    let b = Resource::new_borrow(stream.rep());
                    let _ = answered(
                        "resolve-next-address",
                        ip_name_lookup::HostResolveAddressStream::resolve_next_address(
                            &mut host, b,
                        ),
                    );
                    let _ = host.table.delete(stream);
                }
            }
            _ => {}
        }
    }
    for (inc, out) in dgrams.drain(..) {
        let _ = host.table.delete(inc);
        let _ = host.table.delete(out);
    }
    drop(state);
    // Give connections made in the background a moment to land.
    std::thread::sleep(std::time::Duration::from_millis(1));
    for l in &canaries.tcp {
        let got = l.accept();
        assert!(got.is_err(), "a refused address got a connection: {got:?}");
    }
    for u in &canaries.udp {
        let mut buf = [0u8; 64];
        let got = u.recv_from(&mut buf);
        assert!(got.is_err(), "a refused address got a datagram: {got:?}");
    }
}
