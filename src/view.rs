//! How host functions reach the WASI state in an embedder's store: the
//! store data implements [`WasiView`], which hands out the context and the
//! resource table together ([`WasiCtxView`]); each package's host code
//! works through its own part only (`WasiCliCtxView`, ...), which every
//! `WasiView` gives through the per-package view traits implemented here.

use crate::cli::{WasiCliCtxView, WasiCliView};
use crate::clocks::{WasiClocksCtxView, WasiClocksView};
use crate::ctx::WasiCtx;
use crate::filesystem::{WasiFilesystemCtxView, WasiFilesystemView};
use crate::random::{WasiRandomCtx, WasiRandomView};
use crate::sockets::{WasiSocketsCtxView, WasiSocketsView};
use wasmtime::component::ResourceTable;

/// Implemented by the embedder's store data: gives the host functions the
/// [`WasiCtx`] and the [`ResourceTable`] of the store.
///
/// ```
/// use wasi_host::{ResourceTable, WasiCtx, WasiCtxView, WasiView};
///
/// struct MyState {
///     ctx: WasiCtx,
///     table: ResourceTable,
/// }
///
/// impl WasiView for MyState {
///     fn ctx(&mut self) -> WasiCtxView<'_> {
///         WasiCtxView { ctx: &mut self.ctx, table: &mut self.table }
///     }
/// }
/// ```
pub trait WasiView: Send {
    /// The context and the table, borrowed together.
    fn ctx(&mut self) -> WasiCtxView<'_>;
}

/// The WASI context of a store and its resource table, borrowed together.
pub struct WasiCtxView<'a> {
    /// What the guest was granted.
    pub ctx: &'a mut WasiCtx,
    /// The table holding the guest's resources (streams, files, pollables).
    pub table: &'a mut ResourceTable,
}

impl<T: ?Sized + WasiView> WasiView for &mut T {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        T::ctx(self)
    }
}

impl<T: ?Sized + WasiView> WasiView for Box<T> {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        T::ctx(self)
    }
}

impl<T: WasiView> WasiCliView for T {
    fn cli(&mut self) -> WasiCliCtxView<'_> {
        let WasiCtxView { ctx, table } = self.ctx();
        WasiCliCtxView {
            ctx: &mut ctx.cli,
            table,
        }
    }
}

impl<T: WasiView> WasiClocksView for T {
    fn clocks(&mut self) -> WasiClocksCtxView<'_> {
        let WasiCtxView { ctx, table } = self.ctx();
        WasiClocksCtxView {
            ctx: &mut ctx.clocks,
            table,
        }
    }
}

impl<T: WasiView> WasiFilesystemView for T {
    fn filesystem(&mut self) -> WasiFilesystemCtxView<'_> {
        let WasiCtxView { ctx, table } = self.ctx();
        WasiFilesystemCtxView {
            ctx: &mut ctx.filesystem,
            table,
        }
    }
}

impl<T: WasiView> WasiRandomView for T {
    fn random(&mut self) -> &mut WasiRandomCtx {
        &mut self.ctx().ctx.random
    }
}

impl<T: WasiView> WasiSocketsView for T {
    fn sockets(&mut self) -> WasiSocketsCtxView<'_> {
        let WasiCtxView { ctx, table } = self.ctx();
        WasiSocketsCtxView {
            ctx: &mut ctx.sockets,
            table,
        }
    }
}
