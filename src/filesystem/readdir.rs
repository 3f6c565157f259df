//! `directory-entry-stream`: a lazy listing of a directory.
//!
//! Entries come from the directory read itself (`getdents`): the type is the
//! entry's `d_type`, so no entry is `stat`-ed (except on filesystems that do
//! not report a type). Entries are fetched in batches of [`BATCH`], one
//! blocking call per batch, so a listing is linear in its length and the
//! first entry is available before the rest are read.

use super::budget::Slot;
use super::{FsResult, stat};
use crate::filesystem::{DescriptorType, DirectoryEntry, ErrorCode};
use std::collections::VecDeque;

/// How many entries one blocking call reads.
pub const BATCH: usize = 256;

/// The host side of `wasi:filesystem/types.directory-entry-stream`.
pub struct ReaddirStream {
    /// The host listing; `None` once it is exhausted (or failed).
    entries: Option<cap_std::fs::ReadDir>,
    /// Entries read but not yet returned.
    buffer: VecDeque<FsResult<DirectoryEntry>>,
    allow_blocking_current_thread: bool,
    /// The listing's descriptors in the context's budget, given back as
    /// soon as the host listing is closed.
    slot: Option<Slot>,
    /// The listing of a virtual directory (then `entries` is `None`).
    virtual_listing: Option<crate::vfs::VirtualListing>,
}

impl ReaddirStream {
    /// A stream over a host listing.
    pub(crate) fn new(
        entries: cap_std::fs::ReadDir,
        slot: Slot,
        allow_blocking_current_thread: bool,
    ) -> Self {
        ReaddirStream {
            entries: Some(entries),
            buffer: VecDeque::new(),
            allow_blocking_current_thread,
            slot: Some(slot),
            virtual_listing: None,
        }
    }

    /// A stream over the listing of a virtual directory.
    pub(crate) fn from_virtual(listing: crate::vfs::VirtualListing) -> Self {
        ReaddirStream {
            entries: None,
            buffer: VecDeque::new(),
            allow_blocking_current_thread: true,
            slot: None,
            virtual_listing: Some(listing),
        }
    }

    /// `read-directory-entry`: the next entry, `None` at the end. An entry
    /// whose name is not UTF-8 is reported as `illegal-byte-sequence`; the
    /// listing continues after it.
    pub async fn next(&mut self) -> FsResult<Option<DirectoryEntry>> {
        if let Some(listing) = &mut self.virtual_listing {
            return listing.next_entry();
        }
        if let Some(item) = self.buffer.pop_front() {
            return item.map(Some);
        }
        let Some(mut entries) = self.entries.take() else {
            return Ok(None);
        };
        let (entries, batch) =
            crate::runtime::run_blocking(self.allow_blocking_current_thread, move || {
                let mut batch = VecDeque::with_capacity(BATCH);
                while batch.len() < BATCH {
                    match entries.next() {
                        None => return (None, batch),
                        Some(Ok(entry)) => batch.push_back(convert(&entry)),
                        Some(Err(e)) => {
                            batch.push_back(Err(e.into()));
                            return (None, batch);
                        }
                    }
                }
                (Some(entries), batch)
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

/// One host entry as a spec entry.
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
    Ok(DirectoryEntry { type_, name })
}
