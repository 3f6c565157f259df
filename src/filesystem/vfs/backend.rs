//! The trait a virtual filesystem backend implements, and the types it
//! speaks in.
//!
//! A backend is a tree of objects ("nodes") named by [`NodeId`]s. It
//! answers single-step questions (look up one name in one directory, read
//! bytes of one file, ...) and never sees a path: every guest path is
//! resolved by the crate's shared resolver (`resolve.rs`), so `.`, `..`,
//! symlinks, loops and trailing slashes behave the same for every backend,
//! and no path can leave its mount. Permission checks (`DirPerms`,
//! `FilePerms`, open modes) are made by the descriptor layer before a
//! backend is called.
//!
//! Every method is synchronous and is called on the guest's thread: a
//! backend that does slow work should keep it short or answer from memory.
//! Errors are the crate's filesystem [`ErrorCode`]s (the codes of
//! `wasi:filesystem`); an operation a backend does not support answers
//! [`ErrorCode::Unsupported`] (the defaults of the optional methods do).
//! Timestamps are the crate's [`Datetime`]s.

use crate::clocks::Datetime;
pub use crate::filesystem::ErrorCode;

/// The result of a backend operation.
pub type VfsResult<T> = Result<T, ErrorCode>;

/// An object of a backend (file, directory or symlink). Backends choose the
/// numbers; an id stays valid while the object exists (linked, or open).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u64);

/// What kind of object a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// A directory.
    Directory,
    /// A regular file.
    File,
    /// A symbolic link.
    Symlink,
}

/// The metadata of a node.
#[derive(Clone, Copy, Debug)]
pub struct NodeStat {
    /// The kind of object.
    pub kind: NodeKind,
    /// A number identifying the object within its backend (like an inode
    /// number); `is-same-object` and `metadata-hash` use it.
    pub ino: u64,
    /// The number of directory entries naming the object (a directory
    /// counts its entry, its `.` and each subdirectory's `..`).
    pub nlink: u64,
    /// Size in bytes (a symlink: its target's length; a directory: 0 or
    /// what the backend chooses).
    pub size: u64,
    /// Last data access.
    pub atime: Datetime,
    /// Last data modification.
    pub mtime: Datetime,
    /// Last status change.
    pub ctime: Datetime,
}

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VEntry {
    /// The entry's name (never `.` or `..`).
    pub name: String,
    /// The kind of object it names.
    pub kind: NodeKind,
}

/// A new time for `set-times`: leave it, or set it.
#[derive(Clone, Copy, Debug)]
pub enum SetTime {
    /// Leave the time as it is.
    Keep,
    /// Set it to this time (the descriptor layer turns `now` into the
    /// context's wall-clock reading).
    To(Datetime),
}

/// A virtual filesystem: implement this to serve a guest from the
/// embedder's own store, then mount it with
/// [`crate::WasiCtxBuilder::mount`] (as [`crate::filesystem::vfs::Mount::custom`]).
///
/// `now` arguments carry the context's wall-clock time, for the
/// timestamps a change sets. Names passed in are single components: never
/// empty, never `.` or `..`, never containing `/` or NUL.
pub trait FsBackend: Send + Sync + 'static {
    /// The root directory of the backend.
    fn root(&self) -> NodeId;

    /// The node named `name` in directory `dir`: `no-entry` if there is
    /// none, `not-directory` if `dir` is not a directory.
    fn lookup(&self, dir: NodeId, name: &str) -> VfsResult<NodeId>;

    /// The metadata of a node.
    fn stat(&self, node: NodeId) -> VfsResult<NodeStat>;

    /// The kind of a node (what path resolution asks at every step; the
    /// default asks [`stat`](Self::stat)).
    fn kind(&self, node: NodeId) -> VfsResult<NodeKind> {
        Ok(self.stat(node)?.kind)
    }

    /// The target of a symlink (`invalid` for any other node).
    fn read_link(&self, node: NodeId) -> VfsResult<String>;

    /// Reads up to `buf.len()` bytes of a file at `offset`; 0 at the end.
    fn read_at(&self, node: NodeId, buf: &mut [u8], offset: u64) -> VfsResult<usize>;

    /// Up to `max` entries of directory `dir` in the backend's order,
    /// starting after the entry named `after` (from the start for
    /// `None`). A listing resumed after a name that was removed meanwhile
    /// continues after the place that name had.
    fn list(&self, dir: NodeId, after: Option<&str>, max: usize) -> VfsResult<Vec<VEntry>>;

    /// Writes `data` to a file at `offset` (growing it with zeros when
    /// `offset` is past its end), returning how many bytes were taken:
    /// fewer than `data.len()` only when the backend is full (then the
    /// next write fails with `insufficient-space`).
    fn write_at(
        &self,
        _node: NodeId,
        _data: &[u8],
        _offset: u64,
        _now: Datetime,
    ) -> VfsResult<usize> {
        Err(ErrorCode::Unsupported)
    }

    /// Appends `data` at the end of a file, whatever its size is then;
    /// returns the bytes taken, as [`write_at`](Self::write_at).
    fn append(&self, _node: NodeId, _data: &[u8], _now: Datetime) -> VfsResult<usize> {
        Err(ErrorCode::Unsupported)
    }

    /// Sets the size of a file, cutting it or growing it with zeros.
    fn set_size(&self, _node: NodeId, _size: u64, _now: Datetime) -> VfsResult<()> {
        Err(ErrorCode::Unsupported)
    }

    /// Sets the access and modification times of a node.
    fn set_times(
        &self,
        _node: NodeId,
        _atime: SetTime,
        _mtime: SetTime,
        _now: Datetime,
    ) -> VfsResult<()> {
        Err(ErrorCode::Unsupported)
    }

    /// Creates an empty file `name` in `dir`, or, unless `exclusive`,
    /// returns the file already there (`exist` when `exclusive`).
    fn create_file(
        &self,
        _dir: NodeId,
        _name: &str,
        _exclusive: bool,
        _now: Datetime,
    ) -> VfsResult<NodeId> {
        Err(ErrorCode::Unsupported)
    }

    /// Creates an empty directory `name` in `dir` (`exist` if taken).
    fn create_dir(&self, _dir: NodeId, _name: &str, _now: Datetime) -> VfsResult<()> {
        Err(ErrorCode::Unsupported)
    }

    /// Creates a symlink `name` in `dir` pointing at `target` (`exist` if
    /// taken).
    fn symlink(&self, _dir: NodeId, _name: &str, _target: &str, _now: Datetime) -> VfsResult<()> {
        Err(ErrorCode::Unsupported)
    }

    /// Removes the entry `name` of `dir`, which must not be a directory
    /// (`is-directory`). An object that is still open stays readable.
    fn unlink(&self, _dir: NodeId, _name: &str, _now: Datetime) -> VfsResult<()> {
        Err(ErrorCode::Unsupported)
    }

    /// Removes the empty directory `name` of `dir` (`not-empty`,
    /// `not-directory`).
    fn remove_dir(&self, _dir: NodeId, _name: &str, _now: Datetime) -> VfsResult<()> {
        Err(ErrorCode::Unsupported)
    }

    /// Renames `dir/name` to `new_dir/new_name` with POSIX `rename`
    /// semantics (replacing a file, or an empty directory, at the new
    /// name; `invalid` when moving a directory beneath itself).
    fn rename(
        &self,
        _dir: NodeId,
        _name: &str,
        _new_dir: NodeId,
        _new_name: &str,
        _now: Datetime,
    ) -> VfsResult<()> {
        Err(ErrorCode::Unsupported)
    }

    /// Adds the name `new_dir/new_name` for `node` (a hard link; `exist` if
    /// taken; directories cannot be linked: `not-permitted`).
    fn link(
        &self,
        _node: NodeId,
        _new_dir: NodeId,
        _new_name: &str,
        _now: Datetime,
    ) -> VfsResult<()> {
        Err(ErrorCode::Unsupported)
    }

    /// Makes the changes of a node durable (nothing to do in memory).
    fn sync(&self, _node: NodeId) -> VfsResult<()> {
        Ok(())
    }

    /// How many more bytes the backend can store, if it is bounded: file
    /// streams grant no more than this (plus what overwrites existing
    /// bytes) in `check-write`.
    fn space_left(&self) -> Option<u64> {
        None
    }

    /// Whether every change is refused (`read-only`): opening a file for
    /// writing is then refused before the backend is asked to write.
    fn read_only(&self) -> bool {
        false
    }

    /// A descriptor on `node` was opened: the object must stay readable
    /// (and its id valid) until the matching [`close`](Self::close), even
    /// if its last name is removed.
    fn open(&self, _node: NodeId) {}

    /// A descriptor opened with [`open`](Self::open) was closed.
    fn close(&self, _node: NodeId) {}
}
