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
//! A spent budget, like a host `EMFILE`/`ENFILE`, is answered with the
//! crate's own code `TooManyOpenFiles`: 0.2 and 0.3 have no code for "too
//! many open files" and tell the guest `insufficient-memory` (a resource
//! running out, DESIGN.md); preview 1 tells it `mfile`. The budget is part
//! of the backend, so every guest interface built on it shares the same
//! count, and it takes from the context's budget of all handles
//! (`crate::limits`).

use super::FsResult;
use crate::filesystem::ErrorCode;
use crate::limits::Budget;
pub(crate) use crate::limits::Slot;

/// The default number of host descriptors one context may hold
/// (preopens not counted): 1024, far more than ordinary programs keep open,
/// and few enough that several guests fit in a usual process limit.
pub const DEFAULT_MAX_OPEN_FILES: usize = 1024;

/// The error a spent budget (or a host `EMFILE`/`ENFILE`) gives the guest:
/// `insufficient-memory` in 0.2 and 0.3, `mfile` in preview 1.
pub const OUT_OF_DESCRIPTORS: ErrorCode = ErrorCode::TooManyOpenFiles;

/// The host descriptors of one context: shared by the context, its
/// preopens and everything opened beneath them; each also takes from the
/// context's budget of all handles (`crate::limits`).
#[derive(Clone, Debug)]
pub struct FdBudget(Budget);

impl FdBudget {
    /// A budget of `max` descriptors, none in use, on its own.
    pub(crate) fn new(max: usize) -> FdBudget {
        FdBudget(Budget::new(max))
    }

    /// A budget of `max` descriptors within the context's `handles`.
    pub(crate) fn within(max: usize, handles: Budget) -> FdBudget {
        FdBudget(Budget::with_parent(max, Some(handles)))
    }

    /// Changes the limit; descriptors already held stay open.
    pub(crate) fn set_max(&self, max: usize) {
        self.0.set_max(max);
    }

    /// The limit.
    pub fn max(&self) -> usize {
        self.0.max()
    }

    /// How many descriptors are held now.
    pub fn in_use(&self) -> usize {
        self.0.in_use()
    }

    /// Now, the peak and the limit.
    pub(crate) fn figures(&self) -> crate::limits::Use {
        self.0.figures()
    }

    /// Takes `n` descriptors from the budget, or fails with
    /// [`OUT_OF_DESCRIPTORS`] if fewer than `n` are left (here or in the
    /// context's handles).
    pub(crate) fn take(&self, n: usize) -> FsResult<Slot> {
        self.0.take(n).ok_or_else(|| OUT_OF_DESCRIPTORS.into())
    }
}
