//! `directory-entry-stream`: a listing in progress, one variant per
//! backend (the host directory's, `host/readdir.rs`; a virtual
//! directory's, `vfs/readdir.rs`). Each lists lazily, in batches.

use super::FsResult;
use super::host::HostListing;
use super::types::DirectoryEntry;
use crate::filesystem::vfs::VirtualListing;

/// A listing together with the inode numbers of the directory itself and
/// of its parent: what a listing that reports `.` and `..` (preview 1's
/// `fd_readdir`) starts from.
pub struct DotsListing {
    /// The directory's own inode number (`.`).
    pub here: u64,
    /// Its parent's inode number (`..`); the directory's own where the
    /// parent cannot be reached (the root of a mount).
    pub parent: u64,
    /// The listing of the other entries.
    pub stream: ReaddirStream,
}

/// The host side of `wasi:filesystem/types.directory-entry-stream`: the
/// listing of the backend that `read-directory` was asked of.
pub enum ReaddirStream {
    /// A host directory's listing.
    Host(HostListing),
    /// A virtual directory's listing.
    Virtual(VirtualListing),
}

impl ReaddirStream {
    /// `read-directory-entry`: the next entry, `None` at the end. An entry
    /// whose name is not UTF-8 is reported as `illegal-byte-sequence`; the
    /// listing continues after it.
    pub async fn next(&mut self) -> FsResult<Option<DirectoryEntry>> {
        match self {
            ReaddirStream::Host(listing) => listing.next_entry().await,
            ReaddirStream::Virtual(listing) => listing.next_entry(),
        }
    }

    /// [`ReaddirStream::next`] when the answer is at hand (a host
    /// listing's batch already read, a virtual listing always), without
    /// building a future; `None` when the caller has to await `next`. The
    /// per-entry path of a listing's consumer (preview 1's `fd_readdir`)
    /// takes this, so the batch's blocking call is the only await.
    pub fn next_now(&mut self) -> Option<FsResult<Option<DirectoryEntry>>> {
        match self {
            ReaddirStream::Host(listing) => listing.next_buffered(),
            ReaddirStream::Virtual(listing) => Some(listing.next_entry()),
        }
    }
}
