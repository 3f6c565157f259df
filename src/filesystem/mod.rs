//! `wasi:filesystem`, version-neutral: the descriptors every front-end
//! hands to its guests and the two kinds of backend behind them.
//!
//! * The core (this folder): the vocabulary every backend and front-end
//!   speaks (`types.rs`: [`ErrorCode`], [`DescriptorType`], the flags
//!   [`DescriptorFlags`], [`PathFlags`] and [`OpenFlags`],
//!   [`DescriptorStat`], [`NewTimestamp`], [`Advice`], [`DirectoryEntry`],
//!   [`MetadataHashValue`]; times are [`crate::clocks::Datetime`]s), the
//!   error of an operation ([`FsError`], here); [`Descriptor`], the enum
//!   that dispatches to a backend without a virtual call (`dispatch.rs`);
//!   the operations every descriptor answers, [`DirectoryOps`] and
//!   [`FileOps`] (`ops.rs`), and each spec call made on a [`Descriptor`]
//!   whatever its backend, for the component front-ends (`calls.rs`);
//!   permissions and the open-at rules
//!   (`perms.rs`), path checks (`path.rs`), metadata (`stat.rs`), the
//!   listing enum, one variant per backend (`readdir.rs`), the host
//!   descriptor budget of a context (`budget.rs`), the single mapping of
//!   host errors to error codes (`error.rs`), and a context's mount table
//!   (`mounts.rs`).
//! * `host/`: the host backend, cap-std handles whose paths the kernel
//!   resolves inside their preopen ([`Dir`], [`File`] in `dir.rs` and
//!   `file.rs`, their streams in `stream.rs`, the order of a file's
//!   background work in `order.rs`, a directory's listing,
//!   [`HostListing`], in `readdir.rs`).
//! * `vfs/`: the virtual backends ([`vfs`]), served by one resolver.
//!
//! These types are the crate's own, not those generated for any WASI
//! version: nothing here names a binding. The front-ends (`crate::p2`,
//! `crate::p3`, `crate::p1`) convert to and from them (the 0.2 front-end in
//! `p2/filesystem/convert.rs`, preview 1 in `p1/error.rs` and where it
//! builds its records) and call the core only; the two backends never call
//! each other.

#[macro_use]
pub(crate) mod dispatch;
mod budget;
mod calls;
mod ctx;
mod error;
mod host;
mod mounts;
mod ops;
mod path;
mod perms;
mod readdir;
mod stat;
#[cfg(test)]
mod tests;
mod types;
pub mod vfs;

pub use budget::{DEFAULT_MAX_OPEN_FILES, FdBudget, OUT_OF_DESCRIPTORS};
pub use ctx::{WasiFilesystem, WasiFilesystemCtx, WasiFilesystemCtxView, WasiFilesystemView};
pub use error::io_error_code;
pub(crate) use error::stream_error_code;
pub use host::{Dir, File, FileInputStream, FileOutputStream, HostListing};
pub(crate) use mounts::{HostSettings, MountPoint, MountRoot};
pub use ops::{DirectoryOps, FileOps};
pub use perms::{DirPerms, FilePerms, FsPerms};
pub use readdir::{DotsListing, ReaddirStream};
pub use types::{
    Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};

// What the backends share.
pub(crate) use path::{
    check as path_check, check_symlink_target, follows as path_follows, refuse_link_follow,
};
pub(crate) use perms::{OpenRequest, require_dir, require_file, require_mode};
pub(crate) use stat::identity_hash;

use crate::TrappableError;

/// A filesystem error: an [`ErrorCode`] for the guest, or a trap.
pub type FsError = TrappableError<ErrorCode>;

/// The result of a filesystem operation.
pub type FsResult<T> = Result<T, FsError>;

impl From<wasmtime::component::ResourceTableError> for FsError {
    fn from(err: wasmtime::component::ResourceTableError) -> Self {
        FsError::trap(err)
    }
}

/// The most bytes one write to a file may carry, in every backend: the
/// permit a file stream's `check-write` grants, and what one preview 1
/// `fd_write` to a virtual file takes.
pub const MAX_WRITE: usize = 1 << 20;

/// The most bytes one `descriptor.read` returns: a guest asking for more
/// gets a short read, never a larger allocation.
pub const MAX_READ: usize = 4 << 20;

/// The permissions of an open descriptor.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Access {
    /// A directory: what its mount allows on directories, and on the files
    /// opened beneath it.
    Dir {
        perms: DirPerms,
        file_perms: FilePerms,
    },
    /// A file: what its mount allows on files, and what it was opened for.
    File { perms: FilePerms, mode: FilePerms },
}

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
    VirtualDir(crate::filesystem::vfs::VirtualDir),
    /// A file of a virtual mount.
    VirtualFile(crate::filesystem::vfs::VirtualFile),
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

    /// Whether this is a directory (of any backend).
    pub fn is_directory(&self) -> bool {
        matches!(self, Descriptor::Dir(_) | Descriptor::VirtualDir(_))
    }

    /// What the descriptor may do, as its backend checks it (the one input
    /// of the rights preview 1 reports).
    pub(crate) fn access(&self) -> Access {
        match self {
            Descriptor::Dir(d) => Access::Dir {
                perms: d.perms,
                file_perms: d.file_perms,
            },
            Descriptor::VirtualDir(d) => Access::Dir {
                perms: d.perms,
                file_perms: d.file_perms,
            },
            Descriptor::File(f) => Access::File {
                perms: f.perms,
                mode: f.mode,
            },
            Descriptor::VirtualFile(f) => Access::File {
                perms: f.perms,
                mode: f.mode,
            },
        }
    }

    /// How blocking work for this descriptor runs; `None` for a virtual
    /// one, whose work never blocks.
    pub(crate) fn blocking(&self) -> Option<&host::Blocking> {
        match self {
            Descriptor::Dir(d) => Some(&d.blocking),
            Descriptor::File(f) => Some(&f.blocking),
            Descriptor::VirtualDir(_) | Descriptor::VirtualFile(_) => None,
        }
    }
}
