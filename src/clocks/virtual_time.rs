//! Virtual time, for deterministic runs
//! ([`WasiCtxBuilder::deterministic`](crate::WasiCtxBuilder::deterministic)):
//! a monotonic clock that starts at 0 and moves only when the guest waits,
//! a wall clock that reads a fixed epoch plus that reading, and the timers
//! of WASI 0.3's concurrent waits.
//!
//! How a wait moves the clock:
//! - a preview 1 `poll_oneoff` or a 0.2 `poll`/`block` that waits only on
//!   deadlines (or on nothing that can become ready) ends at once, the
//!   clock moved to the earliest deadline ([`HostMonotonicClock::skip_to`]);
//! - one that also waits on real I/O (a socket, inherited stdin) follows
//!   the I/O: it waits for it in real time, at most as long as the deadline
//!   is away; the clock does not move if the I/O comes first, and moves to
//!   the deadline if the deadline does;
//! - a 0.3 `wait-for`/`wait-until` is a [`VirtualSleep`]: when it is the
//!   earliest timer pending and the store's event loop has turned long
//!   enough with nothing else happening to time, the clock moves to its
//!   deadline and it completes (and with it every other timer due by
//!   then).

// The timers serve the 0.3 front-end only: built without it, they go
// unused.
#![cfg_attr(not(feature = "p3"), allow(dead_code))]

use super::{HostMonotonicClock, HostWallClock};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// What a deterministic run's wall clock reads at monotonic 0 unless the
/// builder says otherwise: 2022-01-01T00:00:00Z (the epoch wazero's fake
/// wall clock starts from).
pub const DEFAULT_EPOCH: Duration = Duration::from_secs(1_640_995_200);

/// One context's virtual time: the monotonic reading in nanoseconds and
/// the 0.3 timers waiting on it. Clones share it.
#[derive(Clone, Default)]
pub(crate) struct VirtualTime(Arc<Inner>);

/// The shared state of a [`VirtualTime`].
#[derive(Default)]
struct Inner {
    /// The monotonic reading in nanoseconds.
    now: AtomicU64,
    /// Counts what a guest does with time: clock reads, 0.3 timers started
    /// and ended.
    activity: AtomicU64,
    /// Counts the 0.3 timers started and ended: each left work items in
    /// wasmtime's queue.
    queued: AtomicU64,
    /// `queued` when the clock last moved.
    queued_at_skip: AtomicU64,
    /// The pending 0.3 timers.
    timers: Mutex<Timers>,
}

/// The most quiet polls a timer waits for, whatever happened before.
const MAX_QUIET_POLLS: u64 = 1 << 16;

/// The pending 0.3 timers, by (deadline, order of first poll).
#[derive(Default)]
struct Timers {
    next_id: u64,
    pending: BTreeMap<(u64, u64), Waker>,
}

impl Timers {
    /// Wakes the earliest pending timer (it may now move the clock).
    fn wake_earliest(&self) {
        if let Some(waker) = self.pending.values().next() {
            waker.wake_by_ref();
        }
    }
}

impl VirtualTime {
    /// The monotonic reading, nanoseconds since the run began.
    pub(crate) fn now(&self) -> u64 {
        self.0.now.load(Ordering::Acquire)
    }

    /// The reading, for the guest: counts as activity.
    pub(crate) fn read(&self) -> u64 {
        self.touch();
        self.now()
    }

    /// Records activity.
    fn touch(&self) {
        self.0.activity.fetch_add(1, Ordering::AcqRel);
    }

    /// Records a 0.3 timer started or ended (activity that left work
    /// queued).
    fn queue(&self) {
        self.touch();
        self.0.queued.fetch_add(1, Ordering::AcqRel);
    }

    /// The pending 0.3 timers, locked.
    fn timers(&self) -> MutexGuard<'_, Timers> {
        self.0.timers.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Moves the clock to `instant` unless it is already there, and wakes
    /// every 0.3 timer due by then.
    pub(crate) fn skip_to(&self, instant: u64) {
        let now = self.0.now.fetch_max(instant, Ordering::AcqRel).max(instant);
        let queued = self.0.queued.load(Ordering::Acquire);
        self.0.queued_at_skip.store(queued, Ordering::Release);
        let timers = self.timers();
        for waker in timers.pending.range(..(now, u64::MAX)).map(|(_, w)| w) {
            waker.wake_by_ref();
        }
    }

    /// A timer that completes when the clock reads `deadline` (see the
    /// module docs for when it moves the clock there).
    pub(crate) fn sleep_until(&self, deadline: u64) -> VirtualSleep {
        VirtualSleep {
            time: self.clone(),
            deadline,
            id: None,
            seen: None,
            quiet: 0,
        }
    }
}

/// A 0.3 wait on virtual time (see the module docs).
///
/// "Nothing else can make progress" is read from the store's event loop:
/// the earliest timer wakes itself, and so is polled once per turn of the
/// loop, at most twice (each turn also runs one of the loop's queued work
/// items: a guest callback, a result to hand over). It moves the clock
/// once it has been polled often enough in a row with no time activity (no
/// timer started or ended, no clock read): [`QUIET_TURNS`], plus four per
/// timer started or ended since the clock last moved, for the up to two
/// work items each left queued, and never more than [`MAX_QUIET_POLLS`].
/// Everything is counted, nothing timed, so the same guest ends its waits
/// at the same places. A deadline of `u64::MAX` never comes (as with the
/// host's clock).
pub(crate) struct VirtualSleep {
    /// The time it waits on.
    time: VirtualTime,
    /// The reading it waits for.
    deadline: u64,
    /// The timer's place among equal deadlines, once it is pending.
    id: Option<u64>,
    /// The activity count when this timer last saw it change, while it is
    /// the earliest.
    seen: Option<u64>,
    /// Quiet turns seen since.
    quiet: u64,
}

/// The quiet turns of the event loop a timer waits for even when nothing
/// happened since the clock last moved.
const QUIET_TURNS: u64 = 8;

impl Future for VirtualSleep {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        if this.time.now() >= this.deadline {
            this.deregister();
            return Poll::Ready(());
        }
        if this.deadline == u64::MAX {
            // Never: not a timer that could lead (nor move the clock to
            // the end of time).
            return Poll::Pending;
        }
        let mut timers = this.time.timers();
        let id = match this.id {
            Some(id) => id,
            None => {
                timers.next_id += 1;
                this.time.queue();
                *this.id.insert(timers.next_id)
            }
        };
        let key = (this.deadline, id);
        timers.pending.insert(key, cx.waker().clone());
        let earliest = timers.pending.keys().next() == Some(&key);
        drop(timers);
        if !earliest {
            this.seen = None;
            return Poll::Pending;
        }
        let activity = this.time.0.activity.load(Ordering::Acquire);
        if this.seen != Some(activity) {
            this.seen = Some(activity);
            this.quiet = 0;
        }
        let time = &this.time.0;
        let queued = time.queued.load(Ordering::Acquire);
        let since = queued.saturating_sub(time.queued_at_skip.load(Ordering::Acquire));
        let needed = QUIET_TURNS
            .saturating_add(since.saturating_mul(4))
            .min(MAX_QUIET_POLLS);
        if this.quiet < needed {
            this.quiet += 1;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        this.time.skip_to(this.deadline);
        this.deregister();
        Poll::Ready(())
    }
}

impl VirtualSleep {
    /// Leaves the pending set, handing the lead to the next timer.
    fn deregister(&mut self) {
        if let Some(id) = self.id.take() {
            let mut timers = self.time.timers();
            timers.pending.remove(&(self.deadline, id));
            timers.wake_earliest();
            self.time.queue();
        }
    }
}

impl Drop for VirtualSleep {
    fn drop(&mut self) {
        self.deregister();
    }
}

/// The monotonic clock of a deterministic run: [`VirtualTime`]'s reading,
/// with a resolution of 1 ns.
pub(crate) struct VirtualMonotonicClock(pub(crate) VirtualTime);

impl HostMonotonicClock for VirtualMonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        self.0.read()
    }
    fn skip_to(&self, instant: u64) -> bool {
        self.0.skip_to(instant);
        true
    }
}

/// The wall clock of a deterministic run: `epoch` plus the monotonic
/// reading, with a resolution of 1 ns.
pub(crate) struct VirtualWallClock {
    /// The time whose reading it adds.
    pub(crate) time: VirtualTime,
    /// What it reads at monotonic 0.
    pub(crate) epoch: Duration,
}

impl HostWallClock for VirtualWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }
    fn now(&self) -> Duration {
        self.epoch
            .saturating_add(Duration::from_nanos(self.time.read()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Wake;

    struct Count(AtomicU64);
    impl Wake for Count {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn poll(f: &mut VirtualSleep, waker: &Waker) -> bool {
        Pin::new(f).poll(&mut Context::from_waker(waker)).is_ready()
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime")
    }

    #[test]
    fn timers_end_in_deadline_order_at_their_deadlines() {
        let time = VirtualTime::default();
        let ended = Arc::new(Mutex::new(Vec::new()));
        runtime().block_on(async {
            let tasks: Vec<_> = [30u64, 10, 20, 10]
                .into_iter()
                .enumerate()
                .map(|(i, deadline)| {
                    let (time, ended) = (time.clone(), Arc::clone(&ended));
                    tokio::spawn(async move {
                        time.sleep_until(deadline).await;
                        ended.lock().unwrap().push((i, time.now()));
                    })
                })
                .collect();
            for task in tasks {
                task.await.expect("task");
            }
        });
        assert_eq!(*ended.lock().unwrap(), [(1, 10), (3, 10), (2, 20), (0, 30)]);
    }

    #[test]
    fn activity_holds_the_earliest_timer_back() {
        // A turn of the event loop: one work item (here a clock read, or
        // nothing), then the timer's poll.
        let time = VirtualTime::default();
        let waker = Waker::from(Arc::new(Count(AtomicU64::new(0))));
        let mut timer = time.sleep_until(5_000);
        for _ in 0..100 {
            time.read();
            assert!(!poll(&mut timer, &waker));
        }
        assert_eq!(time.now(), 0, "the guest was busy with time");
        let mut turns = 0;
        while !poll(&mut timer, &waker) {
            turns += 1;
            assert!(turns < 1_000, "the timer never ended");
        }
        assert_eq!(time.now(), 5_000);
        assert!(turns >= QUIET_TURNS, "{turns} quiet turns");
    }

    #[test]
    fn clock_reads_do_not_lengthen_the_wait() {
        let time = VirtualTime::default();
        let waker = Waker::from(Arc::new(Count(AtomicU64::new(0))));
        for _ in 0..1_000_000 {
            time.read();
        }
        let mut timer = time.sleep_until(10);
        let mut turns = 0;
        while !poll(&mut timer, &waker) {
            turns += 1;
        }
        assert!(turns < 100, "{turns} turns after a million reads");
    }

    #[test]
    fn the_end_of_time_never_comes() {
        let time = VirtualTime::default();
        let waker = Waker::from(Arc::new(Count(AtomicU64::new(0))));
        let mut never = time.sleep_until(u64::MAX);
        for _ in 0..1_000 {
            assert!(!poll(&mut never, &waker));
        }
        assert_eq!(time.now(), 0);
        assert!(time.timers().pending.is_empty(), "it never leads");
    }

    #[test]
    fn skipping_completes_the_timers_due() {
        let time = VirtualTime::default();
        let count = Arc::new(Count(AtomicU64::new(0)));
        let waker = Waker::from(Arc::clone(&count));
        runtime().block_on(std::future::poll_fn(|_| {
            // Within one poll of the runtime's task: never idle.
            let mut a = time.sleep_until(10);
            let mut b = time.sleep_until(20);
            assert!(!poll(&mut a, &waker));
            assert!(!poll(&mut b, &waker));
            time.skip_to(15);
            assert!(count.0.load(Ordering::Relaxed) > 0, "a is woken");
            assert!(poll(&mut a, &waker));
            assert!(!poll(&mut b, &waker));
            drop(b);
            assert!(time.timers().pending.is_empty(), "a dropped timer leaves");
            time.skip_to(5);
            assert_eq!(time.now(), 15, "the clock never goes back");
            Poll::Ready(())
        }));
    }

    #[test]
    fn the_wall_clock_is_the_epoch_plus_the_reading() {
        let time = VirtualTime::default();
        let wall = VirtualWallClock {
            time: time.clone(),
            epoch: DEFAULT_EPOCH,
        };
        assert_eq!(wall.now(), DEFAULT_EPOCH);
        VirtualMonotonicClock(time).skip_to(3_600_000_000_000);
        assert_eq!(wall.now(), DEFAULT_EPOCH + Duration::from_secs(3600));
    }
}
