//! The order of one file's operations when some run in the background.
//!
//! On a current-thread runtime a file stream cannot block its thread, so a
//! non-blocking `write` or `read` is handed to the blocking pool and the
//! call returns at once (`stream.rs`). The guest may then do anything else
//! with the file: drop the stream and read the bytes back through another
//! stream, `stat` it, read it through preview 1. Those later operations must
//! see the background work done, as POSIX promises for one process: a read
//! after a write returns what was written.
//!
//! Every [`File`](super::File) (and its clones: streams hold clones) shares
//! one [`Order`]. A background operation takes a [`Ticket`] when it is
//! issued and waits for its turn (every earlier ticket done) before it
//! touches the file; every operation that runs in the foreground first
//! waits until no ticket is outstanding. With nothing in the background
//! (every sync and multi-thread embedding), that wait is one atomic load.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// The background operations of one file still to finish, in issue order.
#[derive(Default)]
pub(crate) struct Order {
    /// How many tickets are outstanding (the fast path of
    /// [`wait_idle`](Order::wait_idle)).
    outstanding: AtomicUsize,
    state: Mutex<State>,
    changed: Condvar,
}

#[derive(Default)]
struct State {
    next: u64,
    /// The numbers of the tickets not yet dropped.
    outstanding: BTreeSet<u64>,
}

/// A background operation's place in line; dropping it (the operation is
/// done, or will never run) lets the next one go.
pub(crate) struct Ticket {
    order: Arc<Order>,
    number: u64,
}

impl Order {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A place in line, taken when a background operation is issued.
    pub(crate) fn ticket(self: &Arc<Self>) -> Ticket {
        let mut state = self.lock();
        let number = state.next;
        state.next += 1;
        state.outstanding.insert(number);
        self.outstanding.fetch_add(1, Ordering::AcqRel);
        Ticket {
            order: Arc::clone(self),
            number,
        }
    }

    /// Whether no background operation of the file is outstanding.
    pub(crate) fn is_idle(&self) -> bool {
        self.outstanding.load(Ordering::Acquire) == 0
    }

    /// Blocks until no background operation of the file is outstanding.
    pub(crate) fn wait_idle(&self) {
        if self.is_idle() {
            return;
        }
        let mut state = self.lock();
        while !state.outstanding.is_empty() {
            state = self.changed.wait(state).unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Ticket {
    /// Blocks until every operation issued before this one is done.
    pub(crate) fn wait_turn(&self) {
        let mut state = self.order.lock();
        while state.outstanding.first() != Some(&self.number) {
            state = self
                .order
                .changed
                .wait(state)
                .unwrap_or_else(|p| p.into_inner());
        }
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut state = self.order.lock();
        state.outstanding.remove(&self.number);
        self.order.outstanding.fetch_sub(1, Ordering::AcqRel);
        drop(state);
        self.order.changed.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn tickets_run_in_issue_order_and_idle_waits_for_all() {
        let order = Arc::new(Order::default());
        let log = Arc::new(Mutex::new(Vec::new()));
        let tickets: Vec<Ticket> = (0..4).map(|_| order.ticket()).collect();
        let mut threads = Vec::new();
        // Started in reverse: each still runs only after the earlier ones.
        for (i, ticket) in tickets.into_iter().enumerate().rev() {
            let log = Arc::clone(&log);
            threads.push(std::thread::spawn(move || {
                ticket.wait_turn();
                std::thread::sleep(Duration::from_millis(5));
                log.lock().unwrap().push(i);
            }));
        }
        order.wait_idle();
        assert_eq!(*log.lock().unwrap(), [0, 1, 2, 3]);
        for t in threads {
            t.join().unwrap();
        }
    }

    #[test]
    fn a_ticket_dropped_unused_lets_the_next_go() {
        let order = Arc::new(Order::default());
        let first = order.ticket();
        let second = order.ticket();
        drop(first);
        second.wait_turn();
        drop(second);
        order.wait_idle();
    }
}
