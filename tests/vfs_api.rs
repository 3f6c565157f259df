//! Issue 9: the `wasi:filesystem` calls on virtual mounts, host-side
//! (through the crate's sync `Host` traits, as a guest's calls arrive):
//! quotas, cross-device links and renames, object identity, metadata
//! hashes, listings under concurrent changes, custom backends.

use crate::common;

use common::{Ctx as State, descriptor as b, error_code as code};

use wasi_host::bindings::filesystem::preopens::Host as _;
use wasi_host::bindings::sync::filesystem::types::{
    DescriptorFlags as DF, ErrorCode, HostDescriptor, HostDirectoryEntryStream, OpenFlags as OF,
    PathFlags as PF,
};
use wasi_host::bindings::sync::io::streams::HostOutputStream;
use wasi_host::filesystem::WasiFilesystemView as _;
use wasi_host::vfs::{
    ErrorCode as V, FsBackend, MemoryFs, Mount, NodeId, NodeKind, NodeStat, VEntry, VfsResult,
};
use wasi_host::{DirPerms, FilePerms, FsPerms, WasiCtxBuilder};
use wasmtime::component::Resource;

/// A context with `mounts`, and the reps of its preopen descriptors.
fn setup(f: impl FnOnce(&mut WasiCtxBuilder)) -> (State, Vec<u32>) {
    let mut builder = WasiCtxBuilder::new();
    f(&mut builder);
    let mut w = common::host_api(builder.build());
    let dirs = w.filesystem().get_directories().unwrap();
    (w, dirs.into_iter().map(|(r, _)| r.rep()).collect())
}

fn open(w: &mut State, dir: u32, path: &str, o: OF, f: DF) -> u32 {
    w.filesystem()
        .open_at(b(dir), PF::empty(), path.into(), o, f)
        .unwrap()
        .rep()
}

#[test]
fn quota_full_is_insufficient_space() {
    let fs = MemoryFs::with_limits(100, 4);
    let m = fs.clone();
    let (mut w, d) = setup(|b| {
        b.mount("/m", Mount::memory(m), DirPerms::all(), FilePerms::all());
    });
    let f = open(&mut w, d[0], "f", OF::CREATE, DF::WRITE | DF::READ);
    // A write that fits partly returns what fitted; the next one fails.
    assert_eq!(
        HostDescriptor::write(&mut w.filesystem(), b(f), vec![1; 60], 0).unwrap(),
        60
    );
    assert_eq!(
        HostDescriptor::write(&mut w.filesystem(), b(f), vec![2; 60], 60).unwrap(),
        40
    );
    assert_eq!(
        code(HostDescriptor::write(
            &mut w.filesystem(),
            b(f),
            vec![3; 1],
            100
        )),
        ErrorCode::InsufficientSpace
    );
    // Overwriting within the file still works.
    assert_eq!(
        HostDescriptor::write(&mut w.filesystem(), b(f), vec![4; 10], 0).unwrap(),
        10
    );
    assert_eq!(
        code(w.filesystem().set_size(b(f), 1 << 40)),
        ErrorCode::InsufficientSpace
    );
    assert_eq!(
        code(w.filesystem().set_size(b(f), u64::MAX)),
        ErrorCode::FileTooLarge
    );
    // Nothing written is lost.
    let (data, _) = w.filesystem().read(b(f), 200, 0).unwrap();
    assert_eq!(data.len(), 100);
    assert_eq!(&data[..10], &[4; 10]);
    assert_eq!(&data[60..], &[2; 40]);
    // A stream on the full file grants nothing and says why.
    let s = w.filesystem().write_via_stream(b(f), 100).unwrap();
    let err = HostOutputStream::check_write(&mut w.table, Resource::new_borrow(s.rep()));
    assert!(err.is_err());
    // Entries: the root, `f`, then two more. A symlink's target counts as
    // bytes (full here).
    w.filesystem()
        .create_directory_at(b(d[0]), "d1".into())
        .unwrap();
    assert_eq!(
        code(w.filesystem().symlink_at(b(d[0]), "f".into(), "l".into())),
        ErrorCode::InsufficientSpace
    );
    w.filesystem()
        .create_directory_at(b(d[0]), "d2".into())
        .unwrap();
    assert_eq!(
        code(w.filesystem().create_directory_at(b(d[0]), "d3".into())),
        ErrorCode::InsufficientSpace
    );
    assert_eq!(fs.bytes_used(), 100);
    assert_eq!(fs.entries_used(), 4);
    // Freeing space lets the guest write again.
    w.filesystem().set_size(b(f), 10).unwrap();
    assert_eq!(
        HostDescriptor::write(&mut w.filesystem(), b(f), vec![5; 20], 10).unwrap(),
        20
    );
}

#[test]
fn links_and_renames_across_mounts_are_cross_device() {
    let host = tempfile::tempdir().unwrap();
    std::fs::write(host.path().join("h"), "h").unwrap();
    let fs = MemoryFs::from_files([("m", "m")]).unwrap();
    let (fs1, fs2) = (fs.clone(), MemoryFs::new());
    let (mut w, d) = setup(|b| {
        b.preopened_dir(host.path(), "/host", FsPerms::ReadWrite)
            .unwrap();
        b.mount(
            "/a",
            Mount::memory(fs1.clone()),
            DirPerms::all(),
            FilePerms::all(),
        );
        b.mount("/b", Mount::memory(fs2), DirPerms::all(), FilePerms::all());
        // The same tree mounted twice is still two mounts.
        b.mount("/a2", Mount::memory(fs1), DirPerms::all(), FilePerms::all());
    });
    let (h, a, bb, a2) = (d[0], d[1], d[2], d[3]);
    let xdev = ErrorCode::CrossDevice;
    assert_eq!(
        code(
            w.filesystem()
                .rename_at(b(a), "m".into(), b(bb), "m".into())
        ),
        xdev
    );
    assert_eq!(
        code(
            w.filesystem()
                .rename_at(b(a), "m".into(), b(a2), "m2".into())
        ),
        xdev
    );
    assert_eq!(
        code(w.filesystem().rename_at(b(a), "m".into(), b(h), "m".into())),
        xdev
    );
    assert_eq!(
        code(w.filesystem().rename_at(b(h), "h".into(), b(a), "h".into())),
        xdev
    );
    assert_eq!(
        code(
            w.filesystem()
                .link_at(b(a), PF::empty(), "m".into(), b(bb), "m".into())
        ),
        xdev
    );
    assert_eq!(
        code(
            w.filesystem()
                .link_at(b(h), PF::empty(), "h".into(), b(a), "h".into())
        ),
        xdev
    );
    // Within one mount, through two descriptors, it works.
    w.filesystem()
        .create_directory_at(b(a), "sub".into())
        .unwrap();
    let sub = open(
        &mut w,
        a,
        "sub",
        OF::DIRECTORY,
        DF::READ | DF::MUTATE_DIRECTORY,
    );
    w.filesystem()
        .rename_at(b(a), "m".into(), b(sub), "moved".into())
        .unwrap();
    assert_eq!(fs.read_file("sub/moved").as_deref(), Some(&b"m"[..]));
    // `..` never leaves the descriptor's directory.
    assert_eq!(
        code(w.filesystem().stat_at(b(sub), PF::empty(), "../sub".into())),
        ErrorCode::NotPermitted
    );
    assert_eq!(
        code(w.filesystem().stat_at(b(a), PF::empty(), "/sub".into())),
        ErrorCode::NotPermitted
    );
    assert_eq!(
        code(w.filesystem().stat_at(b(a), PF::empty(), "".into())),
        ErrorCode::NoEntry
    );
    assert_eq!(
        code(w.filesystem().stat_at(b(a), PF::empty(), "a\0b".into())),
        ErrorCode::Invalid
    );
}

#[test]
fn identity_and_metadata_hash() {
    let fs = MemoryFs::from_files([("f", "data"), ("g", "data")]).unwrap();
    let (mut w, d) = setup(|b| {
        b.mount("/m", Mount::memory(fs), DirPerms::all(), FilePerms::all());
    });
    let m = d[0];
    w.filesystem()
        .link_at(b(m), PF::empty(), "f".into(), b(m), "f2".into())
        .unwrap();
    let f1 = open(&mut w, m, "f", OF::empty(), DF::READ | DF::WRITE);
    let f2 = open(&mut w, m, "f2", OF::empty(), DF::READ);
    let g = open(&mut w, m, "g", OF::empty(), DF::READ);
    assert!(w.filesystem().is_same_object(b(f1), b(f2)).unwrap());
    assert!(!w.filesystem().is_same_object(b(f1), b(g)).unwrap());
    let hash = |w: &mut State, fd: u32| {
        let h = w.filesystem().metadata_hash(b(fd)).unwrap();
        (h.lower, h.upper)
    };
    let h1 = hash(&mut w, f1);
    assert_eq!(h1, hash(&mut w, f2));
    let at = w
        .filesystem()
        .metadata_hash_at(b(m), PF::empty(), "f".into())
        .unwrap();
    assert_eq!(h1, (at.lower, at.upper));
    assert_ne!(h1, hash(&mut w, g));
    assert_eq!(w.filesystem().stat(b(f1)).unwrap().link_count, 2);
    // The hash is the object's identity: writing does not change it (libc
    // reports it as the inode number).
    HostDescriptor::write(&mut w.filesystem(), b(f1), b"more".to_vec(), 4).unwrap();
    assert_eq!(h1, hash(&mut w, f2));
    // An unlinked open file stays readable.
    w.filesystem().unlink_file_at(b(m), "f".into()).unwrap();
    w.filesystem().unlink_file_at(b(m), "f2".into()).unwrap();
    assert_eq!(w.filesystem().read(b(f2), 100, 0).unwrap().0, b"datamore");
    assert_eq!(w.filesystem().stat(b(f2)).unwrap().link_count, 0);
}

/// Entries present throughout a listing are listed exactly once, whatever
/// is created or removed meanwhile.
#[test]
fn listing_is_stable_under_concurrent_changes() {
    let names: Vec<String> = (0..600).map(|i| format!("e{i:04}")).collect();
    let fs = MemoryFs::from_files(names.iter().map(|n| (n.as_str(), ""))).unwrap();
    let (mut w, d) = setup(|b| {
        b.mount("/m", Mount::memory(fs), DirPerms::all(), FilePerms::all());
    });
    let m = d[0];
    let stream = w.filesystem().read_directory(b(m)).unwrap();
    let mut seen = Vec::new();
    let mut i = 0;
    while let Some(e) = w
        .filesystem()
        .read_directory_entry(Resource::new_borrow(stream.rep()))
        .unwrap()
    {
        seen.push(e.name);
        i += 1;
        if i % 7 == 0 {
            // Remove one not yet listed (odd numbered), add a new one.
            let victim = format!("e{:04}", ((i * 13) % 600) | 1);
            let _ = w.filesystem().unlink_file_at(b(m), victim);
            let f = open(&mut w, m, &format!("n{i}"), OF::CREATE, DF::WRITE);
            HostDescriptor::drop(&mut w.filesystem(), Resource::new_own(f)).unwrap();
        }
    }
    HostDirectoryEntryStream::drop(&mut w.filesystem(), stream).unwrap();
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "an entry listed twice");
    for n in names
        .iter()
        .filter(|n| n.ends_with(['0', '2', '4', '6', '8']))
    {
        assert!(seen.contains(n), "{n} was never removed and not listed");
    }
}

/// An embedder's own backend: a fixed map of files, read-only.
struct Catalog(Vec<(&'static str, &'static [u8])>);

impl FsBackend for Catalog {
    fn root(&self) -> NodeId {
        NodeId(0)
    }
    fn lookup(&self, dir: NodeId, name: &str) -> VfsResult<NodeId> {
        if dir != NodeId(0) {
            return Err(V::NotDirectory);
        }
        self.0
            .iter()
            .position(|(n, _)| *n == name)
            .map(|i| NodeId(i as u64 + 1))
            .ok_or(V::NoEntry)
    }
    fn stat(&self, node: NodeId) -> VfsResult<NodeStat> {
        let t = wasi_host::clocks::Datetime {
            seconds: 0,
            nanoseconds: 0,
        };
        let (kind, size) = match node.0 {
            0 => (NodeKind::Directory, 0),
            i => (NodeKind::File, self.0[i as usize - 1].1.len() as u64),
        };
        Ok(NodeStat {
            kind,
            ino: node.0,
            nlink: 1,
            size,
            atime: t,
            mtime: t,
            ctime: t,
        })
    }
    fn read_link(&self, _: NodeId) -> VfsResult<String> {
        Err(V::Invalid)
    }
    fn read_at(&self, node: NodeId, buf: &mut [u8], offset: u64) -> VfsResult<usize> {
        let data = self.0[node.0 as usize - 1].1;
        let start = (offset as usize).min(data.len());
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }
    fn list(&self, _: NodeId, after: Option<&str>, max: usize) -> VfsResult<Vec<VEntry>> {
        let mut names: Vec<&str> = self.0.iter().map(|(n, _)| *n).collect();
        names.sort();
        Ok(names
            .into_iter()
            .filter(|n| after.is_none_or(|a| *n > a))
            .take(max)
            .map(|n| VEntry {
                name: n.to_string(),
                kind: NodeKind::File,
            })
            .collect())
    }
}

#[test]
fn custom_backend_serves_reads_and_answers_unsupported() {
    let (mut w, d) = setup(|b| {
        b.mount(
            "/c",
            Mount::custom(Catalog(vec![("hello.txt", b"hi there"), ("a", b"")])),
            DirPerms::all(),
            FilePerms::all(),
        );
    });
    let c = d[0];
    let f = open(&mut w, c, "hello.txt", OF::empty(), DF::READ);
    assert_eq!(
        w.filesystem().read(b(f), 100, 3).unwrap(),
        (b"there".to_vec(), true)
    );
    assert_eq!(
        code(w.filesystem().create_directory_at(b(c), "x".into())),
        ErrorCode::Unsupported
    );
    assert_eq!(
        code(w.filesystem().unlink_file_at(b(c), "a".into())),
        ErrorCode::Unsupported
    );
    assert_eq!(
        code(w.filesystem().stat_at(b(c), PF::empty(), "nope".into())),
        ErrorCode::NoEntry
    );
    let s = w.filesystem().read_directory(b(c)).unwrap();
    let mut names = Vec::new();
    while let Some(e) = w
        .filesystem()
        .read_directory_entry(Resource::new_borrow(s.rep()))
        .unwrap()
    {
        names.push(e.name);
    }
    assert_eq!(names, ["a", "hello.txt"]);
}
