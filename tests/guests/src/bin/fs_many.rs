//! A directory of many entries. `argv[1]` = N (default 10000), `argv[2]` =
//! the directory (default `/sandbox/many`): creates N empty files named
//! `f00000`.., lists them with std::fs::read_dir and with the interface's
//! read-directory, checks both listings, and prints `listed N` and the
//! elapsed milliseconds on stderr.
use std::collections::HashSet;
use std::time::Instant;

fn main() {
    let n: usize = std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(10_000);
    let dir = std::env::args().nth(2).unwrap_or_else(|| "/sandbox/many".into());
    std::fs::create_dir_all(&dir).unwrap();
    let t = Instant::now();
    for i in 0..n {
        std::fs::File::create(format!("{dir}/f{i:05}")).unwrap();
    }
    eprintln!("created {n} in {:?}", t.elapsed());

    let t = Instant::now();
    let mut seen = HashSet::new();
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().into_string().unwrap();
        assert!(seen.insert(name.clone()), "{name} listed twice");
    }
    eprintln!("std listed {} in {:?}", seen.len(), t.elapsed());
    assert_eq!(seen.len(), n);
    for i in 0..n {
        assert!(seen.contains(&format!("f{i:05}")), "f{i:05} missing");
    }

    // The interface directly.
    let rel = dir.strip_prefix("/sandbox/").expect("dir under /sandbox");
    let root = wasi_guests::preopen("/sandbox");
    use wasip2::filesystem::types::{DescriptorFlags, DescriptorType, OpenFlags, PathFlags};
    let d = root
        .open_at(PathFlags::empty(), rel, OpenFlags::DIRECTORY, DescriptorFlags::READ)
        .expect("open dir");
    let t = Instant::now();
    let s = d.read_directory().expect("read-directory");
    let mut count = 0;
    while let Some(e) = s.read_directory_entry().expect("entry") {
        assert_eq!(e.type_, DescriptorType::RegularFile, "{}", e.name);
        assert!(seen.contains(&e.name), "unexpected {}", e.name);
        count += 1;
    }
    eprintln!("read-directory listed {count} in {:?}", t.elapsed());
    assert_eq!(count, n);
    println!("listed {n}");
}
