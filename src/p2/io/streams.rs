//! `Host` traits of `wasi:io/streams` for the io view, in both flavours.
//! Each method is one call into [`crate::io::ops`]; the sync flavour runs the
//! same future through [`crate::runtime::block_on`], and its non-waiting
//! calls with blocking allowed (a file stream then writes inline instead of
//! handing the write to another thread).

use crate::io::ops;
use crate::io::{InputStream, IoError, OutputStream, StreamError};
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

mod async_flavour {
    use super::*;
    use crate::p2::bindings::io::streams;

    impl streams::Host for ResourceTable {
        fn convert_stream_error(
            &mut self,
            err: StreamError,
        ) -> wasmtime::Result<streams::StreamError> {
            Ok(match convert(self, err)? {
                None => streams::StreamError::Closed,
                Some(e) => streams::StreamError::LastOperationFailed(e),
            })
        }
    }

    impl streams::HostInputStream for ResourceTable {
        fn read(&mut self, s: Resource<InputStream>, len: u64) -> Result<Vec<u8>> {
            ops::read(self, &s, len)
        }
        async fn blocking_read(&mut self, s: Resource<InputStream>, len: u64) -> Result<Vec<u8>> {
            ops::blocking_read(self, &s, len).await
        }
        fn skip(&mut self, s: Resource<InputStream>, len: u64) -> Result<u64> {
            ops::skip(self, &s, len)
        }
        async fn blocking_skip(&mut self, s: Resource<InputStream>, len: u64) -> Result<u64> {
            ops::blocking_skip(self, &s, len).await
        }
        fn subscribe(
            &mut self,
            s: Resource<InputStream>,
        ) -> wasmtime::Result<Resource<crate::io::Pollable>> {
            crate::io::subscribe(self, s)
        }
        fn drop(&mut self, s: Resource<InputStream>) -> wasmtime::Result<()> {
            self.delete(s)?;
            Ok(())
        }
    }

    impl streams::HostOutputStream for ResourceTable {
        fn check_write(&mut self, s: Resource<OutputStream>) -> Result<u64> {
            ops::check_write(self, &s)
        }
        fn write(&mut self, s: Resource<OutputStream>, contents: Vec<u8>) -> Result<()> {
            ops::write(self, &s, contents)
        }
        async fn blocking_write_and_flush(
            &mut self,
            s: Resource<OutputStream>,
            contents: Vec<u8>,
        ) -> Result<()> {
            ops::blocking_write_and_flush(self, &s, contents).await
        }
        fn flush(&mut self, s: Resource<OutputStream>) -> Result<()> {
            ops::flush(self, &s)
        }
        async fn blocking_flush(&mut self, s: Resource<OutputStream>) -> Result<()> {
            ops::blocking_flush(self, &s).await
        }
        fn subscribe(
            &mut self,
            s: Resource<OutputStream>,
        ) -> wasmtime::Result<Resource<crate::io::Pollable>> {
            crate::io::subscribe(self, s)
        }
        fn write_zeroes(&mut self, s: Resource<OutputStream>, len: u64) -> Result<()> {
            ops::write_zeroes(self, &s, len)
        }
        async fn blocking_write_zeroes_and_flush(
            &mut self,
            s: Resource<OutputStream>,
            len: u64,
        ) -> Result<()> {
            ops::blocking_write_zeroes_and_flush(self, &s, len).await
        }
        fn splice(
            &mut self,
            dst: Resource<OutputStream>,
            src: Resource<InputStream>,
            len: u64,
        ) -> Result<u64> {
            ops::splice(self, &dst, &src, len)
        }
        async fn blocking_splice(
            &mut self,
            dst: Resource<OutputStream>,
            src: Resource<InputStream>,
            len: u64,
        ) -> Result<u64> {
            ops::blocking_splice(self, &dst, &src, len).await
        }
        fn drop(&mut self, s: Resource<OutputStream>) -> wasmtime::Result<()> {
            self.delete(s)?;
            Ok(())
        }
    }
}

mod sync_flavour {
    use super::*;
    use crate::p2::bindings::sync::io::streams;
    use crate::runtime::allow_blocking;

    impl streams::Host for ResourceTable {
        fn convert_stream_error(
            &mut self,
            err: StreamError,
        ) -> wasmtime::Result<streams::StreamError> {
            Ok(match convert(self, err)? {
                None => streams::StreamError::Closed,
                Some(e) => streams::StreamError::LastOperationFailed(e),
            })
        }
    }

    impl streams::HostInputStream for ResourceTable {
        fn read(&mut self, s: Resource<InputStream>, len: u64) -> Result<Vec<u8>> {
            allow_blocking(|| ops::read(self, &s, len))
        }
        fn blocking_read(&mut self, s: Resource<InputStream>, len: u64) -> Result<Vec<u8>> {
            block_on(ops::blocking_read(self, &s, len))
        }
        fn skip(&mut self, s: Resource<InputStream>, len: u64) -> Result<u64> {
            allow_blocking(|| ops::skip(self, &s, len))
        }
        fn blocking_skip(&mut self, s: Resource<InputStream>, len: u64) -> Result<u64> {
            block_on(ops::blocking_skip(self, &s, len))
        }
        fn subscribe(
            &mut self,
            s: Resource<InputStream>,
        ) -> wasmtime::Result<Resource<crate::io::Pollable>> {
            crate::io::subscribe(self, s)
        }
        fn drop(&mut self, s: Resource<InputStream>) -> wasmtime::Result<()> {
            self.delete(s)?;
            Ok(())
        }
    }

    impl streams::HostOutputStream for ResourceTable {
        fn check_write(&mut self, s: Resource<OutputStream>) -> Result<u64> {
            allow_blocking(|| ops::check_write(self, &s))
        }
        fn write(&mut self, s: Resource<OutputStream>, contents: Vec<u8>) -> Result<()> {
            allow_blocking(|| ops::write(self, &s, contents))
        }
        fn blocking_write_and_flush(
            &mut self,
            s: Resource<OutputStream>,
            contents: Vec<u8>,
        ) -> Result<()> {
            block_on(ops::blocking_write_and_flush(self, &s, contents))
        }
        fn flush(&mut self, s: Resource<OutputStream>) -> Result<()> {
            allow_blocking(|| ops::flush(self, &s))
        }
        fn blocking_flush(&mut self, s: Resource<OutputStream>) -> Result<()> {
            block_on(ops::blocking_flush(self, &s))
        }
        fn subscribe(
            &mut self,
            s: Resource<OutputStream>,
        ) -> wasmtime::Result<Resource<crate::io::Pollable>> {
            crate::io::subscribe(self, s)
        }
        fn write_zeroes(&mut self, s: Resource<OutputStream>, len: u64) -> Result<()> {
            allow_blocking(|| ops::write_zeroes(self, &s, len))
        }
        fn blocking_write_zeroes_and_flush(
            &mut self,
            s: Resource<OutputStream>,
            len: u64,
        ) -> Result<()> {
            block_on(ops::blocking_write_zeroes_and_flush(self, &s, len))
        }
        fn splice(
            &mut self,
            dst: Resource<OutputStream>,
            src: Resource<InputStream>,
            len: u64,
        ) -> Result<u64> {
            allow_blocking(|| ops::splice(self, &dst, &src, len))
        }
        fn blocking_splice(
            &mut self,
            dst: Resource<OutputStream>,
            src: Resource<InputStream>,
            len: u64,
        ) -> Result<u64> {
            block_on(ops::blocking_splice(self, &dst, &src, len))
        }
        fn drop(&mut self, s: Resource<OutputStream>) -> wasmtime::Result<()> {
            self.delete(s)?;
            Ok(())
        }
    }
}
