//! The targets' cases. Each is `fn(&[u8])`, panicking on a finding; the
//! input is read with [`input::Input`], which never runs out (past the end
//! it reads zeros), so every byte string is a valid case.
//!
//! This folder is also a module of the root crate's test program
//! (`tests/fuzz_loops.rs`), so it uses only `wasi_host`, `wasmtime` and
//! `tempfile`, which both crates have.

pub mod canary;
pub mod fs_ops;
pub mod fs_p1;
pub mod fs_p2;
pub mod fs_seq;
pub mod input;
pub mod p1_calls;
pub mod p2_sockets;

/// The targets, by name.
pub const NAMES: &[&str] = &["fs_seq", "p1_calls", "p2_sockets"];

/// The target named `name`.
pub fn by_name(name: &str) -> Option<fn(&[u8])> {
    match name {
        "fs_seq" => Some(fs_seq::run),
        "p1_calls" => Some(p1_calls::run),
        "p2_sockets" => Some(p2_sockets::run),
        _ => None,
    }
}
