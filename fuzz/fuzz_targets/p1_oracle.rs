//! cargo-fuzz entry of target `p1_oracle` (see `src/oracle.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| wasi_host_fuzz::oracle::run(data));
