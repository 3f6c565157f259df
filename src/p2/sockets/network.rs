//! `Host` traits of `wasi:sockets/network` and
//! `wasi:sockets/instance-network` for [`crate::sockets::WasiSocketsCtxView`].

use super::SocketError;
use crate::io::IoError;
use crate::p2::bindings::sockets::{instance_network, network};
use crate::p2::observe::observed;
use crate::sockets::WasiSocketsCtxView;
use crate::sockets::{Network, NetworkStreamError};
use wasmtime::component::Resource;

impl network::Host for WasiSocketsCtxView<'_> {
    fn network_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<network::ErrorCode>> {
        observed!(&self.ctx.observer, "wasi:sockets/network", "network-error-code", [err], -> wasmtime::Result<Option<network::ErrorCode>> {
            // Only the streams of sockets carry a `NetworkStreamError`.
            let err = self.table.get(&err)?;
            Ok(err
                .downcast_ref::<NetworkStreamError>()
                .map(|failure| failure.code.into()))
        })
    }

    fn convert_error_code(&mut self, err: SocketError) -> wasmtime::Result<network::ErrorCode> {
        err.downcast()
    }
}

impl network::HostNetwork for WasiSocketsCtxView<'_> {
    fn drop(&mut self, rep: Resource<Network>) -> wasmtime::Result<()> {
        observed!(&self.ctx.observer, "wasi:sockets/network", "[resource-drop]network", [rep], -> wasmtime::Result<()> {
            self.table.delete(rep)?;
            Ok(())
        })
    }
}

impl instance_network::Host for WasiSocketsCtxView<'_> {
    fn instance_network(&mut self) -> wasmtime::Result<Resource<Network>> {
        observed!(&self.ctx.observer, "wasi:sockets/instance-network", "instance-network", [], -> wasmtime::Result<Resource<Network>> {
            Ok(self.table.push(Network)?)
        })
    }
}
