//! `wasi:random`: secure and insecure random bytes, and the insecure seed,
//! version-neutral (the 0.2 glue is `crate::p2`'s `random.rs`).
//!
//! Files: this one (the host's generators), `ctx.rs` (the context,
//! [`WasiRandomCtx`], bounded by [`DEFAULT_MAX_SIZE`] per call).

use cap_rand::rngs::StdRng;
use cap_rand::{RngCore, SeedableRng};

mod ctx;

pub use ctx::{DEFAULT_MAX_SIZE, WasiRandom, WasiRandomCtx, WasiRandomView};

/// A cryptographically secure generator seeded from the operating system:
/// the default source of `wasi:random/random`.
pub fn thread_rng() -> Box<dyn RngCore + Send> {
    let mut seed = <StdRng as SeedableRng>::Seed::default();
    cap_rand::thread_rng(cap_rand::ambient_authority()).fill_bytes(&mut seed);
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

impl RngCore for Deterministic {
    fn next_u32(&mut self) -> u32 {
        self.0.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill_bytes(dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), cap_rand::Error> {
        self.0.try_fill_bytes(dest)
    }
}
