//! The `wasi:random` part of a context.

use super::{Deterministic, thread_rng};
use rand::Rng;
use wasmtime::component::HasData;

/// The default bound on the bytes one `get-random-bytes` call may ask for:
/// 64 MiB.
pub const DEFAULT_MAX_SIZE: u64 = 64 << 20;

/// A guest's random sources: the secure and the insecure generator, the
/// insecure seed, and the most bytes one call may ask for. Part of a
/// [`crate::WasiCtx`] ([`WasiCtx::random`](crate::WasiCtx::random)). The
/// random host functions need nothing else (no table).
pub struct WasiRandomCtx {
    /// Who is told of every call (the context's observer, copied here
    /// when it is built).
    pub(crate) observer: crate::observe::Observer,
    pub(crate) random: Box<dyn Rng + Send>,
    pub(crate) insecure_random: Box<dyn Rng + Send>,
    pub(crate) insecure_random_seed: u128,
    pub(crate) max_size: u64,
}

impl Default for WasiRandomCtx {
    /// A secure generator seeded from the OS, an insecure one and its seed
    /// drawn from it, and [`DEFAULT_MAX_SIZE`].
    fn default() -> Self {
        let insecure_random_seed = rand::RngExt::random::<u128>(&mut rand::rng());
        WasiRandomCtx {
            observer: None,
            random: thread_rng(),
            insecure_random: Box::new(Deterministic::from_seed(insecure_random_seed)),
            insecure_random_seed,
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

/// Store data that can give the `wasi:random` host functions their context
/// (every [`crate::WasiView`] can, and so can a [`WasiRandomCtx`]).
pub trait WasiRandomView: Send {
    /// This store's random context.
    fn random(&mut self) -> &mut WasiRandomCtx;
}

impl WasiRandomView for WasiRandomCtx {
    fn random(&mut self) -> &mut WasiRandomCtx {
        self
    }
}

/// The [`HasData`] of the `wasi:random` interfaces.
pub struct WasiRandom;

impl HasData for WasiRandom {
    type Data<'a> = &'a mut WasiRandomCtx;
}
