//! The descriptor operations of `wasi:filesystem`, as two traits every
//! backend's descriptors implement: [`DirectoryOps`] for an open directory,
//! [`FileOps`] for an open file.
//!
//! Two backends implement them:
//!
//! * the host directory ([`crate::filesystem::Dir`] and
//!   [`crate::filesystem::File`]): cap-std handles, whose paths the kernel
//!   resolves beneath the preopen in one call (`openat2` with
//!   `RESOLVE_BENEATH` where the kernel has it);
//! * every node backend ([`VirtualDir`](super::vfs::VirtualDir) and
//!   [`VirtualFile`](super::vfs::VirtualFile) over an [`FsBackend`](super::vfs::FsBackend):
//!   in-memory, overlay, read-only, single-file and the embedder's own),
//!   whose paths the crate's shared resolver walks one name at a time.
//!
//! [`crate::filesystem::Descriptor`] holds one variant per implementation
//! and the `wasi:filesystem` host calls these traits through a `match` on
//! it: static dispatch, no virtual call, no allocation added on the way, so
//! the host directory is exactly as fast as a direct call. Each method is
//! the spec's method of the same name, with the spec's error codes; the
//! permission checks (`DirPerms`, `FilePerms`, open modes) are the
//! implementation's, made before any I/O.
//!
//! Paths are owned `String`s because the host implementation moves them
//! into its blocking closure; the node backends only borrow them.

use crate::filesystem::{
    Advice, Descriptor, DescriptorFlags, DescriptorStat, DescriptorType, DotsListing, FsResult,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags, ReaddirStream,
};
use crate::io::{HostInputStream, HostOutputStream};

/// The operations of an open directory (`wasi:filesystem/types.descriptor`
/// on a directory). `link_at` and `rename_at` take a second directory of
/// the same implementation; a pair of different implementations is
/// `cross-device` before either is asked.
#[allow(async_fn_in_trait)] // called on concrete types only, so `Send` is known
pub trait DirectoryOps: Clone + Send + Sync + 'static {
    /// `get-flags`: what the directory's permissions allow.
    fn get_flags(&self) -> DescriptorFlags;
    /// `stat` of the directory itself.
    async fn stat(&self) -> FsResult<DescriptorStat>;
    /// `metadata-hash` of the directory itself.
    async fn metadata_hash(&self) -> FsResult<MetadataHashValue>;
    /// `set-times` of the directory itself (needs MUTATE).
    async fn set_times(&self, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()>;
    /// `sync` / `sync-data`: makes the directory's entries durable.
    async fn sync(&self) -> FsResult<()>;
    /// `stat-at`.
    async fn stat_at(&self, flags: PathFlags, path: String) -> FsResult<DescriptorStat>;
    /// `metadata-hash-at`.
    async fn metadata_hash_at(&self, flags: PathFlags, path: String)
    -> FsResult<MetadataHashValue>;
    /// `set-times-at` (needs MUTATE).
    async fn set_times_at(
        &self,
        flags: PathFlags,
        path: String,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()>;
    /// `create-directory-at` (needs MUTATE).
    async fn create_directory_at(&self, path: String) -> FsResult<()>;
    /// `remove-directory-at` (needs MUTATE).
    async fn remove_directory_at(&self, path: String) -> FsResult<()>;
    /// `unlink-file-at` (needs MUTATE).
    async fn unlink_file_at(&self, path: String) -> FsResult<()>;
    /// `readlink-at`.
    async fn readlink_at(&self, path: String) -> FsResult<String>;
    /// `symlink-at` (needs MUTATE; an absolute target is `not-permitted`).
    async fn symlink_at(&self, target: String, path: String) -> FsResult<()>;
    /// `link-at` to `new` (both need MUTATE; different mounts are
    /// `cross-device`).
    async fn link_at(
        &self,
        old_flags: PathFlags,
        old_path: String,
        new: &Self,
        new_path: String,
    ) -> FsResult<()>;
    /// `rename-at` to `new` (both need MUTATE; different mounts are
    /// `cross-device`).
    async fn rename_at(&self, old_path: String, new: &Self, new_path: String) -> FsResult<()>;
    /// `read-directory`.
    async fn read_directory(&self) -> FsResult<ReaddirStream>;
    /// `read-directory` with the inode numbers of `.` and `..` (the
    /// directory's own where its parent is out of reach), for a listing
    /// that reports them. The host backend does it all in one blocking
    /// call; by default it is `stat`, `stat-at("..")` and `read-directory`.
    async fn read_directory_with_dots(&self) -> FsResult<DotsListing> {
        let here = self.stat().await?.ino;
        let parent = self
            .stat_at(PathFlags::empty(), "..".into())
            .await
            .map_or(here, |s| s.ino);
        let stream = self.read_directory().await?;
        Ok(DotsListing {
            here,
            parent,
            stream,
        })
    }
    /// `open-at`: a new descriptor of the same implementation.
    async fn open_at(
        &self,
        path_flags: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Descriptor>;
}

/// The operations of an open file (`wasi:filesystem/types.descriptor` on
/// anything that is not a directory).
#[allow(async_fn_in_trait)] // called on concrete types only, so `Send` is known
pub trait FileOps: Clone + Send + Sync + 'static {
    /// The stream `read-via-stream` gives.
    type Input: HostInputStream;
    /// The stream `write-via-stream` and `append-via-stream` give.
    type Output: HostOutputStream;

    /// `get-flags`: the flags the file was opened with.
    fn get_flags(&self) -> DescriptorFlags;
    /// `get-type`.
    async fn get_type(&self) -> FsResult<DescriptorType>;
    /// `stat`.
    async fn stat(&self) -> FsResult<DescriptorStat>;
    /// `metadata-hash`.
    async fn metadata_hash(&self) -> FsResult<MetadataHashValue>;
    /// `advise` (a hint; backends without a page cache ignore it).
    async fn advise(&self, offset: u64, len: u64, advice: Advice) -> FsResult<()>;
    /// `sync-data`.
    async fn sync_data(&self) -> FsResult<()>;
    /// `sync`.
    async fn sync(&self) -> FsResult<()>;
    /// `set-size` (needs the file WRITE permission and a descriptor opened
    /// for writing).
    async fn set_size(&self, size: u64) -> FsResult<()>;
    /// `set-times` (needs the file WRITE permission).
    async fn set_times(&self, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()>;
    /// `read`: at most [`crate::filesystem::MAX_READ`] bytes from
    /// `offset`, and whether the end of the file was reached.
    async fn read(&self, len: u64, offset: u64) -> FsResult<(Vec<u8>, bool)>;
    /// `write`: `buf` at `offset`; a short count when the backend is full
    /// (the error comes with the next write, as POSIX `write` does).
    async fn write(&self, buf: Vec<u8>, offset: u64) -> FsResult<u64>;
    /// Writes `buf` at the end of the file, in one step no other write of
    /// the file comes between (`O_APPEND`); the count written, short as for
    /// [`FileOps::write`]. Needs what `write` needs.
    async fn append(&self, buf: Vec<u8>) -> FsResult<u64>;
    /// Reads at `offset` straight into `bufs`, in order, on the calling
    /// thread, if this backend can without waiting for a thread pool (a
    /// host file where blocking is allowed, a node backend always):
    /// `Some(count)`, short at the end of the file. `None` sends the caller
    /// to [`FileOps::read`]. Needs what `read` needs. This is the hook of
    /// the vectored paths (preview 1's `fd_read`), which then copy no byte
    /// through a buffer of their own.
    fn read_vectored_now(
        &self,
        bufs: &mut [std::io::IoSliceMut<'_>],
        offset: u64,
    ) -> Option<FsResult<usize>> {
        let _ = (bufs, offset);
        None
    }
    /// Writes `bufs`, in order, at `offset` (at the end as by
    /// [`FileOps::append`] when `None`), on the calling thread, as
    /// [`FileOps::read_vectored_now`] reads: `Some(count)`, or `None` to
    /// send the caller to [`FileOps::write`] / [`FileOps::append`].
    fn write_vectored_now(
        &self,
        bufs: &[std::io::IoSlice<'_>],
        offset: Option<u64>,
    ) -> Option<FsResult<usize>> {
        let _ = (bufs, offset);
        None
    }
    /// `read-via-stream` (needs a descriptor opened for reading).
    fn read_via_stream(&self, offset: u64) -> FsResult<Self::Input>;
    /// `write-via-stream` (needs a descriptor opened for writing).
    fn write_via_stream(&self, offset: u64) -> FsResult<Self::Output>;
    /// `append-via-stream` (needs a descriptor opened for writing).
    fn append_via_stream(&self) -> FsResult<Self::Output>;
}
