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
//! Each call observed when the context has an observer (`send` and
//! `receive` across their waits).

use super::convert::{SocketError, SocketResult};
use crate::p3::bindings::sockets::types::{self as b, IpAddressFamily, IpSocketAddress};
use crate::p3::observe::observed;
use crate::runtime::enter_ambient;
use crate::sockets::{UdpSocket, WasiSockets, WasiSocketsCtxView};
use wasmtime::component::{Accessor, Resource};

impl b::HostUdpSocket for WasiSocketsCtxView<'_> {
    fn create(&mut self, address_family: IpAddressFamily) -> SocketResult<Resource<UdpSocket>> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[static]udp-socket.create", [address_family], -> SocketResult<Resource<UdpSocket>> {
            let _rt = enter_ambient();
            let socket = self.ctx.create_udp_socket(address_family.into())?;
            Ok(self.table.push(socket)?)
        })
    }

    async fn bind(
        &mut self,
        self_: Resource<UdpSocket>,
        local_address: IpSocketAddress,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.bind", [self_, local_address], async -> SocketResult<()> {
            let check = self.ctx.socket_addr_check.clone();
            let socket = self.table.get_mut(&self_)?;
            socket.start_bind(local_address.into(), &check).await?;
            Ok(socket.finish_bind()?)
        })
    }

    async fn connect(
        &mut self,
        self_: Resource<UdpSocket>,
        remote_address: IpSocketAddress,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.connect", [self_, remote_address], async -> SocketResult<()> {
            let check = self.ctx.socket_addr_check.clone();
            let socket = self.table.get_mut(&self_)?;
            Ok(socket.connect(remote_address.into(), &check).await?)
        })
    }

    fn disconnect(&mut self, self_: Resource<UdpSocket>) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.disconnect", [self_], -> SocketResult<()> {
            Ok(self.table.get_mut(&self_)?.disconnect_peer()?)
        })
    }

    fn get_local_address(&mut self, self_: Resource<UdpSocket>) -> SocketResult<IpSocketAddress> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.get-local-address", [self_], -> SocketResult<IpSocketAddress> {
            Ok(self.table.get(&self_)?.local_address()?.into())
        })
    }

    fn get_remote_address(&mut self, self_: Resource<UdpSocket>) -> SocketResult<IpSocketAddress> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.get-remote-address", [self_], -> SocketResult<IpSocketAddress> {
            Ok(self.table.get(&self_)?.remote_address()?.into())
        })
    }

    fn get_address_family(
        &mut self,
        self_: Resource<UdpSocket>,
    ) -> wasmtime::Result<IpAddressFamily> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.get-address-family", [self_], -> wasmtime::Result<IpAddressFamily> {
            Ok(self.table.get(&self_)?.family().into())
        })
    }

    fn get_unicast_hop_limit(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u8> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.get-unicast-hop-limit", [self_], -> SocketResult<u8> {
            Ok(self.table.get(&self_)?.unicast_hop_limit()?)
        })
    }

    fn set_unicast_hop_limit(&mut self, self_: Resource<UdpSocket>, value: u8) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.set-unicast-hop-limit", [self_, value], -> SocketResult<()> {
            Ok(self.table.get(&self_)?.set_unicast_hop_limit(value)?)
        })
    }

    fn get_receive_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u64> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.get-receive-buffer-size", [self_], -> SocketResult<u64> {
            Ok(self.table.get(&self_)?.receive_buffer_size()?)
        })
    }

    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<UdpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.set-receive-buffer-size", [self_, value], -> SocketResult<()> {
            Ok(self.table.get(&self_)?.set_receive_buffer_size(value)?)
        })
    }

    fn get_send_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u64> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.get-send-buffer-size", [self_], -> SocketResult<u64> {
            Ok(self.table.get(&self_)?.send_buffer_size()?)
        })
    }

    fn set_send_buffer_size(&mut self, self_: Resource<UdpSocket>, value: u64) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]udp-socket.set-send-buffer-size", [self_, value], -> SocketResult<()> {
            Ok(self.table.get(&self_)?.set_send_buffer_size(value)?)
        })
    }

    fn drop(&mut self, rep: Resource<UdpSocket>) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:sockets/types",
            "[resource-drop]udp-socket",
            [rep],
            self.table.delete(rep).map(drop).map_err(Into::into)
        )
    }
}

impl<T: Send + 'static> b::HostUdpSocketWithStore<T> for WasiSockets {
    async fn send(
        accessor: &Accessor<T, Self>,
        self_: Resource<UdpSocket>,
        data: Vec<u8>,
        remote_address: Option<IpSocketAddress>,
    ) -> SocketResult<()> {
        // The observer is read in the same visit of the store as the
        // send is prepared; the event reports both.
        let (observer, send) = accessor.with(|mut access| {
            let view = access.get();
            let observer = view.ctx.observer.clone();
            let check = view.ctx.socket_addr_check.clone();
            let send = view.table.get_mut(&self_).map_err(SocketError::from);
            let send = send.and_then(|socket| {
                let _rt = enter_ambient();
                let to = remote_address.map(Into::into);
                Ok(socket.prepare_send(data.len(), to, &check)?)
            });
            (observer, send)
        });
        observed!(&observer, "wasi:sockets/types", "[method]udp-socket.send", [self_, data, remote_address], async -> SocketResult<()> {
            Ok(send?.send(&data).await?)
        })
    }

    async fn receive(
        accessor: &Accessor<T, Self>,
        self_: Resource<UdpSocket>,
    ) -> SocketResult<(Vec<u8>, IpSocketAddress)> {
        let (observer, receive) = accessor.with(|mut access| {
            let view = access.get();
            let check = view.ctx.socket_addr_check.clone();
            let receive = view.table.get(&self_).map_err(SocketError::from);
            let receive = receive.and_then(|socket| Ok(socket.prepare_receive(&check)?));
            (view.ctx.observer.clone(), receive)
        });
        observed!(&observer, "wasi:sockets/types", "[method]udp-socket.receive", [self_], async -> SocketResult<(Vec<u8>, IpSocketAddress)> {
            let datagram = receive?.receive().await?;
            Ok((datagram.data, datagram.remote_address.into()))
        })
    }
}
