//! A context's budget of host file descriptors.
//!
//! Every host descriptor a guest holds through the filesystem backend takes
//! a slot from its context's budget before the host call that opens it, and
//! gives it back when the last handle on it is dropped: an open file or
//! directory takes one, a directory listing two (cap-std keeps the opened
//! directory and the `getdents` stream). The preopens themselves are granted
//! by the embedder and do not count. Descriptors opened and closed within
//! one call (the directory opened by `sync` takes one for that time) count
//! while they are open.
//!
//! A spent budget, like a host `EMFILE`/`ENFILE`, is answered with
//! `insufficient-memory`: WASI 0.2 has no code for "too many open files",
//! and a guest treats it as a resource running out (DESIGN.md). The budget
//! is part of the backend, so every guest interface built on it (0.2 and
//! preview 1) shares the same count.

use super::FsResult;
use crate::filesystem::ErrorCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The default number of host descriptors one context may hold
/// (preopens not counted): 1024, far more than ordinary programs keep open,
/// and few enough that several guests fit in a usual process limit.
pub const DEFAULT_MAX_OPEN_FILES: usize = 1024;

/// The error a spent budget (or a host `EMFILE`/`ENFILE`) gives the guest.
pub const OUT_OF_DESCRIPTORS: ErrorCode = ErrorCode::InsufficientMemory;

/// The host descriptors of one context: shared by the context, its
/// preopens and everything opened beneath them.
#[derive(Clone, Debug)]
pub struct FdBudget(Arc<Counts>);

#[derive(Debug)]
struct Counts {
    max: AtomicUsize,
    used: AtomicUsize,
}

impl FdBudget {
    /// A budget of `max` descriptors, none in use.
    pub(crate) fn new(max: usize) -> FdBudget {
        FdBudget(Arc::new(Counts {
            max: AtomicUsize::new(max),
            used: AtomicUsize::new(0),
        }))
    }

    /// Changes the limit; descriptors already held stay open.
    pub(crate) fn set_max(&self, max: usize) {
        self.0.max.store(max, Ordering::Relaxed);
    }

    /// The limit.
    pub fn max(&self) -> usize {
        self.0.max.load(Ordering::Relaxed)
    }

    /// How many descriptors are held now.
    pub fn in_use(&self) -> usize {
        self.0.used.load(Ordering::Acquire)
    }

    /// Takes `n` descriptors from the budget, or fails with
    /// [`OUT_OF_DESCRIPTORS`] if fewer than `n` are left.
    pub(crate) fn take(&self, n: usize) -> FsResult<Slot> {
        let max = self.max();
        self.0
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&after| after <= max)
            })
            .map_err(|_| OUT_OF_DESCRIPTORS)?;
        Ok(Slot {
            budget: self.clone(),
            n,
        })
    }
}

/// Descriptors taken from a budget, given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    budget: FdBudget,
    n: usize,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.budget.0.used.fetch_sub(self.n, Ordering::AcqRel);
    }
}
