//! Host-side tests of `wasi:sockets` (no guest program): the policy answers
//! of the `Host` traits, traps on handles that do not exist, and that every
//! sockets interface is linked.

use wasi_host::bindings::sockets::network::{ErrorCode, IpAddressFamily};
use wasi_host::bindings::sockets::{
    instance_network, ip_name_lookup, network, tcp, tcp_create_socket, udp, udp_create_socket,
};
use wasi_host::sockets::WasiSocketsView;
use wasi_host::sockets::{Network, TcpSocket, UdpSocket};
use wasi_host::{ResourceTable, SocketError, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use wasmtime::component::{Component, Linker, Resource};
use wasmtime::{Engine, Store};

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

fn state(configure: impl FnOnce(&mut WasiCtxBuilder)) -> State {
    let mut builder = WasiCtxBuilder::new();
    configure(&mut builder);
    State {
        ctx: builder.build(),
        table: ResourceTable::new(),
    }
}

/// The spec error code of `result`, failing the test on success or a trap.
fn code<T>(result: Result<T, SocketError>) -> ErrorCode {
    match result {
        Ok(_) => panic!("expected an error code, got success"),
        Err(e) => match e.downcast_ref() {
            Some(code) => *code,
            None => panic!("expected an error code, got a trap: {e}"),
        },
    }
}

#[test]
fn create_socket_is_denied_by_default_and_allowed_tcp_creates() {
    for family in [IpAddressFamily::Ipv4, IpAddressFamily::Ipv6] {
        let mut s = state(|_| {});
        let mut host = s.sockets();
        assert_eq!(
            code(tcp_create_socket::Host::create_tcp_socket(
                &mut host, family
            )),
            ErrorCode::AccessDenied
        );
        assert_eq!(
            code(udp_create_socket::Host::create_udp_socket(
                &mut host, family
            )),
            ErrorCode::AccessDenied
        );

        let mut s = state(|b| {
            b.allow_tcp(true);
        });
        let mut host = s.sockets();
        assert!(tcp_create_socket::Host::create_tcp_socket(&mut host, family).is_ok());
        assert_eq!(
            code(udp_create_socket::Host::create_udp_socket(
                &mut host, family
            )),
            ErrorCode::AccessDenied
        );

        let mut s = state(|b| {
            b.allow_udp(true).inherit_network();
        });
        let mut host = s.sockets();
        assert_eq!(
            code(tcp_create_socket::Host::create_tcp_socket(
                &mut host, family
            )),
            ErrorCode::AccessDenied
        );
        let socket = udp_create_socket::Host::create_udp_socket(&mut host, family)
            .expect("an allowed UDP socket is created");
        udp::HostUdpSocket::drop(&mut host, socket).unwrap();
    }
}

#[test]
fn resolve_addresses_checks_the_name_then_the_policy() {
    for allowed in [false, true] {
        let mut s = state(|b| {
            b.allow_ip_name_lookup(allowed);
        });
        let mut host = s.sockets();
        let net = instance_network::Host::instance_network(&mut host).unwrap();
        for name in [
            "",
            " ",
            "a.b<&>",
            "127.0.0.1:80",
            "[::1",
            "[1.2.3.4]",
            "http://example.com/",
        ] {
            let r = ip_name_lookup::Host::resolve_addresses(
                &mut host,
                Resource::new_borrow(net.rep()),
                name.to_owned(),
            );
            assert_eq!(code(r), ErrorCode::InvalidArgument, "{name:?}");
        }
        for name in ["localhost", "127.0.0.1", "::1", "[::1]", "[::]"] {
            let r = ip_name_lookup::Host::resolve_addresses(
                &mut host,
                Resource::new_borrow(net.rep()),
                name.to_owned(),
            );
            let stream = r.expect("a well-formed name gives a stream");
            if !allowed {
                // Refused: the stream answers the resolver's permanent
                // failure, as wasmtime's does, never an address.
                for _ in 0..2 {
                    let next = ip_name_lookup::HostResolveAddressStream::resolve_next_address(
                        &mut host,
                        Resource::new_borrow(stream.rep()),
                    );
                    assert_eq!(code(next), ErrorCode::PermanentResolverFailure, "{name:?}");
                }
            }
            ip_name_lookup::HostResolveAddressStream::drop(&mut host, stream).unwrap();
        }
        network::HostNetwork::drop(&mut host, net).unwrap();
        assert!(host.table.is_empty());
    }
}

#[test]
fn error_codes_convert_and_traps_stay_traps() {
    let mut s = state(|_| {});
    let mut host = s.sockets();
    let converted =
        network::Host::convert_error_code(&mut host, ErrorCode::AccessDenied.into()).unwrap();
    assert_eq!(converted, ErrorCode::AccessDenied);
    let trap = SocketError::trap(wasmtime::format_err!("host failure"));
    assert!(network::Host::convert_error_code(&mut host, trap).is_err());
}

#[test]
fn handles_that_do_not_exist_trap_instead_of_panicking() {
    let mut s = state(|b| {
        b.allow_tcp(true).allow_udp(true).allow_ip_name_lookup(true);
    });
    let mut host = s.sockets();

    let r = tcp::HostTcpSocket::finish_bind(&mut host, Resource::<TcpSocket>::new_borrow(7));
    assert!(r.unwrap_err().downcast_ref().is_none());
    assert!(tcp::HostTcpSocket::is_listening(&mut host, Resource::new_borrow(7)).is_err());
    assert!(tcp::HostTcpSocket::drop(&mut host, Resource::new_own(7)).is_err());

    let r = udp::HostUdpSocket::finish_bind(&mut host, Resource::<UdpSocket>::new_borrow(7));
    assert!(r.unwrap_err().downcast_ref().is_none());
    assert!(udp::HostUdpSocket::drop(&mut host, Resource::new_own(7)).is_err());

    let r = ip_name_lookup::Host::resolve_addresses(
        &mut host,
        Resource::<Network>::new_borrow(7),
        "localhost".to_owned(),
    );
    assert!(r.unwrap_err().downcast_ref().is_none());
}

/// A component that imports every sockets interface under its 0.2.0 name,
/// each with its resources and, where the types are simple, a function.
const IMPORTS_ALL_SOCKETS: &str = r#"
(component
  (import "wasi:sockets/network@0.2.0" (instance $network
    (export "network" (type (sub resource)))
  ))
  (alias export $network "network" (type $network-type))
  (import "wasi:sockets/instance-network@0.2.0" (instance
    (alias outer 1 $network-type (type $n))
    (export "network" (type $network (eq $n)))
    (type $own (own $network))
    (export "instance-network" (func (result $own)))
  ))
  (import "wasi:sockets/ip-name-lookup@0.2.0" (instance
    (export "resolve-address-stream" (type (sub resource)))
  ))
  (import "wasi:sockets/tcp@0.2.0" (instance
    (export "tcp-socket" (type $socket (sub resource)))
    (type $borrow (borrow $socket))
    (export "[method]tcp-socket.is-listening" (func (param "self" $borrow) (result bool)))
  ))
  (import "wasi:sockets/tcp-create-socket@0.2.0" (instance))
  (import "wasi:sockets/udp@0.2.0" (instance
    (export "udp-socket" (type (sub resource)))
    (export "incoming-datagram-stream" (type (sub resource)))
    (export "outgoing-datagram-stream" (type (sub resource)))
  ))
  (import "wasi:sockets/udp-create-socket@0.2.0" (instance))
)
"#;

#[test]
fn every_sockets_interface_is_linked_sync() {
    let engine = Engine::default();
    let component = Component::new(&engine, IMPORTS_ALL_SOCKETS).unwrap();
    let mut linker = Linker::<State>::new(&engine);
    wasi_host::add_to_linker_sync(&mut linker).unwrap();
    let mut store = Store::new(&engine, state(|_| {}));
    linker.instantiate(&mut store, &component).unwrap();
}

#[tokio::test]
async fn every_sockets_interface_is_linked_async() {
    let engine = Engine::default();
    let component = Component::new(&engine, IMPORTS_ALL_SOCKETS).unwrap();
    let mut linker = Linker::<State>::new(&engine);
    wasi_host::add_to_linker_async(&mut linker).unwrap();
    let mut store = Store::new(&engine, state(|_| {}));
    linker
        .instantiate_async(&mut store, &component)
        .await
        .unwrap();
}

#[test]
fn proxy_linker_has_no_sockets() {
    let engine = Engine::default();
    let component = Component::new(&engine, IMPORTS_ALL_SOCKETS).unwrap();
    let mut linker = Linker::<State>::new(&engine);
    wasi_host::add_to_linker_proxy_interfaces_sync(&mut linker).unwrap();
    let mut store = Store::new(&engine, state(|_| {}));
    let err = linker.instantiate(&mut store, &component).unwrap_err();
    assert!(format!("{err:?}").contains("wasi:sockets/"), "{err:?}");
}
