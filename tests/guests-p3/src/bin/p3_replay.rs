//! Record and replay for WASI 0.3 (tests/replay.rs): reads stdin to its
//! end, both clocks, waits 30 ms, draws random values and the insecure
//! seed, and prints all of it.
use wasi_guests_p3::exports::wasi::cli::run::Guest;
use wasi_guests_p3::wasi::cli::stdin;
use wasi_guests_p3::wasi::clocks::{monotonic_clock, system_clock};
use wasi_guests_p3::wasi::random::{insecure_seed, random};
use wit_bindgen::StreamResult;
use wasi_guests_p3::{export, line};

struct Component;
export!(Component);

impl Guest for Component {
    async fn run() -> Result<(), ()> {
        let (mut input, done) = stdin::read_via_stream();
        let mut all = Vec::new();
        loop {
            let (result, chunk) = input.read(Vec::with_capacity(4096)).await;
            all.extend_from_slice(&chunk);
            match result {
                StreamResult::Complete(_) => {}
                StreamResult::Dropped | StreamResult::Cancelled => break,
            }
        }
        done.await.expect("stdin ended without error");
        line(format!("stdin {:?}", String::from_utf8_lossy(&all))).await;
        let wall = system_clock::now();
        line(format!("wall {} {}", wall.seconds, wall.nanoseconds)).await;
        let start = monotonic_clock::now();
        monotonic_clock::wait_for(30_000_000).await;
        let slept = monotonic_clock::now() - start;
        assert!(slept >= 30_000_000, "slept {slept}");
        line(format!("slept {slept}")).await;
        line(format!("random {:?}", random::get_random_bytes(8))).await;
        line(format!("random u64 {}", random::get_random_u64())).await;
        line(format!("seed {:?}", insecure_seed::get_insecure_seed())).await;
        Ok(())
    }
}

fn main() {
    unreachable!("the 0.3 `run` export is the entry point")
}
