//! `Host` traits of `wasi:random`, on the random context itself (it needs
//! no table): each the context's call of the same name
//! ([`WasiRandomCtx::bytes`], ...), observed when the context has an
//! observer.

use crate::p2::bindings::random::{insecure, insecure_seed, random};
use crate::p2::observe::observed;
use crate::random::WasiRandomCtx;

impl random::Host for WasiRandomCtx {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        observed!(
            &self.observer,
            "wasi:random/random",
            "get-random-bytes",
            [len],
            self.bytes(false, len)
        )
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        observed!(
            &self.observer,
            "wasi:random/random",
            "get-random-u64",
            [],
            self.u64(false)
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
            self.bytes(true, len)
        )
    }

    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        observed!(
            &self.observer,
            "wasi:random/insecure",
            "get-insecure-random-u64",
            [],
            self.u64(true)
        )
    }
}

impl insecure_seed::Host for WasiRandomCtx {
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        observed!(
            &self.observer,
            "wasi:random/insecure-seed",
            "insecure-seed",
            [],
            self.seed().map(|seed| (seed as u64, (seed >> 64) as u64))
        )
    }
}
