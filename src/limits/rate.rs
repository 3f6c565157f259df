//! A count of events with a limit per run and a limit per second (the
//! name lookups a guest starts).

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Why [`Rate::admit`] refused an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    /// The run's total is spent: no later event will be admitted.
    PerRun,
    /// This second's share is spent: a later one may be admitted.
    PerSecond,
}

/// Events admitted so far, against a total and a per-second limit.
#[derive(Debug)]
pub(crate) struct Rate {
    per_run: u64,
    per_second: u32,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Admitted in the whole run.
    made: u64,
    /// When the current one-second window began, and how many were
    /// admitted in it.
    window: Option<(Instant, u32)>,
}

impl Rate {
    /// At most `per_run` events in all and `per_second` in any second
    /// (counted in windows of one second from the first event of each).
    pub(crate) fn new(per_run: u64, per_second: u32) -> Rate {
        Rate {
            per_run,
            per_second,
            state: Mutex::new(State {
                made: 0,
                window: None,
            }),
        }
    }

    /// The limits, changed; what was admitted stays counted.
    pub(crate) fn set_limits(&mut self, per_run: u64, per_second: u32) {
        self.per_run = per_run;
        self.per_second = per_second;
    }

    /// How many events were admitted.
    pub(crate) fn made(&self) -> u64 {
        self.lock().made
    }

    /// Admits one event at `now`, or says which limit refuses it. With
    /// `timed` false the per-second limit is not applied (a journaled run,
    /// whose replay must not depend on the host's clock).
    pub(crate) fn admit(&self, now: Instant, timed: bool) -> Result<(), Refusal> {
        let mut state = self.lock();
        if state.made >= self.per_run {
            return Err(Refusal::PerRun);
        }
        if timed {
            let window = match state.window {
                Some((start, n))
                    if now.saturating_duration_since(start) < Duration::from_secs(1) =>
                {
                    (start, n)
                }
                _ => (now, 0),
            };
            if window.1 >= self.per_second {
                return Err(Refusal::PerSecond);
            }
            state.window = Some((window.0, window.1 + 1));
        }
        state.made += 1;
        Ok(())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is two counters, valid whatever a panicking holder did.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_second_and_per_run_limits() {
        let rate = Rate::new(5, 2);
        let t0 = Instant::now();
        assert_eq!(rate.admit(t0, true), Ok(()));
        assert_eq!(rate.admit(t0, true), Ok(()));
        assert_eq!(rate.admit(t0, true), Err(Refusal::PerSecond));
        let t1 = t0 + Duration::from_millis(1000);
        assert_eq!(rate.admit(t1, true), Ok(()));
        assert_eq!(rate.admit(t1, true), Ok(()));
        assert_eq!(rate.admit(t1, false), Ok(()), "untimed: only the total");
        let t2 = t1 + Duration::from_secs(5);
        assert_eq!(rate.admit(t2, true), Err(Refusal::PerRun));
        assert_eq!(rate.made(), 5);
    }

    #[test]
    fn no_limits_admit_everything() {
        let rate = Rate::new(u64::MAX, u32::MAX);
        let now = Instant::now();
        for _ in 0..10_000 {
            rate.admit(now, true).unwrap();
        }
        assert_eq!(rate.made(), 10_000);
    }
}
