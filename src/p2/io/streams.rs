//! `Host` traits of `wasi:io/streams` for the table view, in both
//! flavours, written once (`stream_methods!`). Each method is one call
//! into [`crate::io::ops`], observed when the context has an observer; the
//! sync flavour runs the same future through [`crate::runtime::block_on`],
//! and its non-waiting calls with blocking allowed (a file stream then
//! writes inline instead of handing the write to another thread).

use super::{IoTable, WasiIoTableView};
use crate::io::ops;
use crate::io::{InputStream, IoError, OutputStream, StreamError};
use crate::p2::observe::observed;
use crate::runtime::block_on;
use wasmtime::component::{Resource, ResourceTable};

/// Turns a host stream error into the guest's `stream-error` (pushing the
/// `error` resource of a failed operation) or a trap.
fn convert(
    table: &mut ResourceTable,
    err: StreamError,
) -> wasmtime::Result<Option<Resource<IoError>>> {
    match err {
        StreamError::Closed => Ok(None),
        StreamError::LastOperationFailed(e) => Ok(Some(table.push(IoError(e))?)),
        StreamError::Trap(e) => Err(e),
    }
}

type Result<T> = std::result::Result<T, StreamError>;

/// The `Host` traits of one flavour's `streams` module, for the table
/// view the linker uses and for a bare [`ResourceTable`] (host code
/// calling stream methods; never observed). `$now!` wraps a call that
/// does not wait, `$wait!` one that does, and the waiting methods are
/// `async` where `[$($wait_kw)*]` says so.
macro_rules! stream_methods {
    ($streams:path, now: $now:ident, wait: $wait:ident, [$($wait_kw:tt)*]) => {
        use $streams as streams;
        stream_methods!(@for WasiIoTableView<'_>, now: $now, wait: $wait, [$($wait_kw)*]);
        stream_methods!(@for ResourceTable, now: $now, wait: $wait, [$($wait_kw)*]);
    };
    (@for $view:ty, now: $now:ident, wait: $wait:ident, [$($wait_kw:tt)*]) => {

        impl streams::Host for $view {
            fn convert_stream_error(
                &mut self,
                err: StreamError,
            ) -> wasmtime::Result<streams::StreamError> {
                Ok(match convert(IoTable::table(self), err)? {
                    None => streams::StreamError::Closed,
                    Some(e) => streams::StreamError::LastOperationFailed(e),
                })
            }
        }

        impl streams::HostInputStream for $view {
            fn read(&mut self, self_: Resource<InputStream>, len: u64) -> Result<Vec<u8>> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]input-stream.read", [self_, len],
                    $now!(ops::read(IoTable::table(self), &self_, len)))
            }
            $($wait_kw)* fn blocking_read(&mut self, self_: Resource<InputStream>, len: u64) -> Result<Vec<u8>> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]input-stream.blocking-read", [self_, len],
                    $wait!(ops::blocking_read(IoTable::table(self), &self_, len)))
            }
            fn skip(&mut self, self_: Resource<InputStream>, len: u64) -> Result<u64> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]input-stream.skip", [self_, len],
                    $now!(ops::skip(IoTable::table(self), &self_, len)))
            }
            $($wait_kw)* fn blocking_skip(&mut self, self_: Resource<InputStream>, len: u64) -> Result<u64> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]input-stream.blocking-skip", [self_, len],
                    $wait!(ops::blocking_skip(IoTable::table(self), &self_, len)))
            }
            fn subscribe(
                &mut self,
                self_: Resource<InputStream>,
            ) -> wasmtime::Result<Resource<crate::io::Pollable>> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]input-stream.subscribe", [self_ = &self_],
                    crate::io::subscribe(IoTable::table(self), self_))
            }
            fn drop(&mut self, rep: Resource<InputStream>) -> wasmtime::Result<()> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[resource-drop]input-stream", [rep = &rep],
                    IoTable::table(self).delete(rep).map(drop).map_err(Into::into))
            }
        }

        impl streams::HostOutputStream for $view {
            fn check_write(&mut self, self_: Resource<OutputStream>) -> Result<u64> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]output-stream.check-write", [self_],
                    $now!(ops::check_write(IoTable::table(self), &self_)))
            }
            fn write(&mut self, self_: Resource<OutputStream>, contents: Vec<u8>) -> Result<()> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]output-stream.write", [self_, contents = &contents],
                    $now!(ops::write(IoTable::table(self), &self_, contents)))
            }
            $($wait_kw)* fn blocking_write_and_flush(
                &mut self,
                self_: Resource<OutputStream>,
                contents: Vec<u8>,
            ) -> Result<()> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]output-stream.blocking-write-and-flush", [self_, contents = &contents],
                    $wait!(ops::blocking_write_and_flush(IoTable::table(self), &self_, contents)))
            }
            fn flush(&mut self, self_: Resource<OutputStream>) -> Result<()> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]output-stream.flush", [self_],
                    $now!(ops::flush(IoTable::table(self), &self_)))
            }
            $($wait_kw)* fn blocking_flush(&mut self, self_: Resource<OutputStream>) -> Result<()> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]output-stream.blocking-flush", [self_],
                    $wait!(ops::blocking_flush(IoTable::table(self), &self_)))
            }
            fn subscribe(
                &mut self,
                self_: Resource<OutputStream>,
            ) -> wasmtime::Result<Resource<crate::io::Pollable>> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]output-stream.subscribe", [self_ = &self_],
                    crate::io::subscribe(IoTable::table(self), self_))
            }
            fn write_zeroes(&mut self, self_: Resource<OutputStream>, len: u64) -> Result<()> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]output-stream.write-zeroes", [self_, len],
                    $now!(ops::write_zeroes(IoTable::table(self), &self_, len)))
            }
            $($wait_kw)* fn blocking_write_zeroes_and_flush(
                &mut self,
                self_: Resource<OutputStream>,
                len: u64,
            ) -> Result<()> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]output-stream.blocking-write-zeroes-and-flush", [self_, len],
                    $wait!(ops::blocking_write_zeroes_and_flush(IoTable::table(self), &self_, len)))
            }
            fn splice(
                &mut self,
                self_: Resource<OutputStream>,
                src: Resource<InputStream>,
                len: u64,
            ) -> Result<u64> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]output-stream.splice", [self_, src, len],
                    $now!(ops::splice(IoTable::table(self), &self_, &src, len)))
            }
            $($wait_kw)* fn blocking_splice(
                &mut self,
                self_: Resource<OutputStream>,
                src: Resource<InputStream>,
                len: u64,
            ) -> Result<u64> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[method]output-stream.blocking-splice", [self_, src, len],
                    $wait!(ops::blocking_splice(IoTable::table(self), &self_, &src, len)))
            }
            fn drop(&mut self, rep: Resource<OutputStream>) -> wasmtime::Result<()> {
                observed!(IoTable::observer(self), "wasi:io/streams", "[resource-drop]output-stream", [rep = &rep],
                    IoTable::table(self).delete(rep).map(drop).map_err(Into::into))
            }
        }
    };
}

mod async_flavour {
    use super::*;

    /// A call that does not wait.
    macro_rules! now {
        ($call:expr) => {
            $call
        };
    }
    /// A call that waits: awaited.
    macro_rules! wait {
        ($call:expr) => {
            $call.await
        };
    }

    stream_methods!(crate::p2::bindings::io::streams, now: now, wait: wait, [async]);
}

mod sync_flavour {
    use super::*;
    use crate::runtime::allow_blocking;

    /// A call that does not wait: run with blocking allowed.
    macro_rules! now {
        ($call:expr) => {
            allow_blocking(|| $call)
        };
    }
    /// A call that waits: run to completion.
    macro_rules! wait {
        ($call:expr) => {
            block_on($call)
        };
    }

    stream_methods!(crate::p2::bindings::sync::io::streams, now: now, wait: wait, []);
}
