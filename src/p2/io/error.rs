//! `Host` traits of `wasi:io/error` for [`WasiImpl`].

use crate::bindings::io::error;
use crate::io::IoError;
use crate::{WasiImpl, WasiView};
use wasmtime::component::Resource;

impl<T: WasiView> error::Host for WasiImpl<T> {}

impl<T: WasiView> error::HostError for WasiImpl<T> {
    fn to_debug_string(&mut self, err: Resource<IoError>) -> wasmtime::Result<String> {
        Ok(format!("{:?}", self.table().get(&err)?.0))
    }

    fn drop(&mut self, err: Resource<IoError>) -> wasmtime::Result<()> {
        self.table().delete(err)?;
        Ok(())
    }
}
