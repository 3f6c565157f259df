//! File descriptors and their operations.

use super::order::Order;
use super::stream::{FileInputStream, FileOutputStream};
use crate::filesystem::budget::Slot;
use crate::filesystem::perms::{FilePerms, require_file, require_mode};
use crate::filesystem::{
    Advice, DescriptorFlags, DescriptorStat, DescriptorType, ErrorCode, FileOps, FsResult,
    MAX_READ, MetadataHashValue, NewTimestamp, stat,
};
use crate::limits::ByteCount;
use rustix::fd::AsFd;
use std::io;
use std::sync::Arc;
use system_interface::fs::FileIoExt;

/// An open file of the guest (any object that is not a directory).
#[derive(Clone)]
pub struct File {
    pub(crate) file: Arc<cap_std::fs::File>,
    /// What the preopen allows for files.
    pub(crate) perms: FilePerms,
    /// What this descriptor was opened for (`read`, `write`).
    pub(crate) mode: FilePerms,
    /// The flags `get-flags` reports.
    pub(crate) flags: DescriptorFlags,
    /// Which preopen this file lies beneath.
    #[allow(dead_code)]
    pub(crate) preopen: u64,
    /// Where its blocking work runs.
    pub(crate) blocking: super::Blocking,
    /// The file's slot in its context's descriptor budget, given back when
    /// the last clone (streams hold clones) is dropped, with the handle.
    pub(crate) _slot: Arc<Slot>,
    /// The order of the operations on this file that run in the
    /// background (shared by the streams, which hold clones).
    pub(crate) order: Arc<Order>,
    /// The bytes written to the files of its mount, against the limit.
    pub(crate) written: Arc<ByteCount>,
}

impl File {
    /// Runs blocking `f` with the host file, after the file's background
    /// operations (see [`Order`]).
    pub(crate) async fn run<R, F>(&self, f: F) -> R
    where
        F: FnOnce(&cap_std::fs::File) -> R + Send + 'static,
        R: Send + 'static,
    {
        let file = Arc::clone(&self.file);
        let order = Arc::clone(&self.order);
        self.blocking
            .run(move || {
                order.wait_idle();
                f(&file)
            })
            .await
    }

    /// Writes what fits of `buf` under the mount's write limit with
    /// `write` (blocking, on the host file), counting what was written:
    /// `insufficient-space` when nothing of a non-empty `buf` fits.
    async fn write_counted<W>(&self, buf: Vec<u8>, write: W) -> FsResult<u64>
    where
        W: FnOnce(&cap_std::fs::File, &[u8]) -> io::Result<usize> + Send + 'static,
    {
        let fits = self.written.reserve(buf.len());
        if fits == 0 && !buf.is_empty() {
            return Err(ErrorCode::InsufficientSpace.into());
        }
        let count = self.written.clone();
        self.run(move |f| {
            let result = write(f, &buf[..fits]);
            let done = result.as_ref().map_or(0, |n| *n);
            count.unreserve(fits.saturating_sub(done));
            Ok(result? as u64)
        })
        .await
    }

    /// `Ok` if the preopen allows `needed` (`not-permitted` otherwise) and
    /// this descriptor was opened for it (`bad-descriptor` otherwise), in
    /// that order.
    fn allowed(&self, needed: FilePerms) -> FsResult<()> {
        require_file(self.perms, needed)?;
        require_mode(self.mode, needed)
    }
}

impl FileOps for File {
    type Input = FileInputStream;
    type Output = FileOutputStream;

    /// `descriptor.get-flags`.
    fn get_flags(&self) -> DescriptorFlags {
        self.flags
    }

    /// `descriptor.get-type`.
    async fn get_type(&self) -> FsResult<DescriptorType> {
        self.run(|f| Ok(stat::descriptor_type(f.metadata()?.file_type())))
            .await
    }

    /// `descriptor.stat`.
    async fn stat(&self) -> FsResult<DescriptorStat> {
        self.run(|f| Ok(stat::descriptor_stat(&f.metadata()?)))
            .await
    }

    /// `descriptor.metadata-hash`.
    async fn metadata_hash(&self) -> FsResult<MetadataHashValue> {
        self.run(|f| Ok(stat::metadata_hash(&f.metadata()?))).await
    }

    /// `descriptor.advise`.
    async fn advise(&self, offset: u64, len: u64, advice: Advice) -> FsResult<()> {
        use system_interface::fs::Advice as A;
        let advice = match advice {
            Advice::Normal => A::Normal,
            Advice::Sequential => A::Sequential,
            Advice::Random => A::Random,
            Advice::WillNeed => A::WillNeed,
            Advice::DontNeed => A::DontNeed,
            Advice::NoReuse => A::NoReuse,
        };
        self.run(move |f| Ok(f.advise(offset, len, advice)?)).await
    }

    /// `descriptor.sync-data`: no effect unless opened for writing.
    async fn sync_data(&self) -> FsResult<()> {
        if !self.mode.contains(FilePerms::WRITE) {
            return Ok(());
        }
        self.run(|f| Ok(f.sync_data()?)).await
    }

    /// `descriptor.sync`: no effect unless opened for writing.
    async fn sync(&self) -> FsResult<()> {
        if !self.mode.contains(FilePerms::WRITE) {
            return Ok(());
        }
        self.run(|f| Ok(f.sync_all()?)).await
    }

    /// `descriptor.set-size`: needs the preopen's file WRITE
    /// (`not-permitted`), then a descriptor opened for writing (`invalid`,
    /// as `ftruncate` of a read-only descriptor).
    async fn set_size(&self, size: u64) -> FsResult<()> {
        require_file(self.perms, FilePerms::WRITE)?;
        if !self.mode.contains(FilePerms::WRITE) {
            return Err(ErrorCode::Invalid.into());
        }
        self.run(move |f| Ok(f.set_len(size)?)).await
    }

    /// `descriptor.set-times` (needs the preopen's file WRITE).
    async fn set_times(&self, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()> {
        require_file(self.perms, FilePerms::WRITE)?;
        let atime = stat::system_time_spec(atime)?;
        let mtime = stat::system_time_spec(mtime)?;
        self.run(move |f| Ok(fs_set_times::SetTimes::set_times(f, atime, mtime)?))
            .await
    }

    /// `descriptor.read`: at most [`MAX_READ`] bytes from `offset`, and
    /// whether the end of the file was reached.
    async fn read(&self, len: u64, offset: u64) -> FsResult<(Vec<u8>, bool)> {
        self.allowed(FilePerms::READ)?;
        let want = usize::try_from(len).unwrap_or(usize::MAX).min(MAX_READ);
        self.run(move |f| Ok(read_at(f, want, offset)?)).await
    }

    /// `descriptor.write`: `buf` at `offset`, returning how many bytes were
    /// written. When the file takes only part of it (a full filesystem, a
    /// file size limit), that count is returned, and the error comes with
    /// the next write, as POSIX `write` does.
    ///
    /// Past the mount's write limit it writes what fits (and returns that
    /// count), or fails with `insufficient-space` when nothing fits.
    async fn write(&self, buf: Vec<u8>, offset: u64) -> FsResult<u64> {
        self.allowed(FilePerms::WRITE)?;
        self.write_counted(buf, move |f, buf| write_some_at(f, buf, offset))
            .await
    }

    /// One `pwritev2(RWF_APPEND)` where the kernel has it (system-interface
    /// falls back to switching the handle to `O_APPEND` for the write).
    /// The mount's write limit applies as for [`FileOps::write`].
    async fn append(&self, buf: Vec<u8>) -> FsResult<u64> {
        self.allowed(FilePerms::WRITE)?;
        self.write_counted(buf, |f, buf| retry(|| f.append(buf)))
            .await
    }

    /// `preadv(2)` into the caller's buffers, where the thread may block.
    fn read_vectored_now(
        &self,
        bufs: &mut [io::IoSliceMut<'_>],
        offset: u64,
    ) -> Option<FsResult<usize>> {
        if let Err(e) = self.allowed(FilePerms::READ) {
            return Some(Err(e));
        }
        let fd = self.file.as_fd();
        crate::runtime::try_run_now(self.blocking.inline, || {
            self.order.wait_idle();
            retry(|| Ok(rustix::io::preadv(fd, bufs, offset)?))
        })
        .ok()
        .map(|r| r.map_err(Into::into))
    }

    /// `pwritev(2)` (or an append, see [`FileOps::append`]) from the
    /// caller's buffers, where the thread may block.
    fn write_vectored_now(
        &self,
        bufs: &[io::IoSlice<'_>],
        offset: Option<u64>,
    ) -> Option<FsResult<usize>> {
        if let Err(e) = self.allowed(FilePerms::WRITE) {
            return Some(Err(e));
        }
        // Under a write limit, one that does not fit whole goes the other
        // way (`write`, which writes what fits).
        let len = bufs.iter().map(|b| b.len()).fold(0, usize::saturating_add);
        let fits = self.written.reserve(len);
        if fits < len {
            self.written.unreserve(fits);
            return None;
        }
        let file = &*self.file;
        let result = crate::runtime::try_run_now(self.blocking.inline, || {
            self.order.wait_idle();
            retry(|| match offset {
                Some(at) => Ok(rustix::io::pwritev(file.as_fd(), bufs, at)?),
                None => file.append_vectored(bufs),
            })
        })
        .ok();
        let done = result.as_ref().map_or(0, |r| *r.as_ref().unwrap_or(&0));
        self.written.unreserve(fits.saturating_sub(done));
        result.map(|r| r.map_err(Into::into))
    }

    /// `descriptor.read-via-stream` (needs a descriptor opened for reading).
    fn read_via_stream(&self, offset: u64) -> FsResult<Self::Input> {
        self.allowed(FilePerms::READ)?;
        Ok(FileInputStream::new(self.clone(), offset))
    }

    /// `descriptor.write-via-stream` (needs a descriptor opened for writing).
    fn write_via_stream(&self, offset: u64) -> FsResult<Self::Output> {
        self.allowed(FilePerms::WRITE)?;
        Ok(FileOutputStream::at(self.clone(), offset))
    }

    /// `descriptor.append-via-stream` (needs a descriptor opened for
    /// writing).
    fn append_via_stream(&self) -> FsResult<Self::Output> {
        self.allowed(FilePerms::WRITE)?;
        Ok(FileOutputStream::append(self.clone()))
    }
}

/// Reads up to `want` bytes at `offset`, until the buffer is full or the
/// end of the file; the flag says whether the end was reached.
pub(crate) fn read_at(
    f: &cap_std::fs::File,
    want: usize,
    offset: u64,
) -> io::Result<(Vec<u8>, bool)> {
    let mut buf = Vec::with_capacity(want);
    while buf.len() < want {
        let at = offset
            .checked_add(buf.len() as u64)
            .ok_or_else(|| io::Error::from(rustix::io::Errno::OVERFLOW))?;
        if pread_append(f, &mut buf, at)? == 0 {
            return Ok((buf, true));
        }
    }
    Ok((buf, false))
}

/// One `pread` at `offset` into the spare capacity of `buf`, which grows by
/// what was read (0 at the end of the file); retried on `EINTR`. The
/// buffer is not zeroed first: for a 64 KiB read that saves a pass over
/// the memory (see DESIGN.md, "Where the time of a 0.2 listing, read and
/// small file goes").
pub(crate) fn pread_append(
    f: &cap_std::fs::File,
    buf: &mut Vec<u8>,
    offset: u64,
) -> io::Result<usize> {
    if buf.len() == buf.capacity() {
        return Ok(0);
    }
    retry(|| {
        Ok(rustix::io::pread(
            f,
            rustix::buffer::spare_capacity(&mut *buf),
            offset,
        )?)
    })
}

/// One `pread` into `buf` at `offset`, retried on `EINTR`.
pub(crate) fn pread_into(f: &cap_std::fs::File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    retry(|| f.read_at(buf, offset))
}

/// Writes as much of `buf` at `offset` as the file takes: all of it, or
/// what was written before an error. The error only when nothing was.
fn write_some_at(f: &cap_std::fs::File, buf: &[u8], offset: u64) -> io::Result<usize> {
    let mut done = 0;
    while done < buf.len() {
        let at = offset
            .checked_add(done as u64)
            .ok_or_else(|| io::Error::from(rustix::io::Errno::FBIG));
        let result = at.and_then(|at| f.write_at(&buf[done..], at));
        match result {
            Ok(0) if done == 0 => return Err(io::Error::from(rustix::io::Errno::IO)),
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if done == 0 => return Err(e),
            // The next write meets the error again.
            Err(_) => break,
        }
    }
    Ok(done)
}

/// `f` again while it is interrupted by a signal.
fn retry<R>(mut f: impl FnMut() -> io::Result<R>) -> io::Result<R> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// Writes all of `buf` at `offset`.
pub(crate) fn write_all_at(f: &cap_std::fs::File, buf: &[u8], offset: u64) -> io::Result<()> {
    let mut done = 0;
    while done < buf.len() {
        let at = offset
            .checked_add(done as u64)
            .ok_or_else(|| io::Error::from(rustix::io::Errno::FBIG))?;
        match f.write_at(&buf[done..], at) {
            Ok(0) => return Err(io::Error::from(rustix::io::Errno::IO)),
            Ok(n) => done += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
