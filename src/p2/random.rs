//! `Host` traits of `wasi:random` for [`WasiImpl`].

use crate::bindings::random::{insecure, insecure_seed, random};
use crate::{WasiImpl, WasiView};
use cap_rand::RngCore;

/// Fills a fresh buffer of `len` bytes from `rng`, refusing (with a trap)
/// lengths above `max`, which a guest controls.
fn random_bytes(rng: &mut dyn RngCore, len: u64, max: u64) -> wasmtime::Result<Vec<u8>> {
    if len > max {
        wasmtime::bail!("random bytes requested ({len}) exceed the limit of {max} per call");
    }
    let len = usize::try_from(len)?;
    let mut bytes = vec![0; len];
    rng.fill_bytes(&mut bytes);
    Ok(bytes)
}

impl<T: WasiView> random::Host for WasiImpl<T> {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        let ctx = self.ctx();
        random_bytes(&mut *ctx.random, len, ctx.max_random_size)
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        Ok(self.ctx().random.next_u64())
    }
}

impl<T: WasiView> insecure::Host for WasiImpl<T> {
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        let ctx = self.ctx();
        random_bytes(&mut *ctx.insecure_random, len, ctx.max_random_size)
    }

    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        Ok(self.ctx().insecure_random.next_u64())
    }
}

impl<T: WasiView> insecure_seed::Host for WasiImpl<T> {
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        let seed = self.ctx().insecure_random_seed;
        Ok((seed as u64, (seed >> 64) as u64))
    }
}
