//! A file copier: `copy SRC DST` copies a file (or, with `-r`, a directory
//! tree) with a 64 KiB buffer, printing each file copied and its size
//! (paths relative to SRC). Exit 1 with the error kind on failure.

use std::fs;
use std::io::{Read, Write};
use std::path::Path;

fn copy_file(src: &Path, dst: &Path) -> std::io::Result<u64> {
    let mut input = fs::File::open(src)?;
    let mut output = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(dst)?;
    let mut buf = vec![0u8; 64 * 1024];
    let mut total = 0u64;
    loop {
        let n = input.read(&mut buf)?;
        if n == 0 {
            break;
        }
        output.write_all(&buf[..n])?;
        total += n as u64;
    }
    output.sync_all()?;
    let meta = fs::metadata(dst)?;
    assert_eq!(meta.len(), total, "copied size");
    Ok(total)
}

fn copy_tree(src: &Path, dst: &Path, rel: &str, out: &mut Vec<String>) -> std::io::Result<()> {
    fs::create_dir_all(dst)?;
    let mut entries: Vec<_> = fs::read_dir(src)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name().to_string_lossy().into_owned();
        let rel = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if e.file_type()?.is_dir() {
            out.push(format!("dir {rel}"));
            copy_tree(&e.path(), &dst.join(&name), &rel, out)?;
        } else {
            let n = copy_file(&e.path(), &dst.join(&name))?;
            out.push(format!("file {rel} {n}"));
        }
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (recursive, paths) = match args.first().map(String::as_str) {
        Some("-r") => (true, &args[1..]),
        _ => (false, &args[..]),
    };
    let [src, dst] = paths else {
        eprintln!("usage: copy [-r] SRC DST");
        std::process::exit(2);
    };
    let mut lines = Vec::new();
    let result = if recursive {
        copy_tree(Path::new(src), Path::new(dst), "", &mut lines)
    } else {
        copy_file(Path::new(src), Path::new(dst)).map(|n| lines.push(format!("file {n}")))
    };
    for l in &lines {
        println!("{l}");
    }
    if let Err(e) = result {
        println!("copy: {:?}", e.kind());
        std::process::exit(1);
    }
}
