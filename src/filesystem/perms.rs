//! What a guest may do with a preopen, and the checks every operation makes.
//!
//! Permissions are set per preopen by the embedder and inherited by every
//! descriptor opened beneath it (see [`super::Dir`] on `mutate-directory`);
//! files opened beneath a directory without MUTATE cannot be written.
//!
//! A refused change (missing MUTATE or file WRITE) fails with `read-only`,
//! the code the spec gives for changes through a descriptor without
//! `mutate-directory`; a refused read (missing READ) with `not-permitted`.
//! An operation that the descriptor's own open mode does not allow (writing
//! through a descriptor opened for reading) fails with `bad-descriptor`, as
//! in POSIX.

use super::FsResult;
use crate::bindings::filesystem::types::ErrorCode;

bitflags::bitflags! {
    /// What a guest may do with the directories of a preopen.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct DirPerms: usize {
        /// List, stat and open entries.
        const READ = 0b1;
        /// Create, rename, link, symlink, unlink and remove entries, and
        /// set the times of entries.
        const MUTATE = 0b10;
    }
}

bitflags::bitflags! {
    /// What a guest may do with the files of a preopen.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct FilePerms: usize {
        /// Read file contents.
        const READ = 0b1;
        /// Write file contents, size and times.
        const WRITE = 0b10;
    }
}

/// `Ok` if `granted` holds `needed`; `read-only` if MUTATE is missing,
/// `not-permitted` if READ is.
pub(crate) fn require_dir(granted: DirPerms, needed: DirPerms) -> FsResult<()> {
    let missing = needed - granted;
    if missing.is_empty() {
        Ok(())
    } else if missing.contains(DirPerms::READ) {
        Err(ErrorCode::NotPermitted.into())
    } else {
        Err(ErrorCode::ReadOnly.into())
    }
}

/// `Ok` if `granted` holds `needed`; `read-only` if WRITE is missing,
/// `not-permitted` if READ is.
pub(crate) fn require_file(granted: FilePerms, needed: FilePerms) -> FsResult<()> {
    let missing = needed - granted;
    if missing.is_empty() {
        Ok(())
    } else if missing.contains(FilePerms::READ) {
        Err(ErrorCode::NotPermitted.into())
    } else {
        Err(ErrorCode::ReadOnly.into())
    }
}

/// `Ok` if a descriptor opened with `mode` allows `needed`,
/// `bad-descriptor` otherwise (POSIX `EBADF`).
pub(crate) fn require_mode(mode: FilePerms, needed: FilePerms) -> FsResult<()> {
    if mode.contains(needed) {
        Ok(())
    } else {
        Err(ErrorCode::BadDescriptor.into())
    }
}
