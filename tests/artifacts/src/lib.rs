//! Paths of the guest components under `tests/guests`, built by `build.rs`
//! for `wasm32-wasip2`: one `pub const NAME: &str` per `src/bin/*.rs` (the
//! file name in upper snake case), and `ALL` listing `(name, path)` pairs.
include!(concat!(env!("OUT_DIR"), "/guests.rs"));
