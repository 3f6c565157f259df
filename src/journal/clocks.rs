//! The clocks of a replay: what the host's own code reads (deadlines,
//! virtual mounts' timestamps) is the reading last replayed to the guest,
//! so a replay never consults the host's clocks.

use super::Replayer;
use crate::clocks::{HostMonotonicClock, HostWallClock};
use std::sync::Arc;
use std::time::Duration;

/// The wall clock of a replay.
pub(crate) struct ReplayWallClock {
    /// The journal.
    pub(crate) replay: Arc<Replayer>,
    /// The recorded context's resolution (a fixed answer).
    pub(crate) resolution: Duration,
}

impl HostWallClock for ReplayWallClock {
    fn resolution(&self) -> Duration {
        self.resolution
    }

    fn now(&self) -> Duration {
        self.replay.held_wall()
    }
}

/// The monotonic clock of a replay.
pub(crate) struct ReplayMonotonicClock {
    /// The journal.
    pub(crate) replay: Arc<Replayer>,
    /// The recorded context's resolution.
    pub(crate) resolution: u64,
}

impl HostMonotonicClock for ReplayMonotonicClock {
    fn resolution(&self) -> u64 {
        self.resolution
    }

    fn now(&self) -> u64 {
        self.replay.held_monotonic()
    }
}
