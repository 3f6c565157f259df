//! An embedder's own filesystem backend: a small read-only catalog of
//! files held in the embedder's data (here a `BTreeMap` of names to
//! bytes), implementing [`wasi_host::vfs::FsBackend`] and mounted at
//! `/data`. Paths, `.`/`..`, permissions, listings, streams and error
//! codes are the crate's; the backend only answers single steps.
//!
//! `cargo run --release --example vfs_custom -- GUEST.wasm [ARGS...]` runs
//! a command component (for example the test suite's `fs_tools` guest with
//! `find /data cat /data/hello.txt`) with the catalog at `/data`.

use std::collections::BTreeMap;
use wasi_host::clocks::Datetime;
use wasi_host::vfs::{ErrorCode, FsBackend, Mount, NodeId, NodeKind, NodeStat, VEntry, VfsResult};
use wasi_host::{
    DirPerms, FilePerms, ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView,
};
use wasmtime::component::{Component, Linker};
use wasmtime::{Engine, Store};

/// Files by name, in one flat directory. Node 0 is the directory, node
/// `i + 1` the `i`th file in name order.
struct Catalog {
    files: BTreeMap<String, Vec<u8>>,
}

impl Catalog {
    fn file(&self, node: NodeId) -> VfsResult<(&String, &Vec<u8>)> {
        let i = node.0.checked_sub(1).ok_or(ErrorCode::IsDirectory)?;
        self.files
            .iter()
            .nth(i as usize)
            .ok_or(ErrorCode::BadDescriptor)
    }
}

impl FsBackend for Catalog {
    fn root(&self) -> NodeId {
        NodeId(0)
    }

    fn lookup(&self, dir: NodeId, name: &str) -> VfsResult<NodeId> {
        if dir != NodeId(0) {
            return Err(ErrorCode::NotDirectory);
        }
        match self.files.keys().position(|n| n == name) {
            Some(i) => Ok(NodeId(i as u64 + 1)),
            None => Err(ErrorCode::NoEntry),
        }
    }

    fn stat(&self, node: NodeId) -> VfsResult<NodeStat> {
        // A fixed time: the catalog never changes.
        let t = Datetime {
            seconds: 1_700_000_000,
            nanoseconds: 0,
        };
        let (kind, nlink, size) = match node.0 {
            0 => (NodeKind::Directory, 2, 0),
            _ => (NodeKind::File, 1, self.file(node)?.1.len() as u64),
        };
        Ok(NodeStat {
            kind,
            ino: node.0,
            nlink,
            size,
            atime: t,
            mtime: t,
            ctime: t,
        })
    }

    fn read_link(&self, _node: NodeId) -> VfsResult<String> {
        Err(ErrorCode::Invalid)
    }

    fn read_at(&self, node: NodeId, buf: &mut [u8], offset: u64) -> VfsResult<usize> {
        let data = self.file(node)?.1;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(data.len());
        let n = buf.len().min(data.len() - start);
        buf[..n].copy_from_slice(&data[start..start + n]);
        Ok(n)
    }

    fn list(&self, dir: NodeId, after: Option<&str>, max: usize) -> VfsResult<Vec<VEntry>> {
        if dir != NodeId(0) {
            return Err(ErrorCode::NotDirectory);
        }
        Ok(self
            .files
            .keys()
            .filter(|n| after.is_none_or(|a| n.as_str() > a))
            .take(max)
            .map(|n| VEntry {
                name: n.clone(),
                kind: NodeKind::File,
            })
            .collect())
    }

    // Every change keeps the trait's default answer, `unsupported`; a
    // writable store would implement `write_at`, `create_file`, ...

    fn read_only(&self) -> bool {
        true
    }
}

struct Host {
    ctx: WasiCtx,
    table: ResourceTable,
}

impl WasiView for Host {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

fn main() -> wasmtime::Result<()> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let Some(path) = argv.first() else {
        eprintln!("usage: vfs_custom GUEST.wasm [ARGS...]");
        std::process::exit(2);
    };
    let catalog = Catalog {
        files: BTreeMap::from([
            ("hello.txt".to_string(), b"hello from the embedder".to_vec()),
            ("numbers.csv".to_string(), b"1,2,3\n4,5,6\n".to_vec()),
        ]),
    };
    let engine = Engine::default();
    let component = Component::from_file(&engine, path)?;
    let mut linker = Linker::<Host>::new(&engine);
    wasi_host::add_to_linker_sync(&mut linker)?;
    let ctx = WasiCtxBuilder::new()
        .inherit_stdio()
        .args(&argv)
        .mount(
            "/data",
            Mount::custom(catalog),
            DirPerms::READ,
            FilePerms::READ,
        )
        .build();
    let mut store = Store::new(
        &engine,
        Host {
            ctx,
            table: ResourceTable::new(),
        },
    );
    let command = wasi_host::bindings::sync::Command::instantiate(&mut store, &component, &linker)?;
    let ok = command.wasi_cli_run().call_run(&mut store)?.is_ok();
    std::process::exit(if ok { 0 } else { 1 })
}
