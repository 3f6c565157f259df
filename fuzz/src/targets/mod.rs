//! The targets' cases. Each is `fn(&[u8])`, panicking on a finding; the
//! input is read with [`input::Input`], which never runs out (past the end
//! it reads zeros), so every byte string is a valid case.
//!
//! This folder is also a module of the root crate's test program
//! (`tests/fuzz_loops.rs`), so it uses only `wasi_host`, `wasmtime` and
//! `tempfile`, which both crates have.

pub mod input;
pub mod p1_calls;
pub mod p2_sockets;

/// The targets, by name.
pub const NAMES: &[&str] = &["p1_calls", "p2_sockets"];

/// The target named `name`.
pub fn by_name(name: &str) -> Option<fn(&[u8])> {
    match name {
        "p1_calls" => Some(p1_calls::run),
        "p2_sockets" => Some(p2_sockets::run),
        _ => None,
    }
}
