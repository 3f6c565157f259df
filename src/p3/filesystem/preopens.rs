//! `wasi:filesystem/preopens@0.3.0`: the context's mounts, as in 0.2.

use crate::filesystem::{Descriptor, WasiFilesystemCtxView};
use crate::p3::bindings::filesystem::preopens;
use crate::p3::observe::observed;
use wasmtime::component::Resource;

impl preopens::Host for WasiFilesystemCtxView<'_> {
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        observed!(
            &self.ctx.observer,
            "wasi:filesystem/preopens",
            "get-directories",
            [],
            self.push_preopens()
        )
    }
}
