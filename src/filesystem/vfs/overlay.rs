//! The overlay: a host directory as a read-only lower layer under an
//! in-memory upper layer that takes every change, so the guest sees its own
//! creates, writes, renames and deletes while the host directory is never
//! changed (the backend itself is `overlay_fs.rs`).
//!
//! The host directory is opened once, when the overlay is made, and looked
//! into lazily: only what the guest touches costs memory, host trees larger
//! than the upper layer's quotas work, and host changes show through
//! wherever the guest changed nothing. [`Overlay::changes`] compares the
//! merged view with the host directory to report what the guest changed.

use super::backend::{NodeKind, VfsResult};
use super::host_lower::HostLower;
use super::memory::MemoryFs;
use super::mount::{AnyBackend, Mount};
use super::overlay_fs::{OverlayFs, Source};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

/// A host directory with an in-memory layer on top (see the module docs).
/// Clones share the layers.
#[derive(Clone)]
pub struct Overlay {
    fs: Arc<OverlayFs>,
}

/// One difference between the overlay and the host directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A path that the host directory does not have.
    Added(String),
    /// A path whose type, contents or symlink target differ.
    Modified(String),
    /// A path of the host directory that the guest removed.
    Removed(String),
}

impl Overlay {
    /// An overlay of the host directory `lower`, with an upper layer of the
    /// default quotas.
    pub fn new(lower: impl AsRef<Path>) -> std::io::Result<Overlay> {
        Self::with_upper(lower, MemoryFs::new())
    }

    /// An overlay of `lower` whose changes go to `upper` (an empty tree,
    /// with the quotas the embedder chose: they bound what the guest
    /// copies up and adds, not the host tree).
    pub fn with_upper(lower: impl AsRef<Path>, upper: MemoryFs) -> std::io::Result<Overlay> {
        let lower = HostLower::open(lower.as_ref())?;
        Ok(Overlay {
            fs: Arc::new(OverlayFs::new(lower, upper)),
        })
    }

    /// The upper layer: the objects the guest created or changed (copied
    /// up), at their paths. Removed host paths are not in it; see
    /// [`changes`](Self::changes) and [`read_file`](Self::read_file).
    pub fn upper(&self) -> &MemoryFs {
        self.fs.upper()
    }

    /// A mount of the overlay.
    pub fn mount(&self) -> Mount {
        AnyBackend::Overlay(Arc::clone(&self.fs)).into()
    }

    /// The contents of the file at `path` as the guest sees it (from the
    /// upper layer, else the host directory; symlinks not followed), if it
    /// is a file.
    pub fn read_file(&self, path: &str) -> Option<Vec<u8>> {
        self.fs.read_file(path).ok()
    }

    /// What the guest changed, compared with the host directory now:
    /// added, modified and removed paths (directories end with `/`),
    /// sorted.
    pub fn changes(&self) -> std::io::Result<Vec<Change>> {
        let io = |e| std::io::Error::other(e);
        let lower = self.fs.lower();
        let mut host = BTreeMap::new();
        walk_host(lower, ".", "", &mut host).map_err(io)?;
        let mut seen = std::collections::HashSet::new();
        let mut out = Vec::new();
        for (path, kind, source) in self.fs.walk().map_err(io)? {
            let plain = path.trim_end_matches('/');
            seen.insert(path.clone());
            let Some(&host_kind) = host.get(&path) else {
                out.push(Change::Added(path));
                continue;
            };
            let same = match &source {
                Source::Lower(l) if l == plain => true,
                _ if kind != host_kind => false,
                _ if kind == NodeKind::Directory => true,
                Source::Lower(l) => contents(lower, l, kind) == contents(lower, plain, kind),
                Source::Upper(u) => self.fs.upper_contents(*u).ok() == contents(lower, plain, kind),
            };
            if !same {
                out.push(Change::Modified(path));
            }
        }
        for path in host.into_keys() {
            if !seen.contains(&path) {
                out.push(Change::Removed(path));
            }
        }
        out.sort_by(|a, b| key(a).cmp(key(b)));
        Ok(out)
    }
}

fn key(c: &Change) -> &str {
    match c {
        Change::Added(p) | Change::Modified(p) | Change::Removed(p) => p,
    }
}

/// The bytes (file) or target (symlink) of the host object at `path`.
fn contents(lower: &HostLower, path: &str, kind: NodeKind) -> Option<Vec<u8>> {
    match kind {
        NodeKind::File => lower.read_prefix(path, u64::MAX).ok(),
        NodeKind::Symlink => lower.read_link(path).ok().map(String::into_bytes),
        NodeKind::Directory => Some(Vec::new()),
    }
}

/// Every path of the host directory (directories ending with `/`) with
/// its kind.
fn walk_host(
    lower: &HostLower,
    dir: &str,
    prefix: &str,
    out: &mut BTreeMap<String, NodeKind>,
) -> VfsResult<()> {
    for (name, kind) in lower.entries(dir)? {
        let path = format!("{prefix}{name}");
        if kind == NodeKind::Directory {
            out.insert(format!("{path}/"), kind);
            walk_host(lower, &path, &format!("{path}/"), out)?;
        } else {
            out.insert(path, kind);
        }
    }
    Ok(())
}
