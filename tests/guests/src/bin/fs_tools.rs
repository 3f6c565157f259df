//! What `tar`, `cp -r`, `find`, `rm -r` and `du` do, inside preopens, with
//! std::fs. The arguments are a sequence of commands run in order:
//!
//! - `mkdir DIR`            create a directory (and parents)
//! - `write FILE TEXT`      create FILE holding TEXT
//! - `cp SRC DST`           recursive copy (files, directories, symlinks)
//! - `find DIR`             print every path under DIR, sorted, one per line
//!                          as `find <path>` (directories end in `/`)
//! - `du DIR`               print `du <bytes> <DIR>`: total size of files
//! - `rm DIR`               recursive removal
//! - `tar DIR ARCHIVE`      pack DIR into ARCHIVE (a simple format, below)
//! - `untar ARCHIVE DIR`    unpack ARCHIVE into DIR (created)
//! - `cat FILE`             print `cat <FILE> <contents>`
//!
//! Archive format: for each entry in sorted order a header line
//! `D <relpath>\n`, `L <relpath>\t<target>\n` or `F <relpath> <len>\n`
//! followed by `len` bytes of content for files.
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    let take = |i: &mut usize, n: usize| -> Vec<String> {
        let v = args[*i + 1..*i + 1 + n].to_vec();
        *i += 1 + n;
        v
    };
    while i < args.len() {
        let cmd = args[i].clone();
        match cmd.as_str() {
            "mkdir" => {
                let a = take(&mut i, 1);
                fs::create_dir_all(&a[0]).expect("mkdir");
            }
            "write" => {
                let a = take(&mut i, 2);
                fs::write(&a[0], &a[1]).expect("write");
            }
            "cp" => {
                let a = take(&mut i, 2);
                copy(Path::new(&a[0]), Path::new(&a[1]));
            }
            "find" => {
                let a = take(&mut i, 1);
                let mut out = Vec::new();
                list(Path::new(&a[0]), Path::new(""), &mut out);
                out.sort();
                for (p, kind) in out {
                    let suffix = if kind == 'D' { "/" } else { "" };
                    println!("find {}{suffix}", p.display());
                }
            }
            "du" => {
                let a = take(&mut i, 1);
                println!("du {} {}", du(Path::new(&a[0])), a[0]);
            }
            "rm" => {
                let a = take(&mut i, 1);
                fs::remove_dir_all(&a[0]).expect("rm -r");
            }
            "tar" => {
                let a = take(&mut i, 2);
                tar(Path::new(&a[0]), Path::new(&a[1]));
            }
            "untar" => {
                let a = take(&mut i, 2);
                untar(Path::new(&a[0]), Path::new(&a[1]));
            }
            "cat" => {
                let a = take(&mut i, 1);
                println!("cat {} {}", a[0], fs::read_to_string(&a[0]).expect("cat"));
            }
            other => wasi_guests::unknown_case(other),
        }
    }
    println!("tools done");
}

fn copy(src: &Path, dst: &Path) {
    let meta = fs::symlink_metadata(src).unwrap_or_else(|e| panic!("stat {}: {e}", src.display()));
    let t = meta.file_type();
    if t.is_dir() {
        fs::create_dir_all(dst).unwrap_or_else(|e| panic!("mkdir {}: {e}", dst.display()));
        let mut entries: Vec<_> = fs::read_dir(src).unwrap().map(|e| e.unwrap().file_name()).collect();
        entries.sort();
        for name in entries {
            copy(&src.join(&name), &dst.join(&name));
        }
    } else if t.is_symlink() {
        let target = fs::read_link(src).unwrap();
        symlink(&target, dst);
    } else {
        let mut from = fs::File::open(src).unwrap();
        let mut to = fs::File::create(dst).unwrap();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = from.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            to.write_all(&buf[..n]).unwrap();
        }
    }
}

/// std's symlink for WASI is unstable: create it through the preopen that
/// holds `link` (the path is absolute, `/preopen/rest`).
fn symlink(target: &Path, link: &Path) {
    let s = link.to_str().unwrap();
    let mut best: Option<(wasip2::filesystem::types::Descriptor, String)> = None;
    for (d, name) in wasip2::filesystem::preopens::get_directories() {
        let prefix = format!("{}/", name.trim_end_matches('/'));
        if s.starts_with(&prefix) && best.as_ref().map_or(true, |(_, b)| b.len() < name.len()) {
            best = Some((d, name));
        }
    }
    let (d, name) = best.unwrap_or_else(|| panic!("no preopen holds {s}"));
    let rel = &s[name.trim_end_matches('/').len() + 1..];
    d.symlink_at(target.to_str().unwrap(), rel)
        .unwrap_or_else(|e| panic!("symlink {rel}: {e:?}"));
}

fn list(root: &Path, rel: &Path, out: &mut Vec<(PathBuf, char)>) {
    let mut entries: Vec<_> = fs::read_dir(root.join(rel)).unwrap().map(|e| e.unwrap()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let r = rel.join(e.file_name());
        let t = e.file_type().unwrap();
        if t.is_dir() {
            out.push((r.clone(), 'D'));
            list(root, &r, out);
        } else if t.is_symlink() {
            out.push((r, 'L'));
        } else {
            out.push((r, 'F'));
        }
    }
}

fn du(p: &Path) -> u64 {
    let m = fs::symlink_metadata(p).unwrap();
    if m.is_dir() {
        fs::read_dir(p).unwrap().map(|e| du(&e.unwrap().path())).sum()
    } else if m.file_type().is_symlink() {
        0
    } else {
        m.len()
    }
}

fn tar(dir: &Path, archive: &Path) {
    let mut entries = Vec::new();
    list(dir, Path::new(""), &mut entries);
    entries.sort();
    let mut out = std::io::BufWriter::new(fs::File::create(archive).unwrap());
    for (rel, kind) in entries {
        let full = dir.join(&rel);
        match kind {
            'D' => writeln!(out, "D {}", rel.display()).unwrap(),
            'L' => writeln!(out, "L {}\t{}", rel.display(), fs::read_link(&full).unwrap().display()).unwrap(),
            _ => {
                let data = fs::read(&full).unwrap();
                writeln!(out, "F {} {}", rel.display(), data.len()).unwrap();
                out.write_all(&data).unwrap();
            }
        }
    }
    out.flush().unwrap();
}

fn untar(archive: &Path, dir: &Path) {
    fs::create_dir_all(dir).unwrap();
    let mut r = BufReader::new(fs::File::open(archive).unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).unwrap() == 0 {
            break;
        }
        let l = line.trim_end_matches('\n');
        let (kind, rest) = l.split_at(2);
        match kind {
            "D " => fs::create_dir_all(dir.join(rest)).unwrap(),
            "L " => {
                let (p, t) = rest.split_once('\t').unwrap();
                symlink(Path::new(t), &dir.join(p));
            }
            "F " => {
                let (p, len) = rest.rsplit_once(' ').unwrap();
                let mut data = vec![0u8; len.parse().unwrap()];
                r.read_exact(&mut data).unwrap();
                fs::write(dir.join(p), data).unwrap();
            }
            _ => panic!("bad archive line {l:?}"),
        }
    }
}
