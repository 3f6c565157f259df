//! Bytes the host holds for a guest in the background (what TCP sends
//! have left to give the kernel), against one limit per context, with a
//! way to wait for room.
//!
//! A [`HeldBytes`] is a [`Budget`] of bytes whose [`Held`] parts wake the
//! waiters for room when they give some back, so a stream that was
//! granted nothing can sleep on its pollable until another stream's send
//! is done. Only a give-back to a full budget wakes anyone: a waiter waits
//! only after it found the budget full (with its wait registered first),
//! and the first change to a full budget is a give-back, which then sees
//! it full. So the usual give-back, on every TCP write, is one atomic
//! operation and takes no lock.

use super::{Budget, Slot, Use};
use std::sync::Arc;
use tokio::sync::Notify;

/// The bytes one context's guest has the host hold, at most the limit.
#[derive(Clone, Debug)]
pub(crate) struct HeldBytes {
    budget: Budget,
    freed: Arc<Notify>,
}

/// Some bytes of a [`HeldBytes`], given back (and waiters woken) when
/// dropped.
#[derive(Debug)]
pub(crate) struct Held {
    slot: Slot,
    freed: Arc<Notify>,
}

impl HeldBytes {
    /// None held, at most `max`.
    pub(crate) fn new(max: usize) -> Self {
        HeldBytes {
            budget: Budget::new(max),
            freed: Arc::new(Notify::new()),
        }
    }

    /// Changes the limit; what is held stays held.
    pub(crate) fn set_max(&self, max: usize) {
        self.budget.set_max(max);
        self.freed.notify_waiters();
    }

    /// Now, the peak and the limit.
    pub(crate) fn figures(&self) -> Use {
        self.budget.figures()
    }

    /// As many bytes as there is room for, up to `n`; `None` when there is
    /// no room (or `n` is 0).
    pub(crate) fn take_up_to(&self, n: usize) -> Option<Held> {
        self.budget.take_up_to(n).map(|slot| self.held(slot))
    }

    /// Exactly `n` more bytes, or `None` if they do not fit.
    pub(crate) fn take(&self, n: usize) -> Option<Held> {
        self.budget.take(n).map(|slot| self.held(slot))
    }

    fn held(&self, slot: Slot) -> Held {
        Held {
            slot,
            freed: self.freed.clone(),
        }
    }

    /// Completes when there is room for at least one byte. Cancel-safe.
    pub(crate) async fn room(&self) {
        loop {
            let freed = self.freed.notified();
            let mut freed = std::pin::pin!(freed);
            // Registered before the check, so a release between the check
            // and the wait is not missed.
            freed.as_mut().enable();
            if self.budget.has_room(1) {
                return;
            }
            freed.await;
        }
    }
}

impl Held {
    /// How many bytes are held.
    pub(crate) fn len(&self) -> usize {
        self.slot.len()
    }

    /// Gives `n` bytes back (all if fewer are held), waking the waiters
    /// for room if the budget was full.
    pub(crate) fn give_back(&mut self, n: usize) {
        if self.slot.give_back(n) {
            self.freed.notify_waiters();
        }
    }

    /// Moves `n` bytes (all if fewer are held) to a `Held` of their own.
    pub(crate) fn split_off(&mut self, n: usize) -> Held {
        Held {
            slot: self.slot.split_off(n),
            freed: self.freed.clone(),
        }
    }

    /// Adds `n` bytes from `from` to these, or `false` (nothing taken) if
    /// they do not fit.
    pub(crate) fn grow(&mut self, from: &HeldBytes, n: usize) -> bool {
        from.budget
            .take(n)
            .map(|more| self.slot.absorb(more))
            .is_some()
    }

    /// Adds as many bytes from `from` as there is room for, up to `n`.
    pub(crate) fn grow_up_to(&mut self, from: &HeldBytes, n: usize) {
        if let Some(more) = from.budget.take_up_to(n) {
            self.slot.absorb(more);
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        // Before the slot drops, so that a woken waiter finds the room.
        self.give_back(self.slot.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_waiter_wakes_when_bytes_are_given_back() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        rt.block_on(async {
            let bytes = HeldBytes::new(8);
            let mut all = bytes.take_up_to(100).unwrap();
            assert_eq!(all.len(), 8);
            assert!(bytes.take_up_to(1).is_none());
            let waiter = {
                let bytes = bytes.clone();
                tokio::spawn(async move { bytes.room().await })
            };
            tokio::time::sleep(Duration::from_millis(10)).await;
            assert!(!waiter.is_finished(), "no room yet");
            let part = all.split_off(3);
            assert_eq!((all.len(), part.len()), (5, 3));
            drop(part);
            waiter.await.unwrap();
            assert_eq!(bytes.figures().current, 5);
            assert!(all.grow(&bytes, 3));
            assert!(!all.grow(&bytes, 1), "full again");
            let waiter = {
                let bytes = bytes.clone();
                tokio::spawn(async move { bytes.room().await })
            };
            tokio::time::sleep(Duration::from_millis(10)).await;
            assert!(!waiter.is_finished(), "no room yet");
            all.give_back(1);
            waiter.await.unwrap();
            all.grow_up_to(&bytes, 5);
            assert_eq!(all.len(), 8, "only the one byte was free");
            all.give_back(8);
            assert_eq!(bytes.figures().current, 0);
            assert_eq!(bytes.figures().peak, 8);
        });
    }
}
