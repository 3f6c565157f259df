//! `wasi:random`: secure and insecure random bytes, and the insecure seed,
//! version-neutral (the 0.2 glue is `crate::p2`'s `random.rs`).
//!
//! Files: this one (the host's generators), `ctx.rs` (the context,
//! [`WasiRandomCtx`], bounded by [`DEFAULT_MAX_SIZE`] per call).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng, TryCryptoRng, TryRng};
use std::convert::Infallible;

mod ctx;

pub use ctx::{DEFAULT_MAX_SIZE, WasiRandom, WasiRandomCtx, WasiRandomView};

/// A cryptographically secure generator seeded from the operating system:
/// the default source of `wasi:random/random`.
pub fn thread_rng() -> Box<dyn Rng + Send> {
    let mut seed = <StdRng as SeedableRng>::Seed::default();
    rand::rng().fill_bytes(&mut seed);
    Box::new(StdRng::from_seed(seed))
}

/// A generator whose output is fully determined by its seed: for tests and
/// reproducible runs, and the default source of `wasi:random/insecure`.
pub struct Deterministic(StdRng);

impl Deterministic {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Deterministic(StdRng::seed_from_u64(seed))
    }

    /// A generator seeded with a 128-bit seed.
    pub fn from_seed(seed: u128) -> Self {
        let mut full = <StdRng as SeedableRng>::Seed::default();
        full[..16].copy_from_slice(&seed.to_le_bytes());
        Deterministic(StdRng::from_seed(full))
    }
}

/// The generator itself ([`Rng`] follows: a generator that cannot fail).
impl TryRng for Deterministic {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        self.0.try_next_u32()
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        self.0.try_next_u64()
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), Infallible> {
        self.0.try_fill_bytes(dest)
    }
}

/// Its output is ChaCha12's, though predictable from the seed.
impl TryCryptoRng for Deterministic {}
