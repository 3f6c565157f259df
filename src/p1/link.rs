//! Both linkers of preview 1 (and, through `crate::p0`, of preview
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
use wasmtime::{AsContextMut, Caller, Extern, Memory, SharedMemory};
use wiggle::GuestMemory;

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
                        $crate::p1::guest_call(
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
                        $crate::p1::error::guest_errors_to_errno(
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
                fd_seek(a: i32, b: i64, c: i32, d: i32);
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

/// The guest's exported memory, looked up once per call.
pub(crate) enum MemoryExport {
    Unshared(Memory),
    Shared(SharedMemory),
}

impl MemoryExport {
    /// The `memory` export of the calling instance (a module without one
    /// cannot call WASI: a trap, as in every runtime).
    pub(crate) fn of<T>(caller: &mut Caller<'_, T>) -> wasmtime::Result<MemoryExport> {
        match caller.get_export("memory") {
            Some(Extern::Memory(m)) => Ok(MemoryExport::Unshared(m)),
            Some(Extern::SharedMemory(m)) => Ok(MemoryExport::Shared(m)),
            _ => Err(wasmtime::format_err!("missing required memory export")),
        }
    }

    /// Guest memory and the context, borrowed together for one call, the
    /// context's host-call fuel refilled from the store.
    pub(crate) fn split<'a, T>(
        &'a self,
        caller: &'a mut Caller<'_, T>,
        get: impl Fn(&mut T) -> &mut WasiP1Ctx,
    ) -> (GuestMemory<'a>, &'a mut WasiP1Ctx) {
        let fuel = caller.as_context_mut().hostcall_fuel();
        let (mem, cx) = match self {
            MemoryExport::Unshared(m) => {
                let (bytes, data) = m.data_and_store_mut(caller);
                (GuestMemory::Unshared(bytes), get(data))
            }
            MemoryExport::Shared(m) => (GuestMemory::Shared(m.data()), get(caller.data_mut())),
        };
        cx.fuel = fuel;
        (mem, cx)
    }
}

/// Declares `fn $fname(linker, get)`, which links every function of a
/// module (listed as `with_common_functions!` lists them) to its wrapper in
/// `$target`, in the `sync` or `async` flavour. This is the glue `wiggle`
/// would generate, written here so that the memory is found once per call
/// and the hot calls can take a shortcut (`link_waiting!`, `link_plain!`).
macro_rules! glue {
    (fn $fname:ident, $module:literal, $($target:ident)::+, $flavour:ident {
        async { $($name:ident($($arg:ident: $ty:ty),*);)* }
        sync { $($sname:ident($($sarg:ident: $sty:ty),*);)* }
    }) => {
        fn $fname<T: Send + 'static>(
            linker: &mut wasmtime::Linker<T>,
            get: impl Fn(&mut T) -> &mut $crate::p1::WasiP1Ctx + Copy + Send + Sync + 'static,
        ) -> wasmtime::Result<()> {
            use $($target)::+ as target;
            $( $crate::p1::link::link_waiting!($flavour, linker, get, $module, $name($($arg: $ty),*)); )*
            $( $crate::p1::link::link_plain!(linker, get, $module, $sname($($sarg: $sty),*)); )*
            linker.func_wrap(
                $module,
                "proc_exit",
                move |mut caller: wasmtime::Caller<'_, T>, code: i32| -> wasmtime::Result<()> {
                    let export = $crate::p1::link::MemoryExport::of(&mut caller)?;
                    let (mut mem, cx) = export.split(&mut caller, get);
                    let watch = $crate::p1::link::watch!(cx, mem, $module, proc_exit(code));
                    let result = target::proc_exit(cx, &mut mem, code).map(|()| 0);
                    $crate::p1::link::watched!(watch, mem, result).map(drop)
                },
            )?;
            Ok(())
        }
    };
}
pub(crate) use glue;

/// Starts observing a call (see `super::observe`) when the context has an
/// observer: `None` otherwise, at the cost of one test.
macro_rules! watch {
    ($cx:ident, $mem:ident, $module:literal, $name:ident($($arg:ident),*)) => {
        if $cx.ctx.observer.is_some() {
            $crate::p1::observe::begin(
                $cx,
                &$mem,
                $module,
                stringify!($name),
                &[$($crate::p1::observe::Raw::raw($arg)),*],
            )
        } else {
            None
        }
    };
}
pub(crate) use watch;

/// Ends the observation started by `watch!`, if any, and gives back the
/// call's result.
macro_rules! watched {
    ($watch:ident, $mem:ident, $result:ident) => {{
        if let Some(watch) = $watch {
            $crate::p1::observe::end(*watch, &$mem, &$result);
        }
        $result
    }};
}
pub(crate) use watched;

/// Links one function that may wait: the sync flavour runs its future to
/// completion on the calling thread, the async flavour awaits it.
/// `fd_write` first tries the shortcut of [`fast::fd_write`] (no future).
macro_rules! link_waiting {
    ($flavour:ident, $linker:ident, $get:ident, $module:literal, fd_write($($arg:ident: $ty:ty),*)) => {
        $crate::p1::link::link_waiting!(@link $flavour, $linker, $get, $module, fd_write($($arg: $ty),*),
            |cx: &mut $crate::p1::WasiP1Ctx, mem: &mut wiggle::GuestMemory<'_>| $crate::p1::fast::fd_write(cx, mem, $($arg),*));
    };
    ($flavour:ident, $linker:ident, $get:ident, $module:literal, $name:ident($($arg:ident: $ty:ty),*)) => {
        $crate::p1::link::link_waiting!(@link $flavour, $linker, $get, $module, $name($($arg: $ty),*),
            |_: &mut $crate::p1::WasiP1Ctx, _: &mut wiggle::GuestMemory<'_>| None);
    };
    (@link sync, $linker:ident, $get:ident, $module:literal, $name:ident($($arg:ident: $ty:ty),*), $fast:expr) => {
        $linker.func_wrap(
            $module,
            stringify!($name),
            move |mut caller: wasmtime::Caller<'_, T>, $($arg: $ty),*| -> wasmtime::Result<i32> {
                let export = $crate::p1::link::MemoryExport::of(&mut caller)?;
                let (mut mem, cx) = export.split(&mut caller, $get);
                let watch = $crate::p1::link::watch!(cx, mem, $module, $name($($arg),*));
                let result = match ($fast)(cx, &mut mem) {
                    Some(result) => result,
                    None => $crate::runtime::block_on(target::$name(cx, &mut mem, $($arg),*)),
                };
                $crate::p1::link::watched!(watch, mem, result)
            },
        )?;
    };
    (@link async, $linker:ident, $get:ident, $module:literal, $name:ident($($arg:ident: $ty:ty),*), $fast:expr) => {
        $linker.func_wrap_async(
            $module,
            stringify!($name),
            move |mut caller: wasmtime::Caller<'_, T>, ($($arg,)*): ($($ty,)*)| {
                Box::new(async move {
                    let export = $crate::p1::link::MemoryExport::of(&mut caller)?;
                    let (mut mem, cx) = export.split(&mut caller, $get);
                    if cx.ctx.observer.is_some() {
                        // Observed: a future of its own, so that the one
                        // wasmtime boxes for every call keeps its size.
                        return Box::pin(async move {
                            let watch = $crate::p1::link::watch!(cx, mem, $module, $name($($arg),*));
                            let result = match ($fast)(cx, &mut mem) {
                                Some(result) => result,
                                None => target::$name(cx, &mut mem, $($arg),*).await,
                            };
                            $crate::p1::link::watched!(watch, mem, result)
                        })
                        .await;
                    }
                    if let Some(result) = ($fast)(cx, &mut mem) {
                        return result;
                    }
                    // Boxed apart, so that the future wasmtime boxes for
                    // every call stays small when the shortcut answers.
                    Box::pin(target::$name(cx, &mut mem, $($arg),*)).await
                })
            },
        )?;
    };
}
pub(crate) use link_waiting;

/// Links one function that never waits (the same in both flavours).
/// `clock_time_get` and `random_get` first try their shortcut in
/// [`fast`](crate::p1::fast).
macro_rules! link_plain {
    ($linker:ident, $get:ident, $module:literal, clock_time_get($($arg:ident: $ty:ty),*)) => {
        $crate::p1::link::link_plain!(@link $linker, $get, $module, clock_time_get($($arg: $ty),*),
            |cx: &mut $crate::p1::WasiP1Ctx, mem: &mut wiggle::GuestMemory<'_>| $crate::p1::fast::clock_time_get(cx, mem, $($arg),*));
    };
    ($linker:ident, $get:ident, $module:literal, random_get($($arg:ident: $ty:ty),*)) => {
        $crate::p1::link::link_plain!(@link $linker, $get, $module, random_get($($arg: $ty),*),
            |cx: &mut $crate::p1::WasiP1Ctx, mem: &mut wiggle::GuestMemory<'_>| $crate::p1::fast::random_get(cx, mem, $($arg),*));
    };
    ($linker:ident, $get:ident, $module:literal, $name:ident($($arg:ident: $ty:ty),*)) => {
        $crate::p1::link::link_plain!(@link $linker, $get, $module, $name($($arg: $ty),*),
            |_: &mut $crate::p1::WasiP1Ctx, _: &mut wiggle::GuestMemory<'_>| None);
    };
    (@link $linker:ident, $get:ident, $module:literal, $name:ident($($arg:ident: $ty:ty),*), $fast:expr) => {
        $linker.func_wrap(
            $module,
            stringify!($name),
            move |mut caller: wasmtime::Caller<'_, T>, $($arg: $ty),*| -> wasmtime::Result<i32> {
                let export = $crate::p1::link::MemoryExport::of(&mut caller)?;
                let (mut mem, cx) = export.split(&mut caller, $get);
                let watch = $crate::p1::link::watch!(cx, mem, $module, $name($($arg),*));
                let result = match ($fast)(cx, &mut mem) {
                    Some(result) => result,
                    None => target::$name(cx, &mut mem, $($arg),*),
                };
                $crate::p1::link::watched!(watch, mem, result)
            },
        )?;
    };
}
pub(crate) use link_plain;

/// The generated bindings, as the wrappers name them.
use super::bindings;

with_common_functions!(wrappers!(pub(crate) mod target, wasi_snapshot_preview1::WasiSnapshotPreview1) {
    sock_accept(a: i32, b: i32, c: i32);
});

with_common_functions!(glue!(fn add_sync, "wasi_snapshot_preview1", target::wasi_snapshot_preview1, sync) {
    sock_accept(a: i32, b: i32, c: i32);
});

with_common_functions!(glue!(fn add_async, "wasi_snapshot_preview1", target::wasi_snapshot_preview1, async) {
    sock_accept(a: i32, b: i32, c: i32);
});

/// Adds `wasi_snapshot_preview1` to `linker`, synchronous flavour: call
/// the module's exports with plain calls, from a plain thread or from
/// inside a tokio runtime.
pub fn add_to_linker_sync<T: Send + 'static>(
    linker: &mut wasmtime::Linker<T>,
    f: impl Fn(&mut T) -> &mut WasiP1Ctx + Copy + Send + Sync + 'static,
) -> wasmtime::Result<()> {
    add_sync(linker, f)
}

/// Adds `wasi_snapshot_preview1` to `linker`, async flavour: the
/// module's exports are called with `call_async` on a tokio runtime.
pub fn add_to_linker_async<T: Send + 'static>(
    linker: &mut wasmtime::Linker<T>,
    f: impl Fn(&mut T) -> &mut WasiP1Ctx + Copy + Send + Sync + 'static,
) -> wasmtime::Result<()> {
    add_async(linker, f)
}
