//! `fd_readdir`: a listing that resumes where the last call stopped.
//!
//! A directory descriptor keeps one [`Listing`]: the host directory stream
//! (`getdents`, read in batches) and the entries read but not yet handed to
//! the guest. Cookie `n` names the `n`th entry (`.` is 0, `..` is 1, then
//! the host's order), and `d_next` of an entry is its cookie plus one. A
//! call whose cookie is where the listing stands (the usual case: the
//! `d_next` of the last entry the guest took, or of an entry that was cut)
//! continues it without touching the directory again; any other cookie
//! restarts the listing and skips forward, still without `stat`-ing a
//! single entry. So listing a directory in buffers of any size is linear
//! in its length. `d_ino` and `d_type` come from the directory entry itself.

use super::bindings::types::{Error, Filetype};
use crate::filesystem::Dir;
use cap_std::fs::MetadataExt;
use std::collections::VecDeque;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::DirEntryExt;

/// How many host entries one blocking call reads.
const BATCH: usize = 256;

/// One entry as the guest sees it.
pub(crate) struct Ent {
    pub(crate) name: Vec<u8>,
    pub(crate) ino: u64,
    pub(crate) filetype: Filetype,
}

/// A listing in progress.
pub(crate) struct Listing {
    /// The host stream; `None` once exhausted.
    iter: Option<cap_std::fs::ReadDir>,
    /// Entries read, not yet taken; the first has cookie `front`.
    buffered: VecDeque<Ent>,
    front: u64,
}

impl Listing {
    /// A fresh listing of `dir`: `.` and `..` first (blocking).
    fn start(dir: &cap_std::fs::Dir) -> std::io::Result<Listing> {
        let here = dir.dir_metadata()?;
        let parent_ino = dir.metadata("..").map(|m| m.ino()).unwrap_or(here.ino());
        let iter = dir.entries()?;
        let mut buffered = VecDeque::with_capacity(BATCH + 2);
        buffered.push_back(Ent {
            name: b".".to_vec(),
            ino: here.ino(),
            filetype: Filetype::Directory,
        });
        buffered.push_back(Ent {
            name: b"..".to_vec(),
            ino: parent_ino,
            filetype: Filetype::Directory,
        });
        Ok(Listing {
            iter: Some(iter),
            buffered,
            front: 0,
        })
    }

    /// Reads the next batch of host entries (blocking).
    fn fill(&mut self) -> std::io::Result<()> {
        let Some(iter) = self.iter.as_mut() else {
            return Ok(());
        };
        for _ in 0..BATCH {
            match iter.next() {
                None => {
                    self.iter = None;
                    break;
                }
                Some(entry) => self.buffered.push_back(convert(entry?)),
            }
        }
        Ok(())
    }

    /// Positions the listing at `cookie`, restarting it if it is not where
    /// the listing stands, and makes sure an entry is buffered if there is
    /// one (blocking).
    fn seek(
        listing: &mut Option<Listing>,
        dir: &cap_std::fs::Dir,
        cookie: u64,
    ) -> std::io::Result<()> {
        let usable = listing
            .as_ref()
            .is_some_and(|l| l.front <= cookie && cookie <= l.front + l.buffered.len() as u64);
        if !usable {
            *listing = Some(Listing::start(dir)?);
        }
        let l = listing.as_mut().expect("listing set above");
        while l.front < cookie {
            if l.buffered.is_empty() {
                if l.iter.is_none() {
                    // A cookie past the end: the listing is over.
                    return Ok(());
                }
                l.fill()?;
                continue;
            }
            l.buffered.pop_front();
            l.front += 1;
        }
        if l.buffered.is_empty() {
            l.fill()?;
        }
        Ok(())
    }
}

/// A host entry as the guest's entry: no `stat`, except on filesystems that
/// report no type.
fn convert(entry: cap_std::fs::DirEntry) -> Ent {
    let mut filetype = match entry.file_type() {
        Ok(ft) => super::fd::filetype_of(ft),
        Err(_) => Filetype::Unknown,
    };
    if filetype == Filetype::Unknown
        && let Ok(meta) = entry.metadata()
    {
        filetype = super::fd::filetype_of(meta.file_type());
    }
    Ent {
        ino: entry.ino(),
        name: entry.file_name().into_vec(),
        filetype,
    }
}

/// The bytes of a dirent header.
const DIRENT_SIZE: usize = 24;

/// Fills `buf` with entries from `cookie` on, as `fd_readdir` does; returns
/// the bytes used. An entry that does not fit is cut at the end of the
/// buffer (the guest sees a full buffer and asks again from that entry's
/// cookie, which the listing still holds).
pub(crate) async fn readdir(
    dir: &Dir,
    listing: &mut Option<Listing>,
    buf: &mut [u8],
    cookie: u64,
) -> Result<usize, Error> {
    let inline = dir.allow_blocking_current_thread;
    let host = std::sync::Arc::clone(&dir.dir);
    // Blocking work runs on the calling thread when it may block, else on
    // the blocking pool; the listing travels with it.
    let mut taken = listing.take();
    taken = crate::runtime::run_blocking(inline, move || {
        Listing::seek(&mut taken, &host, cookie).map(|()| taken)
    })
    .await?;
    *listing = taken;
    let mut used = 0;
    while let Some(l) = listing.as_mut() {
        if write_entries(l, buf, &mut used) || l.iter.is_none() {
            break;
        }
        let mut taken = listing.take();
        taken = crate::runtime::run_blocking(inline, move || {
            if let Some(l) = taken.as_mut() {
                l.fill()?;
            }
            Ok::<_, std::io::Error>(taken)
        })
        .await?;
        *listing = taken;
    }
    Ok(used)
}

/// Writes buffered entries into `buf` from `used` on; `true` when the
/// buffer is full (the last entry possibly cut and still buffered).
fn write_entries(l: &mut Listing, buf: &mut [u8], used: &mut usize) -> bool {
    write_buffered(&mut l.buffered, &mut l.front, buf, used)
}

/// Writes the entries of `buffered` (the first having cookie `front`) into
/// `buf` from `used` on, taking each that fits whole; `true` when the
/// buffer is full (the last entry possibly cut and still buffered). Shared
/// with the listings of virtual directories.
pub(crate) fn write_buffered(
    buffered: &mut VecDeque<Ent>,
    front: &mut u64,
    buf: &mut [u8],
    used: &mut usize,
) -> bool {
    while let Some(ent) = buffered.front() {
        let mut header = [0u8; DIRENT_SIZE];
        header[0..8].copy_from_slice(&(*front + 1).to_le_bytes());
        header[8..16].copy_from_slice(&ent.ino.to_le_bytes());
        header[16..20].copy_from_slice(&(ent.name.len() as u32).to_le_bytes());
        header[20] = ent.filetype as u8;
        let room = buf.len() - *used;
        let out = &mut buf[*used..];
        if DIRENT_SIZE + ent.name.len() > room {
            let head = room.min(DIRENT_SIZE);
            out[..head].copy_from_slice(&header[..head]);
            let rest = room - head;
            out[head..room].copy_from_slice(&ent.name[..rest]);
            *used = buf.len();
            return true;
        }
        out[..DIRENT_SIZE].copy_from_slice(&header);
        out[DIRENT_SIZE..DIRENT_SIZE + ent.name.len()].copy_from_slice(&ent.name);
        *used += DIRENT_SIZE + ent.name.len();
        buffered.pop_front();
        *front += 1;
    }
    false
}
