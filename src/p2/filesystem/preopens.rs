//! `wasi:filesystem/preopens` for [`crate::filesystem::WasiFilesystemCtxView`] (shared by both flavours).

use crate::filesystem::Descriptor;
use crate::filesystem::WasiFilesystemCtxView;
use crate::p2::bindings::filesystem::preopens;
use wasmtime::component::Resource;

impl preopens::Host for WasiFilesystemCtxView<'_> {
    /// Each mount's root as a new directory descriptor, with its guest
    /// path, in the order the builder added them.
    fn get_directories(&mut self) -> wasmtime::Result<Vec<(Resource<Descriptor>, String)>> {
        let dirs: Vec<(Descriptor, String)> = self
            .ctx
            .preopens
            .iter()
            .map(|p| (p.descriptor(), p.guest_path.clone()))
            .collect();
        let mut out = Vec::with_capacity(dirs.len());
        for (descriptor, path) in dirs {
            out.push((self.table.push(descriptor)?, path));
        }
        Ok(out)
    }
}
