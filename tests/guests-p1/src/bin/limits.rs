//! The context's limits through preview 1: the 0.2 guest's program,
//! compiled for wasm32-wasip1 (its std modes).
#[path = "../../../guests/src/bin/limits.rs"]
mod limits;

fn main() {
    limits::main();
}
