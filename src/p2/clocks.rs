//! `Host` traits of `wasi:clocks` for [`crate::clocks::WasiClocksCtxView`].

use crate::clocks::WasiClocksCtxView;
use crate::io::Pollable;
use crate::p2::bindings::clocks::{monotonic_clock, wall_clock};
use wasmtime::component::Resource;

impl wall_clock::Host for WasiClocksCtxView<'_> {
    fn now(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        let now = self.ctx.wall_clock.now();
        Ok(wall_clock::Datetime {
            seconds: now.as_secs(),
            nanoseconds: now.subsec_nanos(),
        })
    }

    fn resolution(&mut self) -> wasmtime::Result<wall_clock::Datetime> {
        let res = self.ctx.wall_clock.resolution();
        Ok(wall_clock::Datetime {
            seconds: res.as_secs(),
            nanoseconds: res.subsec_nanos(),
        })
    }
}

impl monotonic_clock::Host for WasiClocksCtxView<'_> {
    fn now(&mut self) -> wasmtime::Result<monotonic_clock::Instant> {
        Ok(self.ctx.monotonic_clock.now())
    }

    fn resolution(&mut self) -> wasmtime::Result<monotonic_clock::Duration> {
        Ok(self.ctx.monotonic_clock.resolution())
    }

    fn subscribe_instant(
        &mut self,
        when: monotonic_clock::Instant,
    ) -> wasmtime::Result<Resource<Pollable>> {
        Ok(self.table.push(Pollable::deadline(when))?)
    }

    fn subscribe_duration(
        &mut self,
        duration: monotonic_clock::Duration,
    ) -> wasmtime::Result<Resource<Pollable>> {
        // An overflowing deadline is one that never comes.
        let when = self.ctx.monotonic_clock.now().saturating_add(duration);
        Ok(self.table.push(Pollable::deadline(when))?)
    }
}
