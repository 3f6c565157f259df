//! Where a host mount's blocking work runs: on the calling thread when
//! that is allowed (see [`crate::runtime::try_run_now`]), otherwise on
//! tokio's blocking pool, each job there holding a slot of its context's
//! budget of background tasks (`Limits::background_tasks`). With the
//! budget spent, the work runs on the calling thread instead: the guest
//! waits for its own I/O, and the pool never holds more of one context's
//! jobs than the budget.

use crate::limits::{Budget, Slot};
use crate::runtime::{AbortOnDropJoinHandle, spawn_blocking, try_run_now};

/// How one mount's blocking work runs (shared by everything opened in it).
#[derive(Clone, Debug)]
pub(crate) struct Blocking {
    /// Whether the embedder allows blocking on the calling thread
    /// (`WasiCtxBuilder::allow_blocking_current_thread`).
    pub(crate) inline: bool,
    /// The context's budget of background tasks.
    tasks: Budget,
}

impl Blocking {
    /// Blocking work allowed on the calling thread if `inline`, else
    /// drawing on `tasks` for jobs on the blocking pool.
    pub(crate) fn new(inline: bool, tasks: Budget) -> Blocking {
        Blocking { inline, tasks }
    }

    /// Runs `f` here when allowed, else on the blocking pool holding a
    /// task slot, else (budget spent) here all the same.
    pub(crate) async fn run<F, R>(&self, f: F) -> R
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        match try_run_now(self.inline, f) {
            Ok(r) => r,
            Err(f) => match self.spawn(f) {
                Ok(job) => job.await,
                Err(f) => f(),
            },
        }
    }

    /// A slot of the budget of background tasks, for a job the caller
    /// starts on the blocking pool (and holds the slot until it ends);
    /// `None` when the budget is spent.
    pub(crate) fn task(&self) -> Option<Slot> {
        self.tasks.take(1)
    }

    /// Starts `f` on the blocking pool, holding a task slot until it ends;
    /// gives `f` back when the budget is spent.
    fn spawn<F, R>(&self, f: F) -> Result<AbortOnDropJoinHandle<R>, F>
    where
        F: FnOnce() -> R + Send + 'static,
        R: Send + 'static,
    {
        match self.task() {
            Some(slot) => Ok(spawn_blocking(move || {
                let _slot = slot;
                f()
            })),
            None => Err(f),
        }
    }
}
