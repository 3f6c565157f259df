//! A host directory's listing (`read-directory` on a host descriptor).
//!
//! Entries come from the directory read itself (`getdents`): the type is the
//! entry's `d_type`, so no entry is `stat`-ed (except on filesystems that do
//! not report a type). Entries are fetched in batches of [`BATCH`], one
//! blocking call per batch, so a listing is linear in its length and the
//! first entry is available before the rest are read. A deterministic run
//! reads the whole listing at once and hands it out sorted by name.

use super::recent::{self, Holds, Recent};
use crate::filesystem::budget::Slot;
use crate::filesystem::{DescriptorType, DirectoryEntry, ErrorCode, FsResult, stat};
use std::collections::VecDeque;
use std::sync::Arc;

/// How many entries one blocking call reads.
pub const BATCH: usize = 256;

/// A listing of a host directory in progress.
pub struct HostListing {
    /// The host listing; `None` once it is exhausted (or failed).
    entries: Option<cap_std::fs::ReadDir>,
    /// Entries read but not yet returned.
    buffer: VecDeque<FsResult<DirectoryEntry>>,
    /// Where its blocking work runs.
    blocking: super::Blocking,
    /// The listing's descriptors in the context's budget, given back as
    /// soon as the host listing is closed.
    slot: Option<Slot>,
    /// Where each entry returned is remembered for the `metadata-hash-at`
    /// that follows it (`None`: not remembered, as for preview 1, whose
    /// entries carry their inode numbers).
    recorder: Option<Recorder>,
    /// The name generation read before the batch in `buffer` was read.
    generation: u64,
}

/// Where a listing remembers the entries it returns: the directory's
/// [`Recent`], and the directory's device (its entries' device, but for
/// mount points, which are directories and not remembered).
pub(crate) struct Recorder {
    /// The directory descriptor's [`Recent`].
    pub(crate) recent: Arc<Recent>,
    /// The directory's device number.
    pub(crate) dev: u64,
}

impl HostListing {
    /// A listing over cap-std's `entries`, holding `slot` until it ends,
    /// with its first batch already read (all of it, in byte order of the
    /// names, when `sorted`): this blocks, so it runs inside the blocking
    /// call that opened the listing (one hop for the opening and the first
    /// entries).
    pub(crate) fn open(
        entries: cap_std::fs::ReadDir,
        slot: Slot,
        blocking: super::Blocking,
        recorder: Option<Recorder>,
        sorted: bool,
    ) -> Self {
        let mut buffer = VecDeque::with_capacity(BATCH);
        let generation = recent::generation();
        let entries = if sorted {
            read_sorted(entries, &mut buffer);
            None
        } else {
            read_batch(entries, &mut buffer)
        };
        HostListing {
            slot: entries.is_some().then_some(slot),
            entries,
            buffer,
            blocking,
            recorder,
            generation,
        }
    }

    /// Hands out `item`, remembering the entry for `metadata-hash-at`
    /// when this listing records: not a directory (it may be a mount
    /// point, whose entry number is not its root's), and not of unknown
    /// type.
    fn hand_out(&self, item: FsResult<DirectoryEntry>) -> FsResult<Option<DirectoryEntry>> {
        let entry = item?;
        if let (Some(recorder), Some(ino)) = (&self.recorder, entry.ino) {
            let holds = match entry.type_ {
                DescriptorType::Directory | DescriptorType::Unknown => None,
                DescriptorType::SymbolicLink => Some(Holds::NotFollowing),
                _ => Some(Holds::Either),
            };
            if let Some(holds) = holds {
                let generation = self.generation;
                recorder
                    .recent
                    .remember(&entry.name, holds, generation, recorder.dev, ino);
            }
        }
        Ok(Some(entry))
    }

    /// [`HostListing::next_entry`] if it needs no blocking call: an entry
    /// of the batch in hand, or the end; `None` when the next batch has to
    /// be read.
    pub fn next_buffered(&mut self) -> Option<FsResult<Option<DirectoryEntry>>> {
        match self.buffer.pop_front() {
            Some(item) => Some(self.hand_out(item)),
            None if self.entries.is_none() => Some(Ok(None)),
            None => None,
        }
    }

    /// The next entry, `None` at the end. An entry whose name is not UTF-8
    /// is `illegal-byte-sequence`; the listing continues after it.
    pub async fn next_entry(&mut self) -> FsResult<Option<DirectoryEntry>> {
        if let Some(item) = self.buffer.pop_front() {
            return self.hand_out(item);
        }
        let Some(entries) = self.entries.take() else {
            return Ok(None);
        };
        // The buffer travels with the work and comes back filled: one
        // allocation for the whole listing.
        let mut batch = std::mem::take(&mut self.buffer);
        batch.reserve(BATCH);
        let (entries, batch, generation) = self
            .blocking
            .run(move || {
                let generation = recent::generation();
                let entries = read_batch(entries, &mut batch);
                (entries, batch, generation)
            })
            .await;
        self.entries = entries;
        self.generation = generation;
        if self.entries.is_none() {
            self.slot = None;
        }
        self.buffer = batch;
        match self.buffer.pop_front() {
            Some(item) => self.hand_out(item),
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

/// Reads all of `entries` into `batch` in byte order of the names (entries
/// that failed last, in the order met), for a deterministic run.
fn read_sorted(entries: cap_std::fs::ReadDir, batch: &mut VecDeque<FsResult<DirectoryEntry>>) {
    let mut all = Vec::new();
    for entry in entries {
        match entry {
            Ok(entry) => all.push(convert(&entry)),
            Err(e) => {
                all.push(Err(e.into()));
                break;
            }
        }
    }
    all.sort_by(|a, b| match (a, b) {
        (Ok(a), Ok(b)) => a.name.cmp(&b.name),
        (Ok(_), Err(_)) => std::cmp::Ordering::Less,
        (Err(_), Ok(_)) => std::cmp::Ordering::Greater,
        (Err(_), Err(_)) => std::cmp::Ordering::Equal,
    });
    batch.extend(all);
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
