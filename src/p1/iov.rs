//! Vectored I/O between guest memory and the backends, without copies or
//! allocation on the usual paths.
//!
//! An iovec list is read straight from guest memory in chunks of
//! [`CHUNK`] entries held on the stack. For an unshared memory, a chunk
//! becomes slices of the guest's own bytes, handed to the file's vectored
//! hook (`FileOps::read_vectored_now`: one `preadv`/`pwritev` of a host
//! file; when the read buffers overlap, which only a
//! confused guest does, they are filled one after the other instead). A
//! shared memory is copied through a bounded bounce buffer.

use super::bindings::types::{Errno, Error};
use std::io::{IoSlice, IoSliceMut};
use std::ops::Range;
use wiggle::GuestMemory;

/// How many iovecs are handled per host call.
pub(crate) const CHUNK: usize = 64;

/// The most bytes one call moves through a bounce buffer.
pub(crate) const BOUNCE: usize = 1 << 20;

/// The size of guest memory.
pub(crate) fn mem_len(mem: &GuestMemory<'_>) -> usize {
    match mem {
        GuestMemory::Unshared(b) => b.len(),
        GuestMemory::Shared(b) => b.len(),
    }
}

/// A guest iovec list: where it is and how many entries it has, checked to
/// lie inside guest memory.
#[derive(Clone, Copy)]
pub(crate) struct Iovs {
    base: usize,
    count: usize,
}

impl Iovs {
    /// Checks that `count` 8-byte entries at `base` lie in memory, and
    /// takes them and the bytes they name from the call's `fuel`; `nomem`
    /// when the fuel is short (see `fuel.rs`).
    pub(crate) fn new(
        mem: &GuestMemory<'_>,
        base: u32,
        count: u32,
        fuel: &mut usize,
    ) -> Result<Iovs, Error> {
        let bytes = (count as u64) * 8;
        if bytes > u32::MAX as u64 {
            return Err(Errno::Overflow.into());
        }
        if base as u64 + bytes > mem_len(mem) as u64 {
            return Err(Errno::Fault.into());
        }
        super::fuel::take(fuel, bytes)?;
        let iovs = Iovs {
            base: base as usize,
            count: count as usize,
        };
        for i in 0..iovs.count {
            super::fuel::take(fuel, iovs.get(mem, i)?.len() as u64)?;
        }
        Ok(iovs)
    }

    /// The number of entries.
    pub(crate) fn count(&self) -> usize {
        self.count
    }

    /// Entry `i` (below [`count`](Self::count)) as a guest byte range,
    /// checked to lie in memory (`fault` otherwise).
    pub(crate) fn get(&self, mem: &GuestMemory<'_>, i: usize) -> Result<Range<usize>, Error> {
        let mut raw = [0u8; 8];
        read_bytes(mem, self.base + i * 8, &mut raw);
        let ptr = u32::from_le_bytes([raw[0], raw[1], raw[2], raw[3]]) as usize;
        let buf_len = u32::from_le_bytes([raw[4], raw[5], raw[6], raw[7]]) as usize;
        if ptr + buf_len > mem_len(mem) {
            return Err(Errno::Fault.into());
        }
        Ok(ptr..ptr + buf_len)
    }

    /// Reads entries `first..` (at most [`CHUNK`]) into `out` as guest byte
    /// ranges, each checked to lie in memory (`fault` otherwise). Returns
    /// how many were read.
    pub(crate) fn chunk(
        &self,
        mem: &GuestMemory<'_>,
        first: usize,
        out: &mut [Range<usize>; CHUNK],
    ) -> Result<usize, Error> {
        let n = (self.count - first.min(self.count)).min(CHUNK);
        for (i, slot) in out.iter_mut().enumerate().take(n) {
            *slot = self.get(mem, first + i)?;
        }
        Ok(n)
    }
}

/// Copies bytes out of guest memory at a range already checked.
fn read_bytes(mem: &GuestMemory<'_>, at: usize, out: &mut [u8]) {
    match mem {
        GuestMemory::Unshared(b) => out.copy_from_slice(&b[at..at + out.len()]),
        GuestMemory::Shared(b) => {
            let len = out.len();
            for (o, cell) in out.iter_mut().zip(&b[at..at + len]) {
                // SAFETY: a byte read of shared memory; racing guest
                // threads can only make the value stale.
                *o = unsafe { *cell.get() };
            }
        }
    }
}

/// Copies `data` into guest memory at a range already checked.
pub(crate) fn write_bytes(mem: &mut GuestMemory<'_>, at: usize, data: &[u8]) {
    match mem {
        GuestMemory::Unshared(b) => b[at..at + data.len()].copy_from_slice(data),
        GuestMemory::Shared(b) => {
            for (cell, d) in b[at..at + data.len()].iter().zip(data) {
                // SAFETY: a byte write of shared memory, as a guest store.
                unsafe { *cell.get() = *d };
            }
        }
    }
}

/// Copies guest bytes out (for the bounce path).
pub(crate) fn copy_out(mem: &GuestMemory<'_>, range: Range<usize>, out: &mut Vec<u8>) {
    let start = out.len();
    out.resize(start + range.len(), 0);
    read_bytes(mem, range.start, &mut out[start..]);
}

/// Whether the ranges are pairwise disjoint (empty ones never overlap).
pub(crate) fn disjoint(ranges: &[Range<usize>]) -> bool {
    for (i, a) in ranges.iter().enumerate() {
        if a.is_empty() {
            continue;
        }
        for b in &ranges[i + 1..] {
            if !b.is_empty() && a.start < b.end && b.start < a.end {
                return false;
            }
        }
    }
    true
}

/// What one vectored host call does: read into or write from the slices,
/// at the file's position or at an offset.
#[derive(Clone, Copy)]
pub(crate) enum Op {
    Read,
    Write,
}

/// Calls `f` with `ranges` of `memory` as slices to read into. The ranges
/// lie in `memory` (checked by [`Iovs::chunk`]) and are pairwise disjoint
/// (checked by the caller with [`disjoint`]).
pub(crate) fn with_read_slices<R>(
    memory: &mut [u8],
    ranges: &[Range<usize>],
    f: impl FnOnce(&mut [IoSliceMut<'_>]) -> R,
) -> R {
    debug_assert!(disjoint(ranges));
    let base = memory.as_mut_ptr();
    let mut slices: [IoSliceMut<'_>; CHUNK] = std::array::from_fn(|_| IoSliceMut::new(&mut []));
    for (s, r) in slices.iter_mut().zip(ranges) {
        assert!(r.end <= memory.len());
        // SAFETY: the ranges lie in `memory` (asserted) and are pairwise
        // disjoint (the caller's contract), so these are non-aliasing
        // borrows of `memory`, which is mutably borrowed for their life.
        *s = IoSliceMut::new(unsafe { std::slice::from_raw_parts_mut(base.add(r.start), r.len()) });
    }
    f(&mut slices[..ranges.len().min(CHUNK)])
}

/// Calls `f` with `ranges` of `memory` as slices to write from.
pub(crate) fn with_write_slices<R>(
    memory: &[u8],
    ranges: &[Range<usize>],
    f: impl FnOnce(&[IoSlice<'_>]) -> R,
) -> R {
    let mut slices = [IoSlice::new(&[]); CHUNK];
    for (s, r) in slices.iter_mut().zip(ranges) {
        *s = IoSlice::new(&memory[r.clone()]);
    }
    f(&slices[..ranges.len().min(CHUNK)])
}

/// The largest count one call reports (a `size` is 32 bits, read as
/// signed by C programs).
pub(crate) const MAX_TOTAL: usize = i32::MAX as usize;
