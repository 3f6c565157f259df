//! `Host` traits of `wasi:sockets/network` and
//! `wasi:sockets/instance-network` for [`WasiImpl`].

use super::SocketError;
use crate::bindings::sockets::{instance_network, network};
use crate::io::IoError;
use crate::sockets::{Network, NetworkStreamError};
use crate::{WasiImpl, WasiView};
use wasmtime::component::Resource;

impl<T: WasiView> network::Host for WasiImpl<T> {
    fn network_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<network::ErrorCode>> {
        // Only the streams of sockets carry a `NetworkStreamError`.
        let err = self.table().get(&err)?;
        Ok(err
            .downcast_ref::<NetworkStreamError>()
            .map(|failure| failure.code.into()))
    }

    fn convert_error_code(&mut self, err: SocketError) -> wasmtime::Result<network::ErrorCode> {
        err.downcast()
    }
}

impl<T: WasiView> network::HostNetwork for WasiImpl<T> {
    fn drop(&mut self, rep: Resource<Network>) -> wasmtime::Result<()> {
        self.table().delete(rep)?;
        Ok(())
    }
}

impl<T: WasiView> instance_network::Host for WasiImpl<T> {
    fn instance_network(&mut self) -> wasmtime::Result<Resource<Network>> {
        Ok(self.table().push(Network)?)
    }
}
