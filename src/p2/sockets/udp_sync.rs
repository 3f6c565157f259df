//! `wasi:sockets/udp` for [`crate::sockets::WasiSocketsCtxView`], sync flavour: every method calls
//! the async flavour's (`udp.rs`), or for `send` and `receive` the same
//! helpers; the async ones (`start-bind`, `stream`, `send`, `receive`) run
//! through [`block_on`].
//!
//! The sync bindings generate their own copies of the interface's records
//! (`incoming-datagram`, `outgoing-datagram`); `convert.rs` maps them to
//! and from the backend's datagrams directly.

use super::SocketResult;
use crate::io::Pollable;
use crate::p2::bindings::sockets::network::{IpAddressFamily, IpSocketAddress};
use crate::p2::bindings::sockets::udp as a;
use crate::p2::bindings::sync::sockets::udp::{self, IncomingDatagram, OutgoingDatagram};
use crate::runtime::block_on;
use crate::sockets::WasiSocketsCtxView;
use crate::sockets::{IncomingDatagramStream, Network, OutgoingDatagramStream, UdpSocket};
use wasmtime::component::Resource;

impl udp::Host for WasiSocketsCtxView<'_> {}

/// Forwards each listed method to the async flavour's (non-async) method.
macro_rules! forward {
    ($trait:ident: $( fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        $(
            fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                <Self as a::$trait>::$name(self $(, $arg)*)
            }
        )*
    };
}

impl udp::HostUdpSocket for WasiSocketsCtxView<'_> {
    fn start_bind(
        &mut self,
        self_: Resource<UdpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> SocketResult<()> {
        block_on(<Self as a::HostUdpSocket>::start_bind(
            self,
            self_,
            network,
            local_address,
        ))
    }

    fn stream(
        &mut self,
        self_: Resource<UdpSocket>,
        remote_address: Option<IpSocketAddress>,
    ) -> SocketResult<(
        Resource<IncomingDatagramStream>,
        Resource<OutgoingDatagramStream>,
    )> {
        block_on(<Self as a::HostUdpSocket>::stream(
            self,
            self_,
            remote_address,
        ))
    }

    forward! { HostUdpSocket:
        fn finish_bind(&mut self, s: Resource<UdpSocket>) -> SocketResult<()>;
        fn local_address(&mut self, s: Resource<UdpSocket>) -> SocketResult<IpSocketAddress>;
        fn remote_address(&mut self, s: Resource<UdpSocket>) -> SocketResult<IpSocketAddress>;
        fn address_family(&mut self, s: Resource<UdpSocket>) -> wasmtime::Result<IpAddressFamily>;
        fn unicast_hop_limit(&mut self, s: Resource<UdpSocket>) -> SocketResult<u8>;
        fn set_unicast_hop_limit(&mut self, s: Resource<UdpSocket>, value: u8) -> SocketResult<()>;
        fn receive_buffer_size(&mut self, s: Resource<UdpSocket>) -> SocketResult<u64>;
        fn set_receive_buffer_size(&mut self, s: Resource<UdpSocket>, value: u64) -> SocketResult<()>;
        fn send_buffer_size(&mut self, s: Resource<UdpSocket>) -> SocketResult<u64>;
        fn set_send_buffer_size(&mut self, s: Resource<UdpSocket>, value: u64) -> SocketResult<()>;
        fn subscribe(&mut self, s: Resource<UdpSocket>) -> wasmtime::Result<Resource<Pollable>>;
        fn drop(&mut self, s: Resource<UdpSocket>) -> wasmtime::Result<()>;
    }
}

impl udp::HostIncomingDatagramStream for WasiSocketsCtxView<'_> {
    fn receive(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
        max_results: u64,
    ) -> SocketResult<Vec<IncomingDatagram>> {
        let received = block_on(self.udp_receive(self_, max_results))?;
        Ok(received.into_iter().map(Into::into).collect())
    }

    forward! { HostIncomingDatagramStream:
        fn subscribe(&mut self, s: Resource<IncomingDatagramStream>) -> wasmtime::Result<Resource<Pollable>>;
        fn drop(&mut self, s: Resource<IncomingDatagramStream>) -> wasmtime::Result<()>;
    }
}

impl udp::HostOutgoingDatagramStream for WasiSocketsCtxView<'_> {
    fn send(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
        datagrams: Vec<OutgoingDatagram>,
    ) -> SocketResult<u64> {
        let datagrams = datagrams.into_iter().map(Into::into).collect();
        block_on(self.udp_send(self_, datagrams))
    }

    forward! { HostOutgoingDatagramStream:
        fn check_send(&mut self, s: Resource<OutgoingDatagramStream>) -> SocketResult<u64>;
        fn subscribe(&mut self, s: Resource<OutgoingDatagramStream>) -> wasmtime::Result<Resource<Pollable>>;
        fn drop(&mut self, s: Resource<OutgoingDatagramStream>) -> wasmtime::Result<()>;
    }
}
