//! Descriptors of virtual mounts (`WasiCtxBuilder::mount`) for core
//! modules: the entries they make in the descriptor table, and the `fd_*`
//! calls on them. The calls go to the synchronous [`VirtualDir`] and
//! [`VirtualFile`] API of `src/vfs`, which makes the permission checks and
//! gives the error codes of the 0.2 host; this file adds only what preview
//! 1 has and 0.2 has not: a file position (a virtual file has no host
//! offset), append mode, and `fd_readdir` cookies. `fd.rs`, `path.rs` and
//! `poll.rs` reach here after their host arms.

use super::bindings::types::{
    Errno, Error, Fdflags, Filedelta, Filesize, Filestat, Filetype, Size, Timestamp, Whence,
};
use super::fds::{Entry, Kind};
use super::iov::{self, Iovs};
use super::readdir::{Ent, write_buffered};
use crate::clocks::Datetime;
use crate::filesystem::{MAX_READ, PathFlags};
use crate::vfs::{NodeKind, NodeStat, VirtualDir, VirtualFile, VirtualListing};
use std::collections::VecDeque;
use wiggle::GuestMemory;

/// A directory descriptor of a virtual mount.
pub(crate) struct VDirFd {
    pub(crate) dir: VirtualDir,
    /// The guest path, for a mount's root.
    pub(crate) preopen: Option<String>,
    /// The listing `fd_readdir` resumes.
    pub(crate) listing: Option<VListing>,
}

/// A file descriptor of a virtual mount.
pub(crate) struct VFileFd {
    pub(crate) file: VirtualFile,
    /// The position `fd_read`, `fd_write` and `fd_seek` use.
    pub(crate) pos: u64,
}

/// A listing in progress: the backend's listing and the entries taken
/// from it but not yet handed to the guest (the first has cookie `front`).
pub(crate) struct VListing {
    inner: VirtualListing,
    buffered: VecDeque<Ent>,
    front: u64,
    done: bool,
}

/// The descriptor-table entry of a mount's root, with the rights of a host
/// preopen of the same permissions.
pub(crate) fn preopen_entry(dir: &VirtualDir, guest_path: &str) -> Entry {
    dir_entry(dir.clone(), Some(guest_path.to_owned()), Fdflags::empty())
}

/// The entry of a directory of a mount (its root if `preopen` names it),
/// as for a host directory.
pub(crate) fn dir_entry(dir: VirtualDir, preopen: Option<String>, flags: Fdflags) -> Entry {
    let (perms, file_perms) = (dir.perms, dir.file_perms);
    let kind = Kind::VDir(Box::new(VDirFd {
        dir,
        preopen,
        listing: None,
    }));
    Entry::directory(kind, perms, file_perms, flags)
}

/// The entry of a file `path_open` opened, as for a host file; `APPEND`
/// in `flags` makes every write go to the end.
pub(crate) fn file_entry(file: VirtualFile, flags: Fdflags) -> Result<Entry, Error> {
    let filetype = filetype(file.node_stat()?.kind);
    let (perms, mode) = (file.perms, file.mode);
    let kind = Kind::VFile(Box::new(VFileFd { file, pos: 0 }));
    Ok(Entry::file(kind, filetype, perms, mode, flags))
}

/// The preview 1 type of a node kind.
fn filetype(kind: NodeKind) -> Filetype {
    match kind {
        NodeKind::Directory => Filetype::Directory,
        NodeKind::File => Filetype::RegularFile,
        NodeKind::Symlink => Filetype::SymbolicLink,
    }
}

/// Nanoseconds since the epoch of a wall-clock time.
fn nanos(t: Datetime) -> Timestamp {
    t.seconds
        .saturating_mul(1_000_000_000)
        .saturating_add(u64::from(t.nanoseconds))
}

/// The `filestat` of a node of the mount `dev`.
pub(crate) fn filestat(dev: u64, s: &NodeStat) -> Filestat {
    Filestat {
        dev,
        ino: s.ino,
        filetype: filetype(s.kind),
        nlink: s.nlink,
        size: s.size,
        atim: nanos(s.atime),
        mtim: nanos(s.mtime),
        ctim: nanos(s.ctime),
    }
}

/// `fd_filestat_get` of a virtual file.
pub(crate) fn file_filestat(f: &VFileFd) -> Result<Filestat, Error> {
    Ok(filestat(f.file.open.mount.id, &f.file.node_stat()?))
}

/// `fd_filestat_get` of a virtual directory.
pub(crate) fn dir_filestat(d: &VDirFd) -> Result<Filestat, Error> {
    Ok(filestat(d.dir.mount_id(), &d.dir.node_stat()?))
}

/// `path_filestat_get` beneath a virtual directory.
pub(crate) fn path_filestat(
    dir: &VirtualDir,
    flags: PathFlags,
    path: &str,
) -> Result<Filestat, Error> {
    Ok(filestat(dir.mount_id(), &dir.stat_node_at(flags, path)?))
}

/// `fd_read` (`offset` `None`: at the position, which moves) and
/// `fd_pread` on a virtual file: at most [`MAX_READ`] bytes per call.
pub(crate) fn read(
    f: &mut VFileFd,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    offset: Option<u64>,
) -> Result<Size, Error> {
    let mut want = 0usize;
    super::fd::for_each_range(mem, iovs, |_, r| {
        want = (want + r.len()).min(MAX_READ);
        want < MAX_READ
    })?;
    let at = offset.unwrap_or(f.pos);
    let (data, _) = f.file.read(want as u64, at)?;
    let n = super::fd::scatter(mem, iovs, &data)?;
    if offset.is_none() {
        f.pos = at.saturating_add(u64::from(n));
    }
    Ok(n)
}

/// `fd_write` and `fd_pwrite` on a virtual file: at most [`iov::BOUNCE`]
/// bytes per call. With `append`, the bytes go to the end (for
/// `fd_pwrite` too, as Linux does for `O_APPEND`) and the position moves
/// there.
pub(crate) fn write(
    f: &mut VFileFd,
    append: bool,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    offset: Option<u64>,
) -> Result<Size, Error> {
    let mut data = Vec::new();
    super::fd::for_each_range(mem, iovs, |mem, r| {
        let take = r.len().min(iov::BOUNCE - data.len());
        iov::copy_out(mem, r.start..r.start + take, &mut data);
        data.len() < iov::BOUNCE
    })?;
    if append {
        // (The open mode and the mount's permissions gave `FD_WRITE`.)
        let n = f.file.write_at(&data, None)?;
        if offset.is_none() {
            f.pos = f.file.node_stat()?.size;
        }
        return Ok(n as Size);
    }
    let at = offset.unwrap_or(f.pos);
    at.checked_add(data.len() as u64).ok_or(Errno::Fbig)?;
    let n = f.file.write(&data, at)?;
    if offset.is_none() {
        f.pos = at + n;
    }
    Ok(n as Size)
}

/// `fd_seek` on a virtual file (the rights are checked by the caller).
pub(crate) fn seek(f: &mut VFileFd, offset: Filedelta, whence: Whence) -> Result<Filesize, Error> {
    let base = match whence {
        Whence::Set => 0,
        Whence::Cur => f.pos,
        Whence::End => f.file.node_stat()?.size,
    };
    let pos = base
        .checked_add_signed(offset)
        .filter(|p| i64::try_from(*p).is_ok())
        .ok_or(Errno::Inval)?;
    f.pos = pos;
    Ok(pos)
}

/// The bytes left to read from the position (`poll_oneoff`).
pub(crate) fn readable(f: &VFileFd) -> u64 {
    f.file
        .node_stat()
        .map(|s| s.size.saturating_sub(f.pos))
        .unwrap_or(0)
}

impl VListing {
    /// A fresh listing: `.` and `..` first.
    fn start(dir: &VirtualDir) -> Result<VListing, Error> {
        let here = dir.node_stat()?.ino;
        let parent = dir
            .stat_node_at(PathFlags::empty(), "..")
            .map_or(here, |s| s.ino);
        let mut buffered = VecDeque::new();
        for (name, ino) in [(&b"."[..], here), (&b".."[..], parent)] {
            buffered.push_back(Ent {
                name: name.to_vec(),
                ino,
                filetype: Filetype::Directory,
            });
        }
        Ok(VListing {
            inner: dir.read_directory()?,
            buffered,
            front: 0,
            done: false,
        })
    }

    /// Takes the next entry from the backend into the buffer; `false` at
    /// the end.
    fn fill_one(&mut self, dir: &VirtualDir) -> Result<bool, Error> {
        if self.done {
            return Ok(false);
        }
        match self.inner.next_entry()? {
            None => {
                self.done = true;
                Ok(false)
            }
            Some(e) => {
                let ino = dir
                    .stat_node_at(PathFlags::empty(), &e.name)
                    .map_or(0, |s| s.ino);
                self.buffered.push_back(Ent {
                    name: e.name.into_bytes(),
                    ino,
                    filetype: match e.type_ {
                        crate::filesystem::DescriptorType::Directory => Filetype::Directory,
                        crate::filesystem::DescriptorType::SymbolicLink => Filetype::SymbolicLink,
                        crate::filesystem::DescriptorType::RegularFile => Filetype::RegularFile,
                        _ => Filetype::Unknown,
                    },
                });
                Ok(true)
            }
        }
    }
}

/// `fd_readdir` on a virtual directory (the rights are checked by the
/// caller): cookies as for a host directory (`.` is 0, `..` 1, then the
/// backend's order, which is stable while entries come and go); a call at
/// the cookie where the listing stands continues it, any other restarts
/// it and skips forward.
pub(crate) fn readdir(d: &mut VDirFd, buf: &mut [u8], cookie: u64) -> Result<usize, Error> {
    let usable = d
        .listing
        .as_ref()
        .is_some_and(|l| l.front <= cookie && cookie <= l.front + l.buffered.len() as u64);
    if !usable {
        d.listing = Some(VListing::start(&d.dir)?);
    }
    let Some(l) = d.listing.as_mut() else {
        return Ok(0);
    };
    while l.front < cookie {
        if l.buffered.is_empty() && !l.fill_one(&d.dir)? {
            return Ok(0);
        }
        l.buffered.pop_front();
        l.front += 1;
    }
    let mut used = 0;
    loop {
        if l.buffered.is_empty() && !l.fill_one(&d.dir)? {
            break;
        }
        if write_buffered(&mut l.buffered, &mut l.front, buf, &mut used) {
            break;
        }
    }
    Ok(used)
}
