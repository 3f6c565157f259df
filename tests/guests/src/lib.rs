//! Helpers shared by the guest programs (each program is one `src/bin/*.rs`).
//!
//! Conventions: a guest selects its case with `argv[1]`; it asserts what the
//! WASI spec guarantees itself (a failed assertion panics, which on wasm is an
//! abort, i.e. a trap with the message on stderr), and prints what the host
//! test should compare on stdout (or stderr when stdout is under test).

/// The program's arguments, `argv[0]` included.
pub fn args() -> Vec<String> {
    std::env::args().collect()
}

/// `argv[n]`, or a panic naming what is missing.
pub fn arg(n: usize) -> String {
    std::env::args()
        .nth(n)
        .unwrap_or_else(|| panic!("missing argument {n}"))
}

/// `argv[n]` parsed as a number.
pub fn num(n: usize) -> u64 {
    let a = arg(n);
    a.parse()
        .unwrap_or_else(|_| panic!("argument {n} is not a number: {a:?}"))
}

/// Prints an unknown-case message and exits with 2 (distinct from the
/// assertion failures, so the host test tells a typo from a bug).
pub fn unknown_case(case: &str) -> ! {
    eprintln!("unknown case {case:?}");
    std::process::exit(2)
}

/// The preopened directory whose guest path is `name`, from
/// `wasi:filesystem/preopens.get-directories`.
pub fn preopen(name: &str) -> wasip2::filesystem::types::Descriptor {
    let mut found = None;
    for (d, path) in wasip2::filesystem::preopens::get_directories() {
        if path == name && found.is_none() {
            found = Some(d);
        }
    }
    found.unwrap_or_else(|| panic!("no preopen named {name:?}"))
}

/// A short name for a filesystem error code, as the spec spells it
/// (`no-entry`, `not-permitted`, ...).
pub fn code_name(e: &wasip2::filesystem::types::ErrorCode) -> &'static str {
    e.name()
}

/// The `ErrorKind` of a `std::io::Error`, printed as `{:?}` (e.g. `NotFound`),
/// with the raw OS error number when there is one.
pub fn io_kind(e: &std::io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => format!("{:?}(errno {n})", e.kind()),
        None => format!("{:?}", e.kind()),
    }
}
