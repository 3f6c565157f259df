//! The one test program: every area of `tests/` is a module of it, so the
//! host code the tests instantiate (linkers, bindings, `Run`) is compiled
//! and linked once instead of once per file. A test is named
//! `AREA::NAME` (`cargo test --release replay::` runs one area).

mod common;

mod api_builder;
mod cli;
mod clocks;
mod deterministic;
mod filesystem;
mod fs_budget;
mod fs_sandbox;
mod fuzz_loops;
mod io_limits;
mod limits;
mod observe;
mod p1_smoke;
mod p3_guests;
mod p3_sockets;
mod pipes;
mod poll;
mod preview0;
mod preview1;
mod preview1_fuel;
mod preview1_programs;
mod preview1_sockets;
mod preview1_vfs;
mod preview1_wat;
mod random;
mod replay;
mod run_example;
mod run_example_tcp;
mod run_example_vfs;
mod runtime_nested;
mod sockets_answers;
mod sockets_guest;
mod sockets_host;
mod sockets_lookup;
mod sockets_tcp;
mod sockets_udp;
mod stdin_inherit;
mod streams;
mod tracing;
mod vfs_api;
mod vfs_diff;
mod vfs_guests;
mod vfs_overlay;
mod vfs_table;
mod wasi_testsuite;
