//! Virtual filesystems: backends other than a host directory, mounted at a
//! guest path beside the preopened host directories.
//!
//! * [`FsBackend`] (`backend.rs`) is the trait a backend implements: single
//!   steps on nodes (look up a name, read or write bytes, list, create,
//!   remove, rename, link, symlink, set size and times);
//! * `resolve.rs` is the one path resolver every virtual backend shares, so
//!   `.`, `..`, symlinks, loops and trailing slashes behave alike and no
//!   path leaves its mount;
//! * `descriptor.rs` gives virtual descriptors the `wasi:filesystem`
//!   semantics of the host backend (permissions, open flags, error codes),
//!   with `stream.rs` and `readdir.rs`;
//! * the built-in backends: [`MemoryFs`] (`memory.rs`), [`ReadOnly`]
//!   (`readonly.rs`), [`SingleFile`] (`single.rs`) and [`Overlay`]
//!   (`overlay.rs`, a read-only host directory, `host_lower.rs`, looked
//!   into lazily under an in-memory layer, `overlay_fs.rs`); `mount.rs`
//!   holds [`Mount`], the enum through which built-in backends are
//!   dispatched without a virtual call (only the embedder's own backend is
//!   behind `dyn`).
//!
//! The host backend (`preopened_dir`) is not behind this trait: its
//! descriptors are variants of their own in
//! [`crate::filesystem::Descriptor`], so its calls are exactly what they
//! were. Mount a backend with [`crate::WasiCtxBuilder::mount`].

mod backend;
mod descriptor;
mod host_lower;
mod memory;
mod mount;
mod overlay;
mod overlay_fs;
mod readdir;
mod readonly;
mod resolve;
mod single;
mod stream;

pub use backend::{ErrorCode, FsBackend, NodeId, NodeKind, NodeStat, SetTime, VEntry, VfsResult};
pub use descriptor::{VirtualDir, VirtualFile};
pub use memory::{DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, MemoryFs};
pub use mount::Mount;
pub use overlay::{Change, Overlay};
pub use readdir::VirtualListing;
pub use readonly::ReadOnly;
pub use resolve::MAX_SYMLINKS;
pub use single::SingleFile;
pub use stream::{VirtualInputStream, VirtualOutputStream};

pub(crate) use mount::{MountState, SharedWallClock};

use crate::filesystem::{DirPerms, FilePerms};
use std::sync::Arc;

/// A backend mounted at a guest path, as the builder holds it.
pub(crate) struct VirtualPreopen {
    pub(crate) state: Arc<MountState>,
    pub(crate) dir: VirtualDir,
    pub(crate) guest_path: String,
}

impl VirtualPreopen {
    pub(crate) fn new(
        mount: Mount,
        guest_path: &str,
        perms: DirPerms,
        file_perms: FilePerms,
    ) -> Self {
        let state = MountState::new(mount);
        let dir = VirtualDir::root(&state, perms, file_perms);
        VirtualPreopen {
            state,
            dir,
            guest_path: guest_path.to_owned(),
        }
    }
}
