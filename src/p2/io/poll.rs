//! `Host` traits of `wasi:io/poll` for [`WasiImpl`], in both flavours.

use crate::io::poll::ready_now;
use crate::io::{Pollable, poll_list};
use crate::runtime::block_on;
use crate::{WasiImpl, WasiView};
use wasmtime::component::Resource;

/// `poll`: see [`poll_list`].
async fn poll<T: WasiView>(
    view: &mut WasiImpl<T>,
    pollables: &[Resource<Pollable>],
) -> wasmtime::Result<Vec<u32>> {
    let clock = view.ctx().monotonic_clock.clone();
    poll_list(view.table(), &*clock, pollables).await
}

/// `pollable.block`: a poll of one.
async fn block<T: WasiView>(
    view: &mut WasiImpl<T>,
    pollable: Resource<Pollable>,
) -> wasmtime::Result<()> {
    poll(view, std::slice::from_ref(&pollable)).await?;
    Ok(())
}

/// `pollable.ready`: whether it is ready now, never waiting.
fn ready<T: WasiView>(
    view: &mut WasiImpl<T>,
    pollable: Resource<Pollable>,
) -> wasmtime::Result<bool> {
    let clock = view.ctx().monotonic_clock.clone();
    ready_now(view.table(), &*clock, &pollable)
}

mod async_flavour {
    use super::*;
    use crate::bindings::io::poll as bindings;

    impl<T: WasiView> bindings::Host for WasiImpl<T> {
        async fn poll(&mut self, pollables: Vec<Resource<Pollable>>) -> wasmtime::Result<Vec<u32>> {
            poll(self, &pollables).await
        }
    }

    impl<T: WasiView> bindings::HostPollable for WasiImpl<T> {
        async fn block(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<()> {
            block(self, pollable).await
        }
        fn ready(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<bool> {
            ready(self, pollable)
        }
        fn drop(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<()> {
            self.table().delete(pollable)?;
            Ok(())
        }
    }
}

mod sync_flavour {
    use super::*;
    use crate::bindings::sync::io::poll as bindings;

    impl<T: WasiView> bindings::Host for WasiImpl<T> {
        fn poll(&mut self, pollables: Vec<Resource<Pollable>>) -> wasmtime::Result<Vec<u32>> {
            block_on(poll(self, &pollables))
        }
    }

    impl<T: WasiView> bindings::HostPollable for WasiImpl<T> {
        fn block(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<()> {
            block_on(block(self, pollable))
        }
        fn ready(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<bool> {
            ready(self, pollable)
        }
        fn drop(&mut self, pollable: Resource<Pollable>) -> wasmtime::Result<()> {
            self.table().delete(pollable)?;
            Ok(())
        }
    }
}
