//! Both linkers of preview 1 (and, through `crate::preview0`, of preview
//! 0), over the one async implementation of the generated trait.
//!
//! `wiggle` links each function through a target module: ours wraps every
//! generated ABI function so that a guest-memory error raised while lifting
//! an argument (an invalid enum or flag value) or storing a result (an
//! out-of-bounds result pointer) reaches the guest as its `errno` instead
//! of trapping. The functions that may wait are `async`: the async linker
//! awaits them, the sync linker runs the same futures through
//! [`crate::runtime::block_on`]. The others (clocks, random, args, the
//! descriptor table) are plain calls in both: no future, no runtime.

use super::WasiP1Ctx;
use super::error::guest_errors_to_errno;
use std::future::Future;

/// Runs `future` on the calling thread (the sync flavour's `block_on`).
pub(crate) fn block_on_ok<F: Future>(future: F) -> wiggle::error::Result<F::Output> {
    Ok(crate::runtime::block_on(future))
}

/// Awaits one generated ABI call, turning guest-memory errors into errnos.
pub(crate) async fn guest_call(
    call: impl Future<Output = wiggle::error::Result<i32>>,
) -> wiggle::error::Result<i32> {
    guest_errors_to_errno(call.await)
}

/// Declares, for a wiggle module, a target module with one wrapper per
/// function (`name(args)`: the `async` ones, then the plain ones), each
/// forwarding to the generated function of the `bindings` module in scope
/// where it is invoked.
macro_rules! wrappers {
    ($vis:vis mod $wrap:ident, $module:ident :: $trait:ident {
        async { $($name:ident($($arg:ident: $ty:ty),*);)* }
        sync { $($sname:ident($($sarg:ident: $sty:ty),*);)* }
    }) => {
        $vis mod $wrap {
            pub mod $module {
                pub use super::super::bindings::$module::$trait;
                $(
                    #[allow(clippy::too_many_arguments)]
                    pub async fn $name(
                        ctx: &mut impl $trait,
                        memory: &mut wiggle::GuestMemory<'_>,
                        $($arg: $ty),*
                    ) -> wiggle::error::Result<i32> {
                        $crate::preview1::guest_call(
                            super::super::bindings::$module::$name(ctx, memory, $($arg),*),
                        )
                        .await
                    }
                )*
                $(
                    #[allow(clippy::too_many_arguments)]
                    pub fn $sname(
                        ctx: &mut impl $trait,
                        memory: &mut wiggle::GuestMemory<'_>,
                        $($sarg: $sty),*
                    ) -> wiggle::error::Result<i32> {
                        $crate::preview1::error::guest_errors_to_errno(
                            super::super::bindings::$module::$sname(ctx, memory, $($sarg),*),
                        )
                    }
                )*
                pub fn proc_exit(
                    ctx: &mut impl $trait,
                    memory: &mut wiggle::GuestMemory<'_>,
                    code: i32,
                ) -> wiggle::error::Result<()> {
                    super::super::bindings::$module::proc_exit(ctx, memory, code)
                }
            }
        }
    };
}
pub(crate) use wrappers;

/// The functions both snapshots share, with their core-wasm signatures:
/// those that may wait (plus `$extra`, which may wait too), then the others.
macro_rules! with_common_functions {
    ($mac:ident ! ($($head:tt)*) { $($extra:tt)* }) => {
        $mac!($($head)* {
            async {
                fd_advise(a: i32, b: i64, c: i64, d: i32);
                fd_allocate(a: i32, b: i64, c: i64);
                fd_datasync(a: i32);
                fd_filestat_get(a: i32, b: i32);
                fd_filestat_set_size(a: i32, b: i64);
                fd_filestat_set_times(a: i32, b: i64, c: i64, d: i32);
                fd_pread(a: i32, b: i32, c: i32, d: i64, e: i32);
                fd_pwrite(a: i32, b: i32, c: i32, d: i64, e: i32);
                fd_read(a: i32, b: i32, c: i32, d: i32);
                fd_readdir(a: i32, b: i32, c: i32, d: i64, e: i32);
                fd_sync(a: i32);
                fd_write(a: i32, b: i32, c: i32, d: i32);
                path_create_directory(a: i32, b: i32, c: i32);
                path_filestat_get(a: i32, b: i32, c: i32, d: i32, e: i32);
                path_filestat_set_times(a: i32, b: i32, c: i32, d: i32, e: i64, f: i64, g: i32);
                path_link(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32, g: i32);
                path_open(a: i32, b: i32, c: i32, d: i32, e: i32, f: i64, g: i64, h: i32, i: i32);
                path_readlink(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32);
                path_remove_directory(a: i32, b: i32, c: i32);
                path_rename(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32);
                path_symlink(a: i32, b: i32, c: i32, d: i32, e: i32);
                path_unlink_file(a: i32, b: i32, c: i32);
                poll_oneoff(a: i32, b: i32, c: i32, d: i32);
                sock_recv(a: i32, b: i32, c: i32, d: i32, e: i32, f: i32);
                sock_send(a: i32, b: i32, c: i32, d: i32, e: i32);
                $($extra)*
            }
            sync {
                args_get(a: i32, b: i32);
                args_sizes_get(a: i32, b: i32);
                environ_get(a: i32, b: i32);
                environ_sizes_get(a: i32, b: i32);
                clock_res_get(a: i32, b: i32);
                clock_time_get(a: i32, b: i64, c: i32);
                fd_close(a: i32);
                fd_fdstat_get(a: i32, b: i32);
                fd_fdstat_set_flags(a: i32, b: i32);
                fd_fdstat_set_rights(a: i32, b: i64, c: i64);
                fd_prestat_get(a: i32, b: i32);
                fd_prestat_dir_name(a: i32, b: i32, c: i32);
                fd_renumber(a: i32, b: i32);
                fd_seek(a: i32, b: i64, c: i32, d: i32);
                fd_tell(a: i32, b: i32);
                proc_raise(a: i32);
                sched_yield();
                random_get(a: i32, b: i32);
                sock_shutdown(a: i32, b: i32);
            }
        });
    };
}
pub(crate) use with_common_functions;

/// The generated bindings, as the wrappers name them.
use super::bindings;

with_common_functions!(wrappers!(pub(crate) mod target, wasi_snapshot_preview1::WasiSnapshotPreview1) {
    sock_accept(a: i32, b: i32, c: i32);
});

mod async_linker {
    wiggle::wasmtime_integration!({
        target: crate::preview1::link::target,
        witx: ["witx/preview1/wasi_snapshot_preview1.witx"],
        errors: { errno => trappable Error },
        async: {
            wasi_snapshot_preview1::{
                fd_advise, fd_allocate, fd_datasync, fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times, fd_pread, fd_pwrite, fd_read, fd_readdir, fd_sync, fd_write, path_create_directory, path_filestat_get, path_filestat_set_times, path_link, path_open, path_readlink, path_remove_directory, path_rename, path_symlink, path_unlink_file, poll_oneoff, sock_accept, sock_recv, sock_send
            }
        },
    });
    pub(crate) use add_wasi_snapshot_preview1_to_linker as add;
}

mod sync_linker {
    wiggle::wasmtime_integration!({
        target: crate::preview1::link::target,
        witx: ["witx/preview1/wasi_snapshot_preview1.witx"],
        errors: { errno => trappable Error },
        block_on[crate::preview1::block_on_ok]: {
            wasi_snapshot_preview1::{
                fd_advise, fd_allocate, fd_datasync, fd_filestat_get, fd_filestat_set_size, fd_filestat_set_times, fd_pread, fd_pwrite, fd_read, fd_readdir, fd_sync, fd_write, path_create_directory, path_filestat_get, path_filestat_set_times, path_link, path_open, path_readlink, path_remove_directory, path_rename, path_symlink, path_unlink_file, poll_oneoff, sock_accept, sock_recv, sock_send
            }
        },
    });
    pub(crate) use add_wasi_snapshot_preview1_to_linker as add;
}

/// Adds `wasi_snapshot_preview1` to `linker`, synchronous flavour: call
/// the module's exports with plain calls, from a plain thread or from
/// inside a tokio runtime.
pub fn add_to_linker_sync<T: Send + 'static>(
    linker: &mut wasmtime::Linker<T>,
    f: impl Fn(&mut T) -> &mut WasiP1Ctx + Copy + Send + Sync + 'static,
) -> wasmtime::Result<()> {
    sync_linker::add(linker, f)
}

/// Adds `wasi_snapshot_preview1` to `linker`, async flavour: the
/// module's exports are called with `call_async` on a tokio runtime.
pub fn add_to_linker_async<T: Send + 'static>(
    linker: &mut wasmtime::Linker<T>,
    f: impl Fn(&mut T) -> &mut WasiP1Ctx + Copy + Send + Sync + 'static,
) -> wasmtime::Result<()> {
    async_linker::add(linker, f)
}
