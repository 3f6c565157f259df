//! Descriptors of virtual mounts: the `wasi:filesystem` semantics (the
//! permission checks, open flags and error codes of the host backend in
//! `src/filesystem/dir.rs`) over any [`FsBackend`], with paths resolved by
//! the shared resolver.

use super::backend::{FsBackend, NodeId, NodeKind, NodeStat, SetTime};
use super::mount::MountState;
use super::readdir::VirtualListing;
use super::resolve::{Found, Last, resolve, resolve_create, resolve_parent};
use super::stream::{VirtualInputStream, VirtualOutputStream};
use crate::clocks::Datetime;
use crate::filesystem::{
    Descriptor, DescriptorFlags, DescriptorStat, DescriptorType, DirPerms, ErrorCode, FilePerms,
    FsResult, MAX_READ, MetadataHashValue, NewTimestamp, OpenFlags, OpenRequest, PathFlags,
    check_symlink_target, identity_hash, path_check, path_follows, refuse_link_follow, require_dir,
    require_file, require_mode,
};
use crate::limits::Slot;
use std::sync::Arc;

/// Keeps a node open in its backend while a descriptor (or a clone of it,
/// held by a stream or listing) exists.
pub(crate) struct OpenNode {
    pub(crate) mount: Arc<MountState>,
    pub(crate) node: NodeId,
    /// Its place in the context's budget of virtual descriptors (`None`
    /// for a mount's root, granted by the embedder).
    _slot: Option<Slot>,
}

impl OpenNode {
    fn new(mount: &Arc<MountState>, node: NodeId, slot: Option<Slot>) -> Arc<OpenNode> {
        mount.backend.open(node);
        Arc::new(OpenNode {
            mount: Arc::clone(mount),
            node,
            _slot: slot,
        })
    }
}

impl Drop for OpenNode {
    fn drop(&mut self) {
        self.mount.backend.close(self.node);
    }
}

/// A directory of a virtual mount.
#[derive(Clone)]
pub struct VirtualDir {
    pub(crate) open: Arc<OpenNode>,
    pub(crate) perms: DirPerms,
    pub(crate) file_perms: FilePerms,
    /// Whether `get-flags` reports `mutate-directory` (as for a host
    /// directory: a mount's root, or a directory opened with the flag).
    pub(crate) shows_mutate: bool,
}

/// A file (or symlink opened as such) of a virtual mount.
#[derive(Clone)]
pub struct VirtualFile {
    pub(crate) open: Arc<OpenNode>,
    /// What the mount allows for files.
    pub(crate) perms: FilePerms,
    /// What this descriptor was opened for.
    pub(crate) mode: FilePerms,
    /// The flags `get-flags` reports.
    pub(crate) flags: DescriptorFlags,
}

/// The spec type of a node kind.
pub(crate) fn descriptor_type(kind: NodeKind) -> DescriptorType {
    match kind {
        NodeKind::Directory => DescriptorType::Directory,
        NodeKind::File => DescriptorType::RegularFile,
        NodeKind::Symlink => DescriptorType::SymbolicLink,
    }
}

fn descriptor_stat(dev: u64, s: &NodeStat) -> DescriptorStat {
    DescriptorStat {
        dev,
        ino: s.ino,
        type_: descriptor_type(s.kind),
        link_count: s.nlink,
        size: s.size,
        data_access_timestamp: Some(s.atime),
        data_modification_timestamp: Some(s.mtime),
        status_change_timestamp: Some(s.ctime),
    }
}

fn metadata_hash(mount: &MountState, s: &NodeStat) -> MetadataHashValue {
    identity_hash(mount.id, s.ino)
}

/// A guest `new-timestamp` as a backend time (`now` being the context's
/// wall clock); nanoseconds of a second or more are `invalid`.
fn set_time(ts: NewTimestamp, now: Datetime) -> FsResult<SetTime> {
    match ts {
        NewTimestamp::NoChange => Ok(SetTime::Keep),
        NewTimestamp::Now => Ok(SetTime::To(now)),
        NewTimestamp::Timestamp(dt) if dt.nanoseconds >= 1_000_000_000 => {
            Err(ErrorCode::Invalid.into())
        }
        NewTimestamp::Timestamp(dt) => Ok(SetTime::To(dt)),
    }
}

impl VirtualDir {
    /// The root of a mount, with the permissions of the mount.
    pub(crate) fn root(mount: &Arc<MountState>, perms: DirPerms, file_perms: FilePerms) -> Self {
        let root = mount.backend.root();
        VirtualDir {
            open: OpenNode::new(mount, root, None),
            perms,
            file_perms,
            shows_mutate: true,
        }
    }

    /// The mount this directory lies in.
    pub(crate) fn mount(&self) -> &Arc<MountState> {
        &self.open.mount
    }

    fn backend(&self) -> &super::mount::AnyBackend {
        &self.open.mount.backend
    }

    fn node(&self) -> NodeId {
        self.open.node
    }

    /// The mount's identity (links and renames stay within one).
    pub(crate) fn mount_id(&self) -> u64 {
        self.open.mount.id
    }

    /// `descriptor.get-flags`.
    pub fn get_flags(&self) -> DescriptorFlags {
        let mut flags = DescriptorFlags::empty();
        if self.perms.contains(DirPerms::READ) {
            flags |= DescriptorFlags::READ;
        }
        if self.perms.contains(DirPerms::MUTATE) && self.shows_mutate {
            flags |= DescriptorFlags::MUTATE_DIRECTORY;
        }
        flags
    }

    /// The metadata of the directory itself.
    pub(crate) fn node_stat(&self) -> FsResult<NodeStat> {
        Ok(self.backend().stat(self.node())?)
    }

    /// `descriptor.stat`.
    pub fn stat(&self) -> FsResult<DescriptorStat> {
        Ok(descriptor_stat(self.open.mount.id, &self.node_stat()?))
    }

    /// `descriptor.metadata-hash`.
    pub fn metadata_hash(&self) -> FsResult<MetadataHashValue> {
        Ok(metadata_hash(self.mount(), &self.node_stat()?))
    }

    /// `descriptor.set-times` (needs MUTATE).
    pub fn set_times(&self, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        let now = self.mount().now();
        let (a, m) = (set_time(atime, now)?, set_time(mtime, now)?);
        Ok(self.backend().set_times(self.node(), a, m, now)?)
    }

    /// `descriptor.sync` / `sync-data`.
    pub fn sync(&self) -> FsResult<()> {
        Ok(self.backend().sync(self.node())?)
    }

    /// The node `path` names.
    fn lookup(&self, flags: PathFlags, path: &str) -> FsResult<NodeId> {
        path_check(path)?;
        let follow = path_follows(flags, path);
        Ok(resolve(self.backend(), self.node(), path, follow)?)
    }

    /// The metadata of `path`.
    pub(crate) fn stat_node_at(&self, flags: PathFlags, path: &str) -> FsResult<NodeStat> {
        require_dir(self.perms, DirPerms::READ)?;
        let node = self.lookup(flags, path)?;
        Ok(self.backend().stat(node)?)
    }

    /// `descriptor.stat-at`.
    pub fn stat_at(&self, flags: PathFlags, path: &str) -> FsResult<DescriptorStat> {
        Ok(descriptor_stat(
            self.open.mount.id,
            &self.stat_node_at(flags, path)?,
        ))
    }

    /// `descriptor.metadata-hash-at`.
    pub fn metadata_hash_at(&self, flags: PathFlags, path: &str) -> FsResult<MetadataHashValue> {
        Ok(metadata_hash(
            self.mount(),
            &self.stat_node_at(flags, path)?,
        ))
    }

    /// `descriptor.set-times-at` (needs MUTATE).
    pub fn set_times_at(
        &self,
        flags: PathFlags,
        path: &str,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        let node = self.lookup(flags, path)?;
        let now = self.mount().now();
        let (a, m) = (set_time(atime, now)?, set_time(mtime, now)?);
        Ok(self.backend().set_times(node, a, m, now)?)
    }

    /// The parent directory and last component of `path`.
    fn parent<'p>(&self, path: &'p str) -> FsResult<(NodeId, Last<'p>, bool)> {
        path_check(path)?;
        Ok(resolve_parent(self.backend(), self.node(), path)?)
    }

    /// The kind of `dir/name`, if there is such an entry.
    fn kind_of(&self, dir: NodeId, name: &str) -> Option<NodeKind> {
        self.kind_at(dir, name).ok()
    }

    /// The kind of the object a new name `dir/name` would replace: `None`
    /// when there is none; a name that cannot be looked up at all
    /// (`name-too-long`) is refused.
    fn new_name_kind(&self, dir: NodeId, name: &str) -> FsResult<Option<NodeKind>> {
        match self.kind_at(dir, name) {
            Ok(kind) => Ok(Some(kind)),
            Err(e) if e.downcast_ref() == Some(&ErrorCode::NameTooLong) => Err(e),
            Err(_) => Ok(None),
        }
    }

    /// The kind of `dir/name`, or why there is none (`no-entry`,
    /// `name-too-long`).
    fn kind_at(&self, dir: NodeId, name: &str) -> FsResult<NodeKind> {
        let node = self.backend().lookup(dir, name)?;
        Ok(self.backend().kind(node)?)
    }

    /// For a name an operation acts on without following it: a trailing
    /// slash after something that is not a directory is `not-directory`.
    fn refuse_slash(&self, dir: NodeId, name: &str, trailing: bool) -> FsResult<()> {
        if trailing && matches!(self.kind_of(dir, name), Some(k) if k != NodeKind::Directory) {
            return Err(ErrorCode::NotDirectory.into());
        }
        Ok(())
    }

    /// The error of creating a symlink or link at a path ending with a
    /// slash: `exist` if it names a directory, `not-directory` if it names
    /// something else, the lookup's error otherwise.
    fn slash_target_error(&self, path: &str) -> crate::filesystem::FsError {
        match resolve(self.backend(), self.node(), path, true) {
            Ok(node) => match self.backend().stat(node) {
                Ok(s) if s.kind == NodeKind::Directory => ErrorCode::Exist.into(),
                Ok(_) => ErrorCode::NotDirectory.into(),
                Err(e) => e.into(),
            },
            Err(e) => e.into(),
        }
    }

    /// `not-directory` if `path` ends with a slash after a symlink (other
    /// failures are left to the operation).
    ///
    /// As the host backend, whose `lstat` of `name/.` answers for `name`
    /// itself, trailing `/.` components are skipped.
    fn refuse_slash_after_symlink(&self, path: &str) -> FsResult<()> {
        if !path.ends_with('/') {
            return Ok(());
        }
        let mut base = path.trim_end_matches('/');
        while let Some(rest) = base.strip_suffix("/.") {
            base = rest.trim_end_matches('/');
        }
        if base.is_empty() || base == "." {
            return Ok(());
        }
        if let Ok((dir, Last::Name(name), _)) = self.parent(base)
            && self.kind_of(dir, name) == Some(NodeKind::Symlink)
        {
            return Err(ErrorCode::NotDirectory.into());
        }
        Ok(())
    }

    /// As the host backend's `refuse_link_through_slash`: `old/` whose
    /// last component is a symlink answers what its target is.
    fn refuse_link_through_slash(&self, old: &str) -> FsResult<()> {
        let base = old.trim_end_matches('/');
        if base.len() == old.len() || base.is_empty() {
            return Ok(());
        }
        match self.parent(base) {
            Ok((dir, Last::Name(name), _))
                if self.kind_of(dir, name) == Some(NodeKind::Symlink) => {}
            _ => return Ok(()),
        }
        let node = self.lookup(PathFlags::SYMLINK_FOLLOW, base)?;
        match self.backend().kind(node)? {
            NodeKind::Directory => Err(ErrorCode::NotPermitted.into()),
            _ => Err(ErrorCode::NotDirectory.into()),
        }
    }

    /// `descriptor.create-directory-at` (needs MUTATE).
    pub fn create_directory_at(&self, path: &str) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        match self.parent(path)? {
            (dir, Last::Name(name), _) => {
                Ok(self.backend().create_dir(dir, name, self.mount().now())?)
            }
            _ => Err(ErrorCode::Exist.into()),
        }
    }

    /// `descriptor.remove-directory-at` (needs MUTATE).
    pub fn remove_directory_at(&self, path: &str) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        path_check(path)?;
        self.refuse_slash_after_symlink(path)?;
        match self.parent(path)? {
            (dir, Last::Name(name), trailing) => {
                self.refuse_slash(dir, name, trailing)?;
                if trailing && self.kind_of(dir, name) == Some(NodeKind::Directory) {
                    // What the host backend answers: cap-std removes
                    // `name/` as `name/.`, which `rmdir` refuses.
                    return Err(ErrorCode::Invalid.into());
                }
                Ok(self.backend().remove_dir(dir, name, self.mount().now())?)
            }
            _ => Err(ErrorCode::Invalid.into()),
        }
    }

    /// `descriptor.unlink-file-at` (needs MUTATE).
    pub fn unlink_file_at(&self, path: &str) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        path_check(path)?;
        self.refuse_slash_after_symlink(path)?;
        match self.parent(path)? {
            (dir, Last::Name(name), trailing) => {
                self.refuse_slash(dir, name, trailing)?;
                Ok(self.backend().unlink(dir, name, self.mount().now())?)
            }
            _ => Err(ErrorCode::IsDirectory.into()),
        }
    }

    /// `descriptor.readlink-at`.
    pub fn readlink_at(&self, path: &str) -> FsResult<String> {
        require_dir(self.perms, DirPerms::READ)?;
        let node = self.lookup(PathFlags::empty(), path)?;
        Ok(self.backend().read_link(node)?)
    }

    /// `descriptor.symlink-at` (needs MUTATE). An absolute target is
    /// `not-permitted`.
    pub fn symlink_at(&self, target: &str, path: &str) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        path_check(path)?;
        check_symlink_target(target)?;
        match self.parent(path)? {
            (_, Last::Name(_), true) => Err(self.slash_target_error(path)),
            (dir, Last::Name(name), false) => {
                Ok(self
                    .backend()
                    .symlink(dir, name, target, self.mount().now())?)
            }
            _ => Err(ErrorCode::Exist.into()),
        }
    }

    /// `not-permitted` unless both sides may be mutated, then
    /// `cross-device` unless both lie in the same mount.
    fn check_pair(&self, new: &VirtualDir) -> FsResult<()> {
        require_dir(self.perms, DirPerms::READ | DirPerms::MUTATE)?;
        require_dir(new.perms, DirPerms::MUTATE)?;
        if self.mount_id() != new.mount_id() {
            return Err(ErrorCode::CrossDevice.into());
        }
        Ok(())
    }

    /// `descriptor.link-at` (both sides need MUTATE, same mount).
    pub fn link_at(
        &self,
        old_flags: PathFlags,
        old_path: &str,
        new: &VirtualDir,
        new_path: &str,
    ) -> FsResult<()> {
        self.check_pair(new)?;
        // The flag first, as wasmtime.
        refuse_link_follow(old_flags)?;
        path_check(old_path)?;
        path_check(new_path)?;
        // As cap-std: both parents are resolved, then the names. `None`: a
        // directory (`.` or `..`).
        let node = {
            self.refuse_link_through_slash(old_path)?;
            let (dir, last, trailing) = self.parent(old_path)?;
            if let Last::Name(name) = last {
                self.refuse_slash(dir, name, trailing)?;
            }
            if trailing {
                // As cap-std: `name/` is opened as a directory first.
                self.lookup(PathFlags::SYMLINK_FOLLOW, old_path)?;
            }
            new.parent(new_path)?;
            if new_path.ends_with('/') {
                // Likewise `new/` must be a directory (which then exists).
                let e = new.slash_target_error(new_path);
                if e.downcast_ref() != Some(&ErrorCode::Exist) {
                    return Err(e);
                }
            }
            match last {
                Last::Name(name) => Some(self.backend().lookup(dir, name)?),
                _ => None,
            }
        };
        let (dir, name) = match new.parent(new_path)? {
            (_, Last::Name(_), true) => return Err(new.slash_target_error(new_path)),
            (dir, Last::Name(name), false) => {
                // Looked up before the old object's kind matters (as
                // Linux: `name-too-long` first).
                if self.new_name_kind(dir, name)?.is_some() {
                    return Err(ErrorCode::Exist.into());
                }
                (dir, name)
            }
            _ => return Err(ErrorCode::Exist.into()),
        };
        let node = match node {
            Some(node) if self.backend().kind(node)? != NodeKind::Directory => node,
            _ => return Err(ErrorCode::NotPermitted.into()),
        };
        Ok(self.backend().link(node, dir, name, self.mount().now())?)
    }

    /// `descriptor.rename-at` (both sides need MUTATE, same mount).
    pub fn rename_at(&self, old_path: &str, new: &VirtualDir, new_path: &str) -> FsResult<()> {
        self.check_pair(new)?;
        path_check(old_path)?;
        path_check(new_path)?;
        // As the host backend: a trailing slash after a symlink is refused
        // first, then both parents are resolved before any name is used.
        self.refuse_slash_after_symlink(old_path)?;
        new.refuse_slash_after_symlink(new_path)?;
        let old_parent = self.parent(old_path)?;
        let new_parent = new.parent(new_path)?;
        let (old_dir, old_name, old_trailing) = match old_parent {
            (dir, Last::Name(name), t) => (dir, name, t),
            _ => return Err(ErrorCode::Busy.into()),
        };
        let (new_dir, new_name, new_trailing) = match new_parent {
            (dir, Last::Name(name), t) => (dir, name, t),
            _ => return Err(ErrorCode::Busy.into()),
        };
        let kind = self.kind_at(old_dir, old_name)?;
        // As Linux, the new name is looked up next, then the kinds matter.
        let new_kind = self.new_name_kind(new_dir, new_name)?;
        // POSIX: a non-directory is not renamed from or to a name ending
        // with a slash.
        if (old_trailing || new_trailing) && kind != NodeKind::Directory {
            return Err(ErrorCode::NotDirectory.into());
        }
        // A trailing slash on the new name only matters after a symlink.
        if new_trailing && new_kind == Some(NodeKind::Symlink) {
            return Err(ErrorCode::NotDirectory.into());
        }
        Ok(self
            .backend()
            .rename(old_dir, old_name, new_dir, new_name, self.mount().now())?)
    }

    /// `descriptor.read-directory` (needs READ).
    pub fn read_directory(&self) -> FsResult<VirtualListing> {
        require_dir(self.perms, DirPerms::READ)?;
        let slot = self.mount().budget.take(1)?;
        Ok(VirtualListing::new(self.clone(), slot))
    }

    /// `descriptor.open-at`, with the permission rules of the host
    /// backend's `open_at` (`src/filesystem/dir.rs`).
    pub fn open_at(
        &self,
        path_flags: PathFlags,
        path: &str,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Descriptor> {
        require_dir(self.perms, DirPerms::READ)?;
        let read_only = self.backend().read_only();
        // The flags first, as the host backend.
        let request = OpenRequest::check(self.perms, self.file_perms, oflags, flags, !read_only)?;
        path_check(path)?;
        let OpenRequest {
            create,
            truncate,
            exclusive,
            directory,
            read,
            write,
            implied_write,
            ..
        } = request;
        let follow = path_follows(path_flags, path);
        // Taken before anything is created.
        let slot = self.mount().budget.take(1)?;
        let backend = self.backend();
        let now = self.mount().now();
        let node = if create {
            if path.ends_with('/') {
                // `O_CREAT` of a path naming a directory.
                // (`.` and `..` exist, so `exclusive` is `exist` there).
                return match self.parent(path)? {
                    (_, Last::Dot | Last::DotDot, _) if exclusive => Err(ErrorCode::Exist.into()),
                    _ => Err(ErrorCode::IsDirectory.into()),
                };
            }
            match resolve_create(backend, self.node(), path, follow && !exclusive)? {
                Found::Node(_) if exclusive => return Err(ErrorCode::Exist.into()),
                Found::Node(node) => node,
                Found::Missing(dir, name) => backend.create_file(dir, &name, exclusive, now)?,
            }
        } else {
            resolve(backend, self.node(), path, follow)?
        };
        let kind = backend.kind(node)?;
        match kind {
            // `O_NOFOLLOW` on a symlink (`O_DIRECTORY` checked first).
            NodeKind::Symlink if directory => return Err(ErrorCode::NotDirectory.into()),
            NodeKind::Symlink => return Err(ErrorCode::Loop.into()),
            NodeKind::Directory => {
                if write || truncate || (create && !directory) {
                    return Err(ErrorCode::IsDirectory.into());
                }
                return Ok(Descriptor::VirtualDir(VirtualDir {
                    open: OpenNode::new(self.mount(), node, Some(slot)),
                    shows_mutate: flags.contains(DescriptorFlags::MUTATE_DIRECTORY),
                    ..self.clone()
                }));
            }
            NodeKind::File if directory => return Err(ErrorCode::NotDirectory.into()),
            NodeKind::File => {}
        }
        if read_only && (write || truncate) {
            return Err(ErrorCode::ReadOnly.into());
        }
        if read {
            require_file(self.file_perms, FilePerms::READ)?;
        }
        if truncate {
            backend.set_size(node, 0, now)?;
        }
        let opened = request.opened(self.perms, self.file_perms, implied_write, !read_only);
        Ok(Descriptor::VirtualFile(VirtualFile {
            open: OpenNode::new(self.mount(), node, Some(slot)),
            perms: opened.perms,
            mode: opened.mode,
            flags: opened.flags,
        }))
    }
}

impl VirtualFile {
    /// The identity of the mount this file lies in.
    pub(crate) fn mount_id(&self) -> u64 {
        self.open.mount.id
    }

    fn backend(&self) -> &super::mount::AnyBackend {
        &self.open.mount.backend
    }

    fn node(&self) -> NodeId {
        self.open.node
    }

    /// `descriptor.get-flags`.
    pub fn get_flags(&self) -> DescriptorFlags {
        self.flags
    }

    pub(crate) fn node_stat(&self) -> FsResult<NodeStat> {
        Ok(self.backend().stat(self.node())?)
    }

    /// `descriptor.get-type`.
    pub fn get_type(&self) -> FsResult<DescriptorType> {
        Ok(descriptor_type(self.node_stat()?.kind))
    }

    /// `descriptor.stat`.
    pub fn stat(&self) -> FsResult<DescriptorStat> {
        Ok(descriptor_stat(self.open.mount.id, &self.node_stat()?))
    }

    /// `descriptor.metadata-hash`.
    pub fn metadata_hash(&self) -> FsResult<MetadataHashValue> {
        Ok(metadata_hash(&self.open.mount, &self.node_stat()?))
    }

    /// `descriptor.sync` / `sync-data`: no effect unless opened for writing.
    pub fn sync(&self) -> FsResult<()> {
        if !self.mode.contains(FilePerms::WRITE) {
            return Ok(());
        }
        Ok(self.backend().sync(self.node())?)
    }

    fn allowed(&self, needed: FilePerms) -> FsResult<()> {
        require_file(self.perms, needed)?;
        require_mode(self.mode, needed)
    }

    /// `descriptor.set-size`: as the host backend (`not-permitted`, then
    /// `invalid` for a descriptor not opened for writing).
    pub fn set_size(&self, size: u64) -> FsResult<()> {
        require_file(self.perms, FilePerms::WRITE)?;
        if !self.mode.contains(FilePerms::WRITE) {
            return Err(ErrorCode::Invalid.into());
        }
        let now = self.open.mount.now();
        Ok(self.backend().set_size(self.node(), size, now)?)
    }

    /// `descriptor.set-times` (needs the mount's file WRITE).
    pub fn set_times(&self, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()> {
        require_file(self.perms, FilePerms::WRITE)?;
        let now = self.open.mount.now();
        let (a, m) = (set_time(atime, now)?, set_time(mtime, now)?);
        Ok(self.backend().set_times(self.node(), a, m, now)?)
    }

    /// `descriptor.read`: at most [`MAX_READ`] bytes from `offset`.
    pub fn read(&self, len: u64, offset: u64) -> FsResult<(Vec<u8>, bool)> {
        self.allowed(FilePerms::READ)?;
        let size = self.node_stat()?.size;
        // As the host backend: the end counts as reached when fewer bytes
        // than asked for (at most `MAX_READ`) were there.
        let asked = len.min(MAX_READ as u64);
        let want = asked.min(size.saturating_sub(offset)) as usize;
        let mut buf = vec![0; want];
        let mut filled = 0;
        while filled < want {
            match self
                .backend()
                .read_at(self.node(), &mut buf[filled..], offset + filled as u64)?
            {
                0 => break,
                n => filled += n,
            }
        }
        buf.truncate(filled);
        Ok((buf, (filled as u64) < asked))
    }

    /// `descriptor.write`: `buf` at `offset`; a partial count when the
    /// backend is full (the next write fails).
    pub fn write(&self, buf: &[u8], offset: u64) -> FsResult<u64> {
        self.allowed(FilePerms::WRITE)?;
        let now = self.open.mount.now();
        Ok(self.backend().write_at(self.node(), buf, offset, now)? as u64)
    }

    /// `buf` at the end of the file, in one backend call; a partial count
    /// when the backend is full.
    pub fn append(&self, buf: &[u8]) -> FsResult<u64> {
        self.allowed(FilePerms::WRITE)?;
        let now = self.open.mount.now();
        Ok(self.backend().append(self.node(), buf, now)? as u64)
    }

    /// `descriptor.read-via-stream`.
    pub fn read_via_stream(&self, offset: u64) -> FsResult<VirtualInputStream> {
        self.allowed(FilePerms::READ)?;
        Ok(VirtualInputStream::new(self.clone(), offset))
    }

    /// `descriptor.write-via-stream`.
    pub fn write_via_stream(&self, offset: u64) -> FsResult<VirtualOutputStream> {
        self.allowed(FilePerms::WRITE)?;
        Ok(VirtualOutputStream::new(self.clone(), Some(offset)))
    }

    /// `descriptor.append-via-stream`.
    pub fn append_via_stream(&self) -> FsResult<VirtualOutputStream> {
        self.allowed(FilePerms::WRITE)?;
        Ok(VirtualOutputStream::new(self.clone(), None))
    }

    pub(crate) fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<usize, ErrorCode> {
        self.backend().read_at(self.node(), buf, offset)
    }

    /// Whether the backend refuses every change.
    pub(crate) fn read_only(&self) -> bool {
        self.backend().read_only()
    }

    /// How many bytes a write at `offset` (`None`: at the end) can take
    /// now: the backend's room, plus the bytes it would overwrite.
    pub(crate) fn room(&self, offset: Option<u64>) -> Option<u64> {
        let left = self.backend().space_left()?;
        let overwrite = match (offset, self.node_stat()) {
            (Some(at), Ok(s)) => s.size.saturating_sub(at),
            _ => 0,
        };
        Some(left.saturating_add(overwrite))
    }

    pub(crate) fn write_at(&self, data: &[u8], offset: Option<u64>) -> Result<usize, ErrorCode> {
        let now = self.open.mount.now();
        match offset {
            Some(offset) => self.backend().write_at(self.node(), data, offset, now),
            None => self.backend().append(self.node(), data, now),
        }
    }
}
