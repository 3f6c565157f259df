//! What the benches share: an embedder's store state.

use wasi_host::{ResourceTable, WasiCtx, WasiCtxView, WasiView};

/// A store's state: the WASI context and its resource table.
/// (The fields are open: a bench may reach into the table.)
pub struct Host {
    pub ctx: WasiCtx,
    pub table: ResourceTable,
}

impl Host {
    /// The state of a store running with `ctx`, its table empty.
    pub fn new(ctx: WasiCtx) -> Host {
        Host {
            ctx,
            table: ResourceTable::new(),
        }
    }
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}
