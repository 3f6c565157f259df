//! Prints whether each standard stream is a terminal (`wasi:cli/terminal-*`).
fn main() {
    let i = wasip2::cli::terminal_stdin::get_terminal_stdin().is_some();
    let o = wasip2::cli::terminal_stdout::get_terminal_stdout().is_some();
    let e = wasip2::cli::terminal_stderr::get_terminal_stderr().is_some();
    println!("terminal-stdin={i}");
    println!("terminal-stdout={o}");
    println!("terminal-stderr={e}");
}
