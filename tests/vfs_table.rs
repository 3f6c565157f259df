//! Issue 9: one mount table for every backend. A host directory mounted
//! with `Mount::host_dir` is the same as `preopened_dir`; host and virtual
//! mounts appear in the order the builder added them (for components and
//! core modules); a read-only host mount refuses changes; the pair rules
//! (`not-directory` before `cross-device`) hold between backends.

use crate::common;

use common::{Ctx as State, descriptor as b, error_code as code};

use wasi_host::bindings::filesystem::preopens::Host as _;
use wasi_host::bindings::sync::filesystem::types::{
    DescriptorFlags as DF, DescriptorType, ErrorCode, HostDescriptor, OpenFlags as OF,
    PathFlags as PF,
};
use wasi_host::filesystem::WasiFilesystemView as _;
use wasi_host::vfs::{MemoryFs, Mount};
use wasi_host::{DirPerms, FilePerms, FsPerms, WasiCtxBuilder};

/// A context, its preopens' reps and guest paths.
fn setup(f: impl FnOnce(&mut WasiCtxBuilder)) -> (State, Vec<(u32, String)>) {
    let mut builder = WasiCtxBuilder::new();
    f(&mut builder);
    let mut w = common::host_api(builder.build());
    let dirs = w.filesystem().get_directories().unwrap();
    (w, dirs.into_iter().map(|(r, p)| (r.rep(), p)).collect())
}

#[test]
fn mounts_keep_the_builder_order_whatever_their_backend() {
    let h1 = tempfile::tempdir().unwrap();
    let h2 = tempfile::tempdir().unwrap();
    std::fs::write(h1.path().join("one"), "1").unwrap();
    std::fs::write(h2.path().join("two"), "2").unwrap();
    let (mut w, d) = setup(|bl| {
        bl.mount(
            "/m1",
            Mount::memory(MemoryFs::new()),
            DirPerms::all(),
            FilePerms::all(),
        );
        bl.preopened_dir(h1.path(), "/h1", FsPerms::ReadWrite)
            .unwrap();
        bl.mount(
            "/m2",
            Mount::memory(MemoryFs::new()),
            DirPerms::all(),
            FilePerms::all(),
        );
        bl.mount(
            "/h2",
            Mount::host_dir(h2.path()).unwrap(),
            DirPerms::all(),
            FilePerms::all(),
        );
    });
    let paths: Vec<&str> = d.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(paths, ["/m1", "/h1", "/m2", "/h2"]);
    // `Mount::host_dir` is a host directory like `preopened_dir`'s: the
    // file is there, a write lands on the host, and a rename between the
    // two host mounts is `cross-device` as between two preopens.
    let (h1d, h2d) = (d[1].0, d[3].0);
    let f = w
        .filesystem()
        .open_at(
            b(h2d),
            PF::empty(),
            "two".into(),
            OF::empty(),
            DF::READ | DF::WRITE,
        )
        .unwrap();
    assert_eq!(
        w.filesystem().write(b(f.rep()), b"22".to_vec(), 0).unwrap(),
        2
    );
    assert_eq!(std::fs::read(h2.path().join("two")).unwrap(), b"22");
    assert_eq!(
        code(
            w.filesystem()
                .rename_at(b(h1d), "one".into(), b(h2d), "one".into())
        ),
        ErrorCode::CrossDevice
    );
    assert_eq!(
        code(
            w.filesystem()
                .rename_at(b(d[0].0), "x".into(), b(h1d), "x".into())
        ),
        ErrorCode::CrossDevice
    );
    // A file as either side of a pair is `not-directory`, whatever the
    // other side's backend.
    assert_eq!(
        code(
            w.filesystem()
                .rename_at(b(f.rep()), "x".into(), b(d[0].0), "x".into())
        ),
        ErrorCode::NotDirectory
    );
    assert_eq!(
        code(
            w.filesystem()
                .link_at(b(d[0].0), PF::empty(), "x".into(), b(f.rep()), "x".into())
        ),
        ErrorCode::NotDirectory
    );
    // File operations on a directory and directory operations on a file.
    assert_eq!(
        code(w.filesystem().read(b(h1d), 1, 0)),
        ErrorCode::IsDirectory
    );
    assert_eq!(
        code(w.filesystem().read(b(d[0].0), 1, 0)),
        ErrorCode::IsDirectory
    );
    assert_eq!(
        code(w.filesystem().stat_at(b(f.rep()), PF::empty(), "x".into())),
        ErrorCode::NotDirectory
    );
    assert_eq!(
        w.filesystem().get_type(b(d[2].0)).unwrap(),
        DescriptorType::Directory
    );
    assert_eq!(
        w.filesystem().get_type(b(h2d)).unwrap(),
        DescriptorType::Directory
    );
}

#[test]
fn a_read_only_host_mount_refuses_changes() {
    let host = tempfile::tempdir().unwrap();
    std::fs::write(host.path().join("f"), "data").unwrap();
    let (mut w, d) = setup(|bl| {
        bl.mount(
            "/ro",
            Mount::host_dir(host.path()).unwrap().read_only(),
            DirPerms::all(),
            FilePerms::all(),
        );
    });
    let ro = d[0].0;
    let f = w
        .filesystem()
        .open_at(b(ro), PF::empty(), "f".into(), OF::empty(), DF::READ)
        .unwrap();
    assert_eq!(
        w.filesystem().read(b(f.rep()), 10, 0).unwrap(),
        (b"data".to_vec(), true)
    );
    let np = ErrorCode::NotPermitted;
    assert_eq!(
        code(w.filesystem().create_directory_at(b(ro), "d".into())),
        np
    );
    assert_eq!(code(w.filesystem().unlink_file_at(b(ro), "f".into())), np);
    assert_eq!(
        code(
            w.filesystem()
                .open_at(b(ro), PF::empty(), "f".into(), OF::empty(), DF::WRITE)
        ),
        np
    );
    assert_eq!(
        code(
            w.filesystem()
                .open_at(b(ro), PF::empty(), "g".into(), OF::CREATE, DF::READ)
        ),
        np
    );
    assert_eq!(std::fs::read(host.path().join("f")).unwrap(), b"data");
    assert!(!host.path().join("d").exists());
}

#[test]
fn a_missing_host_directory_is_an_error_for_the_embedder() {
    let host = tempfile::tempdir().unwrap();
    assert!(Mount::host_dir(host.path().join("missing")).is_err());
    std::fs::write(host.path().join("file"), "").unwrap();
    assert!(Mount::host_dir(host.path().join("file")).is_err());
}
