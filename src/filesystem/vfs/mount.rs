//! A mounted backend: the enum through which the built-in backends are
//! dispatched without a virtual call, `dyn` only for the embedder's own.

use super::backend::{FsBackend, NodeId, NodeKind, NodeStat, SetTime, VEntry, VfsResult};
use super::memory::MemoryFs;
use super::overlay_fs::OverlayFs;
use super::readonly::ReadOnly;
use super::single::SingleFile;
use crate::clocks::Datetime;
use crate::clocks::HostWallClock;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The identity of a context's first mount; the others follow in the
/// order they were added (links and renames between two mounts are
/// `cross-device`). Numbered per context, so that the device numbers a
/// guest sees do not depend on what else the process runs; high, so that
/// they stay apart from the host preopens' numbering space.
const FIRST_MOUNT_ID: u64 = 1 << 48;

/// The backends a mount can hold: the built-in ones by value (a `match`,
/// no virtual call), the embedder's own behind `dyn`.
#[derive(Clone)]
pub(crate) enum AnyBackend {
    Memory(MemoryFs),
    Overlay(Arc<OverlayFs>),
    SingleFile(Arc<SingleFile>),
    ReadOnly(Arc<ReadOnly<AnyBackend>>),
    Custom(Arc<dyn FsBackend>),
}

/// A backend ready to be mounted with [`crate::WasiCtxBuilder::mount`]:
/// a host directory, or a node backend.
#[derive(Clone)]
pub struct Mount {
    pub(crate) kind: MountKind,
}

/// What a [`Mount`] holds.
#[derive(Clone)]
pub(crate) enum MountKind {
    /// A host directory, served by the host backend
    /// ([`crate::filesystem::Dir`]); `read_only` takes the write
    /// permissions away when it is mounted.
    Host {
        dir: Arc<cap_std::fs::Dir>,
        read_only: bool,
    },
    /// A node backend, served through the shared resolver.
    Node(AnyBackend),
}

impl From<AnyBackend> for Mount {
    fn from(backend: AnyBackend) -> Mount {
        Mount {
            kind: MountKind::Node(backend),
        }
    }
}

impl Mount {
    /// An in-memory tree (the embedder keeps a clone of `fs` to read back
    /// what the guest did).
    pub fn memory(fs: MemoryFs) -> Mount {
        AnyBackend::Memory(fs).into()
    }

    /// One host file under `name`, alone in the mounted directory (see
    /// [`SingleFile`]).
    pub fn single_file(file: SingleFile) -> Mount {
        AnyBackend::SingleFile(Arc::new(file)).into()
    }

    /// `bytes` as the file `name`, alone in the mounted directory (an
    /// in-memory tree; mount it with `DirPerms::READ` to keep the directory
    /// as it is).
    pub fn file_bytes(name: &str, bytes: impl AsRef<[u8]>) -> super::VfsResult<Mount> {
        Ok(Mount::memory(MemoryFs::from_files([(name, bytes)])?))
    }

    /// The embedder's own backend.
    pub fn custom(backend: impl FsBackend) -> Mount {
        AnyBackend::Custom(Arc::new(backend)).into()
    }

    /// The host directory `path`, served by the host backend (cap-std, the
    /// kernel resolving paths beneath it): mounting it is what
    /// [`crate::WasiCtxBuilder::preopened_dir`] does. Fails if `path`
    /// cannot be opened as a directory.
    pub fn host_dir(path: impl AsRef<Path>) -> std::io::Result<Mount> {
        let dir = cap_std::fs::Dir::open_ambient_dir(path, cap_std::ambient_authority())?;
        Ok(Mount {
            kind: MountKind::Host {
                dir: Arc::new(dir),
                read_only: false,
            },
        })
    }

    /// The same backend, read-only: every change is refused with
    /// `read-only`.
    /// A host directory (whose errors come from the host backend) is
    /// mounted without the write permissions instead, so its changes are
    /// `not-permitted`, as in a read-only [`preopened_dir`].
    ///
    /// [`preopened_dir`]: crate::WasiCtxBuilder::preopened_dir
    pub fn read_only(self) -> Mount {
        match self.kind {
            MountKind::Host { dir, .. } => Mount {
                kind: MountKind::Host {
                    dir,
                    read_only: true,
                },
            },
            MountKind::Node(backend) => {
                AnyBackend::ReadOnly(Arc::new(ReadOnly::new(backend))).into()
            }
        }
    }
}

macro_rules! dispatch {
    ($self:ident, $b:ident => $e:expr) => {
        match $self {
            AnyBackend::Memory($b) => $e,
            AnyBackend::Overlay($b) => $e,
            AnyBackend::SingleFile($b) => $e,
            AnyBackend::ReadOnly($b) => $e,
            AnyBackend::Custom($b) => $e,
        }
    };
}

/// The longest name of one directory entry, in bytes (Linux's
/// `NAME_MAX`). A longer name is `name-too-long` wherever a backend is
/// asked to look it up or make it, for every kind of backend (as Linux's
/// file systems answer in their own lookups, so a missing directory before
/// it is still `no-entry`).
pub const MAX_NAME: usize = 255;

/// Refuses a name longer than [`MAX_NAME`].
fn check_length(name: &str) -> VfsResult<()> {
    if name.len() > MAX_NAME {
        return Err(crate::filesystem::ErrorCode::NameTooLong);
    }
    Ok(())
}

impl FsBackend for AnyBackend {
    fn root(&self) -> NodeId {
        dispatch!(self, b => b.root())
    }
    fn lookup(&self, dir: NodeId, name: &str) -> VfsResult<NodeId> {
        check_length(name)?;
        dispatch!(self, b => b.lookup(dir, name))
    }
    fn stat(&self, node: NodeId) -> VfsResult<NodeStat> {
        dispatch!(self, b => b.stat(node))
    }
    fn kind(&self, node: NodeId) -> VfsResult<NodeKind> {
        dispatch!(self, b => b.kind(node))
    }
    fn read_link(&self, node: NodeId) -> VfsResult<String> {
        dispatch!(self, b => b.read_link(node))
    }
    fn read_at(&self, node: NodeId, buf: &mut [u8], offset: u64) -> VfsResult<usize> {
        dispatch!(self, b => b.read_at(node, buf, offset))
    }
    fn list(&self, dir: NodeId, after: Option<&str>, max: usize) -> VfsResult<Vec<VEntry>> {
        dispatch!(self, b => b.list(dir, after, max))
    }
    fn write_at(&self, node: NodeId, data: &[u8], offset: u64, now: Datetime) -> VfsResult<usize> {
        dispatch!(self, b => b.write_at(node, data, offset, now))
    }
    fn append(&self, node: NodeId, data: &[u8], now: Datetime) -> VfsResult<usize> {
        dispatch!(self, b => b.append(node, data, now))
    }
    fn set_size(&self, node: NodeId, size: u64, now: Datetime) -> VfsResult<()> {
        dispatch!(self, b => b.set_size(node, size, now))
    }
    fn set_times(
        &self,
        node: NodeId,
        atime: SetTime,
        mtime: SetTime,
        now: Datetime,
    ) -> VfsResult<()> {
        dispatch!(self, b => b.set_times(node, atime, mtime, now))
    }
    fn create_file(
        &self,
        dir: NodeId,
        name: &str,
        exclusive: bool,
        now: Datetime,
    ) -> VfsResult<NodeId> {
        check_length(name)?;
        dispatch!(self, b => b.create_file(dir, name, exclusive, now))
    }
    fn create_dir(&self, dir: NodeId, name: &str, now: Datetime) -> VfsResult<()> {
        check_length(name)?;
        dispatch!(self, b => b.create_dir(dir, name, now))
    }
    fn symlink(&self, dir: NodeId, name: &str, target: &str, now: Datetime) -> VfsResult<()> {
        check_length(name)?;
        dispatch!(self, b => b.symlink(dir, name, target, now))
    }
    fn unlink(&self, dir: NodeId, name: &str, now: Datetime) -> VfsResult<()> {
        check_length(name)?;
        dispatch!(self, b => b.unlink(dir, name, now))
    }
    fn remove_dir(&self, dir: NodeId, name: &str, now: Datetime) -> VfsResult<()> {
        check_length(name)?;
        dispatch!(self, b => b.remove_dir(dir, name, now))
    }
    fn rename(
        &self,
        dir: NodeId,
        name: &str,
        new_dir: NodeId,
        new_name: &str,
        now: Datetime,
    ) -> VfsResult<()> {
        check_length(name)?;
        check_length(new_name)?;
        dispatch!(self, b => b.rename(dir, name, new_dir, new_name, now))
    }
    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &str, now: Datetime) -> VfsResult<()> {
        check_length(new_name)?;
        dispatch!(self, b => b.link(node, new_dir, new_name, now))
    }
    fn sync(&self, node: NodeId) -> VfsResult<()> {
        dispatch!(self, b => b.sync(node))
    }
    fn open(&self, node: NodeId) {
        dispatch!(self, b => b.open(node))
    }
    fn close(&self, node: NodeId) {
        dispatch!(self, b => b.close(node))
    }
    fn read_only(&self) -> bool {
        dispatch!(self, b => b.read_only())
    }
    fn space_left(&self) -> Option<u64> {
        dispatch!(self, b => b.space_left())
    }
}

/// A mounted backend: its identity and the clock its timestamps come from.
pub(crate) struct MountState {
    pub(crate) backend: AnyBackend,
    pub(crate) id: u64,
    /// The context's wall clock, set when the context is built.
    pub(crate) clock: OnceLock<SharedWallClock>,
    /// The context's budget of virtual descriptors and listings.
    pub(crate) budget: crate::filesystem::FdBudget,
}

impl MountState {
    /// The mount of `backend` that is its context's `index`th, drawing on
    /// `budget` for what the guest opens in it.
    pub(crate) fn new(
        backend: AnyBackend,
        index: usize,
        budget: crate::filesystem::FdBudget,
    ) -> Arc<MountState> {
        Arc::new(MountState {
            backend,
            id: FIRST_MOUNT_ID + index as u64,
            clock: OnceLock::new(),
            budget,
        })
    }

    /// The context's wall-clock time (the host's before the context is
    /// built).
    pub(crate) fn now(&self) -> Datetime {
        match self.clock.get() {
            Some(clock) => {
                let d: Duration = clock.now();
                Datetime {
                    seconds: d.as_secs(),
                    nanoseconds: d.subsec_nanos(),
                }
            }
            None => super::memory::system_now(),
        }
    }
}

/// One wall clock shared by the context and its mounts (a clock need only
/// be `Send`, so the sharing takes a lock; only contexts with virtual
/// mounts share their clock).
#[derive(Clone)]
pub(crate) struct SharedWallClock(pub(crate) Arc<std::sync::Mutex<Box<dyn HostWallClock>>>);

impl SharedWallClock {
    /// Shares `clock`.
    pub(crate) fn new(clock: Box<dyn HostWallClock>) -> Self {
        SharedWallClock(Arc::new(std::sync::Mutex::new(clock)))
    }

    fn with<R>(&self, f: impl FnOnce(&dyn HostWallClock) -> R) -> R {
        f(&**self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl HostWallClock for SharedWallClock {
    fn resolution(&self) -> Duration {
        self.with(|c| c.resolution())
    }
    fn now(&self) -> Duration {
        self.with(|c| c.now())
    }
}
