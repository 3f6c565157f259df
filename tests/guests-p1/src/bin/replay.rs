//! Record and replay (tests/replay.rs) for preview 1: the 0.2 guest's
//! program, compiled for wasm32-wasip1.
#[path = "../../../guests/src/bin/replay.rs"]
mod replay;

fn main() {
    replay::main();
}
