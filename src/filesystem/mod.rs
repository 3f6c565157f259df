//! `wasi:filesystem`: preopened directories and descriptors, resolved with
//! cap-std so that every path stays inside the directory it was given.

use crate::TrappableError;
use crate::bindings::filesystem::types::ErrorCode;
use std::path::Path;
use std::sync::Arc;

bitflags::bitflags! {
    /// What a guest may do with the directories of a preopen.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct DirPerms: usize {
        /// List, stat and open entries.
        const READ = 0b1;
        /// Create, rename, link, symlink, unlink and remove entries.
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

/// A filesystem error: a spec `error-code` for the guest, or a trap.
pub type FsError = TrappableError<ErrorCode>;

/// The result of a filesystem operation.
pub type FsResult<T> = Result<T, FsError>;

impl From<wasmtime::component::ResourceTableError> for FsError {
    fn from(err: wasmtime::component::ResourceTableError) -> Self {
        FsError::trap(err)
    }
}

/// An open directory of the guest, with the permissions it carries.
#[derive(Clone)]
pub struct Dir {
    pub(crate) dir: Arc<cap_std::fs::Dir>,
    pub(crate) perms: DirPerms,
    pub(crate) file_perms: FilePerms,
    pub(crate) allow_blocking_current_thread: bool,
}

/// The host side of `wasi:filesystem/types.descriptor`.
pub enum Descriptor {
    /// A directory.
    Dir(Dir),
}

/// The host side of `wasi:filesystem/types.directory-entry-stream`.
pub struct ReaddirStream;

/// A directory granted by the builder, with its guest path.
pub(crate) struct Preopen {
    pub(crate) dir: Dir,
    pub(crate) guest_path: String,
}

impl Preopen {
    /// Opens `host_path` as a directory.
    pub(crate) fn open(
        host_path: &Path,
        guest_path: &str,
        perms: DirPerms,
        file_perms: FilePerms,
        allow_blocking_current_thread: bool,
    ) -> wasmtime::Result<Self> {
        let dir = cap_std::fs::Dir::open_ambient_dir(host_path, cap_std::ambient_authority())
            .map_err(|e| {
                wasmtime::format_err!("failed to open directory {}: {e}", host_path.display())
            })?;
        Ok(Preopen {
            dir: Dir {
                dir: Arc::new(dir),
                perms,
                file_perms,
                allow_blocking_current_thread,
            },
            guest_path: guest_path.to_owned(),
        })
    }
}
