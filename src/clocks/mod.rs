//! `wasi:clocks`: the wall clock and the monotonic clock, and the traits an
//! embedder implements to replace them, version-neutral (with the crate's
//! own [`Datetime`]; the 0.2 glue is `crate::p2`'s `clocks.rs`).
//!
//! Files: this one (the traits and the host's clocks), `ctx.rs` (the
//! context, [`WasiClocksCtx`], and its view), `virtual_time.rs` (the
//! clocks of deterministic runs).

use std::time::Duration;

mod ctx;
mod virtual_time;

pub use virtual_time::DEFAULT_EPOCH;
pub(crate) use virtual_time::{VirtualMonotonicClock, VirtualTime, VirtualWallClock};

pub use ctx::{WasiClocks, WasiClocksCtx, WasiClocksCtxView, WasiClocksView};

/// A point in wall-clock time: seconds and nanoseconds since
/// 1970-01-01T00:00:00Z (the version-neutral form of WASI's `datetime`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Datetime {
    /// Whole seconds since the epoch.
    pub seconds: u64,
    /// Nanoseconds within the second, below 1,000,000,000.
    pub nanoseconds: u32,
}

impl From<Duration> for Datetime {
    fn from(d: Duration) -> Datetime {
        Datetime {
            seconds: d.as_secs(),
            nanoseconds: d.subsec_nanos(),
        }
    }
}

/// A wall clock: time since the Unix epoch, which may jump.
pub trait HostWallClock: Send {
    /// The clock's resolution.
    fn resolution(&self) -> Duration;
    /// Time since 1970-01-01T00:00:00Z.
    fn now(&self) -> Duration;
}

/// A monotonic clock: nanoseconds since an arbitrary fixed point, never
/// going back.
pub trait HostMonotonicClock: Send {
    /// The clock's resolution in nanoseconds.
    fn resolution(&self) -> u64;
    /// The current reading in nanoseconds.
    fn now(&self) -> u64;
    /// Called when a guest waits for the clock to read `instant` (below
    /// `u64::MAX`, which never comes) and nothing else it waits on is
    /// pending, and also when a wait that included I/O ended by the
    /// deadline's length in real time. A virtual clock moves to `instant`
    /// (if it reads less) and returns `true`: the wait ends at once. A real
    /// clock returns `false` (the default), and the host sleeps until the
    /// clock gets there. (A clock that answers `true` without moving is
    /// slept on like a real one.) WASI 0.3's waits use the context's own
    /// virtual time, not this method.
    fn skip_to(&self, instant: u64) -> bool {
        let _ = instant;
        false
    }
}

fn timespec_to_duration(ts: rustix::time::Timespec) -> Duration {
    let secs = u64::try_from(ts.tv_sec).unwrap_or(0);
    let nanos = u32::try_from(ts.tv_nsec).unwrap_or(0);
    Duration::new(secs, nanos)
}

fn duration_to_nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// The host's real-time clock.
struct SystemWallClock;

impl HostWallClock for SystemWallClock {
    fn resolution(&self) -> Duration {
        timespec_to_duration(rustix::time::clock_getres(rustix::time::ClockId::Realtime))
    }
    fn now(&self) -> Duration {
        // Before 1970 cannot be expressed in a `datetime`: report the epoch.
        timespec_to_duration(rustix::time::clock_gettime(rustix::time::ClockId::Realtime))
    }
}

/// The host's monotonic clock.
struct SystemMonotonicClock;

impl HostMonotonicClock for SystemMonotonicClock {
    fn resolution(&self) -> u64 {
        duration_to_nanos(timespec_to_duration(rustix::time::clock_getres(
            rustix::time::ClockId::Monotonic,
        )))
        .max(1)
    }
    fn now(&self) -> u64 {
        duration_to_nanos(timespec_to_duration(rustix::time::clock_gettime(
            rustix::time::ClockId::Monotonic,
        )))
    }
}

/// The host's wall clock.
pub fn wall_clock() -> Box<dyn HostWallClock> {
    Box::new(SystemWallClock)
}

/// The host's monotonic clock.
pub fn monotonic_clock() -> Box<dyn HostMonotonicClock> {
    Box::new(SystemMonotonicClock)
}
