//! `wasi:clocks@0.3.0` for [`WasiClocksCtxView`]: the same clocks as 0.2;
//! `wait-for` and `wait-until` are tokio timers measured on the context's
//! monotonic clock, or timers of virtual time in a deterministic run.
//! Each call observed when the context has an observer (a wait from its
//! start to its end); readings and waits journaled when recording, and
//! answered from the journal when replaying.

use crate::clocks::{VirtualTime, WasiClocks, WasiClocksCtxView};
use crate::journal::{Entry, Journal};
use crate::observe::Observer;
use crate::p3::bindings::clocks::{monotonic_clock, system_clock, types};
use crate::p3::observe::observed;
use std::time::Duration;
use wasmtime::component::Accessor;

impl types::Host for WasiClocksCtxView<'_> {}

impl system_clock::Host for WasiClocksCtxView<'_> {
    fn now(&mut self) -> wasmtime::Result<system_clock::Instant> {
        let clock = &self.ctx.wall_clock;
        observed!(
            &self.ctx.observer,
            "wasi:clocks/system-clock",
            "now",
            [],
            self.ctx
                .journal
                .wall(|| clock.now())
                .map(|now| system_clock::Instant {
                    // Seconds past 1970 fit an `s64` for 292 billion years.
                    seconds: i64::try_from(now.as_secs()).unwrap_or(i64::MAX),
                    nanoseconds: now.subsec_nanos(),
                })
        )
    }

    fn get_resolution(&mut self) -> wasmtime::Result<types::Duration> {
        observed!(
            &self.ctx.observer,
            "wasi:clocks/system-clock",
            "get-resolution",
            [],
            {
                let res = self.ctx.wall_clock.resolution();
                Ok(u64::try_from(res.as_nanos()).unwrap_or(u64::MAX).max(1))
            }
        )
    }
}

impl monotonic_clock::Host for WasiClocksCtxView<'_> {
    fn now(&mut self) -> wasmtime::Result<monotonic_clock::Mark> {
        observed!(
            &self.ctx.observer,
            "wasi:clocks/monotonic-clock",
            "now",
            [],
            self.ctx
                .journal
                .monotonic(|| self.ctx.monotonic_clock.now())
        )
    }

    fn get_resolution(&mut self) -> wasmtime::Result<types::Duration> {
        observed!(
            &self.ctx.observer,
            "wasi:clocks/monotonic-clock",
            "get-resolution",
            [],
            Ok(self.ctx.monotonic_clock.resolution())
        )
    }
}

impl<T: Send> monotonic_clock::HostWithStore<T> for WasiClocks {
    /// Returns once the monotonic clock reads `when` or later (at once for
    /// a mark in the past).
    async fn wait_until(
        accessor: &Accessor<T, Self>,
        when: monotonic_clock::Mark,
    ) -> wasmtime::Result<()> {
        let (now, wait) = waiting(accessor);
        observed!(
            &wait.observer,
            "wasi:clocks/monotonic-clock",
            "wait-until",
            [when],
            wait.until(now, when).await
        )
    }

    /// Returns after `how_long` nanoseconds.
    async fn wait_for(
        accessor: &Accessor<T, Self>,
        how_long: types::Duration,
    ) -> wasmtime::Result<()> {
        let (now, wait) = waiting(accessor);
        observed!(
            &wait.observer,
            "wasi:clocks/monotonic-clock",
            "wait-for",
            [how_long],
            wait.until(now, now.saturating_add(how_long)).await
        )
    }
}

/// What a wait takes from the store before it starts.
struct Wait {
    virtual_time: Option<VirtualTime>,
    observer: Observer,
    journal: Journal,
}

/// The monotonic clock's reading, and what a wait needs, in one visit of
/// the store.
fn waiting<T: Send>(accessor: &Accessor<T, WasiClocks>) -> (u64, Wait) {
    accessor.with(|mut a| {
        let ctx = &a.get().ctx;
        let wait = Wait {
            virtual_time: ctx.virtual_time.clone(),
            observer: ctx.observer.clone(),
            journal: ctx.journal.clone(),
        };
        (ctx.monotonic_clock.now(), wait)
    })
}

impl Wait {
    /// Waits from `now` until `when` (journaled: a replay answers at
    /// once).
    async fn until(self, now: u64, when: u64) -> wasmtime::Result<()> {
        let sleeping = async {
            sleep(now, when, self.virtual_time).await;
            Ok(())
        };
        self.journal.wait(Entry::Sleep, sleeping).await
    }
}

/// Waits from `now` until `when` on the monotonic clock: a tokio timer, or
/// in a deterministic run a timer of its virtual time. A wait that is
/// already over completes at its first poll (a guest may test a past
/// deadline for readiness).
async fn sleep(now: u64, when: u64, virtual_time: Option<VirtualTime>) {
    if when <= now {
        return;
    }
    match virtual_time {
        Some(time) => time.sleep_until(when).await,
        // tokio's timer takes any duration (a far one is parked at its end).
        None => tokio::time::sleep(Duration::from_nanos(when - now)).await,
    }
}
