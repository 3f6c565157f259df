//! `wasi:filesystem`: preopened directories and descriptors, resolved with
//! cap-std so that every path stays inside the directory it was given.
//!
//! Layout:
//!
//! * backend types: [`Descriptor`] (a [`Dir`] or a [`File`]), their
//!   operations (`dir.rs`, `file.rs`), permissions (`perms.rs`), path checks
//!   (`path.rs`), metadata conversion (`stat.rs`), file streams
//!   (`stream.rs`), directory listing (`readdir.rs`), the host descriptor
//!   budget of a context (`budget.rs`) and the single mapping
//!   of host errors to spec error codes (`error.rs`);
//! * the generated `Host` traits live with the 0.2 front-end
//!   (`crate::p2`, `src/p2/filesystem/`).

#[macro_use]
mod dispatch;
pub(crate) use dispatch::{on_any, on_dir, on_dir_pair, on_file};
mod budget;
mod dir;
mod error;
mod file;
mod order;
mod path;
mod perms;
mod readdir;
mod stat;
mod stream;
#[cfg(test)]
mod tests;

pub use budget::{DEFAULT_MAX_OPEN_FILES, FdBudget, OUT_OF_DESCRIPTORS};
pub use dir::Dir;
pub use error::io_error_code;
pub(crate) use error::stream_error_code;
pub use file::File;
pub use perms::{DirPerms, FilePerms};
pub use readdir::ReaddirStream;
pub use stream::{FileInputStream, FileOutputStream, MAX_WRITE};

// What the virtual backends (`crate::vfs`) share with the host backend.
pub(crate) use path::{check as path_check, follows as path_follows, refuse_link_follow};
pub(crate) use perms::{OpenRequest, require_dir, require_file, require_mode};
pub(crate) use stat::hash_parts;

use crate::TrappableError;
use crate::bindings::filesystem::types::ErrorCode;

/// A filesystem error: a spec `error-code` for the guest, or a trap.
pub type FsError = TrappableError<ErrorCode>;

/// The result of a filesystem operation.
pub type FsResult<T> = Result<T, FsError>;

impl From<wasmtime::component::ResourceTableError> for FsError {
    fn from(err: wasmtime::component::ResourceTableError) -> Self {
        FsError::trap(err)
    }
}

/// The most bytes one `descriptor.read` returns: a guest asking for more
/// gets a short read, never a larger allocation.
pub const MAX_READ: usize = 4 << 20;

/// The host side of `wasi:filesystem/types.descriptor`: an open directory
/// or an open file (anything that is not a directory), of a host preopen
/// or of a virtual mount ([`crate::vfs`]). Cloning shares the underlying
/// handle. The variants are the dispatch between backends: host
/// descriptors are matched directly, with no virtual call.
#[derive(Clone)]
pub enum Descriptor {
    /// A host directory.
    Dir(Dir),
    /// A host file, or another non-directory object (device, fifo, ...).
    File(File),
    /// A directory of a virtual mount.
    VirtualDir(crate::vfs::VirtualDir),
    /// A file of a virtual mount.
    VirtualFile(crate::vfs::VirtualFile),
}

impl Descriptor {
    /// The host directory; `not-directory` for a file, `cross-device`
    /// for a virtual directory (the host call needing a host directory
    /// is one between two mounts).
    pub fn dir(&self) -> FsResult<&Dir> {
        match self {
            Descriptor::Dir(d) => Ok(d),
            Descriptor::VirtualDir(_) => Err(ErrorCode::CrossDevice.into()),
            Descriptor::File(_) | Descriptor::VirtualFile(_) => Err(ErrorCode::NotDirectory.into()),
        }
    }

    /// The host file, or `is-directory`.
    pub fn file(&self) -> FsResult<&File> {
        match self {
            Descriptor::File(f) => Ok(f),
            Descriptor::VirtualFile(_) => Err(ErrorCode::Unsupported.into()),
            Descriptor::Dir(_) | Descriptor::VirtualDir(_) => Err(ErrorCode::IsDirectory.into()),
        }
    }

    /// Whether blocking work for this descriptor runs on the calling thread.
    pub(crate) fn allow_blocking(&self) -> bool {
        match self {
            Descriptor::Dir(d) => d.allow_blocking_current_thread,
            Descriptor::File(f) => f.allow_blocking_current_thread,
            Descriptor::VirtualDir(_) | Descriptor::VirtualFile(_) => true,
        }
    }
}
