//! Ordinary file work through `std::fs` inside the preopen `/sandbox`
//! (read-write). Every step asserts its result and prints `ok <step>`;
//! error cases print `err <case> <ErrorKind>`. The host test then checks the
//! files left on the host (see tests/filesystem.rs).
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::time::{Duration, SystemTime};
use wasi_guests::io_kind;

const S: &str = "/sandbox";

fn p(rel: &str) -> String {
    format!("{S}/{rel}")
}

/// WASI errno values (wasi-libc), which std's ErrorKind does not always
/// distinguish on this target.
const EEXIST: i32 = 20;
const EISDIR: i32 = 31;
const ENOENT: i32 = 44;
const ENOTDIR: i32 = 54;
const ENOTEMPTY: i32 = 55;
const EPERM: i32 = 63;

fn expect_err<T: std::fmt::Debug>(case: &str, r: std::io::Result<T>, errnos: &[i32]) {
    match r {
        Ok(v) => panic!("{case}: expected an error, got Ok({v:?})"),
        Err(e) => {
            println!("err {case} {}", io_kind(&e));
            let n = e.raw_os_error().unwrap_or(-1);
            assert!(errnos.contains(&n), "{case}: errno {n} not in {errnos:?} ({e})");
        }
    }
}

fn main() {
    // write / read
    fs::write(p("hello.txt"), "hello world\n").expect("write hello.txt");
    assert_eq!(fs::read_to_string(p("hello.txt")).unwrap(), "hello world\n");
    println!("ok write-read");

    // append
    {
        let mut f = OpenOptions::new().append(true).open(p("hello.txt")).expect("open append");
        f.write_all(b"appended\n").unwrap();
        f.flush().unwrap();
    }
    assert_eq!(fs::read_to_string(p("hello.txt")).unwrap(), "hello world\nappended\n");
    println!("ok append");

    // metadata
    let m = fs::metadata(p("hello.txt")).unwrap();
    assert!(m.is_file() && !m.is_dir());
    assert_eq!(m.len(), 21);
    let dm = fs::metadata(S).unwrap();
    assert!(dm.is_dir());
    let mtime = m.modified().expect("modified time");
    let age = SystemTime::now().duration_since(mtime).unwrap_or(Duration::ZERO);
    assert!(age < Duration::from_secs(3600), "mtime is {age:?} old");
    println!("ok metadata");

    // directories
    fs::create_dir(p("dir")).unwrap();
    fs::create_dir_all(p("dir/a/b/c")).unwrap();
    assert!(fs::metadata(p("dir/a/b/c")).unwrap().is_dir());
    println!("ok create_dir");

    // rename
    fs::rename(p("hello.txt"), p("dir/renamed.txt")).unwrap();
    assert!(fs::metadata(p("hello.txt")).is_err());
    println!("ok rename");

    // copy
    let n = fs::copy(p("dir/renamed.txt"), p("copy.txt")).unwrap();
    assert_eq!(n, 21);
    println!("ok copy");

    // symlink (relative target) and readlink
    // (std's symlink for WASI is unstable, so this one call is direct)
    wasi_guests::preopen(S)
        .symlink_at("renamed.txt", "dir/link")
        .expect("symlink-at");
    assert_eq!(fs::read_link(p("dir/link")).unwrap().to_str().unwrap(), "renamed.txt");
    assert_eq!(fs::read_to_string(p("dir/link")).unwrap(), "hello world\nappended\n");
    assert!(fs::symlink_metadata(p("dir/link")).unwrap().file_type().is_symlink());
    assert!(fs::metadata(p("dir/link")).unwrap().is_file());
    println!("ok symlink");

    // hard link: both names see the same data
    fs::hard_link(p("copy.txt"), p("hard.txt")).expect("hard_link");
    {
        let mut f = OpenOptions::new().append(true).open(p("hard.txt")).unwrap();
        f.write_all(b"via-hard-link\n").unwrap();
    }
    assert_eq!(
        fs::read_to_string(p("copy.txt")).unwrap(),
        "hello world\nappended\nvia-hard-link\n"
    );
    println!("ok hard_link");

    // set_len: shrink, then grow with zeroes
    fs::write(p("sized.bin"), "0123456789").unwrap();
    {
        let f = OpenOptions::new().write(true).open(p("sized.bin")).unwrap();
        f.set_len(4).unwrap();
        assert_eq!(f.metadata().unwrap().len(), 4);
        f.set_len(8).unwrap();
    }
    assert_eq!(fs::read(p("sized.bin")).unwrap(), b"0123\0\0\0\0");
    println!("ok set_len");

    // seek within a file, read and write at positions
    fs::write(p("seek.txt"), "0123456789").unwrap();
    {
        let mut f = OpenOptions::new().read(true).write(true).open(p("seek.txt")).unwrap();
        let mut two = [0u8; 2];
        f.seek(SeekFrom::Start(3)).unwrap();
        f.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"34");
        assert_eq!(f.seek(SeekFrom::Current(0)).unwrap(), 5);
        f.seek(SeekFrom::End(-2)).unwrap();
        f.read_exact(&mut two).unwrap();
        assert_eq!(&two, b"89");
        f.seek(SeekFrom::Current(-6)).unwrap();
        f.write_all(b"ab").unwrap();
        f.seek(SeekFrom::End(2)).unwrap();
        f.write_all(b"Z").unwrap();
        let mut rest = Vec::new();
        f.seek(SeekFrom::Start(0)).unwrap();
        f.read_to_end(&mut rest).unwrap();
        assert_eq!(rest, b"0123ab6789\0\0Z");
    }
    println!("ok seek");

    // read_dir
    let mut names: Vec<(String, bool, bool)> = fs::read_dir(p("dir"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let t = e.file_type().unwrap();
            (e.file_name().into_string().unwrap(), t.is_dir(), t.is_symlink())
        })
        .collect();
    names.sort();
    assert_eq!(
        names,
        vec![
            ("a".to_string(), true, false),
            ("link".to_string(), false, true),
            ("renamed.txt".to_string(), false, false),
        ]
    );
    println!("ok read_dir");

    // remove file, empty dir, tree
    fs::write(p("gone.txt"), "x").unwrap();
    fs::remove_file(p("gone.txt")).unwrap();
    fs::create_dir(p("empty")).unwrap();
    fs::remove_dir(p("empty")).unwrap();
    fs::create_dir_all(p("tree/x/y")).unwrap();
    fs::write(p("tree/x/y/f"), "f").unwrap();
    fs::write(p("tree/g"), "g").unwrap();
    fs::remove_dir_all(p("tree")).unwrap();
    assert!(fs::metadata(p("tree")).is_err());
    println!("ok remove");

    // modification times
    {
        let f = File::options().write(true).open(p("copy.txt")).unwrap();
        let when = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        f.set_modified(when).expect("set_modified");
        assert_eq!(f.metadata().unwrap().modified().unwrap(), when);
    }
    println!("ok set_modified");

    // File::create truncates
    fs::write(p("trunc.txt"), "long content").unwrap();
    File::create(p("trunc.txt")).unwrap().write_all(b"short").unwrap();
    assert_eq!(fs::read_to_string(p("trunc.txt")).unwrap(), "short");
    println!("ok create-truncates");

    // create_new on an existing file
    expect_err("create_new-existing", File::create_new(p("trunc.txt")), &[EEXIST]);
    // errors
    expect_err("open-missing", File::open(p("missing.txt")), &[ENOENT]);
    expect_err("create_dir-existing", fs::create_dir(p("dir")), &[EEXIST]);
    expect_err("remove_dir-nonempty", fs::remove_dir(p("dir")), &[ENOTEMPTY]);
    expect_err("read_dir-file", fs::read_dir(p("copy.txt")), &[ENOTDIR]);
    expect_err("remove_file-dir", fs::remove_file(p("dir")), &[EISDIR, EPERM]);
    expect_err("read-dir-as-file", fs::read(p("dir")), &[EISDIR]);
    expect_err("rename-missing", fs::rename(p("nope"), p("nope2")), &[ENOENT]);
    expect_err("metadata-through-file", fs::metadata(p("copy.txt/x")), &[ENOTDIR]);
    println!("ok errors");

    // a final listing of the whole sandbox
    let mut all = Vec::new();
    walk(S, &mut all);
    all.sort();
    for line in all {
        println!("tree {line}");
    }
}

fn walk(dir: &str, out: &mut Vec<String>) {
    for e in fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let path = format!("{dir}/{}", e.file_name().to_str().unwrap());
        let t = e.file_type().unwrap();
        let rel = path.strip_prefix(&format!("{S}/")).unwrap().to_string();
        if t.is_dir() {
            out.push(format!("{rel}/"));
            walk(&path, out);
        } else if t.is_symlink() {
            out.push(format!("{rel} -> {}", fs::read_link(&path).unwrap().display()));
        } else {
            out.push(format!("{rel} {}", fs::metadata(&path).unwrap().len()));
        }
    }
}
