//! Escape attempts against the preopen `/sandbox`. The host test prepares
//! (see tests/fs_sandbox.rs):
//!
//! ```text
//! root/sandbox/            preopened as /sandbox (read-write)
//!   file.txt  sub/  sub/inner.txt
//!   link_abs_file -> <root>/outside/secret.txt   link_abs_dir -> <root>/outside
//!   link_rel_file -> ../outside/secret.txt       link_rel_dir -> ../outside
//!   sub/link_up   -> ../../outside               dangling_out -> ../outside/created.txt
//!   loop_a -> loop_b   loop_b -> loop_a          self_loop -> self_loop
//!   link_in -> file.txt   link_sub -> sub   link_dotdot_in -> sub/../file.txt
//! root/outside/secret.txt  (must stay untouched)
//! ```
//!
//! Each case prints one line `case <name>: <result>`, where result is `ok`
//! (optionally followed by a value) or the spec's error-code name. The host
//! test holds the table of what each case must give. `argv[1]` = `escape`
//! (the default) or `std` (the same kinds of attempt through std::fs, printing
//! `std <name>: ok|<ErrorKind>(errno N)`), or `slash`: every operation
//! through symlinks whose target ends in `/` (`ts_*`, see
//! tests/fs_sandbox.rs), printing `slash <op> <path> <follow>: <result>`.
use wasi_guests::{code_name, io_kind, preopen};
use wasip2::filesystem::types::{
    Datetime, Descriptor, DescriptorFlags as DF, ErrorCode, NewTimestamp, OpenFlags as OF,
    PathFlags as PF,
};

fn show<T>(name: &str, r: Result<T, ErrorCode>, ok: impl Fn(T) -> String) {
    match r {
        Ok(v) => {
            let extra = ok(v);
            if extra.is_empty() {
                println!("case {name}: ok");
            } else {
                println!("case {name}: ok {extra}");
            }
        }
        Err(e) => println!("case {name}: {}", code_name(&e)),
    }
}

fn unit<T>(_: T) -> String {
    String::new()
}

fn open(d: &Descriptor, pf: PF, path: &str, of: OF, df: DF) -> Result<Descriptor, ErrorCode> {
    d.open_at(pf, path, of, df)
}

/// Opens and, on success, reads the file, so a wrong success shows what leaked.
fn open_read(d: &Descriptor, pf: PF, path: &str) -> Result<String, ErrorCode> {
    let f = d.open_at(pf, path, OF::empty(), DF::READ)?;
    match f.get_type()? {
        wasip2::filesystem::types::DescriptorType::RegularFile => {
            let (data, _) = f.read(100, 0)?;
            Ok(format!("read {:?}", String::from_utf8_lossy(&data)))
        }
        t => Ok(format!("type {t:?}")),
    }
}

fn main() {
    match std::env::args().nth(1).as_deref().unwrap_or("escape") {
        "escape" => escape(),
        "std" => std_attempts(),
        "slash" => slash(),
        other => wasi_guests::unknown_case(other),
    }
}

fn escape() {
    let d = preopen("/sandbox");
    let f = PF::SYMLINK_FOLLOW;
    let n = PF::empty();
    let id = |s: String| s;

    // Absolute paths and `..`.
    show("open-abs-etc", open_read(&d, f, "/etc/passwd"), id);
    show("open-abs-root", open_read(&d, f, "/"), id);
    show("open-abs-sandbox", open_read(&d, f, "/sandbox/file.txt"), id);
    show("open-dotdot", open_read(&d, f, ".."), id);
    show("open-dotdot-secret", open_read(&d, f, "../outside/secret.txt"), id);
    show("open-sub-dotdot-dotdot", open_read(&d, f, "sub/../../outside/secret.txt"), id);
    show("open-sub-dotdot-twice", open_read(&d, f, "sub/../.."), id);
    show("open-dot-dotdot", open_read(&d, f, "./.."), id);
    show("stat-dotdot", d.stat_at(n, ".."), unit);
    show("stat-dotdot-outside", d.stat_at(n, "../outside"), unit);
    show("stat-abs", d.stat_at(n, "/etc"), unit);
    show("readdir-dotdot", open(&d, n, "..", OF::DIRECTORY, DF::READ).and_then(|x| x.read_directory()), unit);
    // From a subdirectory descriptor, its parent is outside its base.
    match open(&d, n, "sub", OF::DIRECTORY, DF::READ) {
        Ok(sub) => {
            show("sub-open-dotdot", open_read(&sub, f, ".."), id);
            show("sub-open-dotdot-file", open_read(&sub, f, "../file.txt"), id);
            show("sub-stat-dotdot", sub.stat_at(n, ".."), unit);
            show("sub-link-up", open_read(&sub, f, "link_up/secret.txt"), id);
        }
        Err(e) => println!("case open-sub: {}", code_name(&e)),
    }

    // Symlinks leaving the sandbox, absolute and relative.
    show("follow-abs-file", open_read(&d, f, "link_abs_file"), id);
    show("follow-abs-dir", open_read(&d, f, "link_abs_dir"), id);
    show("through-abs-dir", open_read(&d, n, "link_abs_dir/secret.txt"), id);
    show("follow-rel-file", open_read(&d, f, "link_rel_file"), id);
    show("through-rel-dir", open_read(&d, n, "link_rel_dir/secret.txt"), id);
    show("through-sub-link-up", open_read(&d, n, "sub/link_up/secret.txt"), id);
    show("nofollow-abs-file", open_read(&d, n, "link_abs_file"), id);
    show("stat-follow-abs-file", d.stat_at(f, "link_abs_file"), |s| format!("size {}", s.size));
    show("stat-follow-rel-dir", d.stat_at(f, "link_rel_dir"), unit);
    show("stat-through-rel-dir", d.stat_at(n, "link_rel_dir/secret.txt"), unit);
    show("hash-follow-rel-file", d.metadata_hash_at(f, "link_rel_file"), unit);
    show("settimes-follow-abs", d.set_times_at(f, "link_abs_file", NewTimestamp::Now, NewTimestamp::Now), unit);
    show("settimes-dotdot", d.set_times_at(n, "../outside/secret.txt", NewTimestamp::Now, NewTimestamp::Now), unit);
    show("readlink-abs", d.readlink_at("link_abs_file"), |s| s);
    show("readlink-dotdot", d.readlink_at("../outside/x"), |s| s);
    // Allowed: the link itself lives inside the sandbox.
    show("stat-nofollow-abs-link", d.stat_at(n, "link_abs_file"), |s| format!("{:?}", s.type_));
    show("readlink-rel", d.readlink_at("link_rel_file"), |s| s);

    // Trailing slashes.
    show("trailing-slash-file", open_read(&d, n, "file.txt/"), id);
    show("trailing-dot-file", open_read(&d, n, "file.txt/."), id);
    show("trailing-slash-link-in", open_read(&d, n, "link_in/"), id);
    show("trailing-slash-abs-dir-nofollow", d.stat_at(n, "link_abs_dir/"), |s| format!("{:?}", s.type_));
    show("trailing-slash-rel-dir-nofollow", d.stat_at(n, "link_rel_dir/"), |s| format!("{:?}", s.type_));
    show("trailing-slash-abs-dir-open", open_read(&d, n, "link_abs_dir/"), id);
    show("trailing-slash-rel-file-nofollow", d.stat_at(n, "link_rel_file/"), |s| format!("{:?}", s.type_));

    // Loops.
    show("loop-follow", open_read(&d, f, "loop_a"), id);
    show("loop-through", open_read(&d, n, "loop_a/x"), id);
    show("self-loop-follow", open_read(&d, f, "self_loop"), id);
    show("loop-stat-follow", d.stat_at(f, "loop_b"), unit);

    // Creating things outside.
    show("create-dotdot", open(&d, n, "../outside/new.txt", OF::CREATE, DF::READ | DF::WRITE), unit);
    show("create-through-rel-dir", open(&d, n, "link_rel_dir/new.txt", OF::CREATE, DF::READ | DF::WRITE), unit);
    show("create-through-abs-dir", open(&d, n, "link_abs_dir/new.txt", OF::CREATE, DF::READ | DF::WRITE), unit);
    show("create-dangling-follow", open(&d, f, "dangling_out", OF::CREATE, DF::READ | DF::WRITE), unit);
    show("create-dangling-nofollow", open(&d, n, "dangling_out", OF::CREATE, DF::READ | DF::WRITE), unit);
    show("truncate-follow-abs", open(&d, f, "link_abs_file", OF::TRUNCATE, DF::READ | DF::WRITE), unit);
    show("write-follow-rel", open(&d, f, "link_rel_file", OF::empty(), DF::WRITE).and_then(|x| x.write(b"pwned", 0)), |n| n.to_string());
    show("mkdir-dotdot", d.create_directory_at("../outside/newdir"), unit);
    show("mkdir-through-link", d.create_directory_at("link_rel_dir/newdir"), unit);
    show("mkdir-abs", d.create_directory_at("/tmp/wasi-host-escape"), unit);

    // Removing and moving things outside.
    show("unlink-dotdot", d.unlink_file_at("../outside/secret.txt"), unit);
    show("unlink-through-link", d.unlink_file_at("link_rel_dir/secret.txt"), unit);
    show("rmdir-dotdot", d.remove_directory_at("../outside"), unit);
    show("rename-out", d.rename_at("file.txt", &d, "../outside/moved.txt"), unit);
    show("rename-in", d.rename_at("../outside/secret.txt", &d, "stolen.txt"), unit);
    show("rename-through-link", d.rename_at("link_rel_dir/secret.txt", &d, "stolen2.txt"), unit);
    show("link-dotdot", d.link_at(n, "../outside/secret.txt", &d, "hard.txt"), unit);
    show("link-follow-abs", d.link_at(f, "link_abs_file", &d, "hard2.txt"), unit);
    show("link-out", d.link_at(n, "file.txt", &d, "../outside/hard3.txt"), unit);
    show("symlink-abs-target", d.symlink_at("/etc/passwd", "new_abs_link"), unit);
    show("symlink-at-dotdot", d.symlink_at("file.txt", "../outside/new_link"), unit);
    // Creating a relative link that points out may or may not be allowed;
    // following it must not be.
    show("symlink-rel-out", d.symlink_at("../outside/secret.txt", "new_rel_link"), unit);
    show("follow-new-rel-link", open_read(&d, f, "new_rel_link"), id);

    // Odd names: plain names on every platform.
    for name in ["CON", "NUL", "aux.txt", "COM1", "LPT1", "con.txt"] {
        show(
            &format!("device-name-{name}"),
            open(&d, n, name, OF::CREATE, DF::READ | DF::WRITE).and_then(|x| x.write(b"plain", 0)),
            |n| n.to_string(),
        );
    }
    show("empty-path", open_read(&d, n, ""), id);
    show("nul-in-path", open_read(&d, n, "file.txt\0.png"), id);
    show("long-name", open_read(&d, n, &"x".repeat(300)), id);
    show("backslash-dotdot", open_read(&d, n, "..\\outside\\secret.txt"), id);

    // Allowed paths that only look odd.
    show("dot", open_read(&d, n, "."), id);
    show("inside-dotdot", open_read(&d, n, "sub/../file.txt"), id);
    show("inside-dot-slash", open_read(&d, n, "./sub/./inner.txt"), id);
    show("double-slash", open_read(&d, n, "sub//inner.txt"), id);
    show("follow-link-in", open_read(&d, f, "link_in"), id);
    show("follow-link-dotdot-in", open_read(&d, f, "link_dotdot_in"), id);
    show("through-link-sub", open_read(&d, n, "link_sub/inner.txt"), id);
    show("timestamp-overflow", d.set_times_at(n, "file.txt", NewTimestamp::Timestamp(Datetime { seconds: u64::MAX, nanoseconds: 0 }), NewTimestamp::NoChange), unit);
    show("timestamp-bad-nanos", d.set_times_at(n, "file.txt", NewTimestamp::NoChange, NewTimestamp::Timestamp(Datetime { seconds: 1, nanoseconds: 2_000_000_000 })), unit);
    println!("done");
}

fn std_attempts() {
    use std::fs;
    let show = |name: &str, r: std::io::Result<String>| match r {
        Ok(v) => println!("std {name}: ok {v}"),
        Err(e) => println!("std {name}: {}", io_kind(&e)),
    };
    show("read-dotdot", fs::read_to_string("/sandbox/../outside/secret.txt"));
    show("read-abs-link", fs::read_to_string("/sandbox/link_abs_file"));
    show("read-rel-link", fs::read_to_string("/sandbox/link_rel_file"));
    show("read-through-link", fs::read_to_string("/sandbox/link_rel_dir/secret.txt"));
    show("write-through-link", fs::write("/sandbox/link_rel_dir/std_new.txt", "x").map(|_| String::new()));
    show("write-dangling", fs::write("/sandbox/dangling_out", "x").map(|_| String::new()));
    show("list-through-link", fs::read_dir("/sandbox/link_abs_dir").map(|r| format!("{} entries", r.count())));
    show("read-not-preopened", fs::read_to_string("/etc/passwd"));
    show("remove-through-link", fs::remove_file("/sandbox/link_rel_dir/secret.txt").map(|_| String::new()));
    show("read-loop", fs::read_to_string("/sandbox/loop_a"));
    show("read-inside", fs::read_to_string("/sandbox/sub/../file.txt"));
    println!("done");
}

/// Every operation through links whose target ends in `/` (issue 6, item
/// 5), with and without symlink-follow. A success prints what it reached,
/// so the host test sees any leak.
fn slash() {
    let d = preopen("/sandbox");
    let links = [
        "ts_rel", "ts_abs", "ts_rel_file", "sub/ts_up", "ts_chain_rel", "ts_chain_abs",
        "ts_chain_slash", "sub/ts_chain_up",
    ];
    let suffixes = ["", "/", "/.", "/secret.txt", "/new.txt", "/inner", "/inner/deep.txt"];
    let now = || NewTimestamp::Now;
    for link in links {
        for suffix in suffixes {
            let p = format!("{link}{suffix}");
            for (pf, fname) in [(PF::empty(), "nofollow"), (PF::SYMLINK_FOLLOW, "follow")] {
                let line = |op: &str, r: Result<String, ErrorCode>| match r {
                    Ok(v) => println!("slash {op} {p} {fname}: ok {v}"),
                    Err(e) => println!("slash {op} {p} {fname}: {}", code_name(&e)),
                };
                line("open-read", open_read(&d, pf, &p));
                line("open-create-write", open(&d, pf, &p, OF::CREATE, DF::WRITE).and_then(|f| f.write(b"pwned", 0)).map(|n| format!("wrote {n}")));
                line("open-truncate", open(&d, pf, &p, OF::TRUNCATE, DF::WRITE).map(|_| "truncated".into()));
                line("readdir", open(&d, pf, &p, OF::DIRECTORY, DF::READ).and_then(|sub| {
                    let s = sub.read_directory()?;
                    let mut names = Vec::new();
                    while let Some(e) = s.read_directory_entry()? {
                        names.push(e.name);
                    }
                    names.sort();
                    Ok(format!("listed {names:?}"))
                }));
                line("stat", d.stat_at(pf, &p).map(|st| format!("type {:?}", st.type_)));
                line("hash", d.metadata_hash_at(pf, &p).map(|_| "hashed".into()));
                line("set-times", d.set_times_at(pf, &p, now(), now()).map(|_| "set".into()));
                line("link-from", d.link_at(pf, &p, &d, "stolen_link").map(|_| "linked".into()));
                let _ = d.unlink_file_at("stolen_link");
                // (With no suffix these would act on the link itself, inside.)
                if pf == PF::empty() && !suffix.is_empty() {
                    line("mkdir", d.create_directory_at(&p).map(|_| "made".into()));
                    line("unlink", d.unlink_file_at(&p).map(|_| "unlinked".into()));
                    line("rmdir", d.remove_directory_at(&p).map(|_| "removed".into()));
                    line("rename-from", d.rename_at(&p, &d, "stolen").map(|_| "renamed".into()));
                    line("rename-to", d.rename_at("file.txt", &d, &p).map(|_| "renamed".into()));
                    line("link-to", d.link_at(PF::empty(), "file.txt", &d, &p).map(|_| "linked".into()));
                    line("symlink-at", d.symlink_at("file.txt", &p).map(|_| "made".into()));
                }
            }
        }
    }
    println!("done");
}
