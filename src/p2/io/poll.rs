//! `Host` traits of `wasi:io/poll` for the io view, in both flavours.

use super::WasiIoCtxView;
use crate::io::poll::ready_now;
use crate::io::{Pollable, poll_list};
use crate::runtime::block_on;
use wasmtime::component::Resource;

/// `poll`: see [`poll_list`].
async fn poll(
    view: &mut WasiIoCtxView<'_>,
    pollables: &[Resource<Pollable>],
) -> wasmtime::Result<Vec<u32>> {
    poll_list(view.table, view.clock, pollables).await
}

/// `pollable.block`: a poll of one.
async fn block(view: &mut WasiIoCtxView<'_>, pollable: Resource<Pollable>) -> wasmtime::Result<()> {
    poll(view, std::slice::from_ref(&pollable)).await?;
    Ok(())
}

/// `pollable.ready`: whether it is ready now, never waiting.
fn ready(view: &mut WasiIoCtxView<'_>, pollable: Resource<Pollable>) -> wasmtime::Result<bool> {
    ready_now(view.table, view.clock, &pollable)
}

mod async_flavour {
    use super::*;
    use crate::p2::bindings::io::poll as bindings;

    impl bindings::Host for WasiIoCtxView<'_> {
        async fn poll(&mut self, pollables: Vec<Resource<Pollable>>) -> wasmtime::Result<Vec<u32>> {
            poll(self, &pollables).await
        }
    }

    impl bindings::HostPollable for WasiIoCtxView<'_> {
        async fn block(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<()> {
            block(self, pollable).await
        }
        fn ready(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<bool> {
            ready(self, pollable)
        }
        fn drop(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<()> {
            self.table.delete(pollable)?;
            Ok(())
        }
    }
}

mod sync_flavour {
    use super::*;
    use crate::p2::bindings::sync::io::poll as bindings;

    impl bindings::Host for WasiIoCtxView<'_> {
        fn poll(&mut self, pollables: Vec<Resource<Pollable>>) -> wasmtime::Result<Vec<u32>> {
            block_on(poll(self, &pollables))
        }
    }

    impl bindings::HostPollable for WasiIoCtxView<'_> {
        fn block(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<()> {
            block_on(block(self, pollable))
        }
        fn ready(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<bool> {
            ready(self, pollable)
        }
        fn drop(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<()> {
            self.table.delete(pollable)?;
            Ok(())
        }
    }
}
