//! libFuzzer entry point of the `p2_sockets` target (see
//! `src/targets/p2_sockets.rs`).
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    wasi_host_fuzz::targets::p2_sockets::run(data);
});
