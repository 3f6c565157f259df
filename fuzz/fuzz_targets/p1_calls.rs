//! libFuzzer entry point of the `p1_calls` target (see
//! `src/targets/p1_calls.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wasi_host_fuzz::targets::p1_calls::run(data);
});
