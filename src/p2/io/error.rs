//! `Host` traits of `wasi:io/error` for the table view and for a bare
//! [`ResourceTable`] (see [`IoTable`]).

use super::{IoTable, WasiIoTableView};
use crate::io::IoError;
use crate::p2::bindings::io::error;
use crate::p2::observe::observed;
use wasmtime::component::{Resource, ResourceTable};

/// `wasi:io/error` for one implementor of [`IoTable`].
macro_rules! error_methods {
    ($view:ty) => {
        impl error::Host for $view {}

        impl error::HostError for $view {
            fn to_debug_string(&mut self, self_: Resource<IoError>) -> wasmtime::Result<String> {
                observed!(
                    IoTable::observer(self),
                    "wasi:io/error",
                    "[method]error.to-debug-string",
                    [self_],
                    IoTable::table(self)
                        .get(&self_)
                        .map(|e| format!("{:?}", e.0))
                        .map_err(Into::into)
                )
            }

            fn drop(&mut self, rep: Resource<IoError>) -> wasmtime::Result<()> {
                observed!(
                    IoTable::observer(self),
                    "wasi:io/error",
                    "[resource-drop]error",
                    [rep],
                    IoTable::table(self)
                        .delete(rep)
                        .map(drop)
                        .map_err(Into::into)
                )
            }
        }
    };
}

error_methods!(WasiIoTableView<'_>);
error_methods!(ResourceTable);
