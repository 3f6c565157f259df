//! The `wasi:filesystem` part of a context: the mount table and what
//! governs host I/O, and the view its host code works through.

use super::{DEFAULT_MAX_OPEN_FILES, FdBudget, MountPoint};
use wasmtime::component::{HasData, ResourceTable};

/// A guest's directories: the mounts (host directories and virtual
/// filesystems) in the order the builder added them, the budget of host
/// descriptors it may hold, and whether host file I/O may block the calling
/// thread. Part of a [`crate::WasiCtx`]
/// ([`WasiCtx::filesystem`](crate::WasiCtx::filesystem)).
pub struct WasiFilesystemCtx {
    /// Who is told of every call (the context's observer, copied here
    /// when it is built).
    pub(crate) observer: crate::observe::Observer,
    /// The mount table.
    pub(crate) preopens: Vec<MountPoint>,
    /// The host descriptors the guest may hold (shared with the preopens).
    pub(crate) fd_budget: FdBudget,
    /// The descriptors and listings of virtual mounts the guest may hold
    /// (`Limits::virtual_files`, shared with the mounts).
    pub(crate) virtual_budget: FdBudget,
    /// The blocking jobs of host mounts the guest may have on tokio's
    /// blocking pool at once (`Limits::background_tasks`).
    pub(crate) tasks: crate::limits::Budget,
    /// The bytes the guest may write to the files of each host mount
    /// (`Limits::mount_write_bytes`), shared by the mounts' own counts.
    pub(crate) mount_write_max: std::sync::Arc<std::sync::atomic::AtomicU64>,
    pub(crate) allow_blocking_current_thread: bool,
    /// Whether host directories list in byte order of the names (a
    /// deterministic run; applied to the host mounts when the context is
    /// built).
    pub(crate) sorted_listings: bool,
}

impl Default for WasiFilesystemCtx {
    /// No mounts, [`DEFAULT_MAX_OPEN_FILES`], I/O off the calling thread.
    fn default() -> Self {
        WasiFilesystemCtx {
            observer: None,
            preopens: Vec::new(),
            fd_budget: FdBudget::new(DEFAULT_MAX_OPEN_FILES),
            virtual_budget: FdBudget::new(crate::limits::DEFAULT_MAX_VIRTUAL_FILES),
            tasks: crate::limits::Budget::new(crate::limits::DEFAULT_MAX_BACKGROUND_TASKS),
            mount_write_max: std::sync::Arc::new(std::sync::atomic::AtomicU64::new(u64::MAX)),
            allow_blocking_current_thread: false,
            sorted_listings: false,
        }
    }
}

impl WasiFilesystemCtx {
    /// The bytes written to the files of the host mounts, all together.
    pub(crate) fn mount_write_bytes(&self) -> u64 {
        self.preopens
            .iter()
            .filter_map(|point| match &point.root {
                super::MountRoot::Host(dir) => Some(dir.written.written()),
                super::MountRoot::Virtual(_) => None,
            })
            .fold(0, u64::saturating_add)
    }

    /// The guest path of the mount `desc` lies in (for call events and
    /// the access log); `None` for one of no mount of this context.
    pub(crate) fn mount_of(&self, desc: &super::Descriptor) -> Option<&str> {
        use super::{Descriptor, MountRoot};
        self.preopens
            .iter()
            .find(|point| match (&point.root, desc) {
                (MountRoot::Host(root), Descriptor::Dir(d)) => root.preopen == d.preopen,
                (MountRoot::Host(root), Descriptor::File(f)) => root.preopen == f.preopen,
                (MountRoot::Virtual(root), Descriptor::VirtualDir(d)) => {
                    root.mount_id() == d.mount_id()
                }
                (MountRoot::Virtual(root), Descriptor::VirtualFile(f)) => {
                    root.mount_id() == f.mount_id()
                }
                _ => false,
            })
            .map(|point| point.guest_path.as_str())
    }
}

/// What the `wasi:filesystem` host functions see: the filesystem context
/// and the resource table.
pub struct WasiFilesystemCtxView<'a> {
    /// The filesystem part of the context.
    pub ctx: &'a mut WasiFilesystemCtx,
    /// The store's resource table.
    pub table: &'a mut ResourceTable,
}

impl WasiFilesystemCtxView<'_> {
    /// `get-directories` of every component front-end: each mount's root
    /// as a new directory descriptor in the table, with its guest path, in
    /// the order the builder added them.
    pub fn push_preopens(
        &mut self,
    ) -> wasmtime::Result<Vec<(wasmtime::component::Resource<super::Descriptor>, String)>> {
        let dirs: Vec<(super::Descriptor, String)> = self
            .ctx
            .preopens
            .iter()
            .map(|p| (p.descriptor(), p.guest_path.clone()))
            .collect();
        let mut out = Vec::with_capacity(dirs.len());
        for (descriptor, path) in dirs {
            out.push((self.table.push(descriptor)?, path));
        }
        Ok(out)
    }
}

/// Store data that can give the `wasi:filesystem` host functions their
/// view (every [`crate::WasiView`] can).
pub trait WasiFilesystemView: Send {
    /// The view of this store's filesystem context.
    fn filesystem(&mut self) -> WasiFilesystemCtxView<'_>;
}

/// The [`HasData`] of the `wasi:filesystem` interfaces.
pub struct WasiFilesystem;

impl HasData for WasiFilesystem {
    type Data<'a> = WasiFilesystemCtxView<'a>;
}
