//! An ordinary program using std::env, std::fs and std::time:
//! `stdtour DIR` prints its arguments and `TOUR_*` environment, works in
//! DIR (files, directories, rename, append, seek, metadata, listing,
//! removal) and checks the clocks, printing only what is the same natively
//! and under WASI.

use std::fs::{self, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let kind = if e.file_type().unwrap().is_dir() {
                "/"
            } else {
                ""
            };
            format!("{}{kind}", e.file_name().to_string_lossy())
        })
        .collect();
    names.sort();
    names
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    for (i, a) in args.iter().enumerate().skip(1) {
        println!("arg {i}: {a:?}");
    }
    let mut vars: Vec<(String, String)> = std::env::vars()
        .filter(|(k, _)| k.starts_with("TOUR_"))
        .collect();
    vars.sort();
    for (k, v) in &vars {
        println!("env {k}={v:?}");
    }
    println!(
        "TOUR_MISSING set: {}",
        std::env::var("TOUR_MISSING").is_ok()
    );

    let root = Path::new(args.first().expect("usage: stdtour DIR [ARGS...]"));
    let work = root.join("work");
    fs::create_dir_all(work.join("a/b/c")).unwrap();
    fs::write(work.join("a/hello.txt"), "hello\nworld\n").unwrap();
    println!(
        "read: {:?}",
        fs::read_to_string(work.join("a/hello.txt")).unwrap()
    );
    let mut f = OpenOptions::new()
        .append(true)
        .open(work.join("a/hello.txt"))
        .unwrap();
    f.write_all(b"appended\n").unwrap();
    drop(f);
    let mut f = OpenOptions::new()
        .read(true)
        .write(true)
        .open(work.join("a/hello.txt"))
        .unwrap();
    f.seek(SeekFrom::Start(6)).unwrap();
    f.write_all(b"WORLD").unwrap();
    f.seek(SeekFrom::End(-9)).unwrap();
    let mut tail = String::new();
    f.read_to_string(&mut tail).unwrap();
    println!("tail: {tail:?}");
    let meta = f.metadata().unwrap();
    println!(
        "len={} file={} dir={}",
        meta.len(),
        meta.is_file(),
        meta.is_dir()
    );
    f.set_len(5).unwrap();
    drop(f);
    println!(
        "after set_len: {:?}",
        fs::read_to_string(work.join("a/hello.txt")).unwrap()
    );
    fs::rename(work.join("a/hello.txt"), work.join("a/b/moved.txt")).unwrap();
    fs::copy(work.join("a/b/moved.txt"), work.join("copy.txt")).unwrap();
    println!("listing a/b: {:?}", listing(&work.join("a/b")));
    println!("listing work: {:?}", listing(&work));
    println!("exists moved: {}", work.join("a/b/moved.txt").exists());
    println!("exists hello: {}", work.join("a/hello.txt").exists());
    match fs::read(work.join("nope")) {
        Ok(_) => println!("nope: found"),
        Err(e) => println!("nope: {:?}", e.kind()),
    }
    match fs::create_dir(work.join("a")) {
        Ok(()) => println!("mkdir a: ok"),
        Err(e) => println!("mkdir a: {:?}", e.kind()),
    }
    // (wasm32-wasip1's std has no ErrorKind for ENOTEMPTY: only the failure.)
    println!("rmdir a fails: {}", fs::remove_dir(work.join("a")).is_err());
    let mtime = fs::metadata(work.join("copy.txt"))
        .unwrap()
        .modified()
        .unwrap();
    let now = SystemTime::now();
    let skew = now.duration_since(mtime).unwrap_or_else(|e| e.duration());
    println!("mtime near now: {}", skew < Duration::from_secs(3600));
    fs::remove_file(work.join("copy.txt")).unwrap();
    fs::remove_dir_all(work.join("a")).unwrap();
    fs::write(work.join("kept.txt"), format!("{} args\n", args.len())).unwrap();
    println!("listing work at the end: {:?}", listing(&work));

    let since = now.duration_since(UNIX_EPOCH).unwrap();
    println!("after 2020: {}", since.as_secs() > 1_577_836_800);
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(20));
    let slept = start.elapsed();
    println!(
        "slept at least 20ms: {}",
        slept >= Duration::from_millis(20)
    );
    println!("instant monotonic: {}", Instant::now() >= start);
    let mut out = std::io::stdout();
    out.flush().unwrap();
    std::process::exit(if vars.is_empty() { 3 } else { 0 });
}
