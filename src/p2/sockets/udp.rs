//! `Host` traits of `wasi:sockets/udp` (async flavour) and
//! `wasi:sockets/udp-create-socket` for [`crate::sockets::WasiSocketsCtxView`].
//!
//! The calls that ask the context's `socket_addr_check` policy
//! (`start-bind`, `stream`, `send`, `receive`) are async; the sync flavour
//! (`udp_sync.rs`) runs these same futures through `block_on`. The
//! work itself is in the backend's `udp.rs` and `udp_streams.rs`.

use super::SocketResult;
use crate::io::Pollable;
use crate::p2::bindings::sockets::network::{IpAddressFamily, IpSocketAddress};
use crate::p2::bindings::sockets::udp::{self, IncomingDatagram, OutgoingDatagram};
use crate::p2::bindings::sockets::udp_create_socket;
use crate::p2::observe::observed;
use crate::sockets::WasiSocketsCtxView;
use crate::sockets::{
    self, IncomingDatagramStream, Network, OutgoingDatagramStream, SocketAddrCheck, UdpSocket,
};
use wasmtime::component::Resource;

impl udp_create_socket::Host for WasiSocketsCtxView<'_> {
    fn create_udp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> SocketResult<Resource<UdpSocket>> {
        observed!(&self.ctx.observer, "wasi:sockets/udp-create-socket", "create-udp-socket", [address_family], -> SocketResult<Resource<UdpSocket>> {
            let socket = self.ctx.create_udp_socket(address_family.into())?;
            Ok(self.table.push(socket)?)
        })
    }
}

impl WasiSocketsCtxView<'_> {
    /// The context's address policy, for a call that checks addresses.
    fn addr_check(&mut self) -> SocketAddrCheck {
        self.ctx.socket_addr_check.clone()
    }

    /// `receive`, with the backend's datagrams, which each flavour
    /// converts to its own record (observed here, for both).
    pub(super) async fn udp_receive(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
        max_results: u64,
    ) -> SocketResult<Vec<sockets::IncomingDatagram>> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]incoming-datagram-stream.receive",
        [self_, max_results], async -> SocketResult<Vec<sockets::IncomingDatagram>> {
            Ok(self.table.get_mut(&self_)?.receive(max_results).await?)
        })
    }

    /// `send`, with the backend's datagrams, to which each flavour
    /// converts its own records (observed here, for both).
    pub(super) async fn udp_send(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
        datagrams: Vec<sockets::OutgoingDatagram>,
    ) -> SocketResult<u64> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]outgoing-datagram-stream.send",
        [self_, datagrams], async -> SocketResult<u64> {
            Ok(self.table.get_mut(&self_)?.send(datagrams).await?)
        })
    }
}

impl udp::Host for WasiSocketsCtxView<'_> {}

impl udp::HostUdpSocket for WasiSocketsCtxView<'_> {
    async fn start_bind(
        &mut self,
        self_: Resource<UdpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.start-bind", [self_, network, local_address], async -> SocketResult<()> {
            self.table.get(&network)?;
            let check = self.addr_check();
            let socket = self.table.get_mut(&self_)?;
            Ok(socket.start_bind(local_address.into(), &check).await?)
        })
    }

    fn finish_bind(&mut self, self_: Resource<UdpSocket>) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.finish-bind", [self_], -> SocketResult<()> {
            Ok(self.table.get_mut(&self_)?.finish_bind()?)
        })
    }

    async fn stream(
        &mut self,
        self_: Resource<UdpSocket>,
        remote_address: Option<IpSocketAddress>,
    ) -> SocketResult<(
        Resource<IncomingDatagramStream>,
        Resource<OutgoingDatagramStream>,
    )> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.stream", [self_, remote_address], async -> SocketResult<(
            Resource<IncomingDatagramStream>,
            Resource<OutgoingDatagramStream>,
        )> {
                let check = self.addr_check();
                let socket = self.table.get_mut(&self_)?;
                let (incoming, outgoing) = socket
                    .stream(remote_address.map(Into::into), &check)
                    .await?;
                let incoming = self.table.push(incoming)?;
                let outgoing = self.table.push(outgoing)?;
                Ok((incoming, outgoing))
            })
    }

    fn local_address(&mut self, self_: Resource<UdpSocket>) -> SocketResult<IpSocketAddress> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.local-address", [self_], -> SocketResult<IpSocketAddress> {
            Ok(self.table.get(&self_)?.local_address()?.into())
        })
    }

    fn remote_address(&mut self, self_: Resource<UdpSocket>) -> SocketResult<IpSocketAddress> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.remote-address", [self_], -> SocketResult<IpSocketAddress> {
            Ok(self.table.get(&self_)?.remote_address()?.into())
        })
    }

    fn address_family(&mut self, self_: Resource<UdpSocket>) -> wasmtime::Result<IpAddressFamily> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.address-family", [self_], -> wasmtime::Result<IpAddressFamily> {
            Ok(self.table.get(&self_)?.family().into())
        })
    }

    fn unicast_hop_limit(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u8> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.unicast-hop-limit", [self_], -> SocketResult<u8> {
            Ok(self.table.get(&self_)?.unicast_hop_limit()?)
        })
    }

    fn set_unicast_hop_limit(&mut self, self_: Resource<UdpSocket>, value: u8) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.set-unicast-hop-limit", [self_, value], -> SocketResult<()> {
            Ok(self.table.get(&self_)?.set_unicast_hop_limit(value)?)
        })
    }

    fn receive_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u64> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.receive-buffer-size", [self_], -> SocketResult<u64> {
            Ok(self.table.get(&self_)?.receive_buffer_size()?)
        })
    }

    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<UdpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.set-receive-buffer-size", [self_, value], -> SocketResult<()> {
            Ok(self.table.get(&self_)?.set_receive_buffer_size(value)?)
        })
    }

    fn send_buffer_size(&mut self, self_: Resource<UdpSocket>) -> SocketResult<u64> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.send-buffer-size", [self_], -> SocketResult<u64> {
            Ok(self.table.get(&self_)?.send_buffer_size()?)
        })
    }

    fn set_send_buffer_size(&mut self, self_: Resource<UdpSocket>, value: u64) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.set-send-buffer-size", [self_, value], -> SocketResult<()> {
            Ok(self.table.get(&self_)?.set_send_buffer_size(value)?)
        })
    }

    fn subscribe(&mut self, self_: Resource<UdpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]udp-socket.subscribe", [self_], -> wasmtime::Result<Resource<Pollable>> {
            crate::io::subscribe(self.table, self_)
        })
    }

    fn drop(&mut self, rep: Resource<UdpSocket>) -> wasmtime::Result<()> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[resource-drop]udp-socket", [rep], -> wasmtime::Result<()> {
            self.table.delete(rep)?;
            Ok(())
        })
    }
}

impl udp::HostIncomingDatagramStream for WasiSocketsCtxView<'_> {
    async fn receive(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
        max_results: u64,
    ) -> SocketResult<Vec<IncomingDatagram>> {
        let received = self.udp_receive(self_, max_results).await?;
        Ok(received.into_iter().map(Into::into).collect())
    }

    fn subscribe(
        &mut self,
        self_: Resource<IncomingDatagramStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]incoming-datagram-stream.subscribe", [self_], -> wasmtime::Result<Resource<Pollable>> {
            crate::io::subscribe(self.table, self_)
        })
    }

    fn drop(&mut self, rep: Resource<IncomingDatagramStream>) -> wasmtime::Result<()> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[resource-drop]incoming-datagram-stream", [rep], -> wasmtime::Result<()> {
            self.table.delete(rep)?;
            Ok(())
        })
    }
}

impl udp::HostOutgoingDatagramStream for WasiSocketsCtxView<'_> {
    fn check_send(&mut self, self_: Resource<OutgoingDatagramStream>) -> SocketResult<u64> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]outgoing-datagram-stream.check-send", [self_], -> SocketResult<u64> {
            Ok(self.table.get_mut(&self_)?.check_send()?)
        })
    }

    async fn send(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
        datagrams: Vec<OutgoingDatagram>,
    ) -> SocketResult<u64> {
        let datagrams = datagrams.into_iter().map(Into::into).collect();
        self.udp_send(self_, datagrams).await
    }

    fn subscribe(
        &mut self,
        self_: Resource<OutgoingDatagramStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[method]outgoing-datagram-stream.subscribe", [self_], -> wasmtime::Result<Resource<Pollable>> {
            crate::io::subscribe(self.table, self_)
        })
    }

    fn drop(&mut self, rep: Resource<OutgoingDatagramStream>) -> wasmtime::Result<()> {
        observed!(&self.ctx.observer, "wasi:sockets/udp", "[resource-drop]outgoing-datagram-stream", [rep], -> wasmtime::Result<()> {
            self.table.delete(rep)?;
            Ok(())
        })
    }
}
