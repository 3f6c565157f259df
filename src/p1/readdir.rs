//! `fd_readdir`: a listing that resumes where the last call stopped, the
//! same for every backend.
//!
//! A directory descriptor keeps one [`Listing`]: the backend's listing
//! ([`ReaddirStream`], which a host directory reads in batches) and the
//! entries taken from it but not yet handed to the guest. Cookie `n` names
//! the `n`th entry (`.` is 0, `..` is 1, then the backend's order), and
//! `d_next` of an entry is its cookie plus one. A call whose cookie is
//! where the listing stands (the usual case: the `d_next` of the last entry
//! the guest took, or of an entry that was cut) continues it without
//! touching the directory again; any other cookie restarts the listing and
//! skips forward. So listing a directory in buffers of any size is linear
//! in its length. `d_type` comes with the entry; `d_ino` too where the
//! listing has it for free (a host directory), else from one `stat-at`.
//! A name that is not UTF-8 fails the call with `ilseq`, as wasmtime
//! answers (DESIGN.md, "Preview 1 over the shared descriptors").

use super::bindings::types::{Error, Filetype};
use super::fds::FsFd;
use crate::filesystem::dispatch::on_dir;
use crate::filesystem::{Descriptor, DirectoryOps, DotsListing, PathFlags, ReaddirStream};
use std::collections::VecDeque;

/// How many entries the listing takes from the backend at once, at most.
const BATCH: usize = 256;

/// One entry as the guest sees it.
pub(crate) struct Ent {
    pub(crate) name: Vec<u8>,
    pub(crate) ino: u64,
    pub(crate) filetype: Filetype,
}

/// A listing in progress.
pub(crate) struct Listing {
    /// The backend's listing; `None` once exhausted.
    stream: Option<ReaddirStream>,
    /// Entries taken, not yet handed out; the first has cookie `front`.
    buffered: VecDeque<Ent>,
    front: u64,
}

impl Listing {
    /// A fresh listing of `dir`: `.` and `..` first (`..` of a mount's
    /// root, which the guest may not reach, has the root's number).
    async fn start(dir: &Descriptor) -> Result<Listing, Error> {
        let DotsListing {
            here,
            parent,
            stream,
        } = on_dir!(dir, d => DirectoryOps::read_directory_with_dots(d).await)?;
        let mut buffered = VecDeque::with_capacity(BATCH + 2);
        for (name, ino) in [(&b"."[..], here), (&b".."[..], parent)] {
            buffered.push_back(Ent {
                name: name.to_vec(),
                ino,
                filetype: Filetype::Directory,
            });
        }
        Ok(Listing {
            stream: Some(stream),
            buffered,
            front: 0,
        })
    }

    /// Takes the next entries from the backend into the buffer: what it
    /// has at hand (a host listing's batch), or else one entry it waits
    /// for; `false` at the end.
    async fn fill(&mut self, dir: &Descriptor) -> Result<bool, Error> {
        let Some(stream) = self.stream.as_mut() else {
            return Ok(false);
        };
        let first = match stream.next_now() {
            Some(now) => now?,
            None => stream.next().await?,
        };
        let Some(mut entry) = first else {
            self.stream = None;
            return Ok(false);
        };
        loop {
            let ino = match entry.ino {
                Some(ino) => ino,
                None => on_dir!(dir, d => DirectoryOps::stat_at(d, PathFlags::empty(), entry.name.clone()).await)
                    .map_or(0, |s| s.ino),
            };
            self.buffered.push_back(Ent {
                name: entry.name.into_bytes(),
                ino,
                filetype: super::convert::filetype(entry.type_),
            });
            let Some(stream) = self.stream.as_mut() else {
                return Ok(true);
            };
            if self.buffered.len() >= BATCH {
                return Ok(true);
            }
            match stream.next_now() {
                Some(Ok(Some(next))) => entry = next,
                Some(Ok(None)) => {
                    self.stream = None;
                    return Ok(true);
                }
                // A name that is not UTF-8: the call fails (see the
                // module doc); the entries taken stay buffered.
                Some(Err(e)) => return Err(e.into()),
                // A batch to wait for: later.
                None => return Ok(true),
            }
        }
    }
}

/// Fills `buf` with the entries of the directory `fd` from `cookie` on, as
/// `fd_readdir` does; returns the bytes used. An entry that does not fit
/// is cut at the end of the buffer (the guest sees a full buffer and asks
/// again from that entry's cookie, which the listing still holds).
pub(crate) async fn readdir(fd: &mut FsFd, buf: &mut [u8], cookie: u64) -> Result<usize, Error> {
    let usable = fd
        .listing
        .as_ref()
        .is_some_and(|l| l.front <= cookie && cookie <= l.front + l.buffered.len() as u64);
    if !usable {
        fd.listing = Some(Listing::start(&fd.desc).await?);
    }
    let Some(l) = fd.listing.as_mut() else {
        return Ok(0);
    };
    while l.front < cookie {
        if l.buffered.is_empty() && !l.fill(&fd.desc).await? {
            // A cookie past the end: the listing is over.
            return Ok(0);
        }
        l.buffered.pop_front();
        l.front += 1;
    }
    let mut used = 0;
    loop {
        if l.buffered.is_empty() && !l.fill(&fd.desc).await? {
            break;
        }
        if write_buffered(&mut l.buffered, &mut l.front, buf, &mut used) {
            break;
        }
    }
    Ok(used)
}

/// The bytes of a dirent header.
const DIRENT_SIZE: usize = 24;

/// Writes the entries of `buffered` (the first having cookie `front`) into
/// `buf` from `used` on, taking each that fits whole; `true` when the
/// buffer is full (the last entry possibly cut and still buffered)..
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
