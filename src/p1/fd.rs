//! The `fd_*` functions.

use super::WasiP1Ctx;
use super::bindings::types::{
    Advice, Dircookie, Errno, Error, Fd, Fdflags, Fdstat, Filedelta, Filesize, Filestat, Filetype,
    Fstflags, Prestat, PrestatDir, Rights, Size, Timestamp, Whence,
};
use super::fds::{Entry, Kind, SocketFd};
use super::iov::{self, CHUNK, Iovs, Op};
use crate::clocks::Datetime;
use crate::filesystem::{Advice as Advice2, File, NewTimestamp};
use crate::io::{HostInputStream, HostOutputStream, StreamError, Subscribe};
use crate::vfs::{DirectoryOps as _, FileOps as _};
use bytes::Bytes;
use cap_std::fs::{FileType, FileTypeExt, Metadata, MetadataExt};
use rustix::fd::AsFd;
use std::ops::Range;
use std::sync::Arc;
use wiggle::{GuestMemory, GuestPtr};

/// The preview 1 type of a host file type.
pub(crate) fn filetype_of(ft: FileType) -> Filetype {
    if ft.is_dir() {
        Filetype::Directory
    } else if ft.is_file() {
        Filetype::RegularFile
    } else if ft.is_symlink() {
        Filetype::SymbolicLink
    } else if ft.is_block_device() {
        Filetype::BlockDevice
    } else if ft.is_char_device() {
        Filetype::CharacterDevice
    } else if ft.is_socket() {
        Filetype::SocketStream
    } else {
        Filetype::Unknown
    }
}

/// Nanoseconds since the epoch of a host time (earlier times are 0).
fn nanos(secs: i64, nsec: i64) -> Timestamp {
    if secs < 0 {
        return 0;
    }
    (secs as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(nsec.clamp(0, 999_999_999) as u64)
}

/// The `filestat` of host metadata.
pub(crate) fn filestat_of(meta: &Metadata) -> Filestat {
    Filestat {
        dev: meta.dev(),
        ino: meta.ino(),
        filetype: filetype_of(meta.file_type()),
        nlink: meta.nlink(),
        size: meta.len(),
        atim: nanos(meta.atime(), meta.atime_nsec()),
        mtim: nanos(meta.mtime(), meta.mtime_nsec()),
        ctim: nanos(meta.ctime(), meta.ctime_nsec()),
    }
}

/// A guest timestamp and its two flags as the backend's `new-timestamp`;
/// both flags at once is `inval`.
pub(crate) fn new_timestamp(ts: Timestamp, set: bool, now: bool) -> Result<NewTimestamp, Error> {
    match (set, now) {
        (true, true) => Err(Errno::Inval.into()),
        (false, true) => Ok(NewTimestamp::Now),
        (true, false) => Ok(NewTimestamp::Timestamp(Datetime {
            seconds: ts / 1_000_000_000,
            nanoseconds: (ts % 1_000_000_000) as u32,
        })),
        (false, false) => Ok(NewTimestamp::NoChange),
    }
}

/// The access and modification times of `fst_flags`.
pub(crate) fn times(
    atim: Timestamp,
    mtim: Timestamp,
    flags: Fstflags,
) -> Result<(NewTimestamp, NewTimestamp), Error> {
    Ok((
        new_timestamp(
            atim,
            flags.contains(Fstflags::ATIM),
            flags.contains(Fstflags::ATIM_NOW),
        )?,
        new_timestamp(
            mtim,
            flags.contains(Fstflags::MTIM),
            flags.contains(Fstflags::MTIM_NOW),
        )?,
    ))
}

/// The host file of `fd`, for a call whose checks the backend makes (the
/// mount's permission first, `perm`; then the open mode), so a core module
/// gets the answer a component gets: a stream is `spipe`, a directory
/// `badf`.
fn file_of(cx: &mut WasiP1Ctx, fd: Fd) -> Result<File, Error> {
    file_checked(cx, fd, |_| Ok(()))
}

/// The file behind `fd` once `check` accepts its entry; `badf` for a
/// directory, `spipe` for a stream.
fn file_checked(
    cx: &mut WasiP1Ctx,
    fd: Fd,
    check: impl FnOnce(&Entry) -> Result<(), Error>,
) -> Result<File, Error> {
    let e = cx.fds.get(fd.into())?;
    match &e.kind {
        Kind::File(f) => {
            check(e)?;
            Ok(f.clone())
        }
        Kind::Dir(_) => Err(Errno::Badf.into()),
        _ => Err(Errno::Spipe.into()),
    }
}

/// After [`file_checked`] refused `fd` with `err`: the virtual file behind
/// it once `check` accepts its entry, `badf` for a virtual directory, else
/// `err`.
fn virtual_file(
    cx: &mut WasiP1Ctx,
    fd: Fd,
    err: Error,
    check: impl FnOnce(&Entry) -> Result<(), Error>,
) -> Result<&mut super::vfs::VFileFd, Error> {
    let e = cx.fds.get_mut(fd.into())?;
    match &e.kind {
        Kind::VFile(_) => check(e)?,
        Kind::VDir(_) => return Err(Errno::Badf.into()),
        _ => return Err(err),
    }
    match &mut e.kind {
        Kind::VFile(f) => Ok(f),
        _ => Err(err),
    }
}

pub(crate) async fn advise(
    cx: &mut WasiP1Ctx,
    fd: Fd,
    offset: Filesize,
    len: Filesize,
    advice: Advice,
) -> Result<(), Error> {
    let file = match file_of(cx, fd) {
        Ok(file) => file,
        Err(e) => return virtual_file(cx, fd, e, |_| Ok(())).map(|_| ()),
    };
    let advice = match advice {
        Advice::Normal => Advice2::Normal,
        Advice::Sequential => Advice2::Sequential,
        Advice::Random => Advice2::Random,
        Advice::Willneed => Advice2::WillNeed,
        Advice::Dontneed => Advice2::DontNeed,
        Advice::Noreuse => Advice2::NoReuse,
    };
    Ok(file.advise(offset, len, advice).await?)
}

/// `fd_allocate`: preview 1's allocate has no counterpart in WASI 0.2, and
/// wasmtime answers `notsup` for every file, which programs written
/// against it check; so do we (`badf` for a directory, `spipe` for a
/// stream).
pub(crate) fn allocate(cx: &mut WasiP1Ctx, fd: Fd) -> Result<(), Error> {
    match &cx.fds.get(fd.into())?.kind {
        Kind::File(_) | Kind::VFile(_) => Err(Errno::Notsup.into()),
        Kind::Dir(_) | Kind::VDir(_) => Err(Errno::Badf.into()),
        _ => Err(Errno::Spipe.into()),
    }
}

pub(crate) fn close(cx: &mut WasiP1Ctx, fd: Fd) -> Result<(), Error> {
    cx.fds.remove(fd.into())?;
    Ok(())
}

pub(crate) async fn sync(cx: &mut WasiP1Ctx, fd: Fd, data_only: bool) -> Result<(), Error> {
    let e = cx.fds.get(fd.into())?;
    match &e.kind {
        Kind::File(f) => {
            let f = f.clone();
            if data_only {
                Ok(f.sync_data().await?)
            } else {
                Ok(f.sync().await?)
            }
        }
        Kind::VFile(f) => Ok(f.file.sync()?),
        // As wasmtime answers (and POSIX systems differ here).
        Kind::Dir(_) | Kind::VDir(_) => Err(Errno::Badf.into()),
        _ => Err(Errno::Inval.into()),
    }
}

pub(crate) fn fdstat_get(cx: &mut WasiP1Ctx, fd: Fd) -> Result<Fdstat, Error> {
    let e = cx.fds.get(fd.into())?;
    Ok(Fdstat {
        fs_filetype: e.filetype,
        fs_flags: e.flags,
        fs_rights_base: e.rights,
        fs_rights_inheriting: e.inheriting,
    })
}

pub(crate) fn fdstat_set_flags(cx: &mut WasiP1Ctx, fd: Fd, flags: Fdflags) -> Result<(), Error> {
    let e = cx.fds.get_mut(fd.into())?;
    if matches!(e.kind, Kind::Dir(_) | Kind::VDir(_)) {
        // As wasmtime answers: a directory has no flags to set.
        return Err(Errno::Badf.into());
    }
    let sync_flags = Fdflags::DSYNC | Fdflags::RSYNC | Fdflags::SYNC;
    if (flags & sync_flags) != (e.flags & sync_flags) {
        return Err(Errno::Notsup.into());
    }
    if let Kind::File(f) = &e.kind {
        let mut host = rustix::fs::fcntl_getfl(f.file.as_fd())?;
        host.set(rustix::fs::OFlags::APPEND, flags.contains(Fdflags::APPEND));
        rustix::fs::fcntl_setfl(f.file.as_fd(), host)?;
    }
    e.flags = flags;
    Ok(())
}

/// `fd_fdstat_set_rights`: rights are advisory, so there is nothing a
/// guest could drop; `badf` for a number that is not open, `notsup`
/// otherwise (as wasmtime answers).
pub(crate) fn fdstat_set_rights(cx: &mut WasiP1Ctx, fd: Fd) -> Result<(), Error> {
    cx.fds.get(fd.into())?;
    Err(Errno::Notsup.into())
}

pub(crate) async fn filestat_get(cx: &mut WasiP1Ctx, fd: Fd) -> Result<Filestat, Error> {
    let e = cx.fds.get(fd.into())?;
    match &e.kind {
        Kind::File(f) => {
            let f = f.clone();
            Ok(f.run(|f| f.metadata().map(|m| filestat_of(&m))).await?)
        }
        Kind::Dir(d) => {
            let dir = Arc::clone(&d.dir.dir);
            let inline = d.dir.allow_blocking_current_thread;
            Ok(crate::runtime::run_blocking(inline, move || {
                dir.dir_metadata().map(|m| filestat_of(&m))
            })
            .await?)
        }
        Kind::VFile(f) => super::vfs::file_filestat(f),
        Kind::VDir(d) => super::vfs::dir_filestat(d),
        _ => Ok(Filestat {
            dev: 0,
            ino: 0,
            filetype: e.filetype,
            nlink: 0,
            size: 0,
            atim: 0,
            mtim: 0,
            ctim: 0,
        }),
    }
}

pub(crate) async fn filestat_set_size(
    cx: &mut WasiP1Ctx,
    fd: Fd,
    size: Filesize,
) -> Result<(), Error> {
    let file = match file_of(cx, fd) {
        Ok(file) => file,
        Err(e) => {
            let f = virtual_file(cx, fd, e, |_| Ok(()))?;
            return Ok(f.file.set_size(size)?);
        }
    };
    Ok(file.set_size(size).await?)
}

pub(crate) async fn filestat_set_times(
    cx: &mut WasiP1Ctx,
    fd: Fd,
    atim: Timestamp,
    mtim: Timestamp,
    flags: Fstflags,
) -> Result<(), Error> {
    let (atime, mtime) = times(atim, mtim, flags)?;
    let e = cx.fds.get(fd.into())?;
    match &e.kind {
        Kind::File(f) => {
            let f = f.clone();
            Ok(f.set_times(atime, mtime).await?)
        }
        Kind::Dir(d) => {
            let d = d.dir.clone();
            Ok(d.set_times(atime, mtime).await?)
        }
        Kind::VFile(f) => Ok(f.file.set_times(atime, mtime)?),
        Kind::VDir(d) => Ok(d.dir.set_times(atime, mtime)?),
        _ => Err(Errno::Badf.into()),
    }
}

/// The guest path of a preopen (a host directory or a mount), `badf` for
/// any other descriptor.
fn preopen_name(kind: &Kind) -> Result<&str, Error> {
    let name = match kind {
        Kind::Dir(d) => &d.preopen,
        Kind::VDir(d) => &d.preopen,
        _ => &None,
    };
    name.as_deref().ok_or_else(|| Errno::Badf.into())
}

pub(crate) fn prestat_get(cx: &mut WasiP1Ctx, fd: Fd) -> Result<Prestat, Error> {
    let name = preopen_name(&cx.fds.get(fd.into())?.kind)?;
    Ok(Prestat::Dir(PrestatDir {
        pr_name_len: u32::try_from(name.len()).map_err(|_| Errno::Overflow)?,
    }))
}

pub(crate) fn prestat_dir_name(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<u8>,
    len: Size,
) -> Result<(), Error> {
    let name = preopen_name(&cx.fds.get(fd.into())?.kind)?;
    if name.len() > len as usize {
        return Err(Errno::Nametoolong.into());
    }
    let dest = path.as_array(name.len() as u32);
    Ok(mem.copy_from_slice(name.as_bytes(), dest)?)
}

pub(crate) fn renumber(cx: &mut WasiP1Ctx, from: Fd, to: Fd) -> Result<(), Error> {
    cx.fds.renumber(from.into(), to.into())
}

pub(crate) fn seek(
    cx: &mut WasiP1Ctx,
    fd: Fd,
    offset: Filedelta,
    whence: Whence,
) -> Result<Filesize, Error> {
    let f = match &mut cx.fds.get_mut(fd.into())?.kind {
        Kind::File(f) => f,
        Kind::Dir(_) | Kind::VDir(_) => return Err(Errno::Badf.into()),
        Kind::VFile(f) => return super::vfs::seek(f, offset, whence),
        _ => return Err(Errno::Spipe.into()),
    };
    let pos = match whence {
        Whence::Set => {
            let at = u64::try_from(offset).map_err(|_| Errno::Inval)?;
            rustix::fs::SeekFrom::Start(at)
        }
        Whence::Cur => rustix::fs::SeekFrom::Current(offset),
        Whence::End => rustix::fs::SeekFrom::End(offset),
    };
    Ok(rustix::fs::seek(f.file.as_fd(), pos)?)
}

pub(crate) fn tell(cx: &mut WasiP1Ctx, fd: Fd) -> Result<Filesize, Error> {
    seek(cx, fd, 0, Whence::Cur)
}

pub(crate) async fn readdir(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: Fd,
    buf: GuestPtr<u8>,
    len: Size,
    cookie: Dircookie,
) -> Result<Size, Error> {
    let d = match &mut cx.fds.get_mut(fd.into())?.kind {
        Kind::Dir(d) => {
            crate::filesystem::require_dir(d.dir.perms, crate::filesystem::DirPerms::READ)?;
            &mut **d
        }
        Kind::VDir(d) => return virtual_readdir(d, mem, buf, len, cookie),
        _ => return Err(Errno::Notdir.into()),
    };
    let dest = buf.as_array(len);
    if let Some(slice) = mem.as_slice_mut(dest)? {
        let n = super::readdir::readdir(&d.dir, &mut d.listing, slice, cookie).await?;
        return Ok(n as Size);
    }
    // A shared memory: through a host buffer of the guest's size (which
    // lies in its memory).
    let mut tmp = vec![0; len as usize];
    let n = super::readdir::readdir(&d.dir, &mut d.listing, &mut tmp, cookie).await?;
    mem.copy_from_slice(&tmp[..n], buf.as_array(n as u32))?;
    Ok(n as Size)
}

/// `fd_readdir` on a virtual directory, into guest memory.
fn virtual_readdir(
    d: &mut super::vfs::VDirFd,
    mem: &mut GuestMemory<'_>,
    buf: GuestPtr<u8>,
    len: Size,
    cookie: Dircookie,
) -> Result<Size, Error> {
    let dest = buf.as_array(len);
    if let Some(slice) = mem.as_slice_mut(dest)? {
        return Ok(super::vfs::readdir(d, slice, cookie)? as Size);
    }
    let mut tmp = vec![0; len as usize];
    let n = super::vfs::readdir(d, &mut tmp, cookie)?;
    mem.copy_from_slice(&tmp[..n], buf.as_array(n as u32))?;
    Ok(n as Size)
}

/// The entry behind an `fd_read`/`fd_write`-family call, once it is known
/// to be open for `right` (`FD_READ` or `FD_WRITE`; `badf` otherwise, for a
/// directory too, as wasmtime answers), with whether it is non-blocking.
fn io_entry(cx: &mut WasiP1Ctx, fd: Fd, right: Rights) -> Result<(&mut Entry, bool), Error> {
    let e = cx.fds.get_mut(fd.into())?;
    e.open_for(right)?;
    let nonblock = e.flags.contains(Fdflags::NONBLOCK);
    Ok((e, nonblock))
}

/// `fd_read` (`offset` `None`) and `fd_pread`.
pub(crate) async fn read(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: Fd,
    iovs: (u32, u32),
    offset: Option<u64>,
) -> Result<Size, Error> {
    let iovs = Iovs::new(mem, iovs.0, iovs.1, &mut cx.fuel)?;
    let (e, nonblock) = io_entry(cx, fd, Rights::FD_READ)?;
    match &mut e.kind {
        Kind::File(f) => {
            let f = f.clone();
            file_io(&f, mem, iovs, Op::Read, offset).await
        }
        Kind::Input(stream) if offset.is_none() => read_stream(stream, mem, iovs, nonblock).await,
        Kind::Socket(s) if offset.is_none() => match &mut **s {
            SocketFd::Stream { input, .. } => read_stream(input, mem, iovs, nonblock).await,
            SocketFd::Listener(_) => Err(Errno::Notconn.into()),
        },
        Kind::Input(_) | Kind::Socket(_) => Err(Errno::Spipe.into()),
        Kind::VFile(f) => super::vfs::read(f, mem, iovs, offset),
        _ => Err(Errno::Badf.into()),
    }
}

/// `fd_write` (`offset` `None`) and `fd_pwrite`.
pub(crate) async fn write(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: Fd,
    iovs: (u32, u32),
    offset: Option<u64>,
) -> Result<Size, Error> {
    let iovs = Iovs::new(mem, iovs.0, iovs.1, &mut cx.fuel)?;
    let (e, nonblock) = io_entry(cx, fd, Rights::FD_WRITE)?;
    match &mut e.kind {
        Kind::Output(stream) if offset.is_none() => write_stream(stream, mem, iovs, nonblock).await,
        Kind::Socket(s) if offset.is_none() => match &mut **s {
            SocketFd::Stream { output, .. } => write_stream(output, mem, iovs, nonblock).await,
            SocketFd::Listener(_) => Err(Errno::Notconn.into()),
        },
        Kind::Output(_) | Kind::Socket(_) => Err(Errno::Spipe.into()),
        Kind::File(f) => {
            let f = f.clone();
            file_io(&f, mem, iovs, Op::Write, offset).await
        }
        Kind::VFile(f) => {
            let append = e.flags.contains(Fdflags::APPEND);
            super::vfs::write(f, append, mem, iovs, offset)
        }
        _ => Err(Errno::Badf.into()),
    }
}

/// `fd_write` without waiting: the same checks as [`write`], then, for a
/// stream that takes each iovec whole and delivers it at once (an
/// in-memory pipe, a sink: [`HostOutputStream::write_all_flushed_now`]),
/// the write. `None` where that does not apply before a byte was written
/// (a file, a shared memory, a stream that would wait): the caller takes
/// the general path. Once some bytes went, a stream that would wait ends
/// the call with that count, as a short write.
pub(crate) fn write_now(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: u32,
    iovs: (u32, u32),
) -> Option<Result<Size, Error>> {
    let iovs = match Iovs::new(mem, iovs.0, iovs.1, &mut cx.fuel) {
        Ok(iovs) => iovs,
        Err(e) => return Some(Err(e)),
    };
    let stream = match io_entry(cx, Fd::from(fd), Rights::FD_WRITE) {
        Ok((
            Entry {
                kind: Kind::Output(stream),
                ..
            },
            _,
        )) => stream,
        Ok(_) => return None,
        Err(e) => return Some(Err(e)),
    };
    let GuestMemory::Unshared(bytes) = mem else {
        return None;
    };
    let mut written = 0usize;
    for i in 0..iovs.count() {
        let r = match iovs.get(mem, i) {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        if r.is_empty() {
            continue;
        }
        if r.len() > MAX_TOTAL - written {
            if written == 0 {
                return None;
            }
            break;
        }
        let len = r.len();
        match stream.write_all_flushed_now(&bytes[r]) {
            Ok(true) => written += len,
            Ok(false) | Err(StreamError::Closed) if written > 0 => break,
            Ok(false) => return None,
            Err(e) => return Some(Err(super::error::stream_error(e))),
        }
    }
    Some(Ok(written as Size))
}

/// An empty range table for a chunk of iovecs.
fn ranges() -> [Range<usize>; CHUNK] {
    std::array::from_fn(|_| 0..0)
}

/// Reads or writes a file over guest memory: directly (one vectored host
/// call per chunk of iovecs) when the thread may block and the memory is
/// unshared, else through a bounded buffer, on the blocking pool if need
/// be.
async fn file_io(
    file: &File,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    op: Op,
    offset: Option<u64>,
) -> Result<Size, Error> {
    if matches!(mem, GuestMemory::Unshared(_)) {
        let inline = file.allow_blocking_current_thread;
        if let Ok(r) =
            crate::runtime::try_run_now(inline, || direct_io(file, mem, iovs, op, offset))
        {
            return r;
        }
    }
    bounce_io(file, mem, iovs, op, offset).await
}

/// The largest count one call reports (a `size` is 32 bits).
const MAX_TOTAL: usize = i32::MAX as usize;

/// See [`file_io`]: the direct path (blocking).
fn direct_io(
    file: &File,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    op: Op,
    offset: Option<u64>,
) -> Result<Size, Error> {
    // After what the file's streams still do in the background.
    file.order.wait_idle();
    let mut ranges = ranges();
    let mut total = 0usize;
    let mut first = 0;
    while first < iovs.count() && total < MAX_TOTAL {
        let n = iovs.chunk(mem, first, &mut ranges)?;
        let chunk = &ranges[..n];
        let want: usize = chunk.iter().map(|r| r.len()).sum();
        let GuestMemory::Unshared(bytes) = mem else {
            return Err(Errno::Inval.into());
        };
        let at = |done: usize| offset.map(|o| o.saturating_add(done as u64));
        let done = if matches!(op, Op::Read) && !iov::disjoint(chunk) {
            // Overlapping read buffers: one after the other.
            let mut done = 0;
            for r in chunk {
                let k = iov::host_vectored(
                    file.file.as_fd(),
                    bytes,
                    std::slice::from_ref(r),
                    op,
                    at(total + done),
                )?;
                done += k;
                if k < r.len() {
                    break;
                }
            }
            done
        } else {
            iov::host_vectored(file.file.as_fd(), bytes, chunk, op, at(total))?
        };
        total += done;
        if done < want {
            break;
        }
        first += n;
    }
    Ok(total.min(MAX_TOTAL) as Size)
}

/// See [`file_io`]: through a buffer of at most [`iov::BOUNCE`] bytes, the
/// host call on the blocking pool when the thread may not block.
async fn bounce_io(
    file: &File,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    op: Op,
    offset: Option<u64>,
) -> Result<Size, Error> {
    use system_interface::fs::FileIoExt;
    match op {
        Op::Write => {
            let mut data = Vec::new();
            for_each_range(mem, iovs, |mem, r| {
                let take = r.len().min(iov::BOUNCE - data.len());
                iov::copy_out(mem, r.start..r.start + take, &mut data);
                data.len() < iov::BOUNCE
            })?;
            let n = file
                .run(move |f| -> std::io::Result<usize> {
                    match offset {
                        Some(at) => f.write_at(&data, at),
                        None => std::io::Write::write(&mut &*f, &data),
                    }
                })
                .await?;
            Ok(n as Size)
        }
        Op::Read => {
            let mut want = 0usize;
            for_each_range(mem, iovs, |_, r| {
                want = (want + r.len()).min(iov::BOUNCE);
                want < iov::BOUNCE
            })?;
            let data = file
                .run(move |f| -> std::io::Result<Vec<u8>> {
                    let mut buf = vec![0; want];
                    let n = match offset {
                        Some(at) => f.read_at(&mut buf, at)?,
                        None => std::io::Read::read(&mut &*f, &mut buf)?,
                    };
                    buf.truncate(n);
                    Ok(buf)
                })
                .await?;
            scatter(mem, iovs, &data)
        }
    }
}

/// Calls `f` with each iovec's range in order while it returns `true`.
pub(super) fn for_each_range(
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    mut f: impl FnMut(&mut GuestMemory<'_>, Range<usize>) -> bool,
) -> Result<(), Error> {
    let mut ranges = ranges();
    let mut first = 0;
    while first < iovs.count() {
        let n = iovs.chunk(mem, first, &mut ranges)?;
        for r in &ranges[..n] {
            if !f(mem, r.clone()) {
                return Ok(());
            }
        }
        first += n;
    }
    Ok(())
}

/// Copies `data` into the iovecs in order; returns its length.
pub(super) fn scatter(mem: &mut GuestMemory<'_>, iovs: Iovs, data: &[u8]) -> Result<Size, Error> {
    let mut done = 0;
    for_each_range(mem, iovs, |mem, r| {
        let take = r.len().min(data.len() - done);
        iov::write_bytes(mem, r.start, &data[done..done + take]);
        done += take;
        done < data.len()
    })?;
    Ok(done as Size)
}

/// Reads what an input stream has (waiting for something unless
/// `nonblock`) into the iovecs. End of stream reads 0 bytes.
pub(crate) async fn read_stream(
    stream: &mut Box<dyn HostInputStream>,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    nonblock: bool,
) -> Result<Size, Error> {
    let mut want = 0usize;
    for_each_range(mem, iovs, |_, r| {
        want = (want + r.len()).min(crate::filesystem::MAX_READ);
        want < crate::filesystem::MAX_READ
    })?;
    if want == 0 {
        return Ok(0);
    }
    loop {
        match stream.read(want) {
            Ok(bytes) if bytes.is_empty() => {
                if nonblock {
                    return Err(Errno::Again.into());
                }
                stream.ready().await;
            }
            Ok(bytes) => return scatter(mem, iovs, &bytes),
            Err(StreamError::Closed) => return Ok(0),
            Err(e) => return Err(super::error::stream_error(e)),
        }
    }
}

/// Writes the iovecs to an output stream, as much as it takes (waiting for
/// room unless `nonblock`), then flushes. The bytes go from guest memory
/// to the stream with no allocation in between.
pub(crate) async fn write_stream(
    stream: &mut Box<dyn HostOutputStream>,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    nonblock: bool,
) -> Result<Size, Error> {
    let mut written = 0usize;
    'all: for i in 0..iovs.count() {
        let r = iovs.get(mem, i)?;
        let mut at = r.start;
        while at < r.end {
            let permit = match stream.check_write() {
                Ok(0) if written > 0 => break 'all,
                Ok(0) if nonblock => return Err(Errno::Again.into()),
                Ok(0) => {
                    stream.ready().await;
                    continue;
                }
                Ok(p) => p,
                Err(StreamError::Closed) if written > 0 => break 'all,
                Err(e) => return Err(super::error::stream_error(e)),
            };
            let k = permit.min(r.end - at).min(MAX_TOTAL - written);
            let result = match &*mem {
                GuestMemory::Unshared(b) => stream.write_from_slice(&b[at..at + k]),
                GuestMemory::Shared(_) => {
                    let mut v = Vec::with_capacity(k);
                    iov::copy_out(mem, at..at + k, &mut v);
                    stream.write(Bytes::from(v))
                }
            };
            result.map_err(super::error::stream_error)?;
            at += k;
            written += k;
            if written >= MAX_TOTAL {
                break 'all;
            }
        }
    }
    if written > 0 {
        match stream.flush() {
            Ok(()) | Err(StreamError::Closed) => {}
            Err(e) => return Err(super::error::stream_error(e)),
        }
        if !nonblock {
            // Delivered once `check_write` grants again; that permit is
            // the host's, not the guest's, so it goes back.
            while let Ok(0) = stream.check_write() {
                stream.ready().await;
            }
            stream.release_permit();
        }
    }
    Ok(written as Size)
}
