//! What a deterministic 0.3 run must reproduce: `p3_determinism` prints
//! both clocks, waits an hour (`wait-for`) and reads them again, draws
//! random numbers (secure, insecure, the insecure seed), and runs 100
//! concurrent waits of 1 to 100 ms started in a scrambled order, printing
//! the order they end in and when.
//!
//! Every line is a pure function of the run's seed in a deterministic run.

use std::cell::RefCell;
use wasi_guests_p3::exports::wasi::cli::run::Guest;
use wasi_guests_p3::wasi::clocks::{monotonic_clock, system_clock};
use wasi_guests_p3::wasi::random::{insecure, insecure_seed, random};
use wasi_guests_p3::{export, line};

struct Component;
export!(Component);

async fn clocks(when: &str) {
    let w = system_clock::now();
    line(format!(
        "{when}: mono {} wall {} {}",
        monotonic_clock::now(),
        w.seconds,
        w.nanoseconds
    ))
    .await;
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Guest for Component {
    async fn run() -> Result<(), ()> {
        clocks("start").await;
        line(format!(
            "resolutions mono {} wall {}",
            monotonic_clock::get_resolution(),
            system_clock::get_resolution()
        ))
        .await;
        monotonic_clock::wait_for(3_600_000_000_000).await;
        clocks("after an hour").await;

        line(format!("random {}", hex(&random::get_random_bytes(16)))).await;
        line(format!("random u64 {}", random::get_random_u64())).await;
        line(format!("insecure {}", hex(&insecure::get_insecure_random_bytes(16)))).await;
        let (a, b) = insecure_seed::get_insecure_seed();
        line(format!("insecure seed {a} {b}")).await;

        let start = monotonic_clock::now();
        let order = RefCell::new(Vec::new());
        let tasks = (0..100u64).map(|i| {
            let order = &order;
            async move {
                monotonic_clock::wait_for((i * 37 % 100 + 1) * 1_000_000).await;
                let at = (monotonic_clock::now() - start) / 1_000_000;
                order.borrow_mut().push(format!("{i}@{at}"));
            }
        });
        futures::future::join_all(tasks).await;
        line(format!("timers {}", order.borrow().join(" "))).await;
        // A deadline in the past is over at once, and moves nothing.
        monotonic_clock::wait_until(start).await;
        clocks("end").await;
        Ok(())
    }
}

fn main() {
    unreachable!("the 0.3 `run` export is the entry point")
}
