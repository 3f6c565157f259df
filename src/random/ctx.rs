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
    /// The context's record/replay journal (copied here when it is
    /// built).
    pub(crate) journal: crate::journal::Journal,
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
            journal: crate::journal::Journal::Off,
            random: thread_rng(),
            insecure_random: Box::new(Deterministic::from_seed(insecure_random_seed)),
            insecure_random_seed,
            max_size: DEFAULT_MAX_SIZE,
        }
    }
}

impl WasiRandomCtx {
    /// `len` bytes for the guest from the secure source (or the insecure
    /// one), journaled when recording and from the journal when
    /// replaying. A length above the context's bound traps: a guest
    /// controls it.
    pub(crate) fn bytes(&mut self, insecure: bool, len: u64) -> wasmtime::Result<Vec<u8>> {
        if len > self.max_size {
            wasmtime::bail!(
                "random bytes requested ({len}) exceed the limit of {} per call",
                self.max_size
            );
        }
        let mut bytes = vec![0; usize::try_from(len)?];
        let rng = if insecure {
            &mut self.insecure_random
        } else {
            &mut self.random
        };
        self.journal
            .random(insecure, &mut bytes, |b| rng.fill_bytes(b))?;
        Ok(bytes)
    }

    /// A `u64` for the guest from the secure source (or the insecure
    /// one), journaled as its 8 little-endian bytes.
    pub(crate) fn u64(&mut self, insecure: bool) -> wasmtime::Result<u64> {
        let rng = if insecure {
            &mut self.insecure_random
        } else {
            &mut self.random
        };
        if !self.journal.is_on() {
            return Ok(rng.next_u64());
        }
        let mut bytes = [0u8; 8];
        self.journal.random(insecure, &mut bytes, |b| {
            b.copy_from_slice(&rng.next_u64().to_le_bytes())
        })?;
        Ok(u64::from_le_bytes(bytes))
    }

    /// The insecure seed for the guest, journaled.
    pub(crate) fn seed(&self) -> wasmtime::Result<u128> {
        self.journal.seed(self.insecure_random_seed)
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
