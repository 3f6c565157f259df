//! `wasi:random@0.3.0` on the random context itself (it needs no table).
//!
//! In 0.3 a guest asks for *at most* `max-len` bytes: a request above the
//! context's `max_random_size` gets that many bytes instead of the trap
//! 0.2 answers (DESIGN.md, "WASI 0.3"). Each call is the context's call of
//! the same name ([`WasiRandomCtx::bytes`], ...: journaled when recording
//! or replaying), observed when the context has an observer.

use crate::p3::bindings::random::{insecure, insecure_seed, random};
use crate::p3::observe::observed;
use crate::random::WasiRandomCtx;

impl random::Host for WasiRandomCtx {
    fn get_random_bytes(&mut self, max_len: u64) -> wasmtime::Result<Vec<u8>> {
        observed!(
            &self.observer,
            "wasi:random/random",
            "get-random-bytes",
            [max_len],
            self.bytes(false, max_len.min(self.max_size))
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
    fn get_insecure_random_bytes(&mut self, max_len: u64) -> wasmtime::Result<Vec<u8>> {
        observed!(
            &self.observer,
            "wasi:random/insecure",
            "get-insecure-random-bytes",
            [max_len],
            self.bytes(true, max_len.min(self.max_size))
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
    fn get_insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        observed!(
            &self.observer,
            "wasi:random/insecure-seed",
            "get-insecure-seed",
            [],
            self.seed().map(|seed| (seed as u64, (seed >> 64) as u64))
        )
    }
}
