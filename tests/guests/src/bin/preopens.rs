//! Prints `preopen <guest path>` for each entry of
//! `wasi:filesystem/preopens.get-directories`, in order, and the type of
//! each descriptor (`type <path> <type>`).
fn main() {
    for (d, path) in wasip2::filesystem::preopens::get_directories() {
        println!("preopen {path}");
        match d.get_type() {
            Ok(t) => eprintln!("type {path} {t:?}"),
            Err(e) => eprintln!("type {path} error {}", e.name()),
        }
    }
    println!("end");
}
