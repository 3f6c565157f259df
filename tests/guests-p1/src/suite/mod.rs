//! The test groups of `p1_suite`, one subcommand each. Every group prints
//! `ok CHECK` lines for the host test and ends with `done GROUP`; a failed
//! assertion ends the program with exit code 99 and a `FAIL:` line on stderr.

mod advisory;
mod basics;
mod fs;
mod io;
mod net;
mod poll;
mod readdir;

/// Runs the group named `cmd` with its remaining arguments.
pub fn run(cmd: &str, rest: &[String]) {
    match cmd {
        "args" => basics::args(),
        "clocks" => basics::clocks(),
        "random" => basics::random(),
        "sched" => basics::sched(),
        "exit" => basics::exit(rest),
        "prestat" => basics::prestat(),
        "sock" => basics::sock(),
        "stdio" => io::stdio(),
        "rw" => io::rw(),
        "seek" => io::seek(),
        "append" => io::append(),
        "fdstat" => io::fdstat(),
        "renumber" => io::renumber(),
        "open" => fs::open_flags(),
        "rights0" => advisory::rights_zero(),
        "rights_widen" => advisory::rights_do_not_widen(),
        "dir_answers" => advisory::directory_answers(),
        "readonly" => fs::readonly(),
        "filestat" => fs::filestat(),
        "path" => fs::paths(),
        "readdir" => readdir::readdir(rest),
        "poll" => poll::poll(),
        "net" => net::raw(),
        "std_server" => net::std_server(rest),
        other => crate::fail(&format!("unknown subcommand {other:?}")),
    }
    if crate::failures() > 0 {
        println!("{} failed check(s) in {cmd}", crate::failures());
        std::process::exit(99);
    }
    println!("done {cmd}");
}
