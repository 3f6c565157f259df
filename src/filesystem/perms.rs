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
use crate::filesystem::{DescriptorFlags, ErrorCode, OpenFlags};

/// What a guest may do beneath a preopened host directory, in the two
/// grades [`crate::WasiCtxBuilder::preopened_dir`] takes; the finer
/// [`DirPerms`] and [`FilePerms`] go with
/// [`crate::WasiCtxBuilder::mount`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FsPerms {
    /// Read and list; nothing changes.
    ReadOnly,
    /// Everything: read, list, create, change and remove.
    ReadWrite,
}

impl FsPerms {
    /// `true` for [`FsPerms::ReadOnly`].
    pub fn write_not_permitted(&self) -> bool {
        matches!(self, FsPerms::ReadOnly)
    }

    /// The permissions of the directories and of the files.
    pub fn dir_and_file_perms(self) -> (DirPerms, FilePerms) {
        match self {
            FsPerms::ReadOnly => (DirPerms::READ, FilePerms::READ),
            FsPerms::ReadWrite => (DirPerms::all(), FilePerms::all()),
        }
    }
}

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

/// An `open-at` request, checked against a directory's permissions: what
/// was asked, and the open mode the descriptor gets beyond it. One set of
/// rules for every backend (host and virtual).
#[derive(Clone, Copy)]
pub(crate) struct OpenRequest {
    pub(crate) create: bool,
    pub(crate) truncate: bool,
    pub(crate) exclusive: bool,
    pub(crate) directory: bool,
    pub(crate) read: bool,
    pub(crate) write: bool,
    /// Neither `read` nor `write` opens for reading (POSIX `O_RDONLY` is 0),
    /// where the files may be read.
    pub(crate) implied_read: bool,
    /// `create` or `truncate` open for writing too, where files may be
    /// written.
    pub(crate) implied_write: bool,
}

impl OpenRequest {
    /// Checks `oflags` and `flags` against the directory's `perms` and its
    /// files' `file_perms`: `create`, `truncate`, `write` and
    /// `mutate-directory` need MUTATE; `write` and `truncate` need file
    /// WRITE; `read` with `create` needs file READ (all `not-permitted`);
    /// `directory` with `create` is `invalid`. `writable` is false for a
    /// backend that refuses every change whatever the permissions say (it
    /// implies no write mode).
    pub(crate) fn check(
        perms: DirPerms,
        file_perms: FilePerms,
        oflags: OpenFlags,
        flags: DescriptorFlags,
        writable: bool,
    ) -> FsResult<OpenRequest> {
        let create = oflags.contains(OpenFlags::CREATE);
        let truncate = oflags.contains(OpenFlags::TRUNCATE);
        let directory = oflags.contains(OpenFlags::DIRECTORY);
        let read = flags.contains(DescriptorFlags::READ);
        let write = flags.contains(DescriptorFlags::WRITE);
        if create || truncate || write || flags.contains(DescriptorFlags::MUTATE_DIRECTORY) {
            require_dir(perms, DirPerms::MUTATE)?;
        }
        if write || truncate {
            require_file(file_perms, FilePerms::WRITE)?;
        }
        if read && create {
            require_file(file_perms, FilePerms::READ)?;
        }
        // Synchronized I/O is not offered: `unsupported`, as wasmtime
        // answers and programs written against it check (DESIGN.md).
        if flags.intersects(
            DescriptorFlags::FILE_INTEGRITY_SYNC
                | DescriptorFlags::DATA_INTEGRITY_SYNC
                | DescriptorFlags::REQUESTED_WRITE_SYNC,
        ) {
            return Err(ErrorCode::Unsupported.into());
        }
        if directory && create {
            return Err(ErrorCode::Invalid.into());
        }
        Ok(OpenRequest {
            create,
            truncate,
            exclusive: oflags.contains(OpenFlags::EXCLUSIVE),
            directory,
            read,
            write,
            implied_read: !read && !write && file_perms.contains(FilePerms::READ),
            implied_write: !write
                && writable
                && (create || truncate)
                && perms.contains(DirPerms::MUTATE)
                && file_perms.contains(FilePerms::WRITE),
        })
    }
}

/// What the descriptor of an opened file carries.
pub(crate) struct Opened {
    /// What it was opened for.
    pub(crate) mode: FilePerms,
    /// The flags `get-flags` reports.
    pub(crate) flags: DescriptorFlags,
    /// The file permissions left to it: no WRITE through a directory
    /// without MUTATE, or on a backend that refuses every change.
    pub(crate) perms: FilePerms,
}

impl OpenRequest {
    /// The descriptor this request gives a file opened beneath a directory
    /// with `dir_perms` and `file_perms`; `implied_write` what the backend
    /// finally granted of
    /// [`implied_write`](Self::implied_write), and `writable` false for a
    /// backend that refuses every change.
    pub(crate) fn opened(
        &self,
        dir_perms: DirPerms,
        file_perms: FilePerms,
        implied_write: bool,
        writable: bool,
    ) -> Opened {
        let mut mode = FilePerms::empty();
        let mut reported = DescriptorFlags::empty();
        if self.read || self.implied_read {
            mode |= FilePerms::READ;
            reported |= DescriptorFlags::READ;
        }
        if self.write || implied_write {
            mode |= FilePerms::WRITE;
            reported |= DescriptorFlags::WRITE;
        }
        let mut perms = file_perms;
        if !dir_perms.contains(DirPerms::MUTATE) || !writable {
            perms.remove(FilePerms::WRITE);
        }
        Opened {
            mode,
            flags: reported,
            perms,
        }
    }
}
