//! `wasi:cli/exit.exit-with-code(argv[1])` (since 0.2.12). Kept apart from
//! `exit_code` so that a host without this function only fails this program
//! at instantiation.
fn main() {
    let code: u8 = wasi_guests::arg(1).parse().expect("exit code 0..=255");
    println!("before-exit {code}");
    wasip2::cli::exit::exit_with_code(code);
    unreachable!("exit-with-code returned");
}
