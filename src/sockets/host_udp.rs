//! `Host` traits of `wasi:sockets/udp` and `wasi:sockets/udp-create-socket`
//! for [`WasiImpl`].
//!
//! No UDP socket can be created yet: `create-udp-socket` answers
//! `access-denied` or `not-supported`, and every method of the (uninhabited)
//! [`UdpSocket`] and datagram streams proves it cannot run by matching on
//! the resource.

use super::{
    IncomingDatagramStream, Network, OutgoingDatagramStream, SocketKind, SocketResult, UdpSocket,
    create_socket_policy,
};
use crate::bindings::sockets::network::{IpAddressFamily, IpSocketAddress};
use crate::bindings::sockets::udp::{self, IncomingDatagram, OutgoingDatagram};
use crate::bindings::sockets::udp_create_socket;
use crate::io::Pollable;
use crate::{WasiImpl, WasiView};
use wasmtime::component::Resource;

impl<T: WasiView> udp_create_socket::Host for WasiImpl<T> {
    fn create_udp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> SocketResult<Resource<UdpSocket>> {
        // Both families are valid; which ones are supported is the only
        // question the spec leaves (`not-supported`), and none is yet.
        let _ = address_family;
        Err(create_socket_policy(self.ctx(), SocketKind::Udp).into())
    }
}

impl<T: WasiView> udp::Host for WasiImpl<T> {}

impl<T: WasiView> udp::HostUdpSocket for WasiImpl<T> {
    fn start_bind(
        &mut self,
        self_: Resource<UdpSocket>,
        _network: Resource<Network>,
        _local_address: IpSocketAddress,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn finish_bind(&mut self, self_: Resource<UdpSocket>) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn stream(
        &mut self,
        self_: Resource<UdpSocket>,
        _remote_address: Option<IpSocketAddress>,
    ) -> SocketResult<(
        Resource<IncomingDatagramStream>,
        Resource<OutgoingDatagramStream>,
    )> {
        match *self.table().get(&self_)? {}
    }

    fn local_address(&mut self, self_: Resource<UdpSocket>) -> SocketResult<IpSocketAddress> {
        match *self.table().get(&self_)? {}
    }

    fn remote_address(&mut self, self_: Resource<UdpSocket>) -> SocketResult<IpSocketAddress> {
        match *self.table().get(&self_)? {}
    }

    fn address_family(&mut self, self_: Resource<UdpSocket>) -> wasmtime::Result<IpAddressFamily> {
        match *self.table().get(&self_)? {}
    }

    fn unicast_hop_limit(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u8> {
        match *self.table().get(&self_)? {}
    }

    fn set_unicast_hop_limit(
        &mut self,
        self_: Resource<UdpSocket>,
        _value: u8,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn receive_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u64> {
        match *self.table().get(&self_)? {}
    }

    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<UdpSocket>,
        _value: u64,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn send_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u64> {
        match *self.table().get(&self_)? {}
    }

    fn set_send_buffer_size(
        &mut self,
        self_: Resource<UdpSocket>,
        _value: u64,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn subscribe(&mut self, self_: Resource<UdpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        match *self.table().get(&self_)? {}
    }

    fn drop(&mut self, rep: Resource<UdpSocket>) -> wasmtime::Result<()> {
        self.table().delete(rep)?;
        Ok(())
    }
}

impl<T: WasiView> udp::HostIncomingDatagramStream for WasiImpl<T> {
    fn receive(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
        _max_results: u64,
    ) -> SocketResult<Vec<IncomingDatagram>> {
        match *self.table().get(&self_)? {}
    }

    fn subscribe(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        match *self.table().get(&self_)? {}
    }

    fn drop(&mut self, rep: Resource<IncomingDatagramStream>) -> wasmtime::Result<()> {
        self.table().delete(rep)?;
        Ok(())
    }
}

impl<T: WasiView> udp::HostOutgoingDatagramStream for WasiImpl<T> {
    fn check_send(&mut self, self_: Resource<OutgoingDatagramStream>) -> SocketResult<u64> {
        match *self.table().get(&self_)? {}
    }

    fn send(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
        _datagrams: Vec<OutgoingDatagram>,
    ) -> SocketResult<u64> {
        match *self.table().get(&self_)? {}
    }

    fn subscribe(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        match *self.table().get(&self_)? {}
    }

    fn drop(&mut self, rep: Resource<OutgoingDatagramStream>) -> wasmtime::Result<()> {
        self.table().delete(rep)?;
        Ok(())
    }
}
