//! Ways of ending a program. `argv[1]` picks one:
//! - `std N`: `std::process::exit(N)` (through wasi-libc, which maps any
//!   non-zero code to `exit(err)`);
//! - `return-ok`: `main` returns normally;
//! - `return-err`: `main` returns `Err` (std prints it and exits 1);
//! - `wasi-ok` / `wasi-err`: `wasi:cli/exit.exit(ok)` / `exit(err)` directly;
//! - `panic`: a Rust panic (an abort, i.e. a trap, on wasm).
use wasi_guests::{arg, unknown_case};

#[derive(Debug)]
struct MainError;

fn main() -> Result<(), MainError> {
    let case = arg(1);
    println!("before-exit {case}");
    match case.as_str() {
        "std" => {
            let code: i32 = arg(2).parse().expect("exit code");
            std::process::exit(code)
        }
        "return-ok" => Ok(()),
        "return-err" => Err(MainError),
        "wasi-ok" => {
            wasip2::cli::exit::exit(Ok(()));
            unreachable!("exit(ok) returned")
        }
        "wasi-err" => {
            wasip2::cli::exit::exit(Err(()));
            unreachable!("exit(err) returned")
        }
        "panic" => panic!("guest panicked on purpose"),
        other => unknown_case(other),
    }
}
