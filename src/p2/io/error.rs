//! `Host` traits of `wasi:io/error` for the io view.

use crate::io::IoError;
use crate::p2::bindings::io::error;
use wasmtime::component::Resource;
use wasmtime::component::ResourceTable;

impl error::Host for ResourceTable {}

impl error::HostError for ResourceTable {
    fn to_debug_string(&mut self, err: Resource<IoError>) -> wasmtime::Result<String> {
        Ok(format!("{:?}", self.get(&err)?.0))
    }

    fn drop(&mut self, err: Resource<IoError>) -> wasmtime::Result<()> {
        self.delete(err)?;
        Ok(())
    }
}
