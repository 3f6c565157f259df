//! `wasi:io` for components: `error`, `poll` and `streams`.

mod error;
mod poll;
mod streams;

use crate::clocks::HostMonotonicClock;
use wasmtime::component::{HasData, ResourceTable};

/// What the `wasi:io/poll` host functions see: the resource table, and the
/// monotonic clock of the context, which times deadline pollables (a
/// guest's `subscribe-duration` waits on the clock it reads, so an
/// injected clock governs both). `wasi:io/streams` and `wasi:io/error` are
/// implemented on the [`ResourceTable`] alone.
pub struct WasiIoCtxView<'a> {
    /// The store's resource table.
    pub table: &'a mut ResourceTable,
    /// The monotonic clock of the store's context.
    pub clock: &'a mut dyn HostMonotonicClock,
}

impl<'a> WasiIoCtxView<'a> {
    /// The io view of a store's WASI state.
    pub fn new(view: crate::WasiCtxView<'a>) -> Self {
        let crate::WasiCtxView { ctx, table } = view;
        WasiIoCtxView {
            table,
            clock: &mut *ctx.clocks.monotonic_clock,
        }
    }
}

/// The [`HasData`] of `wasi:io/poll`.
pub(crate) struct WasiIo;

impl HasData for WasiIo {
    type Data<'a> = WasiIoCtxView<'a>;
}

/// The [`HasData`] of `wasi:io/streams` and `wasi:io/error`, whose host
/// functions need only the table (and are implemented on it).
pub(crate) struct WasiIoTable;

impl HasData for WasiIoTable {
    type Data<'a> = &'a mut ResourceTable;
}

/// The table of a store's WASI state.
pub(crate) fn io_table<T: crate::WasiView>(t: &mut T) -> &mut ResourceTable {
    t.ctx().table
}

/// The io view of a store's WASI state.
pub(crate) fn io_view<T: crate::WasiView>(t: &mut T) -> WasiIoCtxView<'_> {
    WasiIoCtxView::new(t.ctx())
}
