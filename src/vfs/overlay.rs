//! The overlay backend: a host directory seen through an in-memory layer
//! that takes every change, so the guest sees its own creates, writes,
//! renames and deletes while the host directory is never changed.
//!
//! This version reads the host directory once, when the overlay is made
//! (a copy into the upper [`MemoryFs`], bounded by its quotas), rather
//! than looking into the host lazily: later changes of the host directory
//! are not seen, and the host tree must fit the quotas. Deletions are the
//! absence of the name in the upper layer (no separate whiteouts are
//! needed); [`Overlay::changes`] compares the upper layer with the host
//! directory to report what the guest changed.

use super::memory::MemoryFs;
use super::mount::{AnyBackend, Mount};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// A host directory with an in-memory layer on top (see the module docs).
/// Clones share the layer.
#[derive(Clone)]
pub struct Overlay {
    lower: PathBuf,
    upper: MemoryFs,
}

/// One difference between the upper layer and the host directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A path that the host directory does not have.
    Added(String),
    /// A path whose type, contents or symlink target differ.
    Modified(String),
    /// A path of the host directory that the guest removed.
    Removed(String),
}

/// What a path holds, for comparing the layers.
#[derive(PartialEq)]
enum Item {
    Dir,
    File(Vec<u8>),
    Link(String),
}

impl Overlay {
    /// An overlay of the host directory `lower`, with an upper layer of the
    /// default quotas.
    pub fn new(lower: impl AsRef<Path>) -> std::io::Result<Overlay> {
        Self::with_upper(lower, MemoryFs::new())
    }

    /// An overlay of `lower` whose changes go to `upper` (an empty tree,
    /// with the quotas the embedder chose).
    pub fn with_upper(lower: impl AsRef<Path>, upper: MemoryFs) -> std::io::Result<Overlay> {
        let lower = lower.as_ref().to_path_buf();
        upper.import_host_tree(&lower)?;
        Ok(Overlay { lower, upper })
    }

    /// The upper layer: what the guest sees now.
    pub fn upper(&self) -> &MemoryFs {
        &self.upper
    }

    /// A mount of the overlay.
    pub fn mount(&self) -> Mount {
        AnyBackend::Memory(self.upper.clone()).into()
    }

    /// What the guest changed, compared with the host directory now:
    /// added, modified and removed paths (directories end with `/`),
    /// sorted.
    pub fn changes(&self) -> std::io::Result<Vec<Change>> {
        let mut host = BTreeMap::new();
        walk_host(&self.lower, "", &mut host)?;
        let mut upper = BTreeMap::new();
        for path in self.upper.paths() {
            let item = if path.ends_with('/') {
                Item::Dir
            } else if let Some(bytes) = self.upper.read_file(&path) {
                Item::File(bytes)
            } else {
                Item::Link(self.upper.symlink_target(&path).unwrap_or_default())
            };
            upper.insert(path, item);
        }
        let mut out = Vec::new();
        for (path, item) in &upper {
            match host.get(path) {
                None => out.push(Change::Added(path.clone())),
                Some(h) if h != item => out.push(Change::Modified(path.clone())),
                _ => {}
            }
        }
        for path in host.keys() {
            if !upper.contains_key(path) {
                out.push(Change::Removed(path.clone()));
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

fn walk_host(dir: &Path, prefix: &str, out: &mut BTreeMap<String, Item>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let ft = entry.file_type()?;
        if ft.is_dir() {
            out.insert(format!("{prefix}{name}/"), Item::Dir);
            walk_host(&entry.path(), &format!("{prefix}{name}/"), out)?;
        } else if ft.is_file() {
            out.insert(
                format!("{prefix}{name}"),
                Item::File(std::fs::read(entry.path())?),
            );
        } else if ft.is_symlink() {
            let target = std::fs::read_link(entry.path())?;
            if let Some(t) = target.to_str() {
                out.insert(format!("{prefix}{name}"), Item::Link(t.to_owned()));
            }
        }
    }
    Ok(())
}
