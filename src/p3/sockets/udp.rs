//! `wasi:sockets/types.udp-socket` in 0.3: the backend's UDP socket
//! ([`crate::sockets::UdpSocket`]) is the resource itself, under the same
//! policy checks as 0.2 (`UdpBind`, `UdpConnect`, and `UdpSend` and
//! `UdpReceive` for each datagram of an unconnected socket).
//!
//! 0.3 has no datagram streams: `send` and `receive` act on the socket.
//! Each checks what it can inside the store (the destination against the
//! socket's association, the size, whether the socket is bound; `send`
//! binds an unbound socket, as the spec asks), then waits outside it on a
//! handle of the OS socket, so that a guest can send while a receive
//! waits. `connect` on an unbound socket lets the OS bind it (to the
//! route's source address), and `disconnect` keeps the local port.

use super::convert::SocketResult;
use crate::p3::bindings::sockets::types::{self as b, IpAddressFamily, IpSocketAddress};
use crate::runtime::enter_ambient;
use crate::sockets::{UdpSocket, WasiSockets, WasiSocketsCtxView};
use wasmtime::component::{Accessor, Resource};

impl b::HostUdpSocket for WasiSocketsCtxView<'_> {
    fn create(&mut self, address_family: IpAddressFamily) -> SocketResult<Resource<UdpSocket>> {
        let _rt = enter_ambient();
        let socket = self.ctx.create_udp_socket(address_family.into())?;
        Ok(self.table.push(socket)?)
    }

    async fn bind(
        &mut self,
        self_: Resource<UdpSocket>,
        local_address: IpSocketAddress,
    ) -> SocketResult<()> {
        let check = self.ctx.socket_addr_check.clone();
        let socket = self.table.get_mut(&self_)?;
        socket.start_bind(local_address.into(), &check).await?;
        Ok(socket.finish_bind()?)
    }

    async fn connect(
        &mut self,
        self_: Resource<UdpSocket>,
        remote_address: IpSocketAddress,
    ) -> SocketResult<()> {
        let check = self.ctx.socket_addr_check.clone();
        let socket = self.table.get_mut(&self_)?;
        Ok(socket.connect(remote_address.into(), &check).await?)
    }

    fn disconnect(&mut self, self_: Resource<UdpSocket>) -> SocketResult<()> {
        Ok(self.table.get_mut(&self_)?.disconnect_peer()?)
    }

    fn get_local_address(&mut self, self_: Resource<UdpSocket>) -> SocketResult<IpSocketAddress> {
        Ok(self.table.get(&self_)?.local_address()?.into())
    }

    fn get_remote_address(&mut self, self_: Resource<UdpSocket>) -> SocketResult<IpSocketAddress> {
        Ok(self.table.get(&self_)?.remote_address()?.into())
    }

    fn get_address_family(
        &mut self,
        self_: Resource<UdpSocket>,
    ) -> wasmtime::Result<IpAddressFamily> {
        Ok(self.table.get(&self_)?.family().into())
    }

    fn get_unicast_hop_limit(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u8> {
        Ok(self.table.get(&self_)?.unicast_hop_limit()?)
    }

    fn set_unicast_hop_limit(&mut self, self_: Resource<UdpSocket>, value: u8) -> SocketResult<()> {
        Ok(self.table.get(&self_)?.set_unicast_hop_limit(value)?)
    }

    fn get_receive_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u64> {
        Ok(self.table.get(&self_)?.receive_buffer_size()?)
    }

    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<UdpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        Ok(self.table.get(&self_)?.set_receive_buffer_size(value)?)
    }

    fn get_send_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u64> {
        Ok(self.table.get(&self_)?.send_buffer_size()?)
    }

    fn set_send_buffer_size(&mut self, self_: Resource<UdpSocket>, value: u64) -> SocketResult<()> {
        Ok(self.table.get(&self_)?.set_send_buffer_size(value)?)
    }

    fn drop(&mut self, rep: Resource<UdpSocket>) -> wasmtime::Result<()> {
        self.table.delete(rep)?;
        Ok(())
    }
}

impl<T: Send + 'static> b::HostUdpSocketWithStore<T> for WasiSockets {
    async fn send(
        accessor: &Accessor<T, Self>,
        self_: Resource<UdpSocket>,
        data: Vec<u8>,
        remote_address: Option<IpSocketAddress>,
    ) -> SocketResult<()> {
        let send = accessor.with(|mut access| -> SocketResult<_> {
            let view = access.get();
            let check = view.ctx.socket_addr_check.clone();
            let socket = view.table.get_mut(&self_)?;
            let _rt = enter_ambient();
            let to = remote_address.map(Into::into);
            Ok(socket.prepare_send(data.len(), to, &check)?)
        })?;
        Ok(send.send(&data).await?)
    }

    async fn receive(
        accessor: &Accessor<T, Self>,
        self_: Resource<UdpSocket>,
    ) -> SocketResult<(Vec<u8>, IpSocketAddress)> {
        let receive = accessor.with(|mut access| -> SocketResult<_> {
            let view = access.get();
            let check = view.ctx.socket_addr_check.clone();
            Ok(view.table.get(&self_)?.prepare_receive(&check)?)
        })?;
        let datagram = receive.receive().await?;
        Ok((datagram.data, datagram.remote_address.into()))
    }
}
