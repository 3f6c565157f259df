//! The overlay backend: a read-only host directory (`host_lower.rs`)
//! under an in-memory upper layer ([`MemoryFs`]) that takes every change.
//!
//! * Node ids are the overlay's own. An object is looked up in the lower
//!   layer only when the guest asks for its name, and keeps its id when it
//!   is copied up, so `ino`, `is-same-object` and open descriptors stay
//!   with it.
//! * Copy-up: a lower file or symlink goes to the upper layer on its first
//!   change (write, append, set-size, set-times, link, rename); a lower
//!   directory is made (empty) in the upper layer when something in it
//!   changes, its lower entries still showing through. A renamed lower
//!   directory keeps showing the entries of its lower path from its new
//!   place (a redirect), so nothing beneath it is copied.
//! * Whiteouts: a removed name that the lower directory has is recorded in
//!   the directory's node and hidden from then on. A removed directory
//!   loses its lower path, so one made again under that name is opaque.
//! * A name of the upper layer hides the same lower name; listings merge
//!   both layers (minus whiteouts) in name order.

use super::backend::{FsBackend, NodeId, NodeKind, NodeStat, SetTime, VEntry, VfsResult};
use super::host_lower::{HostLower, TOP, join};
use super::memory::{Copied, MemoryFs};
use crate::clocks::Datetime;
use crate::filesystem::ErrorCode;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

/// The id of the root directory.
const ROOT: u64 = 1;
/// How many lower listings are kept for resumed `list` calls.
const LISTINGS: usize = 16;

/// One object of the overlay.
struct ONode {
    kind: NodeKind,
    /// The object in the upper layer, once copied up or created there.
    upper: Option<NodeId>,
    /// Its lower path: a file or symlink not copied up is read from there;
    /// a directory shows the entries there (`None`: new, or opaque).
    lower: Option<String>,
    /// The directory holding it and its name there: where a copy-up puts
    /// a lower object (kept up to date for directories by `rename`).
    parent: u64,
    name: String,
    /// Lower names removed from this directory.
    whiteouts: HashSet<String>,
    /// Its last name was removed.
    removed: bool,
    /// Open descriptors.
    open: u64,
}

impl ONode {
    fn new(kind: NodeKind, upper: Option<NodeId>, lower: Option<String>, parent: u64) -> ONode {
        ONode {
            kind,
            upper,
            lower,
            parent,
            name: String::new(),
            whiteouts: HashSet::new(),
            removed: false,
            open: 0,
        }
    }
}

/// A lower directory's entries, sorted.
type Listing = Arc<Vec<(String, NodeKind)>>;

struct State {
    nodes: HashMap<u64, ONode>,
    by_upper: HashMap<NodeId, u64>,
    by_lower: HashMap<String, u64>,
    /// Lower listings of directories being listed.
    listings: HashMap<u64, Listing>,
    next: u64,
}

impl State {
    fn node(&self, id: u64) -> VfsResult<&ONode> {
        self.nodes.get(&id).ok_or(ErrorCode::BadDescriptor)
    }

    fn node_mut(&mut self, id: u64) -> VfsResult<&mut ONode> {
        self.nodes.get_mut(&id).ok_or(ErrorCode::BadDescriptor)
    }

    fn kind(&self, id: u64) -> VfsResult<NodeKind> {
        Ok(self.node(id)?.kind)
    }

    fn dir(&self, id: u64) -> VfsResult<&ONode> {
        let node = self.node(id)?;
        if node.kind != NodeKind::Directory {
            return Err(ErrorCode::NotDirectory);
        }
        Ok(node)
    }

    fn add(&mut self, node: ONode, name: &str) -> u64 {
        let id = self.next;
        self.next += 1;
        if let Some(u) = node.upper {
            self.by_upper.insert(u, id);
        }
        if let Some(l) = &node.lower {
            self.by_lower.insert(l.clone(), id);
        }
        self.nodes.insert(
            id,
            ONode {
                name: name.to_owned(),
                ..node
            },
        );
        id
    }

    /// Whether `anc` is `id` or one of its ancestors.
    fn is_ancestor(&self, anc: u64, mut id: u64) -> bool {
        loop {
            if id == anc {
                return true;
            }
            match self.nodes.get(&id) {
                Some(n) if n.parent != id => id = n.parent,
                _ => return false,
            }
        }
    }
}

/// The overlay backend (see the module docs).
pub(crate) struct OverlayFs {
    lower: HostLower,
    upper: MemoryFs,
    state: Mutex<State>,
}

/// Checks a name handed to the backend.
fn check_name(name: &str) -> VfsResult<()> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\0']) {
        return Err(ErrorCode::Invalid);
    }
    Ok(())
}

/// Where an object of the merged view comes from (for the embedder).
pub(crate) enum Source {
    /// An object of the upper layer.
    Upper(NodeId),
    /// The lower object at this path.
    Lower(String),
}

impl OverlayFs {
    /// `lower` under `upper`.
    pub(crate) fn new(lower: HostLower, upper: MemoryFs) -> OverlayFs {
        let mut state = State {
            nodes: HashMap::new(),
            by_upper: HashMap::new(),
            by_lower: HashMap::new(),
            listings: HashMap::new(),
            next: ROOT,
        };
        let root = ONode::new(
            NodeKind::Directory,
            Some(upper.root()),
            Some(TOP.to_owned()),
            ROOT,
        );
        state.add(root, "");
        // A fresh upper root stands for the host directory: its times.
        if let (Ok(s), Ok(entries)) = (lower.stat(TOP), upper.list(upper.root(), None, 1))
            && entries.is_empty()
        {
            let [atime, mtime, ctime] = s.times;
            let _ = upper.set_times(upper.root(), SetTime::To(atime), SetTime::To(mtime), ctime);
        }
        OverlayFs {
            lower,
            upper,
            state: Mutex::new(state),
        }
    }

    /// The upper layer.
    pub(crate) fn upper(&self) -> &MemoryFs {
        &self.upper
    }

    /// The lower layer.
    pub(crate) fn lower(&self) -> &HostLower {
        &self.lower
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The node of the upper object `uid`, found as `parent/name`.
    fn for_upper(&self, st: &mut State, uid: NodeId, parent: u64, name: &str) -> VfsResult<u64> {
        if let Some(&id) = st.by_upper.get(&uid) {
            return Ok(id);
        }
        let kind = self.upper.kind(uid)?;
        Ok(st.add(ONode::new(kind, Some(uid), None, parent), name))
    }

    /// `dir/name` in the merged view.
    fn lookup_in(&self, st: &mut State, dir: u64, name: &str) -> VfsResult<u64> {
        let d = st.dir(dir)?;
        if let Some(u) = d.upper {
            match self.upper.lookup(u, name) {
                Ok(uid) => return self.for_upper(st, uid, dir, name),
                Err(ErrorCode::NoEntry) => {}
                Err(e) => return Err(e),
            }
        }
        let d = st.node(dir)?;
        let shown = !d.removed && !d.whiteouts.contains(name);
        let Some(lower) = d.lower.as_deref().filter(|_| shown) else {
            return Err(ErrorCode::NoEntry);
        };
        let path = join(lower, name);
        let kind = self.lower.kind(&path).ok_or(ErrorCode::NoEntry)?;
        if let Some(&id) = st.by_lower.get(&path)
            && st.nodes.get(&id).is_some_and(|n| n.kind == kind)
        {
            return Ok(id);
        }
        Ok(st.add(ONode::new(kind, None, Some(path), dir), name))
    }

    /// Whether the lower directory of `dir` has `name`.
    fn lower_has(&self, st: &State, dir: u64, name: &str) -> bool {
        st.nodes
            .get(&dir)
            .and_then(|d| d.lower.as_deref())
            .is_some_and(|l| self.lower.kind(&join(l, name)).is_some())
    }

    /// Makes `name`, which `dir` must not have yet (`exist` otherwise), in
    /// the upper layer: `make` gets `dir`'s upper object, copied up first.
    fn create_new(
        &self,
        dir: NodeId,
        name: &str,
        make: impl FnOnce(NodeId) -> VfsResult<()>,
    ) -> VfsResult<()> {
        check_name(name)?;
        let mut st = self.lock();
        match self.lookup_in(&mut st, dir.0, name) {
            Ok(_) => Err(ErrorCode::Exist),
            Err(ErrorCode::NoEntry) => make(self.copy_up(&mut st, dir.0, u64::MAX)?),
            Err(e) => Err(e),
        }
    }

    /// The upper object of `id`, copied up first if needed (a file with at
    /// most `keep` of its bytes).
    fn copy_up(&self, st: &mut State, id: u64, keep: u64) -> VfsResult<NodeId> {
        let n = st.node(id)?;
        if let Some(u) = n.upper {
            return Ok(u);
        }
        if n.removed && n.kind == NodeKind::Directory {
            return Err(ErrorCode::NoEntry);
        }
        let path = n.lower.clone().ok_or(ErrorCode::BadDescriptor)?;
        let (kind, parent, name, removed, open) =
            (n.kind, n.parent, n.name.clone(), n.removed, n.open);
        let stat = self.lower.stat(&path)?;
        let content = match kind {
            NodeKind::Directory => Copied::Dir,
            NodeKind::File => {
                let len = stat.size.min(keep);
                if len > self.upper.space_left().unwrap_or(u64::MAX) {
                    return Err(ErrorCode::InsufficientSpace);
                }
                Copied::File(self.lower.read_prefix(&path, len)?)
            }
            NodeKind::Symlink => Copied::Symlink(self.lower.read_link(&path)?),
        };
        let uid = if removed {
            self.upper
                .insert_copy(None, "", content, stat.times, open)?
        } else {
            let up = self.copy_up(st, parent, u64::MAX)?;
            self.upper
                .insert_copy(Some(up), &name, content, stat.times, open)?
        };
        st.by_upper.insert(uid, id);
        let n = st.node_mut(id)?;
        n.upper = Some(uid);
        if kind != NodeKind::Directory {
            n.lower = None;
            if st.by_lower.get(&path) == Some(&id) {
                st.by_lower.remove(&path);
            }
        }
        Ok(uid)
    }

    /// Forgets a node nothing refers to any more.
    fn forget_if_dead(&self, st: &mut State, id: u64) {
        let Some(n) = st.nodes.get(&id) else {
            return;
        };
        let dead = id != ROOT
            && match n.upper {
                Some(u) => self.upper.kind(u).is_err(),
                None => n.removed && n.open == 0,
            };
        if !dead {
            return;
        }
        if let Some(n) = st.nodes.remove(&id) {
            if let Some(u) = n.upper {
                st.by_upper.remove(&u);
            }
            if let Some(l) = n.lower
                && st.by_lower.get(&l) == Some(&id)
            {
                st.by_lower.remove(&l);
            }
        }
        st.listings.remove(&id);
    }

    /// The sorted lower entries of `dir` (read again unless `resume`).
    fn lower_listing(&self, st: &mut State, dir: u64, resume: bool) -> VfsResult<Listing> {
        let d = st.node(dir)?;
        let Some(path) = d.lower.clone().filter(|_| !d.removed) else {
            return Ok(Arc::default());
        };
        if resume && let Some(l) = st.listings.get(&dir) {
            return Ok(Arc::clone(l));
        }
        let listing = Arc::new(self.lower.entries(&path)?);
        if st.listings.len() >= LISTINGS {
            st.listings.clear();
        }
        st.listings.insert(dir, Arc::clone(&listing));
        Ok(listing)
    }

    /// Up to `max` entries of the merged directory `dir` after `after`.
    fn merged(
        &self,
        st: &mut State,
        dir: u64,
        after: Option<&str>,
        max: usize,
    ) -> VfsResult<Vec<VEntry>> {
        let upper = st.dir(dir)?.upper;
        let ups = match upper {
            Some(u) => self.upper.list(u, after, max)?,
            None => Vec::new(),
        };
        let listing = self.lower_listing(st, dir, after.is_some())?;
        let d = st.node(dir)?;
        let start = after.map_or(0, |a| listing.partition_point(|(n, _)| n.as_str() <= a));
        let mut lows = Vec::new();
        for (name, kind) in &listing[start..] {
            if lows.len() >= max {
                break;
            }
            if d.whiteouts.contains(name)
                || upper.is_some_and(|u| self.upper.lookup(u, name).is_ok())
            {
                continue;
            }
            lows.push(VEntry {
                name: name.clone(),
                kind: *kind,
            });
        }
        let mut out = Vec::with_capacity(max.min(ups.len() + lows.len()));
        let (mut ups, mut lows) = (ups.into_iter().peekable(), lows.into_iter().peekable());
        while out.len() < max {
            let take_up = match (ups.peek(), lows.peek()) {
                (Some(u), Some(l)) => u.name < l.name,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            out.extend(if take_up { ups.next() } else { lows.next() });
        }
        Ok(out)
    }

    fn is_empty_dir(&self, st: &mut State, dir: u64) -> VfsResult<bool> {
        Ok(self.merged(st, dir, None, 1)?.is_empty())
    }

    /// Removes `dir/name` (naming `id`) from the merged view.
    fn remove_name(
        &self,
        st: &mut State,
        dir: u64,
        name: &str,
        id: u64,
        now: Datetime,
    ) -> VfsResult<()> {
        let kind = st.kind(id)?;
        let ud = self.copy_up(st, dir, u64::MAX)?;
        match self.upper.lookup(ud, name) {
            Ok(_) if kind == NodeKind::Directory => self.upper.remove_dir(ud, name, now)?,
            Ok(_) => self.upper.unlink(ud, name, now)?,
            Err(ErrorCode::NoEntry) => {
                self.upper
                    .set_times(ud, SetTime::Keep, SetTime::To(now), now)?;
                let n = st.node_mut(id)?;
                n.removed = true;
                if let Some(l) = n.lower.clone()
                    && st.by_lower.get(&l) == Some(&id)
                {
                    st.by_lower.remove(&l);
                }
            }
            Err(e) => return Err(e),
        }
        if self.lower_has(st, dir, name) {
            st.node_mut(dir)?.whiteouts.insert(name.to_owned());
        }
        self.mark_removed_dir(st, id);
        self.forget_if_dead(st, id);
        Ok(())
    }

    /// A directory lost its name: nothing may be created in it, and its
    /// lower entries no longer show (its lower path stays, for `stat`).
    fn mark_removed_dir(&self, st: &mut State, id: u64) {
        if let Some(n) = st.nodes.get_mut(&id)
            && n.kind == NodeKind::Directory
        {
            n.removed = true;
            n.whiteouts.clear();
            if let Some(l) = n.lower.clone()
                && st.by_lower.get(&l) == Some(&id)
            {
                st.by_lower.remove(&l);
            }
            st.listings.remove(&id);
        }
    }

    /// The object at `path` (symlinks not followed).
    fn find(&self, st: &mut State, path: &str) -> VfsResult<u64> {
        let mut node = ROOT;
        for c in path.split('/') {
            match c {
                "" | "." => {}
                ".." => return Err(ErrorCode::NotPermitted),
                c => node = self.lookup_in(st, node, c)?,
            }
        }
        Ok(node)
    }

    /// The contents of the file at `path` in the merged view.
    pub(crate) fn read_file(&self, path: &str) -> VfsResult<Vec<u8>> {
        let id = self.find(&mut self.lock(), path)?;
        self.read_all(id)
    }

    /// The whole contents of file node `id`.
    fn read_all(&self, id: u64) -> VfsResult<Vec<u8>> {
        let size = self.stat(NodeId(id))?.size;
        let mut out = vec![0; usize::try_from(size).map_err(|_| ErrorCode::FileTooLarge)?];
        let mut filled = 0;
        while filled < out.len() {
            match self.read_at(NodeId(id), &mut out[filled..], filled as u64)? {
                0 => break,
                n => filled += n,
            }
        }
        out.truncate(filled);
        Ok(out)
    }

    /// Every path of the merged view (directories ending with `/`), with
    /// its kind and where it comes from. A directory not copied up is
    /// unchanged beneath, so its subtree is read from the host alone.
    pub(crate) fn walk(&self) -> VfsResult<Vec<(String, NodeKind, Source)>> {
        let mut out = Vec::new();
        let mut todo = vec![(ROOT, String::new())];
        while let Some((dir, prefix)) = todo.pop() {
            let mut st = self.lock();
            let entries = self.merged(&mut st, dir, None, usize::MAX)?;
            let d = st.node(dir)?;
            let (upper, lower) = (d.upper, d.lower.clone());
            for e in entries {
                let path = format!("{prefix}{}", e.name);
                match upper.and_then(|u| self.upper.lookup(u, &e.name).ok()) {
                    Some(uid) if e.kind == NodeKind::Directory => {
                        let id = self.for_upper(&mut st, uid, dir, &e.name)?;
                        todo.push((id, format!("{path}/")));
                        out.push((format!("{path}/"), e.kind, Source::Upper(uid)));
                    }
                    Some(uid) => out.push((path, e.kind, Source::Upper(uid))),
                    None => {
                        if let Some(l) = &lower {
                            self.walk_lower(&join(l, &e.name), path, e.kind, &mut out)?;
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    fn walk_lower(
        &self,
        lower: &str,
        path: String,
        kind: NodeKind,
        out: &mut Vec<(String, NodeKind, Source)>,
    ) -> VfsResult<()> {
        if kind != NodeKind::Directory {
            out.push((path, kind, Source::Lower(lower.to_owned())));
            return Ok(());
        }
        out.push((format!("{path}/"), kind, Source::Lower(lower.to_owned())));
        for (name, kind) in self.lower.entries(lower)? {
            self.walk_lower(&join(lower, &name), format!("{path}/{name}"), kind, out)?;
        }
        Ok(())
    }

    /// The bytes (file) or target (symlink) of an object of the upper layer.
    pub(crate) fn upper_contents(&self, uid: NodeId) -> VfsResult<Vec<u8>> {
        match self.upper.kind(uid)? {
            NodeKind::Symlink => Ok(self.upper.read_link(uid)?.into_bytes()),
            NodeKind::Directory => Ok(Vec::new()),
            NodeKind::File => {
                let size = self.upper.stat(uid)?.size;
                let mut out = vec![0; usize::try_from(size).map_err(|_| ErrorCode::FileTooLarge)?];
                let n = self.upper.read_at(uid, &mut out, 0)?;
                out.truncate(n);
                Ok(out)
            }
        }
    }
}

impl FsBackend for OverlayFs {
    fn root(&self) -> NodeId {
        NodeId(ROOT)
    }

    fn lookup(&self, dir: NodeId, name: &str) -> VfsResult<NodeId> {
        self.lookup_in(&mut self.lock(), dir.0, name).map(NodeId)
    }

    fn stat(&self, node: NodeId) -> VfsResult<NodeStat> {
        let mut st = self.lock();
        let n = st.node(node.0)?;
        let mut stat = match (n.upper, &n.lower) {
            (Some(u), _) => self.upper.stat(u)?,
            (None, Some(l)) => {
                let s = self.lower.stat(l)?;
                NodeStat {
                    kind: n.kind,
                    ino: 0,
                    nlink: if n.removed { 0 } else { s.nlink },
                    size: s.size,
                    atime: s.times[0],
                    mtime: s.times[1],
                    ctime: s.times[2],
                }
            }
            (None, None) => return Err(ErrorCode::BadDescriptor),
        };
        stat.ino = node.0;
        // A directory with changes in both layers counts its merged
        // subdirectories; one unchanged in the upper layer has the host's.
        let merged = match (n.upper, &n.lower) {
            (Some(u), Some(l)) if n.kind == NodeKind::Directory && !n.removed => {
                if n.whiteouts.is_empty() && self.upper.list(u, None, 1)?.is_empty() {
                    stat.nlink = self.lower.stat(l)?.nlink;
                    false
                } else {
                    true
                }
            }
            _ => false,
        };
        if merged {
            let entries = self.merged(&mut st, node.0, None, usize::MAX)?;
            let subdirs = entries
                .iter()
                .filter(|e| e.kind == NodeKind::Directory)
                .count();
            stat.nlink = 2 + subdirs as u64;
        }
        Ok(stat)
    }

    fn kind(&self, node: NodeId) -> VfsResult<NodeKind> {
        self.lock().kind(node.0)
    }

    fn read_link(&self, node: NodeId) -> VfsResult<String> {
        let st = self.lock();
        let n = st.node(node.0)?;
        match (n.upper, &n.lower) {
            (Some(u), _) => self.upper.read_link(u),
            (None, Some(l)) if n.kind == NodeKind::Symlink => self.lower.read_link(l),
            _ => Err(ErrorCode::Invalid),
        }
    }

    fn read_at(&self, node: NodeId, buf: &mut [u8], offset: u64) -> VfsResult<usize> {
        let st = self.lock();
        let n = st.node(node.0)?;
        match (n.upper, &n.lower, n.kind) {
            (Some(u), _, _) => self.upper.read_at(u, buf, offset),
            (None, _, NodeKind::Directory) => Err(ErrorCode::IsDirectory),
            (None, Some(l), NodeKind::File) => self.lower.read_at(l, buf, offset),
            _ => Err(ErrorCode::Invalid),
        }
    }

    fn list(&self, dir: NodeId, after: Option<&str>, max: usize) -> VfsResult<Vec<VEntry>> {
        self.merged(&mut self.lock(), dir.0, after, max)
    }

    fn write_at(&self, node: NodeId, data: &[u8], offset: u64, now: Datetime) -> VfsResult<usize> {
        let mut st = self.lock();
        if st.kind(node.0)? != NodeKind::File {
            return Err(ErrorCode::IsDirectory);
        }
        if data.is_empty() {
            return Ok(0);
        }
        let u = self.copy_up(&mut st, node.0, u64::MAX)?;
        self.upper.write_at(u, data, offset, now)
    }

    fn append(&self, node: NodeId, data: &[u8], now: Datetime) -> VfsResult<usize> {
        let mut st = self.lock();
        if st.kind(node.0)? != NodeKind::File {
            return Err(ErrorCode::IsDirectory);
        }
        let u = self.copy_up(&mut st, node.0, u64::MAX)?;
        self.upper.append(u, data, now)
    }

    fn set_size(&self, node: NodeId, size: u64, now: Datetime) -> VfsResult<()> {
        if size > i64::MAX as u64 {
            return Err(ErrorCode::FileTooLarge);
        }
        let mut st = self.lock();
        if st.kind(node.0)? != NodeKind::File {
            return Err(ErrorCode::Invalid);
        }
        let u = self.copy_up(&mut st, node.0, size)?;
        self.upper.set_size(u, size, now)
    }

    fn set_times(
        &self,
        node: NodeId,
        atime: SetTime,
        mtime: SetTime,
        now: Datetime,
    ) -> VfsResult<()> {
        let u = self.copy_up(&mut self.lock(), node.0, u64::MAX)?;
        self.upper.set_times(u, atime, mtime, now)
    }

    fn create_file(
        &self,
        dir: NodeId,
        name: &str,
        exclusive: bool,
        now: Datetime,
    ) -> VfsResult<NodeId> {
        check_name(name)?;
        let mut st = self.lock();
        match self.lookup_in(&mut st, dir.0, name) {
            Ok(_) if exclusive => Err(ErrorCode::Exist),
            Ok(id) if st.kind(id)? == NodeKind::Directory => Err(ErrorCode::IsDirectory),
            Ok(id) => Ok(NodeId(id)),
            Err(ErrorCode::NoEntry) => {
                let ud = self.copy_up(&mut st, dir.0, u64::MAX)?;
                let uid = self.upper.create_file(ud, name, true, now)?;
                self.for_upper(&mut st, uid, dir.0, name).map(NodeId)
            }
            Err(e) => Err(e),
        }
    }

    fn create_dir(&self, dir: NodeId, name: &str, now: Datetime) -> VfsResult<()> {
        self.create_new(dir, name, |ud| self.upper.create_dir(ud, name, now))
    }

    fn symlink(&self, dir: NodeId, name: &str, target: &str, now: Datetime) -> VfsResult<()> {
        self.create_new(dir, name, |ud| self.upper.symlink(ud, name, target, now))
    }

    fn unlink(&self, dir: NodeId, name: &str, now: Datetime) -> VfsResult<()> {
        let mut st = self.lock();
        let id = self.lookup_in(&mut st, dir.0, name)?;
        if st.kind(id)? == NodeKind::Directory {
            return Err(ErrorCode::IsDirectory);
        }
        self.remove_name(&mut st, dir.0, name, id, now)
    }

    fn remove_dir(&self, dir: NodeId, name: &str, now: Datetime) -> VfsResult<()> {
        let mut st = self.lock();
        let id = self.lookup_in(&mut st, dir.0, name)?;
        if st.kind(id)? != NodeKind::Directory {
            return Err(ErrorCode::NotDirectory);
        }
        if !self.is_empty_dir(&mut st, id)? {
            return Err(ErrorCode::NotEmpty);
        }
        self.remove_name(&mut st, dir.0, name, id, now)
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
        let (dir, new_dir) = (dir.0, new_dir.0);
        let mut st = self.lock();
        let id = self.lookup_in(&mut st, dir, name)?;
        st.dir(new_dir)?;
        let src_is_dir = st.kind(id)? == NodeKind::Directory;
        if src_is_dir && st.is_ancestor(id, new_dir) {
            return Err(ErrorCode::Invalid);
        }
        let target = self.lookup_in(&mut st, new_dir, new_name);
        if let Ok(old) = target
            && old != id
            && st.kind(old)? == NodeKind::Directory
            && st.is_ancestor(old, dir)
        {
            // The target is a directory holding the source.
            return Err(ErrorCode::NotEmpty);
        }
        match target {
            Ok(old) if old == id => return Ok(()),
            Ok(old) => match (st.kind(old)? == NodeKind::Directory, src_is_dir) {
                (true, false) => return Err(ErrorCode::IsDirectory),
                (true, true) if !self.is_empty_dir(&mut st, old)? => {
                    return Err(ErrorCode::NotEmpty);
                }
                (false, true) => return Err(ErrorCode::NotDirectory),
                _ => {}
            },
            Err(ErrorCode::NoEntry) if st.node(new_dir)?.removed => {
                return Err(ErrorCode::NoEntry);
            }
            Err(ErrorCode::NoEntry) => {}
            Err(e) => return Err(e),
        }
        // Everything copied up first, so that a full upper layer changes
        // nothing.
        self.copy_up(&mut st, id, u64::MAX)?;
        let ud = self.copy_up(&mut st, dir, u64::MAX)?;
        let und = self.copy_up(&mut st, new_dir, u64::MAX)?;
        if let Ok(old) = target {
            if self.upper.lookup(und, new_name).is_err() {
                // A lower object: hidden by the new upper name.
                let n = st.node_mut(old)?;
                n.removed = true;
                if let Some(l) = n.lower.clone()
                    && st.by_lower.get(&l) == Some(&old)
                {
                    st.by_lower.remove(&l);
                }
            }
            if self.lower_has(&st, new_dir, new_name) {
                st.node_mut(new_dir)?.whiteouts.insert(new_name.to_owned());
            }
        }
        self.upper.rename(ud, name, und, new_name, now)?;
        if self.lower_has(&st, dir, name) {
            st.node_mut(dir)?.whiteouts.insert(name.to_owned());
        }
        let n = st.node_mut(id)?;
        n.parent = new_dir;
        new_name.clone_into(&mut n.name);
        if let Ok(old) = target {
            self.mark_removed_dir(&mut st, old);
            self.forget_if_dead(&mut st, old);
        }
        Ok(())
    }

    fn link(&self, node: NodeId, new_dir: NodeId, new_name: &str, now: Datetime) -> VfsResult<()> {
        check_name(new_name)?;
        let mut st = self.lock();
        if st.kind(node.0)? == NodeKind::Directory {
            return Err(ErrorCode::NotPermitted);
        }
        st.dir(new_dir.0)?;
        match self.lookup_in(&mut st, new_dir.0, new_name) {
            Ok(_) => return Err(ErrorCode::Exist),
            Err(ErrorCode::NoEntry) => {}
            Err(e) => return Err(e),
        }
        if st.node(new_dir.0)?.removed {
            return Err(ErrorCode::NoEntry);
        }
        let u = self.copy_up(&mut st, node.0, u64::MAX)?;
        let und = self.copy_up(&mut st, new_dir.0, u64::MAX)?;
        self.upper.link(u, und, new_name, now)
    }

    fn space_left(&self) -> Option<u64> {
        self.upper.space_left()
    }

    fn open(&self, node: NodeId) {
        let mut st = self.lock();
        if let Some(n) = st.nodes.get_mut(&node.0) {
            n.open += 1;
            if let Some(u) = n.upper {
                self.upper.open(u);
            }
        }
    }

    fn close(&self, node: NodeId) {
        let mut st = self.lock();
        if let Some(n) = st.nodes.get_mut(&node.0) {
            n.open = n.open.saturating_sub(1);
            if let Some(u) = n.upper {
                self.upper.close(u);
            }
        }
        self.forget_if_dead(&mut st, node.0);
    }
}
