//! `wasi:filesystem/preopens` for [`crate::filesystem::WasiFilesystemCtxView`] (shared by both flavours).

use crate::filesystem::Descriptor;
use crate::filesystem::WasiFilesystemCtxView;
use crate::p2::bindings::filesystem::preopens;
use crate::p2::observe::observed;
use wasmtime::component::Resource;

impl preopens::Host for WasiFilesystemCtxView<'_> {
    /// Each mount's root as a new directory descriptor, with its guest
    /// path, in the order the builder added them.
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
