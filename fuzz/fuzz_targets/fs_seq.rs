//! cargo-fuzz entry of target `fs_seq` (see `src/targets/fs_seq.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasi_host_fuzz::targets::fs_seq::run(data));
