//! `wasi:io` for components: `error`, `poll` and `streams`.

mod error;
mod poll;
mod streams;

use crate::clocks::HostMonotonicClock;
use crate::observe::Observer;
use wasmtime::component::{HasData, ResourceTable};

/// What the `wasi:io/poll` host functions see: the resource table, and the
/// monotonic clock of the context, which times deadline pollables (a
/// guest's `subscribe-duration` waits on the clock it reads, so an
/// injected clock governs both). `wasi:io/streams` and `wasi:io/error` are
/// implemented on the table alone (with the context's observer).
pub struct WasiIoCtxView<'a> {
    /// The store's resource table.
    pub table: &'a mut ResourceTable,
    /// The monotonic clock of the store's context.
    pub clock: &'a mut dyn HostMonotonicClock,
    /// Who is told of every call, if anyone.
    pub(crate) observer: &'a Observer,
    /// The record/replay journal: how waits ended.
    pub(crate) journal: &'a crate::journal::Journal,
}

impl<'a> WasiIoCtxView<'a> {
    /// The io view of a store's WASI state.
    pub fn new(view: crate::WasiCtxView<'a>) -> Self {
        let crate::WasiCtxView { ctx, table } = view;
        WasiIoCtxView {
            table,
            clock: &mut *ctx.clocks.monotonic_clock,
            observer: &ctx.observer,
            journal: &ctx.journal,
        }
    }
}

/// The [`HasData`] of `wasi:io/poll`.
pub(crate) struct WasiIo;

impl HasData for WasiIo {
    type Data<'a> = WasiIoCtxView<'a>;
}

/// What the `wasi:io/streams` and `wasi:io/error` host functions see:
/// the resource table, and who to tell of each call.
pub(crate) struct WasiIoTableView<'a> {
    /// The store's resource table.
    pub(crate) table: &'a mut ResourceTable,
    /// The context's observer, if any.
    pub(crate) observer: &'a Observer,
}

/// What the `wasi:io/streams` and `wasi:io/error` host functions work
/// through: the table view, or a bare [`ResourceTable`] (for host code
/// that calls them; its calls are not observed).
pub(crate) trait IoTable {
    /// The resource table.
    fn table(&mut self) -> &mut ResourceTable;
    /// Who is told of each call, if anyone.
    fn observer(&self) -> &Observer;
}

impl IoTable for WasiIoTableView<'_> {
    fn table(&mut self) -> &mut ResourceTable {
        self.table
    }
    fn observer(&self) -> &Observer {
        self.observer
    }
}

impl IoTable for ResourceTable {
    fn table(&mut self) -> &mut ResourceTable {
        self
    }
    fn observer(&self) -> &Observer {
        const NONE: &Observer = &None;
        NONE
    }
}

/// The [`HasData`] of `wasi:io/streams` and `wasi:io/error`.
pub(crate) struct WasiIoTable;

impl HasData for WasiIoTable {
    type Data<'a> = WasiIoTableView<'a>;
}

/// The table view of a store's WASI state.
pub(crate) fn io_table<T: crate::WasiView>(t: &mut T) -> WasiIoTableView<'_> {
    let crate::WasiCtxView { ctx, table } = t.ctx();
    WasiIoTableView {
        table,
        observer: &ctx.observer,
    }
}

/// The io view of a store's WASI state.
pub(crate) fn io_view<T: crate::WasiView>(t: &mut T) -> WasiIoCtxView<'_> {
    WasiIoCtxView::new(t.ctx())
}
