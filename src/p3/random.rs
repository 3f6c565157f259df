//! `wasi:random@0.3.0` on the random context itself (it needs no table).
//!
//! In 0.3 a guest asks for *at most* `max-len` bytes: a request above the
//! context's `max_random_size` gets that many bytes instead of the trap
//! 0.2 answers (DESIGN.md, "WASI 0.3").

use crate::p3::bindings::random::{insecure, insecure_seed, random};
use crate::random::WasiRandomCtx;
use rand::Rng;

/// Up to `max_len` bytes from `rng`, no more than `limit`.
fn random_bytes(rng: &mut dyn Rng, max_len: u64, limit: u64) -> wasmtime::Result<Vec<u8>> {
    let len = usize::try_from(max_len.min(limit))?;
    let mut bytes = vec![0; len];
    rng.fill_bytes(&mut bytes);
    Ok(bytes)
}

impl random::Host for WasiRandomCtx {
    fn get_random_bytes(&mut self, max_len: u64) -> wasmtime::Result<Vec<u8>> {
        random_bytes(&mut *self.random, max_len, self.max_size)
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        Ok(self.random.next_u64())
    }
}

impl insecure::Host for WasiRandomCtx {
    fn get_insecure_random_bytes(&mut self, max_len: u64) -> wasmtime::Result<Vec<u8>> {
        random_bytes(&mut *self.insecure_random, max_len, self.max_size)
    }

    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        Ok(self.insecure_random.next_u64())
    }
}

impl insecure_seed::Host for WasiRandomCtx {
    fn get_insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        let seed = self.insecure_random_seed;
        Ok((seed as u64, (seed >> 64) as u64))
    }
}
