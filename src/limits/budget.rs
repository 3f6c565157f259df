//! A count of things a guest holds, with a limit and a peak.
//!
//! A [`Budget`] is shared (cloned) by everything that takes from it. A
//! budget may have a parent (the context's budget of all handles): taking
//! from the child takes from both, all or nothing, and a [`Slot`] gives
//! back to both when dropped. Counting uses atomics only, so a budget is
//! as cheap to take from on a hot path as a reference count.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One budget: its limit, what is held now, and the most ever held.
#[derive(Clone, Debug)]
pub(crate) struct Budget(Arc<Counts>);

#[derive(Debug)]
struct Counts {
    max: AtomicUsize,
    used: AtomicUsize,
    peak: AtomicUsize,
    parent: Option<Budget>,
}

/// The figures of one budget, as [`crate::WasiCtx::usage`] reports them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Use {
    /// Held now.
    pub current: usize,
    /// The most held at once so far.
    pub peak: usize,
    /// The limit (`usize::MAX`: none).
    pub max: usize,
}

impl Budget {
    /// A budget of `max`, none held, with no parent.
    pub(crate) fn new(max: usize) -> Budget {
        Budget::with_parent(max, None)
    }

    /// A budget of `max` whose takes also take from `parent`.
    pub(crate) fn with_parent(max: usize, parent: Option<Budget>) -> Budget {
        Budget(Arc::new(Counts {
            max: AtomicUsize::new(max),
            used: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            parent,
        }))
    }

    /// Changes the limit; what is already held stays held.
    pub(crate) fn set_max(&self, max: usize) {
        self.0.max.store(max, Ordering::Relaxed);
    }

    /// The limit.
    pub(crate) fn max(&self) -> usize {
        self.0.max.load(Ordering::Relaxed)
    }

    /// How much is held now.
    pub(crate) fn in_use(&self) -> usize {
        self.0.used.load(Ordering::Acquire)
    }

    /// Now, the peak and the limit.
    pub(crate) fn figures(&self) -> Use {
        Use {
            current: self.in_use(),
            peak: self.0.peak.load(Ordering::Relaxed),
            max: self.max(),
        }
    }

    /// Whether `n` more could be taken now (from this budget and its
    /// parent); another taker may be faster.
    pub(crate) fn has_room(&self, n: usize) -> bool {
        let here = self
            .in_use()
            .checked_add(n)
            .is_some_and(|after| after <= self.max());
        here && self.0.parent.as_ref().is_none_or(|p| p.has_room(n))
    }

    /// Takes `n` from this budget and its parent, or nothing (`None`) if
    /// either has fewer than `n` left.
    pub(crate) fn take(&self, n: usize) -> Option<Slot> {
        self.take_here(n)?;
        if let Some(parent) = &self.0.parent
            && parent.take_here(n).is_none()
        {
            self.give_back_here(n);
            return None;
        }
        Some(Slot {
            budget: self.clone(),
            n,
        })
    }

    /// Takes as much as there is room for, up to `n`, from a budget
    /// without a parent; `None` when there is no room at all (or `n` is 0).
    pub(crate) fn take_up_to(&self, n: usize) -> Option<Slot> {
        debug_assert!(self.0.parent.is_none(), "a partial take of a child");
        let max = self.max();
        let mut taken = 0;
        let before = self
            .0
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                taken = n.min(max.saturating_sub(used));
                (taken > 0).then(|| used + taken)
            })
            .ok()?;
        self.0.peak.fetch_max(before + taken, Ordering::Relaxed);
        Some(Slot {
            budget: self.clone(),
            n: taken,
        })
    }

    /// Takes `n` from this budget alone.
    fn take_here(&self, n: usize) -> Option<()> {
        let max = self.max();
        let after = self
            .0
            .used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&after| after <= max)
            })
            .ok()?
            + n;
        self.0.peak.fetch_max(after, Ordering::Relaxed);
        Some(())
    }

    /// Gives `n` back to this budget alone; whether it was full before
    /// (nothing more could be taken).
    fn give_back_here(&self, n: usize) -> bool {
        self.0.used.fetch_sub(n, Ordering::AcqRel) >= self.max()
    }
}

/// What was taken from a budget (and its parent), given back when dropped.
#[derive(Debug)]
pub(crate) struct Slot {
    budget: Budget,
    n: usize,
}

impl Slot {
    /// How much the slot holds.
    pub(crate) fn len(&self) -> usize {
        self.n
    }

    /// Gives `n` of the slot back (all it holds if it holds less);
    /// whether its budget (not counting the parent) was full before, so
    /// that a waiter for room can only be waiting when this says `true`.
    pub(crate) fn give_back(&mut self, n: usize) -> bool {
        let n = n.min(self.n);
        if n == 0 {
            return false;
        }
        self.n -= n;
        if let Some(parent) = &self.budget.0.parent {
            parent.give_back_here(n);
        }
        self.budget.give_back_here(n)
    }

    /// Adds what `other` (a slot of the same budget) holds to this one.
    pub(crate) fn absorb(&mut self, mut other: Slot) {
        debug_assert!(Arc::ptr_eq(&self.budget.0, &other.budget.0));
        self.n += std::mem::take(&mut other.n);
    }

    /// Moves `n` of the slot (all it holds if it holds less) to a slot of
    /// its own.
    pub(crate) fn split_off(&mut self, n: usize) -> Slot {
        let n = n.min(self.n);
        self.n -= n;
        Slot {
            budget: self.budget.clone(),
            n,
        }
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.give_back(self.n);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_until_the_limit_and_gives_back_on_drop() {
        let b = Budget::new(3);
        let one = b.take(1).unwrap();
        let two = b.take(2).unwrap();
        assert!(b.take(1).is_none());
        drop(one);
        let again = b.take(1).unwrap();
        assert_eq!(
            b.figures(),
            Use {
                current: 3,
                peak: 3,
                max: 3
            }
        );
        drop((two, again));
        assert_eq!(
            b.figures(),
            Use {
                current: 0,
                peak: 3,
                max: 3
            }
        );
    }

    #[test]
    fn a_child_takes_from_its_parent_all_or_nothing() {
        let all = Budget::new(3);
        let files = Budget::with_parent(2, Some(all.clone()));
        let sockets = Budget::with_parent(2, Some(all.clone()));
        let f = files.take(2).unwrap();
        assert!(files.take(1).is_none(), "the child's own limit");
        let s = sockets.take(1).unwrap();
        assert!(sockets.take(1).is_none(), "the parent's limit");
        assert_eq!(sockets.in_use(), 1, "a refused take holds nothing");
        assert_eq!(all.in_use(), 3);
        drop((f, s));
        assert_eq!((all.in_use(), files.in_use(), sockets.in_use()), (0, 0, 0));
    }

    #[test]
    fn partial_takes_split_and_give_back() {
        let b = Budget::new(10);
        let mut a = b.take_up_to(7).unwrap();
        let c = b.take_up_to(7).unwrap();
        assert_eq!((a.len(), c.len()), (7, 3), "what was left");
        assert!(b.take_up_to(1).is_none(), "no room at all");
        let part = a.split_off(5);
        assert_eq!((a.len(), part.len(), b.in_use()), (2, 5, 10));
        a.give_back(1);
        assert_eq!((a.len(), b.in_use()), (1, 9));
        drop((a, part, c));
        assert_eq!(b.figures().current, 0);
        assert_eq!(b.figures().peak, 10);
        assert!(b.take_up_to(0).is_none());
    }

    #[test]
    fn huge_takes_are_refused_without_overflow() {
        let b = Budget::new(usize::MAX);
        let _one = b.take(1).unwrap();
        assert!(b.take(usize::MAX).is_none());
    }
}
