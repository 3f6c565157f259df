//! Prints `wasi:cli/environment` as the host gave it, one item per line:
//! `arg <a>`, `env <k>=<v>` (in the host's order), `cwd <path>` or `cwd none`.
use wasip2::cli::environment;

fn main() {
    for a in environment::get_arguments() {
        println!("arg {a}");
    }
    for (k, v) in environment::get_environment() {
        println!("env {k}={v}");
    }
    match environment::initial_cwd() {
        Some(c) => println!("cwd {c}"),
        None => println!("cwd none"),
    }
    // std sees the same thing.
    let std_args: Vec<String> = std::env::args().collect();
    assert_eq!(std_args, environment::get_arguments());
}
