//! Permissions of preopens. Prints `case <name>: ok|<error-code>` lines; the
//! host test (tests/filesystem.rs) holds the expected table and checks that
//! the host directories are unchanged. `argv[1]`:
//! - `ro`: `/ro` is DirPerms::READ + FilePerms::READ holding `file.txt`,
//!   `sub/inner.txt` and `link -> file.txt`. Reads work; everything that
//!   would create, modify or remove fails.
//! - `rofiles`: `/rofiles` is DirPerms::READ|MUTATE + FilePerms::READ
//!   holding `file.txt`: the directory may change, file contents may not
//!   (`truncate` alone must need write permission).
//! - `cross`: `/ro` (read-only) and `/rw` (read-write): renames and links
//!   out of `/ro` into `/rw` are refused; between two read-write preopens
//!   (`/rw` and `/rw2`) they work or fail with an error code, never trap.
//! - `std`: writes through std::fs into `/ro` fail.
use wasi_guests::{code_name, io_kind, preopen};
use wasip2::filesystem::types::{
    Advice, Descriptor, DescriptorFlags as DF, ErrorCode, NewTimestamp, OpenFlags as OF,
    PathFlags as PF,
};

fn show<T>(name: &str, r: Result<T, ErrorCode>) {
    match r {
        Ok(_) => println!("case {name}: ok"),
        Err(e) => println!("case {name}: {}", code_name(&e)),
    }
}

fn has(fl: DF, x: DF) -> bool {
    fl.bits() & x.bits() == x.bits()
}

fn main() {
    match wasi_guests::arg(1).as_str() {
        "ro" => ro(),
        "rofiles" => rofiles(),
        "cross" => cross(),
        "std" => std_writes(),
        other => wasi_guests::unknown_case(other),
    }
    println!("done");
}

fn open_file(d: &Descriptor, path: &str, df: DF) -> Result<Descriptor, ErrorCode> {
    d.open_at(PF::empty(), path, OF::empty(), df)
}

fn ro() {
    let d = preopen("/ro");
    let n = PF::empty();
    // What the guest is told.
    match d.get_flags() {
        Ok(fl) => println!(
            "flags read={} write={} mutate={}",
            has(fl, DF::READ),
            has(fl, DF::WRITE),
            has(fl, DF::MUTATE_DIRECTORY)
        ),
        Err(e) => println!("flags error {}", code_name(&e)),
    }

    // Reads work.
    show("read-open", open_file(&d, "file.txt", DF::READ).and_then(|f| f.read(100, 0)));
    show("read-stat-at", d.stat_at(n, "file.txt"));
    show("read-stat", d.stat());
    show("read-readdir", d.read_directory().and_then(|s| s.read_directory_entry()));
    show("read-readlink", d.readlink_at("link"));
    show("read-hash-at", d.metadata_hash_at(n, "file.txt"));
    show("read-open-dir", d.open_at(n, "sub", OF::DIRECTORY, DF::READ).and_then(|s| s.stat_at(n, "inner.txt")));
    show("read-via-stream", open_file(&d, "file.txt", DF::READ).and_then(|f| f.read_via_stream(0).map(|s| s.blocking_read(10))));
    show("read-advise", open_file(&d, "file.txt", DF::READ).and_then(|f| f.advise(0, 7, Advice::Sequential)));
    show("read-sync", open_file(&d, "file.txt", DF::READ).and_then(|f| f.sync()));
    show("read-sync-data", open_file(&d, "file.txt", DF::READ).and_then(|f| f.sync_data()));

    // Opening for change fails with not-permitted (refused by the preopen).
    show("open-write", open_file(&d, "file.txt", DF::READ | DF::WRITE));
    show("open-truncate", d.open_at(n, "file.txt", OF::TRUNCATE, DF::READ));
    show("open-create-new", d.open_at(n, "new.txt", OF::CREATE, DF::READ));
    show("open-create-existing", d.open_at(n, "file.txt", OF::CREATE, DF::READ));
    show("open-create-exclusive", d.open_at(n, "new2.txt", OF::CREATE | OF::EXCLUSIVE, DF::READ | DF::WRITE));
    show("open-dir-mutate", d.open_at(n, "sub", OF::DIRECTORY, DF::READ | DF::MUTATE_DIRECTORY));
    show("open-dot-mutate", d.open_at(n, ".", OF::DIRECTORY, DF::READ | DF::MUTATE_DIRECTORY));

    // Directory changes fail.
    show("mkdir", d.create_directory_at("newdir"));
    show("unlink", d.unlink_file_at("file.txt"));
    show("unlink-link", d.unlink_file_at("link"));
    show("rmdir-nonempty", d.remove_directory_at("sub"));
    show("rename", d.rename_at("file.txt", &d, "renamed.txt"));
    show("symlink", d.symlink_at("file.txt", "newlink"));
    show("link", d.link_at(n, "file.txt", &d, "hard.txt"));
    show("set-times-at", d.set_times_at(n, "file.txt", NewTimestamp::Now, NewTimestamp::Now));
    show("set-times-dir", d.set_times(NewTimestamp::Now, NewTimestamp::Now));
    // The subdirectory inherits the preopen's permissions.
    match d.open_at(n, "sub", OF::DIRECTORY, DF::READ) {
        Ok(sub) => {
            show("sub-mkdir", sub.create_directory_at("x"));
            show("sub-unlink", sub.unlink_file_at("inner.txt"));
            show("sub-open-write", open_file(&sub, "inner.txt", DF::WRITE));
            show("sub-create", sub.open_at(n, "created.txt", OF::CREATE, DF::READ));
        }
        Err(e) => println!("case sub-open: {}", code_name(&e)),
    }

    // A file opened for reading cannot be changed through its descriptor.
    match open_file(&d, "file.txt", DF::READ) {
        Ok(f) => {
            match f.get_flags() {
                Ok(fl) => println!("file-flags read={} write={}", has(fl, DF::READ), has(fl, DF::WRITE)),
                Err(e) => println!("file-flags error {}", code_name(&e)),
            }
            show("file-write", f.write(b"x", 0));
            show("file-set-size", f.set_size(0));
            show("file-set-times", f.set_times(NewTimestamp::Now, NewTimestamp::Now));
            show("file-write-via-stream", f.write_via_stream(0));
            show("file-append-via-stream", f.append_via_stream());
        }
        Err(e) => println!("case file-open: {}", code_name(&e)),
    }
}

fn rofiles() {
    let d = preopen("/rofiles");
    let n = PF::empty();
    // Contents of existing files are protected.
    show("open-write", open_file(&d, "file.txt", DF::WRITE));
    show("open-truncate-alone", d.open_at(n, "file.txt", OF::TRUNCATE, DF::READ));
    show("open-truncate-create", d.open_at(n, "file.txt", OF::TRUNCATE | OF::CREATE, DF::READ));
    show("file-set-size", open_file(&d, "file.txt", DF::READ).and_then(|f| f.set_size(0)));
    show("file-write", open_file(&d, "file.txt", DF::READ).and_then(|f| f.write(b"x", 0)));
    // Reading still works.
    show("open-read", open_file(&d, "file.txt", DF::READ).and_then(|f| f.read(100, 0)));
    // The directory itself may change.
    show("mkdir", d.create_directory_at("newdir"));
    show("create-read-only", d.open_at(n, "created.txt", OF::CREATE, DF::READ));
    show("symlink", d.symlink_at("file.txt", "newlink"));
}

fn cross() {
    let ro = preopen("/ro");
    let rw = preopen("/rw");
    let rw2 = preopen("/rw2");
    let n = PF::empty();
    show("rename-ro-to-rw", ro.rename_at("file.txt", &rw, "moved.txt"));
    show("link-ro-to-rw", ro.link_at(n, "file.txt", &rw, "linked.txt"));
    show("rename-rw-to-ro", rw.rename_at("mine.txt", &ro, "pushed.txt"));
    show("link-rw-to-ro", rw.link_at(n, "mine.txt", &ro, "pushed-link.txt"));
    // Between two writable preopens: either works or fails with a code.
    show("rename-rw-to-rw2", rw.rename_at("mine.txt", &rw2, "moved.txt"));
    show("link-rw2-to-rw", rw2.link_at(n, "other.txt", &rw, "linked.txt"));
    // Paths of one preopen are not reachable from the other.
    show("rw-open-ro-path", rw.open_at(n, "../ro/file.txt", OF::empty(), DF::READ));
}

fn std_writes() {
    use std::fs;
    let show = |name: &str, r: std::io::Result<()>| match r {
        Ok(()) => println!("std {name}: ok"),
        Err(e) => println!("std {name}: {}", io_kind(&e)),
    };
    show("write-new", fs::write("/ro/new.txt", "x"));
    show("write-existing", fs::write("/ro/file.txt", "x"));
    show("append", fs::OpenOptions::new().append(true).open("/ro/file.txt").map(|_| ()));
    show("remove", fs::remove_file("/ro/file.txt"));
    show("mkdir", fs::create_dir("/ro/d"));
    show("rename", fs::rename("/ro/file.txt", "/ro/f2.txt"));
    show("read", fs::read_to_string("/ro/file.txt").map(|s| assert_eq!(s, "content")));
}
