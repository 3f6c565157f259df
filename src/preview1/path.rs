//! The `path_*` functions: each checks the descriptor's rights, then hands
//! the path to the 0.2 directory ([`DirectoryOps`] of a host directory or
//! of a virtual mount), which resolves it beneath its mount and checks the
//! mount's permissions.

use super::WasiP1Ctx;
use super::bindings::types::{
    Errno, Error, Fd, Fdflags, Filestat, Filetype, Fstflags, Lookupflags, Oflags, Rights, Size,
    Timestamp,
};
use super::fds::{self, DirFd, Entry, Kind};
use crate::bindings::filesystem::types::{DescriptorFlags, OpenFlags, PathFlags};
use crate::filesystem::{Descriptor, Dir};
use crate::vfs::DirectoryOps;
use crate::vfs::VirtualDir;
use rustix::fd::AsFd;
use wiggle::{GuestMemory, GuestPtr};

/// A guest path as a host string: not UTF-8 is `ilseq`, out of bounds
/// `fault`.
fn path_string(mem: &GuestMemory<'_>, path: GuestPtr<str>) -> Result<String, Error> {
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

/// The directory of `fd` after checking `needed`; a file is `notdir`.
fn dir_of(cx: &WasiP1Ctx, fd: Fd, needed: Rights) -> Result<AnyDir, Error> {
    let e = cx.fds.get(fd.into())?;
    match &e.kind {
        Kind::Dir(d) => {
            e.require_path(needed)?;
            Ok(AnyDir::Host(d.dir.clone()))
        }
        Kind::VDir(d) => {
            e.require_path(needed)?;
            Ok(AnyDir::Virtual(d.dir.clone()))
        }
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
    let path = path_string(mem, path)?;
    let dir = dir_of(cx, fd, Rights::PATH_CREATE_DIRECTORY)?;
    Ok(each_dir!(dir, d => DirectoryOps::create_directory_at(&d, path).await)?)
}

pub(crate) async fn filestat_get(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    flags: Lookupflags,
    path: GuestPtr<str>,
) -> Result<Filestat, Error> {
    let path = path_string(mem, path)?;
    match dir_of(cx, fd, Rights::PATH_FILESTAT_GET)? {
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
    let path = path_string(mem, path)?;
    let dir = dir_of(cx, fd, Rights::PATH_FILESTAT_SET_TIMES)?;
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
    let old = dir_of(cx, old_fd, Rights::PATH_LINK_SOURCE)?;
    let new = dir_of(cx, new_fd, Rights::PATH_LINK_TARGET)?;
    let old_path = path_string(mem, old_path)?;
    let new_path = path_string(mem, new_path)?;
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

/// Rights that ask for writing.
fn write_rights() -> Rights {
    Rights::FD_WRITE | Rights::FD_ALLOCATE | Rights::FD_FILESTAT_SET_SIZE
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn open(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    dirflags: Lookupflags,
    path: GuestPtr<str>,
    oflags: Oflags,
    base: Rights,
    inheriting: Rights,
    fdflags: Fdflags,
) -> Result<Fd, Error> {
    let parent = cx.fds.get(fd.into())?;
    let (dir, file_perms) = match &parent.kind {
        Kind::Dir(d) => (AnyDir::Host(d.dir.clone()), d.dir.file_perms),
        Kind::VDir(d) => (AnyDir::Virtual(d.dir.clone()), d.dir.file_perms),
        _ => return Err(Errno::Notdir.into()),
    };
    let mut needed = Rights::PATH_OPEN;
    if oflags.contains(Oflags::CREAT) {
        needed |= Rights::PATH_CREATE_FILE;
    }
    if oflags.contains(Oflags::TRUNC) {
        needed |= Rights::PATH_FILESTAT_SET_SIZE;
    }
    parent.require_path(needed)?;
    let parent_inheriting = parent.inheriting;
    let read = base.intersects(Rights::FD_READ | Rights::FD_READDIR);
    let write = base.intersects(write_rights());
    // Writing is a right the parent passes on: if the guest dropped it
    // from the parent's inheriting rights, the file cannot get it.
    let possible = fds::file_rights_max(file_perms);
    if write && !parent_inheriting.contains(Rights::FD_WRITE) && possible.contains(Rights::FD_WRITE)
    {
        return Err(Errno::Notcapable.into());
    }

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
    if fdflags.contains(Fdflags::DSYNC) {
        flags |= DescriptorFlags::DATA_INTEGRITY_SYNC;
    }
    if fdflags.contains(Fdflags::SYNC) {
        flags |= DescriptorFlags::FILE_INTEGRITY_SYNC;
    }
    if fdflags.contains(Fdflags::RSYNC) {
        flags |= DescriptorFlags::REQUESTED_WRITE_SYNC;
    }
    let path = path_string(mem, path)?;
    let dir = match dir {
        AnyDir::Host(d) => d,
        AnyDir::Virtual(d) => {
            let opened = d.open_at(path_flags(dirflags), &path, open_flags, flags)?;
            let entry = match opened {
                Descriptor::VirtualDir(d) => {
                    super::vfs::dir_entry(d, base, inheriting, parent_inheriting, fdflags)
                }
                Descriptor::VirtualFile(f) => super::vfs::file_entry(f, base, inheriting, fdflags)?,
                // A mount opens objects of its own backend only.
                _ => return Err(Errno::Notsup.into()),
            };
            return Ok(cx.fds.push(entry)?.into());
        }
    };
    let opened = dir
        .open_at(path_flags(dirflags), path, open_flags, flags)
        .await?;
    let entry = match opened {
        Descriptor::Dir(d) => {
            let limit = fds::dir_rights(d.perms);
            let inherit_limit = limit | fds::file_rights_max(d.file_perms);
            Entry {
                filetype: Filetype::Directory,
                base: limit & base,
                inheriting: inherit_limit & inheriting & parent_inheriting,
                limit,
                flags: fdflags,
                kind: Kind::Dir(Box::new(DirFd {
                    dir: d,
                    preopen: None,
                    listing: None,
                })),
            }
        }
        Descriptor::File(f) => {
            let limit = fds::file_rights(f.perms, f.mode);
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
            Entry {
                filetype,
                base: limit & base,
                inheriting: limit & inheriting,
                limit,
                flags: fdflags,
                kind: Kind::File(f),
            }
        }
        // A host directory opens host objects only.
        Descriptor::VirtualDir(_) | Descriptor::VirtualFile(_) => {
            return Err(Errno::Notsup.into());
        }
    };
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
    let path = path_string(mem, path)?;
    let dir = dir_of(cx, fd, Rights::PATH_READLINK)?;
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
    let path = path_string(mem, path)?;
    let dir = dir_of(cx, fd, Rights::PATH_REMOVE_DIRECTORY)?;
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
    let old = dir_of(cx, fd, Rights::PATH_RENAME_SOURCE)?;
    let new = dir_of(cx, new_fd, Rights::PATH_RENAME_TARGET)?;
    let old_path = path_string(mem, old_path)?;
    let new_path = path_string(mem, new_path)?;
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
    let dir = dir_of(cx, fd, Rights::PATH_SYMLINK)?;
    let target = path_string(mem, old_path)?;
    let path = path_string(mem, new_path)?;
    Ok(each_dir!(dir, d => DirectoryOps::symlink_at(&d, target, path).await)?)
}

pub(crate) async fn unlink_file(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    fd: Fd,
    path: GuestPtr<str>,
) -> Result<(), Error> {
    let path = path_string(mem, path)?;
    let dir = dir_of(cx, fd, Rights::PATH_UNLINK_FILE)?;
    Ok(each_dir!(dir, d => DirectoryOps::unlink_file_at(&d, path).await)?)
}
