//! Streams on files of virtual mounts (`read-via-stream`,
//! `write-via-stream`, `append-via-stream`). Backends answer from memory,
//! so every call completes at once and the streams are always ready.
//!
//! A write the backend takes only partly (it is full) or refuses is
//! reported as `last-operation-failed` carrying the spec code (so
//! `filesystem-error-code` finds it, e.g. `insufficient-space`); the stream
//! is closed afterwards.

use super::descriptor::VirtualFile;
use crate::filesystem::{ErrorCode, MAX_WRITE};
use crate::io::{HostInputStream, HostOutputStream, StreamError, StreamResult, Subscribe};
use bytes::Bytes;

/// The most bytes one stream read returns.
const MAX_STREAM_READ: usize = 1 << 20;

/// The input stream of `read-via-stream` on a virtual file.
pub struct VirtualInputStream {
    file: VirtualFile,
    position: u64,
    closed: bool,
}

impl VirtualInputStream {
    pub(crate) fn new(file: VirtualFile, position: u64) -> Self {
        VirtualInputStream {
            file,
            position,
            closed: false,
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for VirtualInputStream {
    async fn ready(&mut self) {}
}

#[async_trait::async_trait]
impl HostInputStream for VirtualInputStream {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.closed {
            return Err(StreamError::Closed);
        }
        if size == 0 {
            return Ok(Bytes::new());
        }
        let size_now = self
            .file
            .node_stat()
            .map(|s| s.size)
            .map_err(|_| StreamError::Closed)?;
        let want = size
            .min(MAX_STREAM_READ)
            .min(size_now.saturating_sub(self.position) as usize);
        let mut buf = vec![0; want];
        let n = match self.file.read_at(&mut buf, self.position) {
            Ok(n) => n,
            Err(code) => {
                self.closed = true;
                return Err(StreamError::LastOperationFailed(wasmtime::Error::new(code)));
            }
        };
        if n == 0 {
            self.closed = true;
            return Err(StreamError::Closed);
        }
        buf.truncate(n);
        self.position += n as u64;
        Ok(Bytes::from(buf))
    }

    fn read_into(&mut self, buf: &mut [u8]) -> Option<StreamResult<usize>> {
        if self.closed {
            return Some(Err(StreamError::Closed));
        }
        Some(match self.file.read_at(buf, self.position) {
            Ok(0) => {
                self.closed = true;
                Err(StreamError::Closed)
            }
            Ok(n) => {
                self.position += n as u64;
                Ok(n)
            }
            Err(code) => {
                self.closed = true;
                Err(StreamError::LastOperationFailed(wasmtime::Error::new(code)))
            }
        })
    }

    async fn blocking_read(&mut self, size: usize) -> StreamResult<Bytes> {
        self.read(size)
    }

    async fn blocking_skip(&mut self, size: usize) -> StreamResult<usize> {
        Ok(self.read(size)?.len())
    }
}

/// The output stream of `write-via-stream` / `append-via-stream` on a
/// virtual file.
pub struct VirtualOutputStream {
    file: VirtualFile,
    /// The position, or `None` to append.
    position: Option<u64>,
    /// A failure not reported yet.
    failed: Option<ErrorCode>,
    closed: bool,
}

impl VirtualOutputStream {
    pub(crate) fn new(file: VirtualFile, position: Option<u64>) -> Self {
        VirtualOutputStream {
            file,
            position,
            failed: None,
            closed: false,
        }
    }

    fn fail(&mut self) -> StreamError {
        self.closed = true;
        match self.failed.take() {
            Some(code) => StreamError::LastOperationFailed(wasmtime::Error::new(code)),
            None => StreamError::Closed,
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for VirtualOutputStream {
    async fn ready(&mut self) {}
}

#[async_trait::async_trait]
impl HostOutputStream for VirtualOutputStream {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        if self.closed || self.failed.is_some() {
            return Err(self.fail());
        }
        if bytes.len() > MAX_WRITE {
            return Err(StreamError::trap("write beyond the check-write permit"));
        }
        if bytes.is_empty() {
            return Ok(());
        }
        match self.file.write_at(&bytes, self.position) {
            Ok(n) => {
                if let Some(p) = &mut self.position {
                    *p += n as u64;
                }
                if n < bytes.len() {
                    self.failed = Some(ErrorCode::InsufficientSpace);
                    return Err(self.fail());
                }
                Ok(())
            }
            Err(code) => {
                self.failed = Some(code);
                Err(self.fail())
            }
        }
    }

    fn flush(&mut self) -> StreamResult<()> {
        if self.closed || self.failed.is_some() {
            return Err(self.fail());
        }
        Ok(())
    }

    /// At most what the backend can still store (so a guest's write is
    /// cut short where the backend is full, as `write` would be); when
    /// nothing fits, the stream fails with `insufficient-space`.
    fn check_write(&mut self) -> StreamResult<usize> {
        if self.closed || self.failed.is_some() {
            return Err(self.fail());
        }
        match self.file.room(self.position) {
            Some(0) => {
                self.failed = Some(if self.file.read_only() {
                    ErrorCode::ReadOnly
                } else {
                    ErrorCode::InsufficientSpace
                });
                Err(self.fail())
            }
            Some(room) => Ok(room.min(MAX_WRITE as u64) as usize),
            None => Ok(MAX_WRITE),
        }
    }

    fn write_zeroes(&mut self, size: usize) -> StreamResult<()> {
        if size > MAX_WRITE {
            return Err(StreamError::trap(
                "write-zeroes beyond the check-write permit",
            ));
        }
        self.write(Bytes::from(vec![0; size]))
    }
}
