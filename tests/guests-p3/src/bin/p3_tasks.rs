//! Many concurrent calls in one guest: `p3_tasks N MS` starts N waits of
//! MS milliseconds each (`wait-for`) at once, each followed by a write to
//! stdout, and prints how long all took: about MS, not N times MS.

use wasi_guests_p3::exports::wasi::cli::run::Guest;
use wasi_guests_p3::wasi::cli::environment;
use wasi_guests_p3::wasi::clocks::monotonic_clock;
use wasi_guests_p3::{export, line};

struct Component;
export!(Component);

impl Guest for Component {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        let n: u64 = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(100);
        let ms: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(50);
        let start = monotonic_clock::now();
        let tasks = (0..n).map(|i| async move {
            monotonic_clock::wait_for(ms * 1_000_000).await;
            line(format!("task {i}")).await;
        });
        futures::future::join_all(tasks).await;
        // A deadline in the past is over at once.
        monotonic_clock::wait_until(start).await;
        let took = (monotonic_clock::now() - start) / 1_000_000;
        line(format!("all {n} done in {took} ms")).await;
        Ok(())
    }
}

fn main() {
    unreachable!("the 0.3 `run` export is the entry point")
}
