//! A context's mount table: the root directory each guest path names, in
//! the order the builder added them, whichever backend serves it.

use super::vfs::{Mount, MountKind, MountState, VirtualDir};
use crate::filesystem::{Descriptor, Dir, DirPerms, FdBudget, FilePerms};

/// The root of one mount.
pub(crate) enum MountRoot {
    /// A host directory (the host backend).
    Host(Dir),
    /// The root of a node backend.
    Virtual(VirtualDir),
}

/// One entry of the mount table.
pub(crate) struct MountPoint {
    pub(crate) root: MountRoot,
    pub(crate) guest_path: String,
}

/// What a host mount is opened with, from the builder's settings.
pub(crate) struct HostSettings {
    pub(crate) allow_blocking_current_thread: bool,
    /// The context's budget of background tasks.
    pub(crate) tasks: crate::limits::Budget,
    pub(crate) budget: FdBudget,
    /// The budget of a virtual mount's descriptors and listings.
    pub(crate) virtual_budget: FdBudget,
    /// The bytes the guest may write to the mount's files.
    pub(crate) written: std::sync::Arc<crate::limits::ByteCount>,
}

impl MountPoint {
    /// `mount` at `guest_path` with these permissions (a read-only host
    /// directory loses MUTATE and file WRITE), as its context's `index`th
    /// mount.
    pub(crate) fn new(
        mount: Mount,
        guest_path: &str,
        dir_perms: DirPerms,
        file_perms: FilePerms,
        host: HostSettings,
        index: usize,
    ) -> MountPoint {
        let root = match mount.kind {
            MountKind::Host { dir, read_only } => {
                let (dir_perms, file_perms) = if read_only {
                    (dir_perms - DirPerms::MUTATE, file_perms - FilePerms::WRITE)
                } else {
                    (dir_perms, file_perms)
                };
                MountRoot::Host(Dir::new_preopen(
                    dir,
                    dir_perms,
                    file_perms,
                    super::host::Blocking::new(host.allow_blocking_current_thread, host.tasks),
                    host.budget,
                    host.written,
                ))
            }
            MountKind::Node(backend) => {
                let state = MountState::new(backend, index, host.virtual_budget);
                MountRoot::Virtual(VirtualDir::root(&state, dir_perms, file_perms))
            }
        };
        MountPoint {
            root,
            guest_path: guest_path.to_owned(),
        }
    }

    /// A new descriptor of the root.
    pub(crate) fn descriptor(&self) -> Descriptor {
        match &self.root {
            MountRoot::Host(d) => Descriptor::Dir(d.clone()),
            MountRoot::Virtual(d) => Descriptor::VirtualDir(d.clone()),
        }
    }
}
