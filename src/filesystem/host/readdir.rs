//! A host directory's listing (`read-directory` on a host descriptor).
//!
//! Entries come from the directory read itself (`getdents`): the type is the
//! entry's `d_type`, so no entry is `stat`-ed (except on filesystems that do
//! not report a type). Entries are fetched in batches of [`BATCH`], one
//! blocking call per batch, so a listing is linear in its length and the
//! first entry is available before the rest are read.

use crate::filesystem::budget::Slot;
use crate::filesystem::{DescriptorType, DirectoryEntry, ErrorCode, FsResult, stat};
use std::collections::VecDeque;

/// How many entries one blocking call reads.
pub const BATCH: usize = 256;

/// A listing of a host directory in progress.
pub struct HostListing {
    /// The host listing; `None` once it is exhausted (or failed).
    entries: Option<cap_std::fs::ReadDir>,
    /// Entries read but not yet returned.
    buffer: VecDeque<FsResult<DirectoryEntry>>,
    allow_blocking_current_thread: bool,
    /// The listing's descriptors in the context's budget, given back as
    /// soon as the host listing is closed.
    slot: Option<Slot>,
}

impl HostListing {
    /// A listing over cap-std's `entries`, holding `slot` until it ends,
    /// with its first batch already read: this blocks, so it runs inside
    /// the blocking call that opened the listing (one hop for the opening
    /// and the first entries).
    pub(crate) fn open(
        entries: cap_std::fs::ReadDir,
        slot: Slot,
        allow_blocking_current_thread: bool,
    ) -> Self {
        let mut buffer = VecDeque::with_capacity(BATCH);
        let entries = read_batch(entries, &mut buffer);
        HostListing {
            slot: entries.is_some().then_some(slot),
            entries,
            buffer,
            allow_blocking_current_thread,
        }
    }

    /// [`HostListing::next_entry`] if it needs no blocking call: an entry
    /// of the batch in hand, or the end; `None` when the next batch has to
    /// be read.
    pub fn next_buffered(&mut self) -> Option<FsResult<Option<DirectoryEntry>>> {
        match self.buffer.pop_front() {
            Some(item) => Some(item.map(Some)),
            None if self.entries.is_none() => Some(Ok(None)),
            None => None,
        }
    }

    /// The next entry, `None` at the end. An entry whose name is not UTF-8
    /// is `illegal-byte-sequence`; the listing continues after it.
    pub async fn next_entry(&mut self) -> FsResult<Option<DirectoryEntry>> {
        if let Some(item) = self.buffer.pop_front() {
            return item.map(Some);
        }
        let Some(entries) = self.entries.take() else {
            return Ok(None);
        };
        // The buffer travels with the work and comes back filled: one
        // allocation for the whole listing.
        let mut batch = std::mem::take(&mut self.buffer);
        batch.reserve(BATCH);
        let (entries, batch) =
            crate::runtime::run_blocking(self.allow_blocking_current_thread, move || {
                let entries = read_batch(entries, &mut batch);
                (entries, batch)
            })
            .await;
        self.entries = entries;
        if self.entries.is_none() {
            self.slot = None;
        }
        self.buffer = batch;
        match self.buffer.pop_front() {
            Some(item) => item.map(Some),
            None => Ok(None),
        }
    }
}

/// Reads up to [`BATCH`] entries of `entries` into `batch` (blocking);
/// gives `entries` back unless it ended (or failed, the error being the
/// last item of the batch).
fn read_batch(
    mut entries: cap_std::fs::ReadDir,
    batch: &mut VecDeque<FsResult<DirectoryEntry>>,
) -> Option<cap_std::fs::ReadDir> {
    while batch.len() < BATCH {
        match entries.next() {
            None => return None,
            Some(Ok(entry)) => batch.push_back(convert(&entry)),
            Some(Err(e)) => {
                batch.push_back(Err(e.into()));
                return None;
            }
        }
    }
    Some(entries)
}

/// One host entry as a [`DirectoryEntry`].
fn convert(entry: &cap_std::fs::DirEntry) -> FsResult<DirectoryEntry> {
    let name = entry
        .file_name()
        .into_string()
        .map_err(|_| ErrorCode::IllegalByteSequence)?;
    let mut type_ = match entry.file_type() {
        Ok(ft) => stat::descriptor_type(ft),
        Err(_) => DescriptorType::Unknown,
    };
    if type_ == DescriptorType::Unknown {
        // No `d_type` from this filesystem: ask for it (the entry may be
        // gone by now, then it stays unknown).
        if let Ok(meta) = entry.metadata() {
            type_ = stat::descriptor_type(meta.file_type());
        }
    }
    Ok(DirectoryEntry {
        type_,
        name,
        ino: Some(std::os::unix::fs::DirEntryExt::ino(entry)),
    })
}
