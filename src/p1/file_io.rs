//! Reads and writes of files (`fd_read`, `fd_pread`, `fd_write`,
//! `fd_pwrite`), the same for every backend: the position is the
//! descriptor's own ([`FsFd::pos`]), and the bytes go between guest memory
//! and the file through the descriptor traits ([`FileOps`]).
//!
//! With an unshared memory, each chunk of iovecs is handed to the file's
//! vectored hook ([`FileOps::read_vectored_now`],
//! [`FileOps::write_vectored_now`]) as slices of the guest's own bytes: one
//! `preadv`/`pwritev` for a host file where the thread may block, no copy
//! through a buffer of ours. Where the hook declines (a host file on an
//! async runtime's thread that may not block) or the memory is shared, the
//! bytes go through a buffer of at most [`iov::BOUNCE`] bytes and the
//! trait's `read`/`write`/`append`, which run the host call on the
//! blocking pool.

use super::bindings::types::{Error, Size};
use super::fd::{for_each_range, scatter};
use super::fds::FsFd;
use super::iov::{self, CHUNK, Iovs, MAX_TOTAL, Op};
use crate::filesystem::FileOps;
use crate::filesystem::dispatch::on_file;
use std::ops::Range;
use wiggle::GuestMemory;

/// `fd_read` (`offset` `None`: at the position, which moves) and
/// `fd_pread`.
pub(crate) async fn read(
    fd: &mut FsFd,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    offset: Option<u64>,
) -> Result<Size, Error> {
    let at = offset.unwrap_or(fd.pos);
    let n = on_file!(&fd.desc, f => transfer(f, mem, iovs, Op::Read, Some(at)).await)?;
    if offset.is_none() {
        fd.pos = at.saturating_add(n as u64);
    }
    Ok(n as Size)
}

/// `fd_write` (`offset` `None`: at the position, which moves) and
/// `fd_pwrite`. With `append`, the bytes go to the end (for `fd_pwrite`
/// too, as Linux does for `O_APPEND`) and the position moves there.
pub(crate) async fn write(
    fd: &mut FsFd,
    append: bool,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    offset: Option<u64>,
) -> Result<Size, Error> {
    let at = if append {
        None
    } else {
        Some(offset.unwrap_or(fd.pos))
    };
    let n = on_file!(&fd.desc, f => transfer(f, mem, iovs, Op::Write, at).await)?;
    if offset.is_none() {
        match at {
            Some(at) => fd.pos = at.saturating_add(n as u64),
            // The bytes went: the count is the answer even if the size
            // cannot be read now (the position then stays, and the next
            // append goes to the end all the same).
            None => {
                if let Ok(stat) = on_file!(&fd.desc, f => FileOps::stat(f).await) {
                    fd.pos = stat.size;
                }
            }
        }
    }
    Ok(n as Size)
}

/// Moves the bytes of `iovs` between guest memory and `file` at `at`
/// (`None`: appended); the count moved.
async fn transfer<F: FileOps>(
    file: &F,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    op: Op,
    at: Option<u64>,
) -> Result<usize, Error> {
    if let Some(done) = direct(file, mem, iovs, op, at)? {
        return Ok(done);
    }
    bounce(file, mem, iovs, op, at).await
}

/// An empty range table for a chunk of iovecs.
fn ranges() -> [Range<usize>; CHUNK] {
    std::array::from_fn(|_| 0..0)
}

/// See [`transfer`]: through the file's vectored hook, chunk by chunk;
/// `None` when the hook declines (or the memory is shared) before a byte
/// moved.
fn direct<F: FileOps>(
    file: &F,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    op: Op,
    at: Option<u64>,
) -> Result<Option<usize>, Error> {
    let mut ranges = ranges();
    let mut total = 0usize;
    let mut first = 0;
    while first < iovs.count() && total < MAX_TOTAL {
        let n = iovs.chunk(mem, first, &mut ranges)?;
        let chunk = &ranges[..n];
        let want: usize = chunk.iter().map(|r| r.len()).sum();
        let GuestMemory::Unshared(bytes) = mem else {
            return Ok(None);
        };
        let pos = at.map(|o| o.saturating_add(total as u64));
        let moved = match op {
            Op::Write => iov::with_write_slices(bytes, chunk, |s| file.write_vectored_now(s, pos)),
            Op::Read if iov::disjoint(chunk) => iov::with_read_slices(bytes, chunk, |s| {
                file.read_vectored_now(s, pos.unwrap_or(0))
            }),
            // Overlapping read buffers (only a confused guest passes them):
            // one after the other.
            Op::Read => read_one_by_one(file, bytes, chunk, pos.unwrap_or(0)),
        };
        let done = match moved {
            None if total == 0 => return Ok(None),
            None => break,
            Some(r) => r?,
        };
        total += done;
        if done < want {
            break;
        }
        first += n;
    }
    Ok(Some(total.min(MAX_TOTAL)))
}

/// Reads into each of `chunk` in turn (see [`direct`]).
fn read_one_by_one<F: FileOps>(
    file: &F,
    bytes: &mut [u8],
    chunk: &[Range<usize>],
    at: u64,
) -> Option<crate::filesystem::FsResult<usize>> {
    let mut done = 0;
    for r in chunk {
        let pos = at.saturating_add(done as u64);
        let k = match iov::with_read_slices(bytes, std::slice::from_ref(r), |s| {
            file.read_vectored_now(s, pos)
        })? {
            Ok(k) => k,
            Err(e) if done == 0 => return Some(Err(e)),
            Err(_) => break,
        };
        done += k;
        if k < r.len() {
            break;
        }
    }
    Some(Ok(done))
}

/// See [`transfer`]: through a buffer of at most [`iov::BOUNCE`] bytes and
/// the trait's `read`, `write` or `append`.
async fn bounce<F: FileOps>(
    file: &F,
    mem: &mut GuestMemory<'_>,
    iovs: Iovs,
    op: Op,
    at: Option<u64>,
) -> Result<usize, Error> {
    match op {
        Op::Write => {
            let mut data = Vec::new();
            for_each_range(mem, iovs, |mem, r| {
                let take = r.len().min(iov::BOUNCE - data.len());
                iov::copy_out(mem, r.start..r.start + take, &mut data);
                data.len() < iov::BOUNCE
            })?;
            let n = match at {
                Some(at) => file.write(data, at).await?,
                None => file.append(data).await?,
            };
            Ok(n as usize)
        }
        Op::Read => {
            let mut want = 0usize;
            for_each_range(mem, iovs, |_, r| {
                want = (want + r.len()).min(iov::BOUNCE);
                want < iov::BOUNCE
            })?;
            let (data, _) = file.read(want as u64, at.unwrap_or(0)).await?;
            Ok(scatter(mem, iovs, &data)? as usize)
        }
    }
}
