//! A read-only view of any backend: reads go through, every change is
//! refused with `read-only` (what a read-only host mount answers).

use super::backend::{FsBackend, NodeId, NodeKind, NodeStat, SetTime, VEntry, VfsResult};
use crate::clocks::Datetime;
use crate::filesystem::ErrorCode;

/// `inner`, with every change refused.
pub struct ReadOnly<B> {
    inner: B,
}

impl<B: FsBackend> ReadOnly<B> {
    /// A read-only view of `inner`.
    pub fn new(inner: B) -> Self {
        ReadOnly { inner }
    }
}

const RO: ErrorCode = ErrorCode::ReadOnly;

impl<B: FsBackend> FsBackend for ReadOnly<B> {
    fn root(&self) -> NodeId {
        self.inner.root()
    }
    fn lookup(&self, dir: NodeId, name: &str) -> VfsResult<NodeId> {
        self.inner.lookup(dir, name)
    }
    fn stat(&self, node: NodeId) -> VfsResult<NodeStat> {
        self.inner.stat(node)
    }
    fn kind(&self, node: NodeId) -> VfsResult<NodeKind> {
        self.inner.kind(node)
    }
    fn read_link(&self, node: NodeId) -> VfsResult<String> {
        self.inner.read_link(node)
    }
    fn read_at(&self, node: NodeId, buf: &mut [u8], offset: u64) -> VfsResult<usize> {
        self.inner.read_at(node, buf, offset)
    }
    fn list(&self, dir: NodeId, after: Option<&str>, max: usize) -> VfsResult<Vec<VEntry>> {
        self.inner.list(dir, after, max)
    }
    fn write_at(&self, _: NodeId, _: &[u8], _: u64, _: Datetime) -> VfsResult<usize> {
        Err(RO)
    }
    fn append(&self, _: NodeId, _: &[u8], _: Datetime) -> VfsResult<usize> {
        Err(RO)
    }
    fn set_size(&self, _: NodeId, _: u64, _: Datetime) -> VfsResult<()> {
        Err(RO)
    }
    fn set_times(&self, _: NodeId, _: SetTime, _: SetTime, _: Datetime) -> VfsResult<()> {
        Err(RO)
    }
    fn create_file(
        &self,
        dir: NodeId,
        name: &str,
        exclusive: bool,
        _: Datetime,
    ) -> VfsResult<NodeId> {
        // Opening an existing file with `create` (not exclusive) is fine.
        match self.inner.lookup(dir, name) {
            Ok(_) if exclusive => Err(ErrorCode::Exist),
            Ok(node) => Ok(node),
            Err(ErrorCode::NoEntry) => Err(RO),
            Err(e) => Err(e),
        }
    }
    fn create_dir(&self, _: NodeId, _: &str, _: Datetime) -> VfsResult<()> {
        Err(RO)
    }
    fn symlink(&self, _: NodeId, _: &str, _: &str, _: Datetime) -> VfsResult<()> {
        Err(RO)
    }
    fn unlink(&self, _: NodeId, _: &str, _: Datetime) -> VfsResult<()> {
        Err(RO)
    }
    fn remove_dir(&self, _: NodeId, _: &str, _: Datetime) -> VfsResult<()> {
        Err(RO)
    }
    fn rename(&self, _: NodeId, _: &str, _: NodeId, _: &str, _: Datetime) -> VfsResult<()> {
        Err(RO)
    }
    fn link(&self, _: NodeId, _: NodeId, _: &str, _: Datetime) -> VfsResult<()> {
        Err(RO)
    }
    fn sync(&self, node: NodeId) -> VfsResult<()> {
        self.inner.sync(node)
    }
    fn read_only(&self) -> bool {
        true
    }
    fn space_left(&self) -> Option<u64> {
        Some(0)
    }
    fn open(&self, node: NodeId) {
        self.inner.open(node)
    }
    fn close(&self, node: NodeId) {
        self.inner.close(node)
    }
}
