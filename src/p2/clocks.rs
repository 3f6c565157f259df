//! `Host` traits of `wasi:clocks` for [`crate::clocks::WasiClocksCtxView`];
//! each call observed when the context has an observer.

use crate::clocks::WasiClocksCtxView;
use crate::io::Pollable;
use crate::p2::bindings::clocks::{monotonic_clock, wall_clock};
use crate::p2::observe::observed;
use std::time::Duration;
use wasmtime::component::Resource;

/// A duration as a `datetime`.
fn datetime(d: Duration) -> wall_clock::Datetime {
    wall_clock::Datetime {
        seconds: d.as_secs(),
        nanoseconds: d.subsec_nanos(),
    }
}

crate::observe::shown_as_debug!(wall_clock::Datetime);

impl wall_clock::Host for WasiClocksCtxView<'_> {
    fn now(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        observed!(
            &self.ctx.observer,
            "wasi:clocks/wall-clock",
            "now",
            [],
            self.ctx
                .journal
                .wall(|| self.ctx.wall_clock.now())
                .map(datetime)
        )
    }

    fn resolution(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        observed!(
            &self.ctx.observer,
            "wasi:clocks/wall-clock",
            "resolution",
            [],
            Ok(datetime(self.ctx.wall_clock.resolution()))
        )
    }
}

impl monotonic_clock::Host for WasiClocksCtxView<'_> {
    fn now(&mut self) -> wasmtime::Result<monotonic_clock::Instant> {
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

    fn resolution(&mut self) -> wasmtime::Result<monotonic_clock::Duration> {
        observed!(
            &self.ctx.observer,
            "wasi:clocks/monotonic-clock",
            "resolution",
            [],
            Ok(self.ctx.monotonic_clock.resolution())
        )
    }

    fn subscribe_instant(
        &mut self,
        when: monotonic_clock::Instant,
    ) -> wasmtime::Result<Resource<Pollable>> {
        observed!(
            &self.ctx.observer,
            "wasi:clocks/monotonic-clock",
            "subscribe-instant",
            [when],
            self.table
                .push(Pollable::deadline(when))
                .map_err(Into::into)
        )
    }

    fn subscribe_duration(
        &mut self,
        duration: monotonic_clock::Duration,
    ) -> wasmtime::Result<Resource<Pollable>> {
        // An overflowing deadline is one that never comes.
        let when = self.ctx.monotonic_clock.now().saturating_add(duration);
        observed!(
            &self.ctx.observer,
            "wasi:clocks/monotonic-clock",
            "subscribe-duration",
            [duration],
            self.table
                .push(Pollable::deadline(when))
                .map_err(Into::into)
        )
    }
}
