//! Copies stdin to stdout with `std::io::copy`; reports the count on stderr.
fn main() {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let n = std::io::copy(&mut stdin.lock(), &mut stdout.lock()).expect("io::copy");
    eprintln!("copied {n}");
}
