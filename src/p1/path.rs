//! The `path_*` functions: each hands the path to the 0.2 directory
//! ([`DirectoryOps`] of a host directory or of a virtual mount), which
//! resolves it beneath its mount and checks the mount's permissions. The
//! rights of the descriptor play no part (they are advisory, see
//! `fds.rs`).

use super::WasiP1Ctx;
use super::bindings::types::{
    Errno, Error, Fd, Fdflags, Filestat, Filetype, Fstflags, Lookupflags, Oflags, Rights, Size,
    Timestamp,
};
use super::fds::{DirFd, Entry, Kind};
use crate::filesystem::{Descriptor, DescriptorFlags, Dir, OpenFlags, PathFlags};
use crate::vfs::DirectoryOps;
use crate::vfs::VirtualDir;
use rustix::fd::AsFd;
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

/// A directory a path is resolved beneath.
enum AnyDir {
    /// A host directory (cap-std).
    Host(Dir),
    /// A directory of a virtual mount.
    Virtual(VirtualDir),
}

/// `$e` with `$d` bound to the directory, whichever backend it is of.
macro_rules! each_dir {
    ($x:expr, $d:ident => $e:expr) => {
        match $x {
            AnyDir::Host($d) => $e,
            AnyDir::Virtual($d) => $e,
        }
    };
}

/// The directory of `fd`; any other descriptor is `notdir`.
fn dir_of(cx: &WasiP1Ctx, fd: Fd) -> Result<AnyDir, Error> {
    match &cx.fds.get(fd.into())?.kind {
        Kind::Dir(d) => Ok(AnyDir::Host(d.dir.clone())),
        Kind::VDir(d) => Ok(AnyDir::Virtual(d.dir.clone())),
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
    Ok(each_dir!(dir, d => DirectoryOps::create_directory_at(&d, path).await)?)
}

pub(crate) async fn filestat_get(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    flags: Lookupflags,
    path: GuestPtr<str>,
) -> Result<Filestat, Error> {
    let path = path_string(mem, &mut cx.fuel, path)?;
    match dir_of(cx, fd)? {
        AnyDir::Host(dir) => {
            let meta = dir.metadata_at(path_flags(flags), path).await?;
            Ok(super::fd::filestat_of(&meta))
        }
        AnyDir::Virtual(dir) => super::vfs::path_filestat(&dir, path_flags(flags), &path),
    }
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
    let (atime, mtime) = super::fd::times(atim, mtim, fst_flags)?;
    let path = path_string(mem, &mut cx.fuel, path)?;
    let dir = dir_of(cx, fd)?;
    let flags = path_flags(flags);
    Ok(each_dir!(dir, d => DirectoryOps::set_times_at(&d, flags, path, atime, mtime).await)?)
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
    match (old, new) {
        (AnyDir::Host(old), AnyDir::Host(new)) => {
            Ok(
                DirectoryOps::link_at(&old, path_flags(old_flags), old_path, &new, new_path)
                    .await?,
            )
        }
        (AnyDir::Virtual(old), AnyDir::Virtual(new)) => {
            Ok(
                DirectoryOps::link_at(&old, path_flags(old_flags), old_path, &new, new_path)
                    .await?,
            )
        }
        // A host directory and a mount are different devices.
        _ => Err(Errno::Xdev.into()),
    }
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
    let entry = match dir {
        AnyDir::Host(d) => {
            let opened = d
                .open_at(path_flags(dirflags), path, open_flags, flags)
                .await?;
            match opened {
                Descriptor::Dir(d) => {
                    let (perms, file_perms) = (d.perms, d.file_perms);
                    let kind = Kind::Dir(Box::new(DirFd {
                        dir: d,
                        preopen: None,
                        listing: None,
                    }));
                    Entry::directory(kind, perms, file_perms, fdflags)
                }
                Descriptor::File(f) => host_file_entry(f, fdflags).await?,
                // A host directory opens host objects only.
                Descriptor::VirtualDir(_) | Descriptor::VirtualFile(_) => {
                    return Err(Errno::Notsup.into());
                }
            }
        }
        AnyDir::Virtual(d) => match d.open_at(path_flags(dirflags), &path, open_flags, flags)? {
            Descriptor::VirtualDir(d) => super::vfs::dir_entry(d, None, fdflags),
            Descriptor::VirtualFile(f) => super::vfs::file_entry(f, fdflags)?,
            // A mount opens objects of its own backend only.
            _ => return Err(Errno::Notsup.into()),
        },
    };
    Ok(cx.fds.push(entry)?.into())
}

/// The entry of a host file `path_open` opened: its type, and `APPEND` of
/// `fdflags` set on the host file.
async fn host_file_entry(f: crate::filesystem::File, fdflags: Fdflags) -> Result<Entry, Error> {
    let host = std::sync::Arc::clone(&f.file);
    let append = fdflags.contains(Fdflags::APPEND);
    let filetype = f
        .run(move |file| -> std::io::Result<Filetype> {
            if append {
                let mut fl = rustix::fs::fcntl_getfl(host.as_fd())?;
                fl |= rustix::fs::OFlags::APPEND;
                rustix::fs::fcntl_setfl(host.as_fd(), fl)?;
            }
            Ok(super::fd::filetype_of(file.metadata()?.file_type()))
        })
        .await?;
    let (perms, mode) = (f.perms, f.mode);
    Ok(Entry::file(Kind::File(f), filetype, perms, mode, fdflags))
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
    let target = each_dir!(dir, d => DirectoryOps::readlink_at(&d, path).await)?;
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
    Ok(each_dir!(dir, d => DirectoryOps::remove_directory_at(&d, path).await)?)
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
    match (old, new) {
        (AnyDir::Host(old), AnyDir::Host(new)) => {
            Ok(DirectoryOps::rename_at(&old, old_path, &new, new_path).await?)
        }
        (AnyDir::Virtual(old), AnyDir::Virtual(new)) => {
            Ok(DirectoryOps::rename_at(&old, old_path, &new, new_path).await?)
        }
        // A host directory and a mount are different devices.
        _ => Err(Errno::Xdev.into()),
    }
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
    Ok(each_dir!(dir, d => DirectoryOps::symlink_at(&d, target, path).await)?)
}

pub(crate) async fn unlink_file(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
) -> Result<(), Error> {
    let path = path_string(mem, &mut cx.fuel, path)?;
    let dir = dir_of(cx, fd)?;
    Ok(each_dir!(dir, d => DirectoryOps::unlink_file_at(&d, path).await)?)
}
