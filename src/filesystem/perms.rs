//! What a guest may do with a preopen, and the checks every operation makes.
//!
//! Permissions are set per preopen by the embedder and inherited by every
//! descriptor opened beneath it (see [`super::Dir`] on `mutate-directory`);
//! files opened beneath a directory without MUTATE cannot be written.
//!
//! Every operation checks, in this order:
//!
//! 1. the preopen's permissions: anything they refuse (missing READ, MUTATE
//!    or file WRITE) fails with `not-permitted` (preview 1: `EPERM`), as
//!    other WASI runtimes and their test suites report it;
//! 2. the descriptor's own open mode: writing through a descriptor opened
//!    for reading is `bad-descriptor` (POSIX `EBADF`), `set-size` on it is
//!    `invalid` (as `ftruncate` on a read-only fd);
//! 3. the host call. `read-only` is only what the host itself refuses
//!    (`EROFS`).

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

/// `Ok` if the preopen's `granted` holds `needed`, `not-permitted`
/// otherwise.
pub(crate) fn require_dir(granted: DirPerms, needed: DirPerms) -> FsResult<()> {
    if granted.contains(needed) {
        Ok(())
    } else {
        Err(ErrorCode::NotPermitted.into())
    }
}

/// `Ok` if the preopen's `granted` holds `needed`, `not-permitted`
/// otherwise.
pub(crate) fn require_file(granted: FilePerms, needed: FilePerms) -> FsResult<()> {
    if granted.contains(needed) {
        Ok(())
    } else {
        Err(ErrorCode::NotPermitted.into())
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
