//! `Host` traits of `wasi:io/poll` for the io view, in both flavours;
//! each call observed when the context has an observer, and how it ended
//! journaled when recording (answered from the journal when replaying).

use super::WasiIoCtxView;
use crate::io::poll::ready_now;
use crate::io::{Pollable, poll_list};
use crate::journal::Entry;
use crate::p2::observe::observed;
use crate::runtime::block_on;
use wasmtime::component::Resource;

/// `poll`: see [`poll_list`].
async fn poll(
    view: &mut WasiIoCtxView<'_>,
    in_: &[Resource<Pollable>],
) -> wasmtime::Result<Vec<u32>> {
    observed!(
        view.observer,
        "wasi:io/poll",
        "poll",
        [in_],
        view.journal
            .poll(in_.len(), poll_list(view.table, view.clock, in_))
            .await
    )
}

/// `pollable.block`: a poll of one.
async fn block(view: &mut WasiIoCtxView<'_>, self_: Resource<Pollable>) -> wasmtime::Result<()> {
    observed!(
        view.observer,
        "wasi:io/poll",
        "[method]pollable.block",
        [self_],
        view.journal
            .wait(Entry::Block, async {
                poll_list(view.table, view.clock, std::slice::from_ref(&self_))
                    .await
                    .map(drop)
            })
            .await
    )
}

/// `pollable.ready`: whether it is ready now, never waiting.
fn ready(view: &mut WasiIoCtxView<'_>, self_: Resource<Pollable>) -> wasmtime::Result<bool> {
    observed!(
        view.observer,
        "wasi:io/poll",
        "[method]pollable.ready",
        [self_],
        view.journal
            .ready(|| ready_now(view.table, view.clock, &self_))
    )
}

/// `[resource-drop]pollable`.
fn drop_pollable(view: &mut WasiIoCtxView<'_>, rep: Resource<Pollable>) -> wasmtime::Result<()> {
    observed!(
        view.observer,
        "wasi:io/poll",
        "[resource-drop]pollable",
        [rep],
        view.table.delete(rep).map(drop).map_err(Into::into)
    )
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
            drop_pollable(self, pollable)
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
            drop_pollable(self, pollable)
        }
    }
}
