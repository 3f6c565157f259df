//! The `path_*` functions: each hands the path to the directory's
//! [`DirectoryOps`] once, whatever its backend (a host directory, a
//! virtual mount), which
//! resolves it beneath its mount and checks the mount's permissions. The
//! rights of the descriptor play no part (they are advisory, see
//! `fds.rs`).

use super::WasiP1Ctx;
use super::bindings::types::{
    Errno, Error, Fd, Fdflags, Filestat, Filetype, Fstflags, Lookupflags, Oflags, Rights, Size,
    Timestamp,
};
use super::fds::{Entry, Kind};
use crate::filesystem::dispatch::{on_any, on_dir, on_dir_pair};
use crate::filesystem::{Descriptor, DescriptorFlags, DirectoryOps, FileOps, OpenFlags, PathFlags};
use wiggle::{GuestMemory, GuestPtr};

/// A guest path as a host string, its length taken from the call's
/// `fuel` first (`nomem` when short, see `fuel.rs`): not UTF-8 is
/// `ilseq`, out of bounds `fault`.
fn path_string(
    mem: &GuestMemory<'_>,
    fuel: &mut usize,
    path: GuestPtr<str>,
) -> Result<String, Error> {
    // Out of bounds is `fault` whatever the fuel; then the fuel.
    let end = u64::from(path.offset().0) + u64::from(path.len());
    if end > super::iov::mem_len(mem) as u64 {
        return Err(Errno::Fault.into());
    }
    super::fuel::take(fuel, u64::from(path.len()))?;
    Ok(mem.as_cow_str(path)?.into_owned())
}

/// The directory of `fd` (a clone of its descriptor, which shares the
/// handle); any other descriptor is `notdir`.
fn dir_of(cx: &WasiP1Ctx, fd: Fd) -> Result<Descriptor, Error> {
    match &cx.fds.get(fd.into())?.kind {
        Kind::Fs(f) if f.desc.is_directory() => Ok(f.desc.clone()),
        _ => Err(Errno::Notdir.into()),
    }
}

fn path_flags(flags: Lookupflags) -> PathFlags {
    if flags.contains(Lookupflags::SYMLINK_FOLLOW) {
        PathFlags::SYMLINK_FOLLOW
    } else {
        PathFlags::empty()
    }
}

pub(crate) async fn create_directory(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
) -> Result<(), Error> {
    let path = path_string(mem, &mut cx.fuel, path)?;
    let dir = dir_of(cx, fd)?;
    Ok(on_dir!(&dir, d => DirectoryOps::create_directory_at(d, path).await)?)
}

pub(crate) async fn filestat_get(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    flags: Lookupflags,
    path: GuestPtr<str>,
) -> Result<Filestat, Error> {
    let path = path_string(mem, &mut cx.fuel, path)?;
    let dir = dir_of(cx, fd)?;
    let stat = on_dir!(&dir, d => DirectoryOps::stat_at(d, path_flags(flags), path).await)?;
    Ok(super::convert::filestat(&stat))
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn filestat_set_times(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    flags: Lookupflags,
    path: GuestPtr<str>,
    atim: Timestamp,
    mtim: Timestamp,
    fst_flags: Fstflags,
) -> Result<(), Error> {
    let (atime, mtime) = super::convert::times(atim, mtim, fst_flags)?;
    let path = path_string(mem, &mut cx.fuel, path)?;
    let dir = dir_of(cx, fd)?;
    let flags = path_flags(flags);
    Ok(on_dir!(&dir, d => DirectoryOps::set_times_at(d, flags, path, atime, mtime).await)?)
}

pub(crate) async fn link(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    old_fd: Fd,
    old_flags: Lookupflags,
    old_path: GuestPtr<str>,
    new_fd: Fd,
    new_path: GuestPtr<str>,
) -> Result<(), Error> {
    let old = dir_of(cx, old_fd)?;
    let new = dir_of(cx, new_fd)?;
    let old_path = path_string(mem, &mut cx.fuel, old_path)?;
    let new_path = path_string(mem, &mut cx.fuel, new_path)?;
    // A host directory and a mount are different devices (`xdev`).
    let flags = path_flags(old_flags);
    Ok(
        on_dir_pair!(old, new, (o, n) => DirectoryOps::link_at(o, flags, old_path, n, new_path).await)?,
    )
}

/// Requested rights that open a file for reading (as the established
/// runtimes read them; any other right is ignored).
const READ_RIGHTS: Rights = Rights::FD_READ.union(Rights::FD_READDIR);

/// Requested rights that open a file for writing.
const WRITE_RIGHTS: Rights = Rights::FD_WRITE
    .union(Rights::FD_DATASYNC)
    .union(Rights::FD_ALLOCATE)
    .union(Rights::FD_FILESTAT_SET_SIZE);

/// `path_open`: of the requested rights only whether they ask for reading
/// or writing counts (neither opens for reading); `fs_rights_inheriting`
/// is ignored. The permissions of the mount decide the rest.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn open(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    dirflags: Lookupflags,
    path: GuestPtr<str>,
    oflags: Oflags,
    base: Rights,
    fdflags: Fdflags,
) -> Result<Fd, Error> {
    let dir = dir_of(cx, fd)?;
    let read = base.intersects(READ_RIGHTS);
    let write = base.intersects(WRITE_RIGHTS);

    let mut open_flags = OpenFlags::empty();
    if oflags.contains(Oflags::CREAT) {
        open_flags |= OpenFlags::CREATE;
    }
    if oflags.contains(Oflags::DIRECTORY) {
        open_flags |= OpenFlags::DIRECTORY;
    }
    if oflags.contains(Oflags::EXCL) {
        open_flags |= OpenFlags::EXCLUSIVE;
    }
    if oflags.contains(Oflags::TRUNC) {
        open_flags |= OpenFlags::TRUNCATE;
    }
    let mut flags = DescriptorFlags::empty();
    if read {
        flags |= DescriptorFlags::READ;
    }
    if write {
        flags |= DescriptorFlags::WRITE;
    }
    // The synchronized-I/O flags are `notsup`, as wasmtime answers and
    // programs written against it check (0.2's `open-at` keeps them).
    if fdflags.intersects(Fdflags::DSYNC | Fdflags::RSYNC | Fdflags::SYNC) {
        return Err(Errno::Notsup.into());
    }
    let path = path_string(mem, &mut cx.fuel, path)?;
    let desc = on_dir!(&dir, d => DirectoryOps::open_at(d, path_flags(dirflags), path, open_flags, flags).await)?;
    let filetype = on_any!(
        &desc,
        f => FileOps::get_type(f).await.map(super::convert::filetype),
        _d => Ok(Filetype::Directory)
    )?;
    let entry = Entry::descriptor(desc, filetype, None, fdflags);
    Ok(cx.fds.push(entry)?.into())
}

pub(crate) async fn readlink(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
    buf: GuestPtr<u8>,
    buf_len: Size,
) -> Result<Size, Error> {
    let path = path_string(mem, &mut cx.fuel, path)?;
    let dir = dir_of(cx, fd)?;
    let target = on_dir!(&dir, d => DirectoryOps::readlink_at(d, path).await)?;
    // A target longer than the buffer is cut to it, as `readlink` does.
    let n = target.len().min(buf_len as usize);
    mem.copy_from_slice(&target.as_bytes()[..n], buf.as_array(n as u32))?;
    Ok(n as Size)
}

pub(crate) async fn remove_directory(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
) -> Result<(), Error> {
    let path = path_string(mem, &mut cx.fuel, path)?;
    let dir = dir_of(cx, fd)?;
    Ok(on_dir!(&dir, d => DirectoryOps::remove_directory_at(d, path).await)?)
}

pub(crate) async fn rename(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    old_path: GuestPtr<str>,
    new_fd: Fd,
    new_path: GuestPtr<str>,
) -> Result<(), Error> {
    let old = dir_of(cx, fd)?;
    let new = dir_of(cx, new_fd)?;
    let old_path = path_string(mem, &mut cx.fuel, old_path)?;
    let new_path = path_string(mem, &mut cx.fuel, new_path)?;
    // A host directory and a mount are different devices (`xdev`).
    Ok(on_dir_pair!(old, new, (o, n) => DirectoryOps::rename_at(o, old_path, n, new_path).await)?)
}

pub(crate) async fn symlink(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    old_path: GuestPtr<str>,
    fd: Fd,
    new_path: GuestPtr<str>,
) -> Result<(), Error> {
    let dir = dir_of(cx, fd)?;
    let target = path_string(mem, &mut cx.fuel, old_path)?;
    let path = path_string(mem, &mut cx.fuel, new_path)?;
    Ok(on_dir!(&dir, d => DirectoryOps::symlink_at(d, target, path).await)?)
}

pub(crate) async fn unlink_file(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
) -> Result<(), Error> {
    let path = path_string(mem, &mut cx.fuel, path)?;
    let dir = dir_of(cx, fd)?;
    Ok(on_dir!(&dir, d => DirectoryOps::unlink_file_at(d, path).await)?)
}
