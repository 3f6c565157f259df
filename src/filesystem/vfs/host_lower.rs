//! The read-only lower layer of an overlay: a host directory opened once,
//! read through cap-std with relative paths and without following
//! symlinks, and never opened for writing.
//!
//! Paths are the overlay's lower paths: `.` for the directory itself,
//! `a/b` beneath it (names that are not UTF-8, and objects other than
//! files, directories and symlinks, are left out).

use super::backend::{NodeKind, VfsResult};
use crate::clocks::Datetime;
use crate::filesystem::{ErrorCode, io_error_code};
use cap_fs_ext::{FollowSymlinks, OpenOptionsFollowExt};
use cap_std::fs::{Dir, File, FileExt, Metadata, MetadataExt, OpenOptions};
use std::io::Read;
use std::path::Path;

/// The lower path of the directory itself.
pub(crate) const TOP: &str = ".";

/// The metadata of a lower object.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LowerStat {
    pub(crate) nlink: u64,
    pub(crate) size: u64,
    pub(crate) times: [Datetime; 3],
}

/// A host directory, read-only.
pub(crate) struct HostLower {
    dir: Dir,
}

/// The spec code of a host error (`io` when it has none).
fn io(e: std::io::Error) -> ErrorCode {
    io_error_code(&e).unwrap_or(ErrorCode::Io)
}

fn datetime(secs: i64, nsec: i64) -> Datetime {
    Datetime {
        seconds: secs.max(0) as u64,
        nanoseconds: if secs < 0 {
            0
        } else {
            nsec.clamp(0, 999_999_999) as u32
        },
    }
}

/// The kind of a host object, if it is one the overlay shows.
fn kind_of(ft: cap_std::fs::FileType) -> Option<NodeKind> {
    if ft.is_dir() {
        Some(NodeKind::Directory)
    } else if ft.is_file() {
        Some(NodeKind::File)
    } else if ft.is_symlink() {
        Some(NodeKind::Symlink)
    } else {
        None
    }
}

/// The lower path of `name` in the directory at `parent`.
pub(crate) fn join(parent: &str, name: &str) -> String {
    if parent == TOP {
        name.to_owned()
    } else {
        format!("{parent}/{name}")
    }
}

impl HostLower {
    /// Opens the host directory `path` (once; every later access is
    /// relative to it).
    pub(crate) fn open(path: &Path) -> std::io::Result<HostLower> {
        let dir = Dir::open_ambient_dir(path, cap_std::ambient_authority())?;
        Ok(HostLower { dir })
    }

    fn meta(&self, path: &str) -> VfsResult<Metadata> {
        if path == TOP {
            self.dir.dir_metadata().map_err(io)
        } else {
            self.dir.symlink_metadata(path).map_err(io)
        }
    }

    /// The metadata of the object at `path` (a symlink is not followed).
    pub(crate) fn stat(&self, path: &str) -> VfsResult<LowerStat> {
        let meta = self.meta(path)?;
        kind_of(meta.file_type()).ok_or(ErrorCode::NoEntry)?;
        Ok(LowerStat {
            nlink: meta.nlink(),
            size: meta.len(),
            times: [
                datetime(meta.atime(), meta.atime_nsec()),
                datetime(meta.mtime(), meta.mtime_nsec()),
                datetime(meta.ctime(), meta.ctime_nsec()),
            ],
        })
    }

    /// The kind of the object at `path`, if there is one the overlay shows.
    pub(crate) fn kind(&self, path: &str) -> Option<NodeKind> {
        kind_of(self.meta(path).ok()?.file_type())
    }

    /// The entries of the directory at `path`, sorted by name.
    pub(crate) fn entries(&self, path: &str) -> VfsResult<Vec<(String, NodeKind)>> {
        let mut out = Vec::new();
        for entry in self.dir.read_dir(path).map_err(io)? {
            let entry = entry.map_err(io)?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if let Some(kind) = entry.file_type().ok().and_then(kind_of) {
                out.push((name, kind));
            }
        }
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    fn open_file(&self, path: &str) -> VfsResult<File> {
        let mut opts = OpenOptions::new();
        opts.read(true).follow(FollowSymlinks::No);
        self.dir.open_with(path, &opts).map_err(io)
    }

    /// Reads from the file at `path` at `offset`.
    pub(crate) fn read_at(&self, path: &str, buf: &mut [u8], offset: u64) -> VfsResult<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let file = self.open_file(path)?;
        loop {
            match file.read_at(buf, offset) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                r => return r.map_err(io),
            }
        }
    }

    /// The first `limit` bytes (at most) of the file at `path`.
    pub(crate) fn read_prefix(&self, path: &str, limit: u64) -> VfsResult<Vec<u8>> {
        let file = self.open_file(path)?;
        let mut out = Vec::new();
        file.take(limit).read_to_end(&mut out).map_err(io)?;
        Ok(out)
    }

    /// The target of the symlink at `path`.
    pub(crate) fn read_link(&self, path: &str) -> VfsResult<String> {
        if self.kind(path) != Some(NodeKind::Symlink) {
            return Err(ErrorCode::Invalid);
        }
        let target = self.dir.read_link_contents(path).map_err(io)?;
        target
            .into_os_string()
            .into_string()
            .map_err(|_| ErrorCode::IllegalByteSequence)
    }
}
