//! The `fd_*` functions.

use super::WasiP1Ctx;
use super::bindings::types::{
    Advice, Dircookie, Errno, Error, Fd, Fdflags, Fdstat, Filedelta, Filesize, Filestat, Fstflags,
    Prestat, PrestatDir, Rights, Size, Timestamp, Whence,
};
use super::convert;
use super::fds::{Entry, FsFd, Kind, SocketFd};
use super::iov::{self, CHUNK, Iovs, MAX_TOTAL};
use crate::filesystem::dispatch::{on_any, on_file};
use crate::filesystem::{DirectoryOps, FileOps};
use crate::io::{HostInputStream, HostOutputStream, StreamError, Subscribe};
use bytes::Bytes;
use std::ops::Range;
use wiggle::{GuestMemory, GuestPtr};

/// The file or directory behind `fd`; `err` for any other descriptor (a
/// stream, a socket).
fn fs_of(cx: &mut WasiP1Ctx, fd: Fd, err: Errno) -> Result<&mut FsFd, Error> {
    match &mut cx.fds.get_mut(fd.into())?.kind {
        Kind::Fs(f) => Ok(f),
        _ => Err(err.into()),
    }
}

/// The file behind `fd`: `badf` for a directory (as wasmtime answers),
/// `err` for a stream or a socket. The backend makes the permission checks
/// (the mount's permission first, then the open mode), so a core module
/// gets the answer a component gets.
fn file_of(cx: &mut WasiP1Ctx, fd: Fd, err: Errno) -> Result<&mut FsFd, Error> {
    let f = fs_of(cx, fd, err)?;
    if f.desc.is_directory() {
        return Err(Errno::Badf.into());
    }
    Ok(f)
}

pub(crate) async fn advise(
    cx: &mut WasiP1Ctx,
    fd: Fd,
    offset: Filesize,
    len: Filesize,
    advice: Advice,
) -> Result<(), Error> {
    let f = file_of(cx, fd, Errno::Spipe)?;
    let advice = convert::advice(advice);
    Ok(on_file!(&f.desc, f => FileOps::advise(f, offset, len, advice).await)?)
}

/// `fd_allocate`: preview 1's allocate has no counterpart in WASI 0.2, and
/// wasmtime answers `notsup` for every file, which programs written
/// against it check; so do we (`badf` for a directory, `spipe` for a
/// stream).
pub(crate) fn allocate(cx: &mut WasiP1Ctx, fd: Fd) -> Result<(), Error> {
    file_of(cx, fd, Errno::Spipe)?;
    Err(Errno::Notsup.into())
}

pub(crate) fn close(cx: &mut WasiP1Ctx, fd: Fd) -> Result<(), Error> {
    cx.fds.remove(fd.into())?;
    Ok(())
}

/// `fd_sync` and `fd_datasync` (`data_only`): `badf` for a directory, as
/// wasmtime answers (POSIX systems differ here), `inval` for a stream.
pub(crate) async fn sync(cx: &mut WasiP1Ctx, fd: Fd, data_only: bool) -> Result<(), Error> {
    let f = file_of(cx, fd, Errno::Inval)?;
    if data_only {
        Ok(on_file!(&f.desc, f => FileOps::sync_data(f).await)?)
    } else {
        Ok(on_file!(&f.desc, f => FileOps::sync(f).await)?)
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
    if let Kind::Fs(f) = &e.kind
        && f.desc.is_directory()
    {
        // As wasmtime answers: a directory has no flags to set.
        return Err(Errno::Badf.into());
    }
    let sync_flags = Fdflags::DSYNC | Fdflags::RSYNC | Fdflags::SYNC;
    if (flags & sync_flags) != (e.flags & sync_flags) {
        return Err(Errno::Notsup.into());
    }
    // `APPEND` is the entry's: a write of a file in append mode asks its
    // backend for an append (see `file_io.rs`).
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
    let e = cx.fds.get_mut(fd.into())?;
    let Kind::Fs(f) = &e.kind else {
        // A stream or a socket: its type, and nothing else to say.
        return Ok(Filestat {
            dev: 0,
            ino: 0,
            filetype: e.filetype,
            nlink: 0,
            size: 0,
            atim: 0,
            mtim: 0,
            ctim: 0,
        });
    };
    let stat = on_any!(&f.desc, f => FileOps::stat(f).await, d => DirectoryOps::stat(d).await)?;
    Ok(convert::filestat(&stat))
}

pub(crate) async fn filestat_set_size(
    cx: &mut WasiP1Ctx,
    fd: Fd,
    size: Filesize,
) -> Result<(), Error> {
    let f = file_of(cx, fd, Errno::Spipe)?;
    Ok(on_file!(&f.desc, f => FileOps::set_size(f, size).await)?)
}

pub(crate) async fn filestat_set_times(
    cx: &mut WasiP1Ctx,
    fd: Fd,
    atim: Timestamp,
    mtim: Timestamp,
    flags: Fstflags,
) -> Result<(), Error> {
    let (atime, mtime) = convert::times(atim, mtim, flags)?;
    let f = fs_of(cx, fd, Errno::Badf)?;
    Ok(on_any!(
        &f.desc,
        f => FileOps::set_times(f, atime, mtime).await,
        d => DirectoryOps::set_times(d, atime, mtime).await
    )?)
}

/// The guest path of a preopen (a host directory or a mount), `badf` for
/// any other descriptor.
fn preopen_name(kind: &Kind) -> Result<&str, Error> {
    match kind {
        Kind::Fs(f) => f.preopen.as_deref().ok_or_else(|| Errno::Badf.into()),
        _ => Err(Errno::Badf.into()),
    }
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

/// `fd_seek`: the descriptor's own position (`spipe` for a stream,
/// `badf` for a directory); a position below 0 or past `i64::MAX` is
/// `inval`.
pub(crate) async fn seek(
    cx: &mut WasiP1Ctx,
    fd: Fd,
    offset: Filedelta,
    whence: Whence,
) -> Result<Filesize, Error> {
    let f = file_of(cx, fd, Errno::Spipe)?;
    let base = match whence {
        Whence::Set => 0,
        Whence::Cur => f.pos,
        Whence::End => on_file!(&f.desc, d => FileOps::stat(d).await)?.size,
    };
    let pos = base
        .checked_add_signed(offset)
        .filter(|p| i64::try_from(*p).is_ok())
        .ok_or(Errno::Inval)?;
    f.pos = pos;
    Ok(pos)
}

/// `fd_tell`: the position (`spipe` for a stream, `badf` for a
/// directory).
pub(crate) fn tell(cx: &mut WasiP1Ctx, fd: Fd) -> Result<Filesize, Error> {
    Ok(file_of(cx, fd, Errno::Spipe)?.pos)
}

pub(crate) async fn readdir(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: Fd,
    buf: GuestPtr<u8>,
    len: Size,
    cookie: Dircookie,
) -> Result<Size, Error> {
    let f = fs_of(cx, fd, Errno::Notdir)?;
    if !f.desc.is_directory() {
        return Err(Errno::Notdir.into());
    }
    let dest = buf.as_array(len);
    if let Some(slice) = mem.as_slice_mut(dest)? {
        let n = super::readdir::readdir(f, slice, cookie).await?;
        return Ok(n as Size);
    }
    // A shared memory: through a host buffer of the guest's size (which
    // lies in its memory).
    let mut tmp = vec![0; len as usize];
    let n = super::readdir::readdir(f, &mut tmp, cookie).await?;
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
        Kind::Fs(f) => super::file_io::read(f, mem, iovs, offset).await,
        Kind::Input(stream) if offset.is_none() => read_stream(stream, mem, iovs, nonblock).await,
        Kind::Socket(s) if offset.is_none() => match &mut **s {
            SocketFd::Stream { input, .. } => read_stream(input, mem, iovs, nonblock).await,
            SocketFd::Listener(_) => Err(Errno::Notconn.into()),
        },
        Kind::Input(_) | Kind::Socket(_) => Err(Errno::Spipe.into()),
        Kind::Output(_) => Err(Errno::Badf.into()),
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
    let append = e.flags.contains(Fdflags::APPEND);
    match &mut e.kind {
        Kind::Output(stream) if offset.is_none() => write_stream(stream, mem, iovs, nonblock).await,
        Kind::Socket(s) if offset.is_none() => match &mut **s {
            SocketFd::Stream { output, .. } => write_stream(output, mem, iovs, nonblock).await,
            SocketFd::Listener(_) => Err(Errno::Notconn.into()),
        },
        Kind::Output(_) | Kind::Socket(_) => Err(Errno::Spipe.into()),
        Kind::Fs(f) => super::file_io::write(f, append, mem, iovs, offset).await,
        Kind::Input(_) => Err(Errno::Badf.into()),
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
