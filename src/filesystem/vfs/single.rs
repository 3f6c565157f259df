//! The single-file backend: one host file under a chosen name, appearing
//! to the guest as a directory that holds just that file (e.g. the host's
//! `/etc/hosts` mounted at the guest's `/etc` as `hosts`).
//!
//! Reads, writes (when the file was opened writable), `set-size` and
//! `set-times` go to the host file; the directory itself cannot change:
//! creating, removing or renaming anything in it is `not-permitted`. What
//! the guest may do is further limited by the mount's permissions.

use super::backend::{FsBackend, NodeId, NodeKind, NodeStat, SetTime, VEntry, VfsResult};
use crate::clocks::Datetime;
use crate::filesystem::{ErrorCode, io_error_code};
use std::os::unix::fs::FileExt;
use std::path::Path;

const DIR: NodeId = NodeId(1);
const FILE: NodeId = NodeId(2);

/// One host file, served as the only entry of a directory.
pub struct SingleFile {
    file: std::fs::File,
    name: String,
    writable: bool,
}

fn io(e: std::io::Error) -> ErrorCode {
    io_error_code(&e).unwrap_or(ErrorCode::Io)
}

fn datetime(t: std::io::Result<std::time::SystemTime>) -> Datetime {
    let d = t
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .unwrap_or_default();
    Datetime {
        seconds: d.as_secs(),
        nanoseconds: d.subsec_nanos(),
    }
}

impl SingleFile {
    /// The host file at `host_path`, named `name` for the guest; opened
    /// for reading and, with `writable`, for writing.
    pub fn open(host_path: impl AsRef<Path>, name: &str, writable: bool) -> std::io::Result<Self> {
        if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a single file's name is one path component",
            ));
        }
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(writable)
            .open(host_path)?;
        if !file.metadata()?.is_file() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "not a regular file",
            ));
        }
        Ok(SingleFile {
            file,
            name: name.to_owned(),
            writable,
        })
    }

    fn check_file(&self, node: NodeId) -> VfsResult<()> {
        match node {
            FILE => Ok(()),
            DIR => Err(ErrorCode::IsDirectory),
            _ => Err(ErrorCode::BadDescriptor),
        }
    }

    fn check_writable(&self, node: NodeId) -> VfsResult<()> {
        self.check_file(node)?;
        if self.writable {
            Ok(())
        } else {
            Err(ErrorCode::ReadOnly)
        }
    }
}

impl FsBackend for SingleFile {
    fn root(&self) -> NodeId {
        DIR
    }

    fn lookup(&self, dir: NodeId, name: &str) -> VfsResult<NodeId> {
        match dir {
            DIR if name == self.name => Ok(FILE),
            DIR => Err(ErrorCode::NoEntry),
            _ => Err(ErrorCode::NotDirectory),
        }
    }

    fn stat(&self, node: NodeId) -> VfsResult<NodeStat> {
        let meta = self.file.metadata().map_err(io)?;
        let (kind, nlink, size) = match node {
            DIR => (NodeKind::Directory, 2, 0),
            FILE => (NodeKind::File, 1, meta.len()),
            _ => return Err(ErrorCode::BadDescriptor),
        };
        Ok(NodeStat {
            kind,
            ino: node.0,
            nlink,
            size,
            atime: datetime(meta.accessed()),
            mtime: datetime(meta.modified()),
            ctime: datetime(meta.modified()),
        })
    }

    fn read_link(&self, _node: NodeId) -> VfsResult<String> {
        Err(ErrorCode::Invalid)
    }

    fn read_at(&self, node: NodeId, buf: &mut [u8], offset: u64) -> VfsResult<usize> {
        self.check_file(node)?;
        self.file.read_at(buf, offset).map_err(io)
    }

    fn list(&self, dir: NodeId, after: Option<&str>, max: usize) -> VfsResult<Vec<VEntry>> {
        if dir != DIR {
            return Err(ErrorCode::NotDirectory);
        }
        if max == 0 || after.is_some_and(|a| a >= self.name.as_str()) {
            return Ok(Vec::new());
        }
        Ok(vec![VEntry {
            name: self.name.clone(),
            kind: NodeKind::File,
        }])
    }

    fn write_at(&self, node: NodeId, data: &[u8], offset: u64, _now: Datetime) -> VfsResult<usize> {
        self.check_writable(node)?;
        self.file.write_at(data, offset).map_err(io)
    }

    fn append(&self, node: NodeId, data: &[u8], now: Datetime) -> VfsResult<usize> {
        let end = self.file.metadata().map_err(io)?.len();
        self.write_at(node, data, end, now)
    }

    fn set_size(&self, node: NodeId, size: u64, _now: Datetime) -> VfsResult<()> {
        self.check_writable(node)?;
        self.file.set_len(size).map_err(io)
    }

    fn set_times(
        &self,
        node: NodeId,
        atime: SetTime,
        mtime: SetTime,
        _now: Datetime,
    ) -> VfsResult<()> {
        self.check_writable(node)?;
        let spec = |t: SetTime| match t {
            SetTime::Keep => None,
            SetTime::To(d) => Some(fs_set_times::SystemTimeSpec::Absolute(
                std::time::UNIX_EPOCH + std::time::Duration::new(d.seconds, d.nanoseconds),
            )),
        };
        fs_set_times::SetTimes::set_times(&self.file, spec(atime), spec(mtime)).map_err(io)
    }

    fn create_file(
        &self,
        dir: NodeId,
        name: &str,
        exclusive: bool,
        _now: Datetime,
    ) -> VfsResult<NodeId> {
        match self.lookup(dir, name) {
            Ok(_) if exclusive => Err(ErrorCode::Exist),
            Ok(node) => Ok(node),
            Err(ErrorCode::NoEntry) => Err(ErrorCode::NotPermitted),
            Err(e) => Err(e),
        }
    }

    fn create_dir(&self, _: NodeId, _: &str, _: Datetime) -> VfsResult<()> {
        Err(ErrorCode::NotPermitted)
    }
    fn symlink(&self, _: NodeId, _: &str, _: &str, _: Datetime) -> VfsResult<()> {
        Err(ErrorCode::NotPermitted)
    }
    fn unlink(&self, _: NodeId, _: &str, _: Datetime) -> VfsResult<()> {
        Err(ErrorCode::NotPermitted)
    }
    fn remove_dir(&self, _: NodeId, _: &str, _: Datetime) -> VfsResult<()> {
        Err(ErrorCode::NotPermitted)
    }
    fn rename(&self, _: NodeId, _: &str, _: NodeId, _: &str, _: Datetime) -> VfsResult<()> {
        Err(ErrorCode::NotPermitted)
    }
    fn link(&self, _: NodeId, _: NodeId, _: &str, _: Datetime) -> VfsResult<()> {
        Err(ErrorCode::NotPermitted)
    }

    fn sync(&self, node: NodeId) -> VfsResult<()> {
        if node == FILE && self.writable {
            self.file.sync_all().map_err(io)?;
        }
        Ok(())
    }

    fn read_only(&self) -> bool {
        !self.writable
    }
}
