//! How host functions reach the WASI state stored in an embedder's store.

use crate::ctx::WasiCtx;
use wasmtime::component::{HasData, ResourceTable};

/// Implemented by the embedder's store data: gives the host functions the
/// [`WasiCtx`] and the [`ResourceTable`] of the store.
pub trait WasiView: Send {
    /// The table holding the guest's resources (streams, files, pollables).
    fn table(&mut self) -> &mut ResourceTable;
    /// The WASI context: what the guest was granted.
    fn ctx(&mut self) -> &mut WasiCtx;
}

impl<T: ?Sized + WasiView> WasiView for &mut T {
    fn table(&mut self) -> &mut ResourceTable {
        T::table(self)
    }
    fn ctx(&mut self) -> &mut WasiCtx {
        T::ctx(self)
    }
}

impl<T: ?Sized + WasiView> WasiView for Box<T> {
    fn table(&mut self) -> &mut ResourceTable {
        T::table(self)
    }
    fn ctx(&mut self) -> &mut WasiCtx {
        T::ctx(self)
    }
}

/// The type every generated `Host` trait is implemented on: a wrapper around
/// anything that is a [`WasiView`] (in the linker, `&mut` the store data).
#[repr(transparent)]
pub struct WasiImpl<T>(pub T);

impl<T: WasiView> WasiView for WasiImpl<T> {
    fn table(&mut self) -> &mut ResourceTable {
        self.0.table()
    }
    fn ctx(&mut self) -> &mut WasiCtx {
        self.0.ctx()
    }
}

/// The [`HasData`] of the linker functions: `&mut T` of the store data,
/// wrapped in [`WasiImpl`].
pub(crate) struct HasWasi<T: ?Sized>(std::marker::PhantomData<T>);

impl<T: ?Sized + 'static> HasData for HasWasi<T> {
    type Data<'a> = WasiImpl<&'a mut T>;
}
