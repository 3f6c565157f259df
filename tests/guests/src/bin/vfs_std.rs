//! std::fs against a virtual mount (tests/vfs_guests.rs). `argv[1]`:
//! - `quota DIR`: writes 1000-byte chunks to `DIR/fill` until a write
//!   fails, prints `wrote <bytes>` and `error <kind>`, then reads the file
//!   back and prints `readback ok` if every byte reported written is there
//!   (and at most the failed write's part beyond); then
//!   creates empty files `DIR/n<i>` until that fails and prints
//!   `files <count>` and `files error <kind>`.
//! - `semantics DIR`: prints `case <name>: <result>` lines for what a
//!   program relies on: reads of an unlinked open file, append mode,
//!   `set_len` growing with zeros, hard links and link counts, renames over
//!   existing names, listing, timestamps, symlinks, `..` at the top.
//! - `readonly DIR`: every change fails; prints `case <name>: <kind>`.
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};

/// The error's kind, as `std` names it.
fn io_kind(e: &std::io::Error) -> String {
    format!("{:?}", e.kind())
}

fn show<T: std::fmt::Debug>(name: &str, r: std::io::Result<T>) {
    match r {
        Ok(v) => println!("case {name}: ok {v:?}"),
        Err(e) => println!("case {name}: {}", io_kind(&e)),
    }
}

fn main() {
    let dir = wasi_guests::arg(2);
    match wasi_guests::arg(1).as_str() {
        "quota" => quota(&dir),
        "semantics" => semantics(&dir),
        "readonly" => readonly(&dir),
        other => wasi_guests::unknown_case(other),
    }
    println!("done");
}

fn chunk(i: usize) -> Vec<u8> {
    (0..1000).map(|j| ((i * 31 + j) % 251) as u8).collect()
}

fn quota(dir: &str) {
    let path = format!("{dir}/fill");
    let mut f = fs::File::create(&path).expect("create fill");
    let mut written = 0usize;
    let mut i = 0;
    let err = loop {
        match f.write(&chunk(i)) {
            Ok(1000) => {
                written += 1000;
                i += 1;
            }
            Ok(n) => {
                written += n;
                // The next write meets the error.
                match f.write(&chunk(i)[n..]) {
                    Err(e) => break e,
                    Ok(m) => panic!("wrote {m} more after a short write"),
                }
            }
            Err(e) => break e,
        }
    };
    println!("wrote {written}");
    println!("error {}", io_kind(&err));
    drop(f);
    let back = fs::read(&path).expect("read back");
    let mut expected = Vec::new();
    for j in 0..=i {
        expected.extend(chunk(j));
    }
    // What was reported written is there; so may be part of the failed
    // write, no more.
    expected.truncate(back.len());
    if back.len() >= written && back.len() < written + 1000 && back == expected {
        println!("readback ok");
    } else {
        println!("readback differs: {} bytes", back.len());
    }
    let mut count = 0;
    let err = loop {
        match fs::File::create(format!("{dir}/n{count}")) {
            Ok(_) => count += 1,
            Err(e) => break e,
        }
    };
    println!("files {count}");
    println!("files error {}", io_kind(&err));
}

fn semantics(dir: &str) {
    let p = |n: &str| format!("{dir}/{n}");
    fs::write(p("a.txt"), b"hello").unwrap();
    // An open file stays readable after its name is removed.
    let mut f = fs::File::open(p("a.txt")).unwrap();
    fs::remove_file(p("a.txt")).unwrap();
    let mut s = String::new();
    show("unlinked read", f.read_to_string(&mut s).map(|_| s.clone()));
    show("unlinked exists", fs::metadata(p("a.txt")).map(|_| ()));
    drop(f);
    // Append mode.
    fs::write(p("log"), b"one\n").unwrap();
    let mut f = fs::OpenOptions::new().append(true).open(p("log")).unwrap();
    f.write_all(b"two\n").unwrap();
    drop(f);
    show("append", fs::read_to_string(p("log")));
    // set_len grows with zeros.
    let f = fs::OpenOptions::new().write(true).open(p("log")).unwrap();
    f.set_len(12).unwrap();
    drop(f);
    show("set_len", fs::read(p("log")));
    // Writes at an offset past the end.
    let mut f = fs::OpenOptions::new().write(true).read(true).open(p("log")).unwrap();
    f.seek(SeekFrom::Start(14)).unwrap();
    f.write_all(b"!").unwrap();
    show("size after sparse write", f.metadata().map(|m| m.len()));
    drop(f);
    // Hard links and link counts.
    fs::hard_link(p("log"), p("log2")).unwrap();
    let d = wasi_guests::preopen(dir);
    let nlink = |name: &str| {
        d.stat_at(wasip2::filesystem::types::PathFlags::empty(), name)
            .map(|s| s.link_count)
            .map_err(|e| std::io::Error::other(format!("{e:?}")))
    };
    show("nlink", nlink("log"));
    show("same contents", fs::read(p("log2")).map(|b| b == fs::read(p("log")).unwrap()));
    // Renames over existing names.
    fs::write(p("x"), b"x").unwrap();
    fs::write(p("y"), b"y").unwrap();
    fs::rename(p("x"), p("y")).unwrap();
    show("rename over", fs::read_to_string(p("y")));
    show("rename source gone", fs::metadata(p("x")).map(|_| ()));
    fs::create_dir(p("d")).unwrap();
    fs::create_dir(p("d/e")).unwrap();
    show("rename file over dir", fs::rename(p("y"), p("d")));
    show("remove non-empty dir", fs::remove_dir(p("d")));
    show("dir nlink", nlink("d"));
    // Listing.
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("case list: {}", names.join(","));
    // Timestamps come from the context's wall clock.
    show(
        "mtime",
        fs::metadata(p("y")).map(|m| {
            m.modified()
                .unwrap()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs()
        }),
    );
    // Symlinks (through the preopen, as std's symlink is unstable on WASI).
    d.symlink_at("d/e", "link").unwrap();
    show("through link", fs::metadata(p("link")).map(|m| m.is_dir()));
    show("readlink", fs::read_link(p("link")));
    d.symlink_at("../outside", "escape").unwrap();
    show("escape", fs::metadata(p("escape")).map(|_| ()));
    show("dotdot", fs::metadata(format!("{dir}/../x")).map(|_| ()));
    // rm -r.
    show("remove_dir_all", fs::remove_dir_all(p("d")));
}

fn readonly(dir: &str) {
    let p = |n: &str| format!("{dir}/{n}");
    show("read", fs::read_to_string(p("file.txt")));
    show("write", fs::write(p("file.txt"), b"x"));
    show("create", fs::write(p("new.txt"), b"x"));
    show("append", fs::OpenOptions::new().append(true).open(p("file.txt")).map(|_| ()));
    show("mkdir", fs::create_dir(p("newdir")));
    show("remove", fs::remove_file(p("file.txt")));
    show("rename", fs::rename(p("file.txt"), p("moved.txt")));
    show("rmdir", fs::remove_dir(p("sub")));
}
