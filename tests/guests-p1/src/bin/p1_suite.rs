//! Exercises every `wasi_snapshot_preview1` function, success and errno
//! paths, one group per subcommand: `p1_suite GROUP [ARGS...]` (the groups
//! are listed in `wasi_guests_p1::suite`). The host test runs each group
//! under both linkers with preopens `/rw` (read-write) and `/ro`
//! (read-only) where the group needs them.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(cmd) = args.get(1) else {
        wasi_guests_p1::fail("usage: p1_suite GROUP [ARGS...]");
    };
    wasi_guests_p1::suite::run(cmd, &args[2..]);
}
