//! `Host` traits of `wasi:sockets/tcp` and `wasi:sockets/tcp-create-socket`
//! for [`crate::sockets::WasiSocketsCtxView`]: table lookups around the state machine of
//! [`TcpSocket`]. Nothing here waits, so one implementation serves both
//! flavours; each call enters the shared runtime's context when it runs
//! outside any runtime (the sync flavour), so tokio can register sockets.

use super::SocketResult;
use crate::io::{InputStream, OutputStream, Pollable};
use crate::p2::bindings::sockets::network::{IpAddressFamily, IpSocketAddress};
use crate::p2::bindings::sockets::tcp::{self, Duration, ShutdownType};
use crate::p2::bindings::sockets::tcp_create_socket;
use crate::p2::observe::observed;
use crate::runtime::enter_ambient;
use crate::sockets::WasiSocketsCtxView;
use crate::sockets::{Network, TcpSocket};
use wasmtime::component::Resource;

impl tcp_create_socket::Host for WasiSocketsCtxView<'_> {
    fn create_tcp_socket(
        &mut self,
        address_family: IpAddressFamily,
    ) -> SocketResult<Resource<TcpSocket>> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp-create-socket", "create-tcp-socket", [address_family], -> SocketResult<Resource<TcpSocket>> {
            let socket = self.ctx.create_tcp_socket(address_family.into())?;
            Ok(self.table.push(socket)?)
        })
    }
}

impl tcp::Host for WasiSocketsCtxView<'_> {}

impl WasiSocketsCtxView<'_> {
    fn tcp(&mut self, socket: &Resource<TcpSocket>) -> SocketResult<&mut TcpSocket> {
        Ok(self.table.get_mut(socket)?)
    }

    /// Pushes a connection's streams. They are not children of the socket
    /// (the spec does not make them so): each keeps the connection open
    /// while it exists, and the guest may drop them in any order.
    fn push_streams(
        &mut self,
        (input, output): (InputStream, OutputStream),
    ) -> SocketResult<(Resource<InputStream>, Resource<OutputStream>)> {
        let input = self.table.push(input)?;
        let output = self.table.push(output)?;
        Ok((input, output))
    }
}

impl tcp::HostTcpSocket for WasiSocketsCtxView<'_> {
    fn start_bind(
        &mut self,
        self_: Resource<TcpSocket>,
        network: Resource<Network>,
        local_address: IpSocketAddress,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.start-bind", [self_, network, local_address], -> SocketResult<()> {
            let _rt = enter_ambient();
            self.table.get(&network)?;
            let check = self.ctx.socket_addr_check.clone();
            Ok(self.tcp(&self_)?.start_bind(local_address.into(), &check)?)
        })
    }

    fn finish_bind(&mut self, self_: Resource<TcpSocket>) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.finish-bind", [self_], -> SocketResult<()> {
            let _rt = enter_ambient();
            Ok(self.tcp(&self_)?.finish_bind()?)
        })
    }

    fn start_connect(
        &mut self,
        self_: Resource<TcpSocket>,
        network: Resource<Network>,
        remote_address: IpSocketAddress,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.start-connect", [self_, network, remote_address], -> SocketResult<()> {
            let _rt = enter_ambient();
            self.table.get(&network)?;
            let check = self.ctx.socket_addr_check.clone();
            Ok(self
                .tcp(&self_)?
                .start_connect(remote_address.into(), &check)?)
        })
    }

    fn finish_connect(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> SocketResult<(Resource<InputStream>, Resource<OutputStream>)> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.finish-connect", [self_], -> SocketResult<(Resource<InputStream>, Resource<OutputStream>)> {
            let _rt = enter_ambient();
            let pair = self.tcp(&self_)?.finish_connect()?;
            self.push_streams(pair)
        })
    }

    fn start_listen(&mut self, self_: Resource<TcpSocket>) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.start-listen", [self_], -> SocketResult<()> {
            let _rt = enter_ambient();
            let check = self.ctx.socket_addr_check.clone();
            Ok(self.tcp(&self_)?.start_listen(&check)?)
        })
    }

    fn finish_listen(&mut self, self_: Resource<TcpSocket>) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.finish-listen", [self_], -> SocketResult<()> {
            let _rt = enter_ambient();
            Ok(self.tcp(&self_)?.finish_listen()?)
        })
    }

    fn accept(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> SocketResult<(
        Resource<TcpSocket>,
        Resource<InputStream>,
        Resource<OutputStream>,
    )> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.accept", [self_], -> SocketResult<(
            Resource<TcpSocket>,
            Resource<InputStream>,
            Resource<OutputStream>,
        )> {
                let _rt = enter_ambient();
                let (socket, input, output) = self.tcp(&self_)?.accept()?;
                let socket = self.table.push(socket)?;
                let (input, output) = self.push_streams((input, output))?;
                Ok((socket, input, output))
            })
    }

    fn local_address(&mut self, self_: Resource<TcpSocket>) -> SocketResult<IpSocketAddress> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.local-address", [self_], -> SocketResult<IpSocketAddress> {
            Ok(self.tcp(&self_)?.local_address()?.into())
        })
    }

    fn remote_address(&mut self, self_: Resource<TcpSocket>) -> SocketResult<IpSocketAddress> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.remote-address", [self_], -> SocketResult<IpSocketAddress> {
            Ok(self.tcp(&self_)?.remote_address()?.into())
        })
    }

    fn is_listening(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<bool> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.is-listening", [self_], -> wasmtime::Result<bool> {
            Ok(self.table.get(&self_)?.is_listening())
        })
    }

    fn address_family(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<IpAddressFamily> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.address-family", [self_], -> wasmtime::Result<IpAddressFamily> {
            Ok(self.table.get(&self_)?.address_family().into())
        })
    }

    fn set_listen_backlog_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.set-listen-backlog-size", [self_, value], -> SocketResult<()> {
            Ok(self.tcp(&self_)?.set_listen_backlog_size(value)?)
        })
    }

    fn keep_alive_enabled(&mut self, self_: Resource<TcpSocket>) -> SocketResult<bool> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.keep-alive-enabled", [self_], -> SocketResult<bool> {
            Ok(self.tcp(&self_)?.keep_alive_enabled()?)
        })
    }

    fn set_keep_alive_enabled(
        &mut self,
        self_: Resource<TcpSocket>,
        value: bool,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-enabled", [self_, value], -> SocketResult<()> {
            Ok(self.tcp(&self_)?.set_keep_alive_enabled(value)?)
        })
    }

    fn keep_alive_idle_time(&mut self, self_: Resource<TcpSocket>) -> SocketResult<Duration> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.keep-alive-idle-time", [self_], -> SocketResult<Duration> {
            Ok(self.tcp(&self_)?.keep_alive_idle_time()?)
        })
    }

    fn set_keep_alive_idle_time(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-idle-time", [self_, value], -> SocketResult<()> {
            Ok(self.tcp(&self_)?.set_keep_alive_idle_time(value)?)
        })
    }

    fn keep_alive_interval(&mut self, self_: Resource<TcpSocket>) -> SocketResult<Duration> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.keep-alive-interval", [self_], -> SocketResult<Duration> {
            Ok(self.tcp(&self_)?.keep_alive_interval()?)
        })
    }

    fn set_keep_alive_interval(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-interval", [self_, value], -> SocketResult<()> {
            Ok(self.tcp(&self_)?.set_keep_alive_interval(value)?)
        })
    }

    fn keep_alive_count(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u32> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.keep-alive-count", [self_], -> SocketResult<u32> {
            Ok(self.tcp(&self_)?.keep_alive_count()?)
        })
    }

    fn set_keep_alive_count(&mut self, self_: Resource<TcpSocket>, value: u32) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.set-keep-alive-count", [self_, value], -> SocketResult<()> {
            Ok(self.tcp(&self_)?.set_keep_alive_count(value)?)
        })
    }

    fn hop_limit(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u8> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.hop-limit", [self_], -> SocketResult<u8> {
            Ok(self.tcp(&self_)?.hop_limit()?)
        })
    }

    fn set_hop_limit(&mut self, self_: Resource<TcpSocket>, value: u8) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.set-hop-limit", [self_, value], -> SocketResult<()> {
            Ok(self.tcp(&self_)?.set_hop_limit(value)?)
        })
    }

    fn receive_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u64> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.receive-buffer-size", [self_], -> SocketResult<u64> {
            Ok(self.tcp(&self_)?.receive_buffer_size()?)
        })
    }

    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.set-receive-buffer-size", [self_, value], -> SocketResult<()> {
            Ok(self.tcp(&self_)?.set_receive_buffer_size(value)?)
        })
    }

    fn send_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u64> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.send-buffer-size", [self_], -> SocketResult<u64> {
            Ok(self.tcp(&self_)?.send_buffer_size()?)
        })
    }

    fn set_send_buffer_size(&mut self, self_: Resource<TcpSocket>, value: u64) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.set-send-buffer-size", [self_, value], -> SocketResult<()> {
            Ok(self.tcp(&self_)?.set_send_buffer_size(value)?)
        })
    }

    fn subscribe(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<Resource<Pollable>> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.subscribe", [self_], -> wasmtime::Result<Resource<Pollable>> {
            crate::io::subscribe(self.table, self_)
        })
    }

    fn shutdown(
        &mut self,
        self_: Resource<TcpSocket>,
        shutdown_type: ShutdownType,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[method]tcp-socket.shutdown", [self_, shutdown_type], -> SocketResult<()> {
            Ok(self.tcp(&self_)?.shutdown(shutdown_type.into())?)
        })
    }

    fn drop(&mut self, rep: Resource<TcpSocket>) -> wasmtime::Result<()> {
        observed!(&self.ctx.observer, "wasi:sockets/tcp", "[resource-drop]tcp-socket", [rep], -> wasmtime::Result<()> {
            self.table.delete(rep)?;
            Ok(())
        })
    }
}
