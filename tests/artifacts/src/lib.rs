//! Paths of the guest programs built by `build.rs`, one `pub const NAME: &str`
//! per `src/bin/*.rs` (the file name in upper snake case) and `ALL` listing
//! `(name, path)` pairs, per build:
//! - at the root: `tests/guests` for `wasm32-wasip2` (components);
//! - `p1`: `tests/guests-p1` for `wasm32-wasip1` (preview 1 core modules);
//! - `programs`: `tests/programs` for `wasm32-wasip1`;
//! - `native`: `tests/programs` for the host (native executables).
include!(concat!(env!("OUT_DIR"), "/guests.rs"));
