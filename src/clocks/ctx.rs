//! The `wasi:clocks` part of a context, and the view its host code works
//! through.

use super::{HostMonotonicClock, HostWallClock, VirtualTime};
use wasmtime::component::{HasData, ResourceTable};

/// The clocks a guest reads: the wall clock and the monotonic clock (which
/// also times the deadlines of clock pollables). Part of a
/// [`crate::WasiCtx`] ([`WasiCtx::clocks`](crate::WasiCtx::clocks)).
pub struct WasiClocksCtx {
    /// Who is told of every call (the context's observer, copied here
    /// when it is built).
    pub(crate) observer: crate::observe::Observer,
    /// The context's record/replay journal (copied here when it is
    /// built).
    pub(crate) journal: crate::journal::Journal,
    pub(crate) wall_clock: Box<dyn HostWallClock>,
    pub(crate) monotonic_clock: Box<dyn HostMonotonicClock>,
    /// The virtual time both clocks read in a deterministic run (0.3's
    /// waits are its timers); `None` otherwise.
    pub(crate) virtual_time: Option<VirtualTime>,
    /// What the wall clock of a deterministic run reads at its start.
    pub(crate) virtual_epoch: std::time::Duration,
}

impl Default for WasiClocksCtx {
    /// The host's clocks.
    fn default() -> Self {
        WasiClocksCtx {
            observer: None,
            journal: crate::journal::Journal::Off,
            wall_clock: super::wall_clock(),
            monotonic_clock: super::monotonic_clock(),
            virtual_time: None,
            virtual_epoch: super::DEFAULT_EPOCH,
        }
    }
}

impl WasiClocksCtx {
    /// Makes both clocks read `time` (a deterministic run): the wall clock
    /// at [`virtual_epoch`](Self::virtual_epoch) plus its reading.
    pub(crate) fn use_virtual_time(&mut self, time: VirtualTime) {
        self.monotonic_clock = Box::new(super::VirtualMonotonicClock(time.clone()));
        self.set_virtual_wall_clock(time);
    }

    /// The wall clock of a deterministic run over `time`.
    pub(crate) fn set_virtual_wall_clock(&mut self, time: VirtualTime) {
        self.wall_clock = Box::new(super::VirtualWallClock {
            time: time.clone(),
            epoch: self.virtual_epoch,
        });
        self.virtual_time = Some(time);
    }
}

/// What the `wasi:clocks` host functions see: the clocks context and the
/// resource table (clock pollables go into it).
pub struct WasiClocksCtxView<'a> {
    /// The clocks part of the context.
    pub ctx: &'a mut WasiClocksCtx,
    /// The store's resource table.
    pub table: &'a mut ResourceTable,
}

/// Store data that can give the `wasi:clocks` host functions their view
/// (every [`crate::WasiView`] can).
pub trait WasiClocksView: Send {
    /// The view of this store's clocks context.
    fn clocks(&mut self) -> WasiClocksCtxView<'_>;
}

/// The [`HasData`] of the `wasi:clocks` interfaces.
pub struct WasiClocks;

impl HasData for WasiClocks {
    type Data<'a> = WasiClocksCtxView<'a>;
}
