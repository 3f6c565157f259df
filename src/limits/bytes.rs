//! A count of bytes written, against a limit that several counts may
//! share (each host mount has its own count under the context's one
//! limit); stdout and stderr each have one of their own.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes written so far, and the most allowed.
#[derive(Debug)]
pub(crate) struct ByteCount {
    max: Arc<AtomicU64>,
    written: AtomicU64,
}

impl ByteCount {
    /// No bytes yet, at most `max`.
    pub(crate) fn new(max: u64) -> Arc<Self> {
        Self::sharing(Arc::new(AtomicU64::new(max)))
    }

    /// No bytes yet, at most what `max` holds whenever asked.
    pub(crate) fn sharing(max: Arc<AtomicU64>) -> Arc<Self> {
        Arc::new(ByteCount {
            max,
            written: AtomicU64::new(0),
        })
    }

    /// Changes the limit (of every count sharing it).
    pub(crate) fn set_max(&self, max: u64) {
        self.max.store(max, Ordering::Relaxed);
    }

    /// Bytes written so far.
    pub(crate) fn written(&self) -> u64 {
        self.written.load(Ordering::Relaxed)
    }

    /// Bytes that may still be written.
    pub(crate) fn left(&self) -> u64 {
        self.max
            .load(Ordering::Relaxed)
            .saturating_sub(self.written())
    }

    /// Counts up to `n` bytes as written and returns how many fit.
    pub(crate) fn reserve(&self, n: usize) -> usize {
        let max = self.max.load(Ordering::Relaxed);
        let want = n as u64;
        if max == u64::MAX {
            // No limit (the usual case): only counted, without a CAS loop.
            // A total past `u64::MAX` bytes cannot be written.
            self.written.fetch_add(want, Ordering::Relaxed);
            return n;
        }
        let mut granted = 0;
        let _ = self
            .written
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |written| {
                granted = want.min(max.saturating_sub(written));
                Some(written + granted)
            });
        // `granted` is at most `n`, a usize.
        granted as usize
    }

    /// Takes back a reservation of `n` bytes that were not written.
    pub(crate) fn unreserve(&self, n: usize) {
        self.written.fetch_sub(n as u64, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserves_what_fits_and_shares_the_limit() {
        let max = Arc::new(AtomicU64::new(10));
        let (a, b) = (ByteCount::sharing(max.clone()), ByteCount::sharing(max));
        assert_eq!(a.reserve(6), 6);
        assert_eq!(a.reserve(6), 4);
        assert_eq!(a.left(), 0);
        assert_eq!(b.reserve(10), 10, "each count has its own total");
        b.unreserve(3);
        assert_eq!((a.written(), b.written()), (10, 7));
        b.set_max(u64::MAX);
        assert_eq!(a.reserve(1 << 40), 1 << 40);
    }
}
