//! `read-directory` on a virtual directory: the backend's listing, fetched
//! in batches and resumed after the last name returned, so entries created
//! or removed during the listing are seen at most once, and every entry
//! present throughout is seen exactly once (what POSIX `readdir` allows).

use super::backend::{FsBackend, VEntry};
use super::descriptor::{VirtualDir, descriptor_type};
use crate::filesystem::{DirectoryEntry, FsResult};
use std::collections::VecDeque;

/// How many entries one backend call returns.
const BATCH: usize = 256;

/// A listing in progress.
pub struct VirtualListing {
    dir: VirtualDir,
    /// The last name handed out.
    after: Option<String>,
    buffer: VecDeque<VEntry>,
    done: bool,
    /// Its place in the context's budget of virtual descriptors.
    _slot: crate::limits::Slot,
}

impl VirtualListing {
    pub(crate) fn new(dir: VirtualDir, slot: crate::limits::Slot) -> Self {
        VirtualListing {
            dir,
            after: None,
            buffer: VecDeque::new(),
            done: false,
            _slot: slot,
        }
    }

    /// The next entry, `None` at the end.
    pub fn next_entry(&mut self) -> FsResult<Option<DirectoryEntry>> {
        if self.buffer.is_empty() && !self.done {
            let batch = self.dir.open.mount.backend.list(
                self.dir.open.node,
                self.after.as_deref(),
                BATCH,
            )?;
            self.done = batch.len() < BATCH;
            self.buffer = batch.into();
        }
        Ok(self.buffer.pop_front().map(|e| {
            self.after = Some(e.name.clone());
            DirectoryEntry {
                type_: descriptor_type(e.kind),
                name: e.name,
                ino: None,
            }
        }))
    }
}
