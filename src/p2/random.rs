//! `Host` traits of `wasi:random`, on the random context itself (it needs
//! no table); each call observed when the context has an observer.

use crate::p2::bindings::random::{insecure, insecure_seed, random};
use crate::p2::observe::observed;
use crate::random::WasiRandomCtx;
use rand::Rng;

/// Fills a fresh buffer of `len` bytes from `rng`, refusing (with a trap)
/// lengths above `max`, which a guest controls.
fn random_bytes(rng: &mut dyn Rng, len: u64, max: u64) -> wasmtime::Result<Vec<u8>> {
    if len > max {
        wasmtime::bail!("random bytes requested ({len}) exceed the limit of {max} per call");
    }
    let len = usize::try_from(len)?;
    let mut bytes = vec![0; len];
    rng.fill_bytes(&mut bytes);
    Ok(bytes)
}

impl random::Host for WasiRandomCtx {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        observed!(
            &self.observer,
            "wasi:random/random",
            "get-random-bytes",
            [len],
            random_bytes(&mut *self.random, len, self.max_size)
        )
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        observed!(
            &self.observer,
            "wasi:random/random",
            "get-random-u64",
            [],
            Ok(self.random.next_u64())
        )
    }
}

impl insecure::Host for WasiRandomCtx {
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        observed!(
            &self.observer,
            "wasi:random/insecure",
            "get-insecure-random-bytes",
            [len],
            random_bytes(&mut *self.insecure_random, len, self.max_size)
        )
    }

    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        observed!(
            &self.observer,
            "wasi:random/insecure",
            "get-insecure-random-u64",
            [],
            Ok(self.insecure_random.next_u64())
        )
    }
}

impl insecure_seed::Host for WasiRandomCtx {
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        let seed = self.insecure_random_seed;
        observed!(
            &self.observer,
            "wasi:random/insecure-seed",
            "insecure-seed",
            [],
            Ok((seed as u64, (seed >> 64) as u64))
        )
    }
}
