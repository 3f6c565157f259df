//! Issue 9: the overlay as a lazy overlay, through the crate's sync
//! `wasi:filesystem` host (as a guest's calls arrive): a host tree larger
//! than the upper layer's quotas, host changes seen where the guest changed
//! nothing, whiteouts and opaque directories, renamed host directories,
//! descriptors that outlive a copy-up; and a real guest over a host tree
//! larger than the quota, through every linker mode. The host tree is
//! byte-for-byte unchanged after each.

use crate::common;

use common::{Ctx as State, descriptor as b, error_code as code};

use wasi_host::bindings::filesystem::preopens::Host as _;
use wasi_host::bindings::sync::filesystem::types::{
    DescriptorFlags as DF, DescriptorType, ErrorCode, HostDescriptor, HostDirectoryEntryStream,
    OpenFlags as OF, PathFlags as PF,
};
use wasi_host::filesystem::WasiFilesystemView as _;
use wasi_host::vfs::{Change, MemoryFs, Overlay};
use wasi_host::{DirPerms, FilePerms, FsResult, WasiCtxBuilder};
use wasmtime::component::Resource;

type W = State;

/// A context with `overlay` mounted at `/o`, and its root descriptor.
fn mount(overlay: &Overlay) -> (W, u32) {
    let mut builder = WasiCtxBuilder::new();
    builder.mount("/o", overlay.mount(), DirPerms::all(), FilePerms::all());
    let mut w = common::host_api(builder.build());
    let dirs = w.filesystem().get_directories().unwrap();
    assert_eq!(dirs[0].1, "/o");
    let root = dirs[0].0.rep();
    (w, root)
}

fn open(w: &mut W, dir: u32, path: &str, o: OF, f: DF) -> FsResult<u32> {
    w.filesystem()
        .open_at(b(dir), PF::empty(), path.into(), o, f)
        .map(|r| r.rep())
}

fn close(w: &mut W, fd: u32) {
    HostDescriptor::drop(&mut w.filesystem(), Resource::new_own(fd)).unwrap();
}

/// The whole contents of `path`.
fn read(w: &mut W, dir: u32, path: &str) -> FsResult<Vec<u8>> {
    let fd = open(w, dir, path, OF::empty(), DF::READ)?;
    let (data, _) = w.filesystem().read(b(fd), 1 << 20, 0)?;
    close(w, fd);
    Ok(data)
}

fn write(w: &mut W, dir: u32, path: &str, o: OF, data: &[u8], at: u64) {
    let fd = open(w, dir, path, o, DF::WRITE).unwrap();
    assert_eq!(
        w.filesystem().write(b(fd), data.to_vec(), at).unwrap(),
        data.len() as u64
    );
    close(w, fd);
}

/// The names of the directory at `path`, in listing order.
fn list(w: &mut W, dir: u32, path: &str) -> FsResult<Vec<String>> {
    let fd = open(w, dir, path, OF::DIRECTORY, DF::READ)?;
    let stream = w.filesystem().read_directory(b(fd))?;
    let mut out = Vec::new();
    while let Some(e) = w
        .filesystem()
        .read_directory_entry(Resource::new_borrow(stream.rep()))?
    {
        out.push(e.name);
    }
    HostDirectoryEntryStream::drop(&mut w.filesystem(), stream).unwrap();
    close(w, fd);
    Ok(out)
}

fn names(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// A host tree of 300 files of 1 KiB (more than one listing batch) under
/// an upper layer of 16 KiB and 20 objects: it mounts, lists and reads,
/// the guest's own small files fit, a copy-up that does not fit is
/// `insufficient-space`, and only what the guest changed is in memory.
#[test]
fn lower_tree_larger_than_the_quota() {
    let tmp = common::tempdir();
    let host = tmp.path();
    std::fs::create_dir(host.join("many")).unwrap();
    for i in 0..300 {
        std::fs::write(host.join(format!("many/f{i:03}")), vec![i as u8; 1024]).unwrap();
    }
    std::fs::write(host.join("big"), vec![1u8; 64 << 10]).unwrap();
    let before = common::snapshot(host);
    let upper = MemoryFs::with_limits(16 << 10, 20);
    let overlay = Overlay::with_upper(host, upper.clone()).unwrap();
    let (mut w, o) = mount(&overlay);
    let listed = list(&mut w, o, "many").unwrap();
    let expected: Vec<String> = (0..300).map(|i| format!("f{i:03}")).collect();
    assert_eq!(listed, expected);
    for i in [0, 150, 299] {
        assert_eq!(
            read(&mut w, o, &format!("many/f{i:03}")).unwrap(),
            vec![i as u8; 1024]
        );
    }
    assert_eq!(read(&mut w, o, "big").unwrap().len(), 64 << 10);
    assert_eq!(upper.entries_used(), 1, "reading copies nothing");
    // The guest's own data fits the quota.
    write(&mut w, o, "many/new", OF::CREATE, b"mine", 0);
    write(&mut w, o, "many/f007", OF::empty(), b"xy", 0);
    assert_eq!(&read(&mut w, o, "many/f007").unwrap()[..3], b"xy\x07");
    // Copying the big file up does not fit: nothing changes.
    let fd = open(&mut w, o, "big", OF::empty(), DF::WRITE).unwrap();
    assert_eq!(
        code(w.filesystem().write(b(fd), b"z".to_vec(), 0)),
        ErrorCode::InsufficientSpace
    );
    close(&mut w, fd);
    assert_eq!(read(&mut w, o, "big").unwrap(), vec![1u8; 64 << 10]);
    // Truncating it copies nothing of its bytes, so that fits.
    let fd = open(&mut w, o, "big", OF::TRUNCATE, DF::WRITE).unwrap();
    close(&mut w, fd);
    assert_eq!(read(&mut w, o, "big").unwrap(), b"");
    assert_eq!(
        upper.paths(),
        ["big", "many/", "many/f007", "many/new"],
        "the upper layer holds the guest's changes only"
    );
    assert!(upper.bytes_used() <= 2048);
    let listed = list(&mut w, o, "many").unwrap();
    assert_eq!(listed.len(), 301);
    assert!(listed.windows(2).all(|p| p[0] < p[1]), "sorted, each once");
    common::assert_unchanged("the lower tree", &before, &common::snapshot(host));
    assert_eq!(
        overlay.changes().unwrap(),
        [
            Change::Modified("big".into()),
            Change::Modified("many/f007".into()),
            Change::Added("many/new".into()),
        ]
    );
}

/// The host directory is looked into when the guest asks: a host change
/// made after the mount shows wherever the guest changed nothing, and the
/// guest's own version wins where it did.
#[test]
fn host_changes_show_through_untouched_paths() {
    let tmp = common::tempdir();
    let host = tmp.path();
    std::fs::write(host.join("a"), "one").unwrap();
    std::fs::write(host.join("b"), "bee").unwrap();
    let overlay = Overlay::new(host).unwrap();
    let (mut w, o) = mount(&overlay);
    assert_eq!(read(&mut w, o, "a").unwrap(), b"one");
    write(&mut w, o, "b", OF::empty(), b"B", 0);
    std::fs::write(host.join("a"), "two!").unwrap();
    std::fs::write(host.join("b"), "host b").unwrap();
    std::fs::create_dir(host.join("later")).unwrap();
    std::fs::write(host.join("later/c"), "sea").unwrap();
    assert_eq!(read(&mut w, o, "a").unwrap(), b"two!");
    assert_eq!(read(&mut w, o, "b").unwrap(), b"Bee");
    assert_eq!(read(&mut w, o, "later/c").unwrap(), b"sea");
    assert_eq!(list(&mut w, o, ".").unwrap(), names(&["a", "b", "later"]));
    let st = w
        .filesystem()
        .stat_at(b(o), PF::empty(), "a".into())
        .unwrap();
    assert_eq!((st.type_, st.size), (DescriptorType::RegularFile, 4));
    assert_eq!(overlay.read_file("a").as_deref(), Some(&b"two!"[..]));
    // Times are the host's until the guest changes something.
    let mtime = |w: &mut W, path: &str| {
        let t = w
            .filesystem()
            .stat_at(b(o), PF::empty(), path.into())
            .unwrap()
            .data_modification_timestamp
            .unwrap();
        (t.seconds, t.nanoseconds)
    };
    let host_mtime = |path: &str| {
        let t = std::fs::symlink_metadata(host.join(path))
            .unwrap()
            .modified()
            .unwrap()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        (t.as_secs(), t.subsec_nanos())
    };
    assert_eq!(mtime(&mut w, "a"), host_mtime("a"));
    assert_eq!(mtime(&mut w, "later"), host_mtime("later"));
    assert_eq!(overlay.read_file("b").as_deref(), Some(&b"Bee"[..]));
}

/// Removing a host name leaves a whiteout: the name is gone for the guest
/// (stat, open, listing), a new object under that name is the guest's
/// only, and a host directory removed and made again is empty (opaque).
#[test]
fn whiteouts_and_opaque_directories() {
    let tmp = common::tempdir();
    let host = tmp.path();
    std::fs::create_dir_all(host.join("d/sub")).unwrap();
    std::fs::write(host.join("d/x"), "x").unwrap();
    std::fs::write(host.join("d/sub/y"), "y").unwrap();
    std::fs::write(host.join("f"), "host f").unwrap();
    std::os::unix::fs::symlink("f", host.join("l")).unwrap();
    let before = common::snapshot(host);
    let overlay = Overlay::new(host).unwrap();
    let (mut w, o) = mount(&overlay);
    w.filesystem().unlink_file_at(b(o), "f".into()).unwrap();
    w.filesystem().unlink_file_at(b(o), "l".into()).unwrap();
    assert_eq!(code(read(&mut w, o, "f")), ErrorCode::NoEntry);
    assert_eq!(
        code(w.filesystem().stat_at(b(o), PF::empty(), "l".into())),
        ErrorCode::NoEntry
    );
    assert_eq!(list(&mut w, o, ".").unwrap(), names(&["d"]));
    write(&mut w, o, "f", OF::CREATE | OF::EXCLUSIVE, b"new", 0);
    assert_eq!(read(&mut w, o, "f").unwrap(), b"new");
    // A host directory is removed only once empty in the merged view.
    assert_eq!(
        code(w.filesystem().remove_directory_at(b(o), "d".into())),
        ErrorCode::NotEmpty
    );
    w.filesystem()
        .unlink_file_at(b(o), "d/sub/y".into())
        .unwrap();
    w.filesystem()
        .remove_directory_at(b(o), "d/sub".into())
        .unwrap();
    assert_eq!(list(&mut w, o, "d").unwrap(), names(&["x"]));
    w.filesystem().unlink_file_at(b(o), "d/x".into()).unwrap();
    w.filesystem()
        .remove_directory_at(b(o), "d".into())
        .unwrap();
    assert_eq!(
        code(w.filesystem().stat_at(b(o), PF::empty(), "d".into())),
        ErrorCode::NoEntry
    );
    w.filesystem()
        .create_directory_at(b(o), "d".into())
        .unwrap();
    assert_eq!(list(&mut w, o, "d").unwrap(), Vec::<String>::new());
    assert_eq!(code(read(&mut w, o, "d/x")), ErrorCode::NoEntry);
    w.filesystem()
        .create_directory_at(b(o), "d/sub".into())
        .unwrap();
    assert_eq!(list(&mut w, o, "d/sub").unwrap(), Vec::<String>::new());
    assert_eq!(list(&mut w, o, ".").unwrap(), names(&["d", "f"]));
    common::assert_unchanged("the lower tree", &before, &common::snapshot(host));
    assert_eq!(
        overlay.changes().unwrap(),
        [
            Change::Removed("d/sub/y".into()),
            Change::Removed("d/x".into()),
            Change::Modified("f".into()),
            Change::Removed("l".into()),
        ]
    );
}

/// A host directory renamed with its contents: everything beneath shows
/// at the new place (same objects), the old name is gone, the guest can
/// change the moved tree, and POSIX rename rules hold over merged
/// directories.
#[test]
fn renaming_a_host_directory_with_contents() {
    let tmp = common::tempdir();
    let host = tmp.path();
    std::fs::create_dir_all(host.join("src/sub")).unwrap();
    std::fs::create_dir_all(host.join("full")).unwrap();
    std::fs::create_dir_all(host.join("empty")).unwrap();
    std::fs::write(host.join("src/a"), "a").unwrap();
    std::fs::write(host.join("src/sub/b"), "b").unwrap();
    std::fs::write(host.join("full/k"), "k").unwrap();
    let before = common::snapshot(host);
    let overlay = Overlay::new(host).unwrap();
    let (mut w, o) = mount(&overlay);
    let st = w
        .filesystem()
        .stat_at(b(o), PF::empty(), "src".into())
        .unwrap();
    assert_eq!(st.link_count, 3, "the host's, for an unchanged directory");
    let held = open(&mut w, o, "src/a", OF::empty(), DF::READ).unwrap();
    // Over a non-empty host directory: refused; over an empty one: fine.
    assert_eq!(
        code(
            w.filesystem()
                .rename_at(b(o), "src".into(), b(o), "full".into())
        ),
        ErrorCode::NotEmpty
    );
    assert_eq!(
        code(
            w.filesystem()
                .rename_at(b(o), "src".into(), b(o), "src/sub/x".into())
        ),
        ErrorCode::Invalid
    );
    w.filesystem()
        .rename_at(b(o), "src".into(), b(o), "empty".into())
        .unwrap();
    assert_eq!(list(&mut w, o, ".").unwrap(), names(&["empty", "full"]));
    assert_eq!(list(&mut w, o, "empty").unwrap(), names(&["a", "sub"]));
    assert_eq!(read(&mut w, o, "empty/sub/b").unwrap(), b"b");
    assert_eq!(code(read(&mut w, o, "src/a")), ErrorCode::NoEntry);
    let moved = open(&mut w, o, "empty/a", OF::empty(), DF::READ).unwrap();
    assert!(w.filesystem().is_same_object(b(held), b(moved)).unwrap());
    // Changes beneath the moved directory, then it moves on again.
    write(&mut w, o, "empty/sub/b", OF::empty(), b"B2", 0);
    w.filesystem()
        .rename_at(b(o), "empty/sub".into(), b(o), "full/sub".into())
        .unwrap();
    w.filesystem()
        .rename_at(b(o), "empty".into(), b(o), "src".into())
        .unwrap();
    assert_eq!(list(&mut w, o, "src").unwrap(), names(&["a"]));
    assert_eq!(list(&mut w, o, "full").unwrap(), names(&["k", "sub"]));
    // Link counts of directories: entry, `.`, and each subdirectory's `..`
    // over the merged view.
    let nlink = |w: &mut W, path: &str| {
        w.filesystem()
            .stat_at(b(o), PF::empty(), path.into())
            .unwrap()
            .link_count
    };
    assert_eq!(nlink(&mut w, "full"), 3);
    assert_eq!(nlink(&mut w, "src"), 2);
    assert_eq!(nlink(&mut w, "."), 4);
    assert_eq!(read(&mut w, o, "full/sub/b").unwrap(), b"B2");
    assert_eq!(read(&mut w, o, "src/a").unwrap(), b"a");
    close(&mut w, held);
    close(&mut w, moved);
    common::assert_unchanged("the lower tree", &before, &common::snapshot(host));
    assert_eq!(
        overlay.changes().unwrap(),
        [
            Change::Removed("empty/".into()),
            Change::Added("full/sub/".into()),
            Change::Added("full/sub/b".into()),
            Change::Removed("src/sub/".into()),
            Change::Removed("src/sub/b".into()),
        ]
    );
}

/// A descriptor opened on a host file before the guest changes it (through
/// another descriptor) reads the changed bytes: the object keeps its
/// identity when copied up. An unlinked host file stays readable while
/// open, with no links left.
#[test]
fn descriptors_follow_the_copy_up() {
    let tmp = common::tempdir();
    let host = tmp.path();
    std::fs::write(host.join("f"), "0123456789").unwrap();
    std::fs::write(host.join("g"), "gone soon").unwrap();
    let before = common::snapshot(host);
    let overlay = Overlay::new(host).unwrap();
    let (mut w, o) = mount(&overlay);
    let reader = open(&mut w, o, "f", OF::empty(), DF::READ).unwrap();
    let hash = |w: &mut W, fd: u32| {
        let h = w.filesystem().metadata_hash(b(fd)).unwrap();
        (h.lower, h.upper)
    };
    let first = hash(&mut w, reader);
    let writer = open(&mut w, o, "f", OF::empty(), DF::WRITE).unwrap();
    assert!(w.filesystem().is_same_object(b(reader), b(writer)).unwrap());
    assert_eq!(
        w.filesystem().write(b(writer), b"ab".to_vec(), 4).unwrap(),
        2
    );
    assert_eq!(
        w.filesystem().read(b(reader), 100, 0).unwrap().0,
        b"0123ab6789"
    );
    assert!(w.filesystem().is_same_object(b(reader), b(writer)).unwrap());
    let new_hash = hash(&mut w, reader);
    assert_eq!(new_hash, hash(&mut w, writer));
    // The hash is the object's identity, which the copy-up keeps.
    assert_eq!(first, new_hash, "the copy-up changed the object's identity");
    // Growing with zeros.
    w.filesystem().set_size(b(writer), 12).unwrap();
    assert_eq!(
        w.filesystem().read(b(reader), 100, 0).unwrap().0,
        b"0123ab6789\0\0"
    );
    close(&mut w, writer);
    close(&mut w, reader);
    // An unlinked host file stays readable (and writable) while open.
    let held = open(&mut w, o, "g", OF::empty(), DF::READ | DF::WRITE).unwrap();
    w.filesystem().unlink_file_at(b(o), "g".into()).unwrap();
    assert_eq!(
        w.filesystem().read(b(held), 100, 0).unwrap().0,
        b"gone soon"
    );
    assert_eq!(w.filesystem().stat(b(held)).unwrap().link_count, 0);
    assert_eq!(w.filesystem().write(b(held), b"G".to_vec(), 0).unwrap(), 1);
    assert_eq!(
        w.filesystem().read(b(held), 100, 0).unwrap().0,
        b"Gone soon"
    );
    close(&mut w, held);
    assert_eq!(code(read(&mut w, o, "g")), ErrorCode::NoEntry);
    assert_eq!(overlay.upper().paths(), ["f"]);
    common::assert_unchanged("the lower tree", &before, &common::snapshot(host));
}

/// A real guest (`find`, `cat`, `write`, `rm -r` in `std::fs`), through
/// the sync linker and the async one on both runtime kinds, over a host
/// tree several times larger than the upper layer's byte quota: it reads
/// it all, its changes fit, and the host tree is unchanged.
#[test]
fn guest_over_a_host_tree_larger_than_the_quota() {
    use common::{Mode, Run, guests};
    for mode in Mode::ALL {
        let tmp = common::tempdir();
        let host = tmp.path();
        std::fs::create_dir(host.join("big")).unwrap();
        for i in 0..200 {
            std::fs::write(host.join(format!("big/f{i:03}")), vec![b'x'; 1024]).unwrap();
        }
        std::fs::write(host.join("data.txt"), "host data").unwrap();
        let before = common::snapshot(host);
        let upper = MemoryFs::with_limits(8 << 10, 16);
        let overlay = Overlay::with_upper(host, upper.clone()).unwrap();
        let o = overlay.clone();
        let out = Run::new(guests::FS_TOOLS)
            .args([
                "find",
                "/o/big",
                "cat",
                "/o/data.txt",
                "write",
                "/o/data.txt",
                "guest data",
                "cat",
                "/o/data.txt",
                "rm",
                "/o/big",
            ])
            .configure(move |b| {
                b.mount("/o", o.mount(), DirPerms::all(), FilePerms::all());
            })
            .run(mode);
        out.assert_success()
            .assert_line("find f000")
            .assert_line("find f199")
            .assert_line("cat /o/data.txt host data")
            .assert_line("cat /o/data.txt guest data")
            .assert_line("tools done");
        let found = out
            .stdout()
            .lines()
            .filter(|l| l.starts_with("find "))
            .count();
        assert_eq!(found, 200, "{mode:?}");
        common::assert_unchanged("the lower tree", &before, &common::snapshot(host));
        assert_eq!(upper.paths(), ["data.txt"], "{mode:?}");
        assert_eq!(
            overlay.read_file("data.txt").as_deref(),
            Some(&b"guest data"[..])
        );
        let changes = overlay.changes().unwrap();
        assert_eq!(changes.len(), 202, "{mode:?}");
        assert_eq!(changes[0], Change::Removed("big/".into()));
        assert_eq!(changes[201], Change::Modified("data.txt".into()));
    }
}
