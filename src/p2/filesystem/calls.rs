//! The calls of `wasi:filesystem/types`, written once on the crate's own
//! types for both flavours: each looks its descriptor up in the resource
//! table and hands the call to the backend's [`DirectoryOps`] or
//! [`FileOps`] through the core's dispatch. `types.rs` (async) and
//! `types_sync.rs` (through `block_on`) convert the bindings' arguments
//! and results around them.
//!
//! Each call clones what it needs out of the resource table (descriptors
//! share their host handle through an `Arc`), so the table is not borrowed
//! while the blocking work runs.

use crate::filesystem::WasiFilesystemCtxView;
use crate::filesystem::vfs::{DirectoryOps, FileOps};
use crate::filesystem::{
    Advice, Descriptor, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    FsResult, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags, ReaddirStream, on_any, on_dir,
    on_dir_pair, on_file, stream_error_code,
};
use crate::io::{InputStream, IoError, OutputStream};
use cap_std::fs::MetadataExt;
use wasmtime::component::Resource;

/// The descriptor behind `fd`, cloned out of the table.
fn descriptor(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: &Resource<Descriptor>,
) -> FsResult<Descriptor> {
    Ok(w.table.get(fd)?.clone())
}

/// Hands a new stream (or listing) to the guest.
fn push<S: Send + 'static>(w: &mut WasiFilesystemCtxView<'_>, stream: S) -> FsResult<Resource<S>> {
    Ok(w.table.push(stream)?)
}

/// `filesystem-error-code`: the code behind a file stream's
/// `last-operation-failed`, if it has one.
pub(super) fn filesystem_error_code(
    w: &mut WasiFilesystemCtxView<'_>,
    err: Resource<IoError>,
) -> wasmtime::Result<Option<ErrorCode>> {
    Ok(stream_error_code(&w.table.get(&err)?.0))
}

pub(super) async fn read_via_stream(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    offset: u64,
) -> FsResult<Resource<InputStream>> {
    let stream = on_file!(descriptor(w, &fd)?, f => FileOps::read_via_stream(&f, offset).map(|s| Box::new(s) as InputStream))?;
    push(w, stream)
}

pub(super) async fn write_via_stream(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    offset: u64,
) -> FsResult<Resource<OutputStream>> {
    let stream = on_file!(descriptor(w, &fd)?, f => FileOps::write_via_stream(&f, offset).map(|s| Box::new(s) as OutputStream))?;
    push(w, stream)
}

pub(super) async fn append_via_stream(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<Resource<OutputStream>> {
    let stream = on_file!(descriptor(w, &fd)?, f => FileOps::append_via_stream(&f).map(|s| Box::new(s) as OutputStream))?;
    push(w, stream)
}

pub(super) async fn advise(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    offset: u64,
    len: u64,
    advice: Advice,
) -> FsResult<()> {
    match descriptor(w, &fd)? {
        Descriptor::Dir(_) | Descriptor::VirtualDir(_) => Err(ErrorCode::BadDescriptor.into()),
        d => on_file!(d, f => FileOps::advise(&f, offset, len, advice).await),
    }
}

pub(super) async fn sync_data(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<()> {
    on_any!(descriptor(w, &fd)?, f => FileOps::sync_data(&f).await, d => DirectoryOps::sync(&d).await)
}

pub(super) async fn get_flags(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<DescriptorFlags> {
    Ok(on_any!(w.table.get(&fd)?, f => FileOps::get_flags(f), d => DirectoryOps::get_flags(d)))
}

pub(super) async fn get_type(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<DescriptorType> {
    on_any!(descriptor(w, &fd)?, f => FileOps::get_type(&f).await, _d => Ok(DescriptorType::Directory))
}

pub(super) async fn set_size(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    size: u64,
) -> FsResult<()> {
    on_file!(descriptor(w, &fd)?, f => FileOps::set_size(&f, size).await)
}

pub(super) async fn set_times(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    atime: NewTimestamp,
    mtime: NewTimestamp,
) -> FsResult<()> {
    on_any!(descriptor(w, &fd)?, f => FileOps::set_times(&f, atime, mtime).await, d => DirectoryOps::set_times(&d, atime, mtime).await)
}

pub(super) async fn read(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    len: u64,
    offset: u64,
) -> FsResult<(Vec<u8>, bool)> {
    on_file!(descriptor(w, &fd)?, f => FileOps::read(&f, len, offset).await)
}

pub(super) async fn write(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    buf: Vec<u8>,
    offset: u64,
) -> FsResult<u64> {
    on_file!(descriptor(w, &fd)?, f => FileOps::write(&f, buf, offset).await)
}

pub(super) async fn read_directory(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<Resource<ReaddirStream>> {
    let stream = on_dir!(descriptor(w, &fd)?, d => DirectoryOps::read_directory(&d).await)?;
    push(w, stream)
}

pub(super) async fn sync(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<()> {
    on_any!(descriptor(w, &fd)?, f => FileOps::sync(&f).await, d => DirectoryOps::sync(&d).await)
}

pub(super) async fn create_directory_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    path: String,
) -> FsResult<()> {
    on_dir!(descriptor(w, &fd)?, d => DirectoryOps::create_directory_at(&d, path).await)
}

pub(super) async fn stat(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<DescriptorStat> {
    on_any!(descriptor(w, &fd)?, f => FileOps::stat(&f).await, d => DirectoryOps::stat(&d).await)
}

pub(super) async fn stat_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    flags: PathFlags,
    path: String,
) -> FsResult<DescriptorStat> {
    on_dir!(descriptor(w, &fd)?, d => DirectoryOps::stat_at(&d, flags, path).await)
}

pub(super) async fn set_times_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    flags: PathFlags,
    path: String,
    atime: NewTimestamp,
    mtime: NewTimestamp,
) -> FsResult<()> {
    on_dir!(descriptor(w, &fd)?, d => DirectoryOps::set_times_at(&d, flags, path, atime, mtime).await)
}

pub(super) async fn link_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    old_flags: PathFlags,
    old_path: String,
    new_fd: Resource<Descriptor>,
    new_path: String,
) -> FsResult<()> {
    let old = descriptor(w, &fd)?;
    let new = descriptor(w, &new_fd)?;
    on_dir_pair!(old, new, (o, n) => DirectoryOps::link_at(o, old_flags, old_path, n, new_path).await)
}

pub(super) async fn open_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    path_flags: PathFlags,
    path: String,
    oflags: OpenFlags,
    flags: DescriptorFlags,
) -> FsResult<Resource<Descriptor>> {
    let opened = on_dir!(descriptor(w, &fd)?, d => DirectoryOps::open_at(&d, path_flags, path, oflags, flags).await)?;
    push(w, opened)
}

pub(super) async fn readlink_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    path: String,
) -> FsResult<String> {
    on_dir!(descriptor(w, &fd)?, d => DirectoryOps::readlink_at(&d, path).await)
}

pub(super) async fn remove_directory_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    path: String,
) -> FsResult<()> {
    on_dir!(descriptor(w, &fd)?, d => DirectoryOps::remove_directory_at(&d, path).await)
}

pub(super) async fn rename_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    old_path: String,
    new_fd: Resource<Descriptor>,
    new_path: String,
) -> FsResult<()> {
    let old = descriptor(w, &fd)?;
    let new = descriptor(w, &new_fd)?;
    on_dir_pair!(old, new, (o, n) => DirectoryOps::rename_at(o, old_path, n, new_path).await)
}

pub(super) async fn symlink_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    old_path: String,
    new_path: String,
) -> FsResult<()> {
    on_dir!(descriptor(w, &fd)?, d => DirectoryOps::symlink_at(&d, old_path, new_path).await)
}

pub(super) async fn unlink_file_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    path: String,
) -> FsResult<()> {
    on_dir!(descriptor(w, &fd)?, d => DirectoryOps::unlink_file_at(&d, path).await)
}

pub(super) async fn is_same_object(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    other: Resource<Descriptor>,
) -> wasmtime::Result<bool> {
    let a = descriptor(w, &fd)?;
    let b = descriptor(w, &other)?;
    match (virtual_identity(&a), virtual_identity(&b)) {
        (None, None) => {}
        (Some(x), Some(y)) => return Ok(x? == y?),
        _ => return Ok(false),
    }
    let inline = a.allow_blocking();
    crate::runtime::run_blocking(inline, move || -> wasmtime::Result<bool> {
        let ma = host_metadata(&a)?;
        let mb = host_metadata(&b)?;
        Ok(ma.dev() == mb.dev() && ma.ino() == mb.ino())
    })
    .await
}

pub(super) async fn metadata_hash(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<MetadataHashValue> {
    on_any!(descriptor(w, &fd)?, f => FileOps::metadata_hash(&f).await, d => DirectoryOps::metadata_hash(&d).await)
}

pub(super) async fn metadata_hash_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    flags: PathFlags,
    path: String,
) -> FsResult<MetadataHashValue> {
    on_dir!(descriptor(w, &fd)?, d => DirectoryOps::metadata_hash_at(&d, flags, path).await)
}

pub(super) async fn drop_descriptor(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> wasmtime::Result<()> {
    w.table.delete(fd)?;
    Ok(())
}

pub(super) async fn read_directory_entry(
    w: &mut WasiFilesystemCtxView<'_>,
    stream: Resource<ReaddirStream>,
) -> FsResult<Option<DirectoryEntry>> {
    w.table.get_mut(&stream)?.next().await
}

pub(super) async fn drop_listing(
    w: &mut WasiFilesystemCtxView<'_>,
    stream: Resource<ReaddirStream>,
) -> wasmtime::Result<()> {
    w.table.delete(stream)?;
    Ok(())
}

/// The host metadata of an open descriptor (blocking). A failure here is a
/// host problem with a handle that is open: it traps.
fn host_metadata(d: &Descriptor) -> std::io::Result<cap_std::fs::Metadata> {
    match d {
        Descriptor::File(f) => f.file.metadata(),
        Descriptor::Dir(d) => d.dir.dir_metadata(),
        Descriptor::VirtualFile(_) | Descriptor::VirtualDir(_) => {
            Err(std::io::ErrorKind::Unsupported.into())
        }
    }
}

/// The (mount, object) identity of a virtual descriptor; `None` for a host
/// one.
fn virtual_identity(d: &Descriptor) -> Option<wasmtime::Result<(u64, u64)>> {
    let stat = match d {
        Descriptor::VirtualFile(f) => f.node_stat().map(|s| (f.open.mount.id, s.ino)),
        Descriptor::VirtualDir(d) => d.node_stat().map(|s| (d.mount_id(), s.ino)),
        _ => return None,
    };
    Some(stat.map_err(|e| match e.downcast() {
        Ok(code) => wasmtime::format_err!("metadata of an open descriptor: {code}"),
        Err(e) => e,
    }))
}
