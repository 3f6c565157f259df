//! `Host` traits of `wasi:sockets/tcp` and `wasi:sockets/tcp-create-socket`
//! for [`WasiImpl`].
//!
//! No TCP socket can be created yet: `create-tcp-socket` answers
//! `access-denied` or `not-supported`, and every method of the (uninhabited)
//! [`TcpSocket`] proves it cannot run by matching on the socket.

use super::{Network, SocketKind, SocketResult, TcpSocket, create_socket_policy};
use crate::bindings::sockets::network::{IpAddressFamily, IpSocketAddress};
use crate::bindings::sockets::tcp::{self, Duration, ShutdownType};
use crate::bindings::sockets::tcp_create_socket;
use crate::io::{InputStream, OutputStream, Pollable};
use crate::{WasiImpl, WasiView};
use wasmtime::component::Resource;

impl<T: WasiView> tcp_create_socket::Host for WasiImpl<T> {
    fn create_tcp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> SocketResult<Resource<TcpSocket>> {
        // Both families are valid; which ones are supported is the only
        // question the spec leaves (`not-supported`), and none is yet.
        let _ = address_family;
        Err(create_socket_policy(self.ctx(), SocketKind::Tcp).into())
    }
}

impl<T: WasiView> tcp::Host for WasiImpl<T> {}

impl<T: WasiView> tcp::HostTcpSocket for WasiImpl<T> {
    fn start_bind(
        &mut self,
        self_: Resource<TcpSocket>,
        _network: Resource<Network>,
        _local_address: IpSocketAddress,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn finish_bind(&mut self, self_: Resource<TcpSocket>) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn start_connect(
        &mut self,
        self_: Resource<TcpSocket>,
        _network: Resource<Network>,
        _remote_address: IpSocketAddress,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn finish_connect(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> SocketResult<(Resource<InputStream>, Resource<OutputStream>)> {
        match *self.table().get(&self_)? {}
    }

    fn start_listen(&mut self, self_: Resource<TcpSocket>) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn finish_listen(&mut self, self_: Resource<TcpSocket>) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn accept(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> SocketResult<(
        Resource<TcpSocket>,
        Resource<InputStream>,
        Resource<OutputStream>,
    )> {
        match *self.table().get(&self_)? {}
    }

    fn local_address(&mut self, self_: Resource<TcpSocket>) -> SocketResult<IpSocketAddress> {
        match *self.table().get(&self_)? {}
    }

    fn remote_address(&mut self, self_: Resource<TcpSocket>) -> SocketResult<IpSocketAddress> {
        match *self.table().get(&self_)? {}
    }

    fn is_listening(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<bool> {
        match *self.table().get(&self_)? {}
    }

    fn address_family(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<IpAddressFamily> {
        match *self.table().get(&self_)? {}
    }

    fn set_listen_backlog_size(
        &mut self,
        self_: Resource<TcpSocket>,
        _value: u64,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn keep_alive_enabled(&mut self, self_: Resource<TcpSocket>) -> SocketResult<bool> {
        match *self.table().get(&self_)? {}
    }

    fn set_keep_alive_enabled(
        &mut self,
        self_: Resource<TcpSocket>,
        _value: bool,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn keep_alive_idle_time(&mut self, self_: Resource<TcpSocket>) -> SocketResult<Duration> {
        match *self.table().get(&self_)? {}
    }

    fn set_keep_alive_idle_time(
        &mut self,
        self_: Resource<TcpSocket>,
        _value: Duration,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn keep_alive_interval(&mut self, self_: Resource<TcpSocket>) -> SocketResult<Duration> {
        match *self.table().get(&self_)? {}
    }

    fn set_keep_alive_interval(
        &mut self,
        self_: Resource<TcpSocket>,
        _value: Duration,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn keep_alive_count(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u32> {
        match *self.table().get(&self_)? {}
    }

    fn set_keep_alive_count(
        &mut self,
        self_: Resource<TcpSocket>,
        _value: u32,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn hop_limit(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u8> {
        match *self.table().get(&self_)? {}
    }

    fn set_hop_limit(&mut self, self_: Resource<TcpSocket>, _value: u8) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn receive_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u64> {
        match *self.table().get(&self_)? {}
    }

    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<TcpSocket>,
        _value: u64,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn send_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u64> {
        match *self.table().get(&self_)? {}
    }

    fn set_send_buffer_size(
        &mut self,
        self_: Resource<TcpSocket>,
        _value: u64,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn subscribe(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        match *self.table().get(&self_)? {}
    }

    fn shutdown(
        &mut self,
        self_: Resource<TcpSocket>,
        _shutdown_type: ShutdownType,
    ) -> SocketResult<()> {
        match *self.table().get(&self_)? {}
    }

    fn drop(&mut self, rep: Resource<TcpSocket>) -> wasmtime::Result<()> {
        self.table().delete(rep)?;
        Ok(())
    }
}
