//! The in-memory backend: a tree of files, directories and symlinks in
//! host memory, bounded by a byte quota and an entry quota.
//!
//! [`MemoryFs`] is a handle: clones share one tree, so the embedder keeps a
//! clone to read back (or seed) what the guest sees. Quotas are checked
//! before anything is allocated: a write that does not fit takes what fits
//! (the next one fails with `insufficient-space`), a `set-size` or create
//! beyond the quota fails with `insufficient-space`, and nothing already
//! written is lost.

use super::backend::{FsBackend, NodeId, NodeKind, NodeStat, SetTime, VEntry, VfsResult};
use crate::clocks::Datetime;
use crate::filesystem::ErrorCode;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// The default byte quota of a [`MemoryFs`]: 64 MiB.
pub const DEFAULT_MAX_BYTES: u64 = 64 << 20;
/// The default entry quota of a [`MemoryFs`]: 65,536 objects.
pub const DEFAULT_MAX_ENTRIES: u64 = 1 << 16;

/// The id of the root directory.
const ROOT: u64 = 1;

enum Data {
    File(Vec<u8>),
    /// Entries by name, and the parent directory.
    Dir(BTreeMap<String, u64>, u64),
    Symlink(String),
}

struct Node {
    data: Data,
    /// Names pointing at the node (a directory: 1 while linked).
    links: u64,
    /// Open descriptors.
    open: u64,
    atime: Datetime,
    mtime: Datetime,
    ctime: Datetime,
}

impl Node {
    fn new(data: Data, now: Datetime) -> Node {
        Node {
            data,
            links: 1,
            open: 0,
            atime: now,
            mtime: now,
            ctime: now,
        }
    }

    fn kind(&self) -> NodeKind {
        match self.data {
            Data::File(_) => NodeKind::File,
            Data::Dir(..) => NodeKind::Directory,
            Data::Symlink(_) => NodeKind::Symlink,
        }
    }

    /// Bytes of the quota the node uses.
    fn bytes(&self) -> u64 {
        match &self.data {
            Data::File(b) => b.len() as u64,
            Data::Symlink(t) => t.len() as u64,
            Data::Dir(..) => 0,
        }
    }
}

struct Tree {
    nodes: HashMap<u64, Node>,
    next: u64,
    bytes: u64,
    max_bytes: u64,
    max_entries: u64,
}

/// An in-memory filesystem (see the module docs). Cloning gives another
/// handle to the same tree.
#[derive(Clone)]
pub struct MemoryFs {
    tree: Arc<Mutex<Tree>>,
}

impl Default for MemoryFs {
    fn default() -> Self {
        Self::new()
    }
}

/// The host's current time as a `datetime` (for what the embedder adds).
pub(crate) fn system_now() -> Datetime {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Datetime {
        seconds: d.as_secs(),
        nanoseconds: d.subsec_nanos(),
    }
}

/// The components of an embedder's path (`a/b/c`, leading and repeated
/// slashes and `.` ignored); `None` if it has `..`.
fn components(path: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    for c in path.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

impl MemoryFs {
    /// An empty tree with the default quotas ([`DEFAULT_MAX_BYTES`],
    /// [`DEFAULT_MAX_ENTRIES`]).
    pub fn new() -> MemoryFs {
        Self::with_limits(DEFAULT_MAX_BYTES, DEFAULT_MAX_ENTRIES)
    }

    /// An empty tree holding at most `max_bytes` bytes of file contents
    /// and symlink targets, and at most `max_entries` objects (the root
    /// counts one).
    pub fn with_limits(max_bytes: u64, max_entries: u64) -> MemoryFs {
        let mut nodes = HashMap::new();
        nodes.insert(
            ROOT,
            Node::new(Data::Dir(BTreeMap::new(), ROOT), system_now()),
        );
        MemoryFs {
            tree: Arc::new(Mutex::new(Tree {
                nodes,
                next: ROOT + 1,
                bytes: 0,
                max_bytes,
                max_entries: max_entries.max(1),
            })),
        }
    }

    /// A tree holding `files` (relative paths with their contents; parent
    /// directories are created), with the default quotas.
    pub fn from_files<P: AsRef<str>, B: AsRef<[u8]>>(
        files: impl IntoIterator<Item = (P, B)>,
    ) -> VfsResult<MemoryFs> {
        let fs = MemoryFs::new();
        for (path, bytes) in files {
            fs.write_file(path.as_ref(), bytes.as_ref())?;
        }
        Ok(fs)
    }

    /// A copy of the host directory `host` (files, directories and
    /// symlinks; other objects are skipped), with the default quotas.
    pub fn copy_from_host(host: impl AsRef<Path>) -> std::io::Result<MemoryFs> {
        let fs = MemoryFs::new();
        fs.import_host_tree(host.as_ref())?;
        Ok(fs)
    }

    /// Copies the host directory `host` into this tree (files, directories
    /// and symlinks; other objects and names that are not UTF-8 are
    /// skipped). Fails when the quotas are reached.
    pub fn import_host_tree(&self, host: impl AsRef<Path>) -> std::io::Result<()> {
        self.import_host(host.as_ref(), "")
    }

    /// The target of the symlink at `path`, if it is one.
    pub fn symlink_target(&self, path: &str) -> Option<String> {
        let tree = self.lock();
        match &tree.nodes.get(&Self::find(&tree, path)?)?.data {
            Data::Symlink(t) => Some(t.clone()),
            _ => None,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Tree> {
        self.tree.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn import_host(&self, host: &Path, at: &str) -> std::io::Result<()> {
        let quota = |e: ErrorCode| std::io::Error::other(e);
        for entry in std::fs::read_dir(host)? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            let path = format!("{at}{name}");
            let ft = entry.file_type()?;
            if ft.is_dir() {
                self.create_dir_all(&path).map_err(quota)?;
                self.import_host(&entry.path(), &format!("{path}/"))?;
            } else if ft.is_file() {
                self.write_file(&path, &std::fs::read(entry.path())?)
                    .map_err(quota)?;
            } else if ft.is_symlink() {
                let target = std::fs::read_link(entry.path())?;
                if let Some(target) = target.to_str() {
                    self.add_symlink(&path, target).map_err(quota)?;
                }
            }
        }
        Ok(())
    }

    /// The directory at `comps`, created (with its parents) if missing.
    fn dir_all(tree: &mut Tree, comps: &[&str], now: Datetime) -> VfsResult<u64> {
        let mut dir = ROOT;
        for c in comps {
            dir = match tree.entry(dir, c) {
                Ok(id) => id,
                Err(ErrorCode::NoEntry) => {
                    tree.add(dir, c, Data::Dir(BTreeMap::new(), dir), now)?
                }
                Err(e) => return Err(e),
            };
            if !matches!(tree.node(dir)?.data, Data::Dir(..)) {
                return Err(ErrorCode::NotDirectory);
            }
        }
        Ok(dir)
    }

    /// Creates the directory `path` and its parents (embedder side).
    pub fn create_dir_all(&self, path: &str) -> VfsResult<()> {
        let comps = components(path).ok_or(ErrorCode::NotPermitted)?;
        Self::dir_all(&mut self.lock(), &comps, system_now()).map(|_| ())
    }

    /// Creates or replaces the file `path` with `bytes`, creating parent
    /// directories (embedder side).
    pub fn write_file(&self, path: &str, bytes: &[u8]) -> VfsResult<()> {
        let comps = components(path).ok_or(ErrorCode::NotPermitted)?;
        let (name, parents) = comps.split_last().ok_or(ErrorCode::IsDirectory)?;
        let now = system_now();
        let mut tree = self.lock();
        let dir = Self::dir_all(&mut tree, parents, now)?;
        let node = match tree.entry(dir, name) {
            Ok(id) => id,
            Err(ErrorCode::NoEntry) => tree.add(dir, name, Data::File(Vec::new()), now)?,
            Err(e) => return Err(e),
        };
        tree.resize(node, 0, now)?;
        if tree.write(node, bytes, 0, now)? < bytes.len() {
            return Err(ErrorCode::InsufficientSpace);
        }
        Ok(())
    }

    /// Creates the symlink `path` pointing at `target` (embedder side).
    pub fn add_symlink(&self, path: &str, target: &str) -> VfsResult<()> {
        let comps = components(path).ok_or(ErrorCode::NotPermitted)?;
        let (name, parents) = comps.split_last().ok_or(ErrorCode::Exist)?;
        let now = system_now();
        let mut tree = self.lock();
        let dir = Self::dir_all(&mut tree, parents, now)?;
        tree.add(dir, name, Data::Symlink(target.to_owned()), now)?;
        Ok(())
    }

    /// The node at `path`, symlinks not followed.
    fn find(tree: &Tree, path: &str) -> Option<u64> {
        let mut node = ROOT;
        for c in components(path)? {
            node = tree.entry(node, c).ok()?;
        }
        Some(node)
    }

    /// The contents of the file at `path` (symlinks not followed), if it
    /// is a file.
    pub fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        let tree = self.lock();
        match &tree.nodes.get(&Self::find(&tree, path)?)?.data {
            Data::File(bytes) => Some(bytes.clone()),
            _ => None,
        }
    }

    /// The entries of the directory at `path`, sorted by name.
    pub fn list_dir(&self, path: &str) -> Option<Vec<VEntry>> {
        let tree = self.lock();
        match &tree.nodes.get(&Self::find(&tree, path)?)?.data {
            Data::Dir(entries, _) => Some(
                entries
                    .iter()
                    .filter_map(|(name, id)| {
                        Some(VEntry {
                            name: name.clone(),
                            kind: tree.nodes.get(id)?.kind(),
                        })
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    /// Every path in the tree (directories end with `/`), sorted.
    pub fn paths(&self) -> Vec<String> {
        let tree = self.lock();
        let mut out = Vec::new();
        tree.walk(ROOT, "", &mut out);
        out.sort();
        out
    }

    /// Writes the tree into the host directory `host` (created if
    /// missing): directories, files and symlinks, replacing files of the
    /// same names.
    pub fn export_to(&self, host: impl AsRef<Path>) -> std::io::Result<()> {
        let host = host.as_ref();
        std::fs::create_dir_all(host)?;
        for path in self.paths() {
            let target = host.join(path.trim_end_matches('/'));
            if path.ends_with('/') {
                std::fs::create_dir_all(&target)?;
            } else if let Some(bytes) = self.read_file(&path) {
                std::fs::write(&target, bytes)?;
            } else {
                if let Some(link) = self.symlink_target(&path) {
                    let _ = std::fs::remove_file(&target);
                    std::os::unix::fs::symlink(link, &target)?;
                }
            }
        }
        Ok(())
    }

    /// Bytes of the quota in use (file contents and symlink targets).
    pub fn bytes_used(&self) -> u64 {
        self.lock().bytes
    }

    /// Objects in the tree, the root and objects still open included.
    pub fn entries_used(&self) -> u64 {
        self.lock().nodes.len() as u64
    }
}

/// What an overlay copies into its upper layer.
pub(crate) enum Copied {
    /// A file with these bytes.
    File(Vec<u8>),
    /// An empty directory.
    Dir,
    /// A symlink with this target.
    Symlink(String),
}

impl MemoryFs {
    /// Adds `content` as `dir/name` (`None`: an object without a name,
    /// kept while open), with `times` (access, modification, status
    /// change) and `open` descriptors already counted, leaving the times
    /// of `dir` as they are: an overlay's copy-up. Quotas apply.
    pub(crate) fn insert_copy(
        &self,
        dir: Option<NodeId>,
        name: &str,
        content: Copied,
        times: [Datetime; 3],
        open: u64,
    ) -> VfsResult<NodeId> {
        let mut tree = self.lock();
        let data = match content {
            Copied::File(bytes) => Data::File(bytes),
            Copied::Dir => Data::Dir(BTreeMap::new(), dir.map_or(ROOT, |d| d.0)),
            Copied::Symlink(target) => Data::Symlink(target),
        };
        let id = match dir {
            Some(dir) => {
                let parent = tree.node(dir.0)?;
                let (mtime, ctime) = (parent.mtime, parent.ctime);
                let id = tree.add(dir.0, name, data, times[1])?;
                let parent = tree.node_mut(dir.0)?;
                parent.mtime = mtime;
                parent.ctime = ctime;
                id
            }
            None => {
                let node = Node::new(data, times[1]);
                let need = node.bytes();
                if tree.nodes.len() as u64 >= tree.max_entries
                    || need > tree.max_bytes.saturating_sub(tree.bytes)
                {
                    return Err(ErrorCode::InsufficientSpace);
                }
                let id = tree.next;
                tree.next += 1;
                tree.bytes += need;
                tree.nodes.insert(id, Node { links: 0, ..node });
                id
            }
        };
        let node = tree.node_mut(id)?;
        [node.atime, node.mtime, node.ctime] = times;
        node.open = open;
        Ok(NodeId(id))
    }
}

impl Tree {
    fn node(&self, id: u64) -> VfsResult<&Node> {
        self.nodes.get(&id).ok_or(ErrorCode::BadDescriptor)
    }

    fn node_mut(&mut self, id: u64) -> VfsResult<&mut Node> {
        self.nodes.get_mut(&id).ok_or(ErrorCode::BadDescriptor)
    }

    fn entries(&self, dir: u64) -> VfsResult<&BTreeMap<String, u64>> {
        match &self.node(dir)?.data {
            Data::Dir(entries, _) => Ok(entries),
            _ => Err(ErrorCode::NotDirectory),
        }
    }

    fn entries_mut(&mut self, dir: u64) -> VfsResult<&mut BTreeMap<String, u64>> {
        match &mut self.node_mut(dir)?.data {
            Data::Dir(entries, _) => Ok(entries),
            _ => Err(ErrorCode::NotDirectory),
        }
    }

    fn entry(&self, dir: u64, name: &str) -> VfsResult<u64> {
        self.entries(dir)?
            .get(name)
            .copied()
            .ok_or(ErrorCode::NoEntry)
    }

    /// Whether `dir` is a directory that was removed (nothing may be
    /// created in it).
    fn removed(&self, dir: u64) -> bool {
        self.nodes.get(&dir).is_some_and(|n| n.links == 0)
    }

    /// Adds a new node under `dir/name` (which must be free).
    fn add(&mut self, dir: u64, name: &str, data: Data, now: Datetime) -> VfsResult<u64> {
        if self.entries(dir)?.contains_key(name) {
            return Err(ErrorCode::Exist);
        }
        if self.removed(dir) {
            return Err(ErrorCode::NoEntry);
        }
        if self.nodes.len() as u64 >= self.max_entries {
            return Err(ErrorCode::InsufficientSpace);
        }
        let node = Node::new(data, now);
        let need = node.bytes();
        if need > self.max_bytes.saturating_sub(self.bytes) {
            return Err(ErrorCode::InsufficientSpace);
        }
        let id = self.next;
        self.next += 1;
        self.bytes += need;
        self.nodes.insert(id, node);
        self.entries_mut(dir)?.insert(name.to_owned(), id);
        self.touch_dir(dir, now);
        Ok(id)
    }

    /// A directory's entries changed.
    fn touch_dir(&mut self, dir: u64, now: Datetime) {
        if let Some(n) = self.nodes.get_mut(&dir) {
            n.mtime = now;
            n.ctime = now;
        }
    }

    /// Frees a node nothing refers to any more.
    fn release(&mut self, id: u64) {
        let free = self
            .nodes
            .get(&id)
            .is_some_and(|n| n.links == 0 && n.open == 0 && id != ROOT);
        if free && let Some(node) = self.nodes.remove(&id) {
            self.bytes -= node.bytes();
        }
    }

    /// Drops the name `dir/name` of `id`.
    fn drop_name(&mut self, dir: u64, name: &str, id: u64, now: Datetime) -> VfsResult<()> {
        self.entries_mut(dir)?.remove(name);
        self.touch_dir(dir, now);
        let node = self.node_mut(id)?;
        node.links = node.links.saturating_sub(1);
        node.ctime = now;
        self.release(id);
        Ok(())
    }

    /// Makes a file `len` bytes long (zeros when growing).
    fn resize(&mut self, id: u64, len: u64, now: Datetime) -> VfsResult<()> {
        let (used, max) = (self.bytes, self.max_bytes);
        let node = self.node_mut(id)?;
        let Data::File(bytes) = &mut node.data else {
            return Err(ErrorCode::Invalid);
        };
        let old = bytes.len() as u64;
        if len > old && len - old > max.saturating_sub(used) {
            return Err(ErrorCode::InsufficientSpace);
        }
        let new_len = usize::try_from(len).map_err(|_| ErrorCode::FileTooLarge)?;
        bytes.resize(new_len, 0);
        node.mtime = now;
        node.ctime = now;
        self.bytes = used - old + len;
        Ok(())
    }

    /// Writes as much of `data` at `offset` as the quota takes.
    fn write(&mut self, id: u64, data: &[u8], offset: u64, now: Datetime) -> VfsResult<usize> {
        let (used, max) = (self.bytes, self.max_bytes);
        let node = self.node_mut(id)?;
        let Data::File(bytes) = &mut node.data else {
            return Err(ErrorCode::IsDirectory);
        };
        if data.is_empty() {
            return Ok(0);
        }
        let old = bytes.len() as u64;
        let end = offset
            .checked_add(data.len() as u64)
            .filter(|&e| e <= i64::MAX as u64)
            .ok_or(ErrorCode::FileTooLarge)?;
        let room = max.saturating_sub(used);
        // The bytes that fit: all when the file does not grow past room.
        let take = if end <= old.saturating_add(room) {
            data.len()
        } else {
            let limit = old + room;
            if offset >= limit {
                return Err(ErrorCode::InsufficientSpace);
            }
            (limit - offset) as usize
        };
        let end = offset + take as u64;
        let start = usize::try_from(offset).map_err(|_| ErrorCode::FileTooLarge)?;
        if end > old {
            bytes.resize(end as usize, 0);
        }
        bytes[start..start + take].copy_from_slice(&data[..take]);
        let new_len = bytes.len() as u64;
        node.mtime = now;
        node.ctime = now;
        self.bytes = used - old + new_len;
        Ok(take)
    }

    /// Whether `anc` is `id` or one of its ancestors.
    fn is_ancestor(&self, anc: u64, mut id: u64) -> bool {
        loop {
            if id == anc {
                return true;
            }
            match self.nodes.get(&id).map(|n| &n.data) {
                Some(Data::Dir(_, parent)) if *parent != id => id = *parent,
                _ => return false,
            }
        }
    }

    fn walk(&self, dir: u64, prefix: &str, out: &mut Vec<String>) {
        let Ok(entries) = self.entries(dir) else {
            return;
        };
        for (name, id) in entries {
            let path = format!("{prefix}{name}");
            match self.nodes.get(id).map(|n| &n.data) {
                Some(Data::Dir(..)) => {
                    out.push(format!("{path}/"));
                    self.walk(*id, &format!("{path}/"), out);
                }
                Some(_) => out.push(path),
                None => {}
            }
        }
    }
}

/// Checks a name handed to the backend.
fn check_name(name: &str) -> VfsResult<()> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(ErrorCode::Invalid);
    }
    Ok(())
}

impl FsBackend for MemoryFs {
    fn root(&self) -> NodeId {
        NodeId(ROOT)
    }

    fn lookup(&self, dir: NodeId, name: &str) -> VfsResult<NodeId> {
        self.lock().entry(dir.0, name).map(NodeId)
    }

    fn stat(&self, node: NodeId) -> VfsResult<NodeStat> {
        let tree = self.lock();
        let n = tree.node(node.0)?;
        let (nlink, size) = match &n.data {
            Data::File(b) => (n.links, b.len() as u64),
            Data::Symlink(t) => (n.links, t.len() as u64),
            Data::Dir(entries, _) if n.links > 0 => {
                let subdirs = entries
                    .values()
                    .filter(|id| matches!(tree.nodes.get(id).map(|n| &n.data), Some(Data::Dir(..))))
                    .count() as u64;
                (2 + subdirs, 0)
            }
            Data::Dir(..) => (0, 0),
        };
        Ok(NodeStat {
            kind: n.kind(),
            ino: node.0,
            nlink,
            size,
            atime: n.atime,
            mtime: n.mtime,
            ctime: n.ctime,
        })
    }

    fn kind(&self, node: NodeId) -> VfsResult<NodeKind> {
        Ok(self.lock().node(node.0)?.kind())
    }

    fn read_link(&self, node: NodeId) -> VfsResult<String> {
        match &self.lock().node(node.0)?.data {
            Data::Symlink(t) => Ok(t.clone()),
            _ => Err(ErrorCode::Invalid),
        }
    }

    fn read_at(&self, node: NodeId, buf: &mut [u8], offset: u64) -> VfsResult<usize> {
        let tree = self.lock();
        match &tree.node(node.0)?.data {
            Data::File(bytes) => {
                let len = bytes.len() as u64;
                if offset >= len {
                    return Ok(0);
                }
                let start = offset as usize;
                let n = buf.len().min(bytes.len() - start);
                buf[..n].copy_from_slice(&bytes[start..start + n]);
                Ok(n)
            }
            Data::Dir(..) => Err(ErrorCode::IsDirectory),
            Data::Symlink(_) => Err(ErrorCode::Invalid),
        }
    }

    fn list(&self, dir: NodeId, after: Option<&str>, max: usize) -> VfsResult<Vec<VEntry>> {
        let tree = self.lock();
        let entries = tree.entries(dir.0)?;
        let start = match after {
            Some(name) => Bound::Excluded(name),
            None => Bound::Unbounded,
        };
        Ok(entries
            .range::<str, _>((start, Bound::Unbounded))
            .take(max)
            .filter_map(|(name, id)| {
                Some(VEntry {
                    name: name.clone(),
                    kind: tree.nodes.get(id)?.kind(),
                })
            })
            .collect())
    }

    fn write_at(&self, node: NodeId, data: &[u8], offset: u64, now: Datetime) -> VfsResult<usize> {
        self.lock().write(node.0, data, offset, now)
    }

    fn append(&self, node: NodeId, data: &[u8], now: Datetime) -> VfsResult<usize> {
        let mut tree = self.lock();
        let offset = match &tree.node(node.0)?.data {
            Data::File(b) => b.len() as u64,
            _ => return Err(ErrorCode::IsDirectory),
        };
        tree.write(node.0, data, offset, now)
    }

    fn set_size(&self, node: NodeId, size: u64, now: Datetime) -> VfsResult<()> {
        if size > i64::MAX as u64 {
            return Err(ErrorCode::FileTooLarge);
        }
        self.lock().resize(node.0, size, now)
    }

    fn set_times(
        &self,
        node: NodeId,
        atime: SetTime,
        mtime: SetTime,
        now: Datetime,
    ) -> VfsResult<()> {
        let mut tree = self.lock();
        let n = tree.node_mut(node.0)?;
        if let SetTime::To(t) = atime {
            n.atime = t;
        }
        if let SetTime::To(t) = mtime {
            n.mtime = t;
        }
        n.ctime = now;
        Ok(())
    }

    fn create_file(
        &self,
        dir: NodeId,
        name: &str,
        exclusive: bool,
        now: Datetime,
    ) -> VfsResult<NodeId> {
        check_name(name)?;
        let mut tree = self.lock();
        match tree.entry(dir.0, name) {
            Ok(_) if exclusive => Err(ErrorCode::Exist),
            Ok(id) => match tree.node(id)?.data {
                Data::Dir(..) => Err(ErrorCode::IsDirectory),
                _ => Ok(NodeId(id)),
            },
            Err(ErrorCode::NoEntry) => tree
                .add(dir.0, name, Data::File(Vec::new()), now)
                .map(NodeId),
            Err(e) => Err(e),
        }
    }

    fn create_dir(&self, dir: NodeId, name: &str, now: Datetime) -> VfsResult<()> {
        check_name(name)?;
        self.lock()
            .add(dir.0, name, Data::Dir(BTreeMap::new(), dir.0), now)
            .map(|_| ())
    }

    fn symlink(&self, dir: NodeId, name: &str, target: &str, now: Datetime) -> VfsResult<()> {
        check_name(name)?;
        self.lock()
            .add(dir.0, name, Data::Symlink(target.to_owned()), now)
            .map(|_| ())
    }

    fn unlink(&self, dir: NodeId, name: &str, now: Datetime) -> VfsResult<()> {
        let mut tree = self.lock();
        let id = tree.entry(dir.0, name)?;
        if let Data::Dir(..) = tree.node(id)?.data {
            return Err(ErrorCode::IsDirectory);
        }
        tree.drop_name(dir.0, name, id, now)
    }

    fn remove_dir(&self, dir: NodeId, name: &str, now: Datetime) -> VfsResult<()> {
        let mut tree = self.lock();
        let id = tree.entry(dir.0, name)?;
        match &tree.node(id)?.data {
            Data::Dir(entries, _) if !entries.is_empty() => return Err(ErrorCode::NotEmpty),
            Data::Dir(..) => {}
            _ => return Err(ErrorCode::NotDirectory),
        }
        tree.drop_name(dir.0, name, id, now)
    }

    fn rename(
        &self,
        dir: NodeId,
        name: &str,
        new_dir: NodeId,
        new_name: &str,
        now: Datetime,
    ) -> VfsResult<()> {
        check_name(new_name)?;
        let mut tree = self.lock();
        let id = tree.entry(dir.0, name)?;
        tree.entries(new_dir.0)?;
        let src_is_dir = matches!(tree.node(id)?.data, Data::Dir(..));
        if src_is_dir && tree.is_ancestor(id, new_dir.0) {
            return Err(ErrorCode::Invalid);
        }
        let target = tree.entry(new_dir.0, new_name);
        if let Ok(old) = target
            && old != id
            && matches!(tree.node(old)?.data, Data::Dir(..))
            && tree.is_ancestor(old, dir.0)
        {
            // The target is a directory holding the source.
            return Err(ErrorCode::NotEmpty);
        }
        match target {
            Ok(old) if old == id => return Ok(()),
            Ok(old) => {
                match (&tree.node(old)?.data, src_is_dir) {
                    (Data::Dir(..), false) => return Err(ErrorCode::IsDirectory),
                    (Data::Dir(entries, _), true) if !entries.is_empty() => {
                        return Err(ErrorCode::NotEmpty);
                    }
                    (Data::Dir(..), true) => {}
                    (_, true) => return Err(ErrorCode::NotDirectory),
                    (_, false) => {}
                }
                tree.drop_name(new_dir.0, new_name, old, now)?;
            }
            Err(ErrorCode::NoEntry) => {
                if tree.removed(new_dir.0) {
                    return Err(ErrorCode::NoEntry);
                }
            }
            Err(e) => return Err(e),
        }
        tree.entries_mut(dir.0)?.remove(name);
        tree.entries_mut(new_dir.0)?.insert(new_name.to_owned(), id);
        tree.touch_dir(dir.0, now);
        tree.touch_dir(new_dir.0, now);
        let node = tree.node_mut(id)?;
        node.ctime = now;
        if let Data::Dir(_, parent) = &mut node.data {
            *parent = new_dir.0;
        }
        Ok(())
    }

    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &str, now: Datetime) -> VfsResult<()> {
        check_name(new_name)?;
        let mut tree = self.lock();
        if let Data::Dir(..) = tree.node(node.0)?.data {
            return Err(ErrorCode::NotPermitted);
        }
        if tree.entries(new_dir.0)?.contains_key(new_name) {
            return Err(ErrorCode::Exist);
        }
        if tree.removed(new_dir.0) {
            return Err(ErrorCode::NoEntry);
        }
        tree.entries_mut(new_dir.0)?
            .insert(new_name.to_owned(), node.0);
        tree.touch_dir(new_dir.0, now);
        let n = tree.node_mut(node.0)?;
        n.links += 1;
        n.ctime = now;
        Ok(())
    }

    fn space_left(&self) -> Option<u64> {
        let tree = self.lock();
        Some(tree.max_bytes.saturating_sub(tree.bytes))
    }

    fn open(&self, node: NodeId) {
        if let Some(n) = self.lock().nodes.get_mut(&node.0) {
            n.open += 1;
        }
    }

    fn close(&self, node: NodeId) {
        let mut tree = self.lock();
        if let Some(n) = tree.nodes.get_mut(&node.0) {
            n.open = n.open.saturating_sub(1);
        }
        tree.release(node.0);
    }
}
