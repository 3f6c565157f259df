//! Virtual filesystems: backends other than a host directory, mounted at a
//! guest path beside the preopened host directories.
//!
//! * [`FsBackend`] (`backend.rs`) is the trait a backend implements: single
//!   steps on nodes (look up a name, read or write bytes, list, create,
//!   remove, rename, link, symlink, set size and times), in the types of
//!   `backend.rs` ([`NodeId`], [`NodeKind`], [`NodeStat`], [`VEntry`],
//!   [`SetTime`]), the crate's filesystem [`ErrorCode`] ([`VfsResult`]) and
//!   the crate's [`Datetime`](crate::clocks::Datetime). All are the
//!   crate's own, so a backend never names a type generated for a WASI
//!   version;
//! * `resolve.rs` is the one path resolver every virtual backend shares, so
//!   `.`, `..`, symlinks, loops and trailing slashes behave alike and no
//!   path leaves its mount;
//! * `descriptor.rs` gives virtual descriptors ([`VirtualDir`],
//!   [`VirtualFile`]) the `wasi:filesystem` semantics of the host backend
//!   (permissions, open flags, error codes), with their streams
//!   (`stream.rs`) and listings (`readdir.rs`, [`VirtualListing`]);
//!   `descriptor_ops.rs` implements the core's [`DirectoryOps`] and
//!   [`FileOps`] for them;
//! * the built-in backends: [`MemoryFs`] (`memory.rs`), [`ReadOnly`]
//!   (`readonly.rs`), [`SingleFile`] (`single.rs`) and [`Overlay`]
//!   (`overlay.rs`, a read-only host directory, `host_lower.rs`, looked
//!   into lazily under an in-memory layer, `overlay_fs.rs`); `mount.rs`
//!   holds [`Mount`], the enum through which built-in backends are
//!   dispatched without a virtual call (only the embedder's own backend is
//!   behind `dyn`).
//!
//! Every descriptor, of a host directory or of a node backend, answers the
//! `wasi:filesystem` operations through [`DirectoryOps`] and [`FileOps`]
//! (`ops.rs`): the host directory implements them with cap-std (the kernel
//! resolving its paths), the node backends through the shared resolver
//! (`descriptor_ops.rs`). [`crate::filesystem::Descriptor`] is the enum
//! that dispatches between the two without a virtual call.
//!
//! Mount any backend, a host directory included ([`Mount::host_dir`]),
//! with [`crate::WasiCtxBuilder::mount`]; the core's `mounts.rs` holds a
//! context's mount table, in the order the builder added them.

mod backend;
mod descriptor;
mod descriptor_ops;
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

pub use crate::filesystem::{DirectoryOps, FileOps};
pub use backend::{ErrorCode, FsBackend, NodeId, NodeKind, NodeStat, SetTime, VEntry, VfsResult};
pub use descriptor::{VirtualDir, VirtualFile};
pub use memory::{DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES, MemoryFs};
pub use mount::MAX_NAME;
pub use mount::Mount;
pub use overlay::{Change, Overlay};
pub use readdir::VirtualListing;
pub use readonly::ReadOnly;
pub use resolve::MAX_SYMLINKS;
pub use single::SingleFile;
pub use stream::{VirtualInputStream, VirtualOutputStream};

pub(crate) use mount::{MountKind, MountState, SharedWallClock};
