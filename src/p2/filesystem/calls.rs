//! The calls of `wasi:filesystem/types`, written once on the crate's own
//! types for both flavours: each looks its descriptors up in the resource
//! table and makes the descriptor's call (`filesystem/calls.rs`, shared
//! with 0.3), pushing what it opens. `types.rs` (async) and
//! `types_sync.rs` (through `block_on`) convert the bindings' arguments
//! and results around them.
//!
//! Each call clones what it needs out of the resource table (descriptors
//! share their host handle through an `Arc`), so the table is not borrowed
//! while the blocking work runs.

use crate::filesystem::WasiFilesystemCtxView;
use crate::filesystem::{
    Advice, Descriptor, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    FsResult, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags, ReaddirStream,
    stream_error_code,
};
use crate::io::{InputStream, IoError, OutputStream};
use wasmtime::component::Resource;

/// The descriptor behind `fd`, cloned out of the table.
fn descriptor(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: &Resource<Descriptor>,
) -> FsResult<Descriptor> {
    Ok(w.table.get(fd)?.clone())
}

/// The guest path of the mount `fd` lies in, for call events.
pub(super) fn mount_name(
    w: &WasiFilesystemCtxView<'_>,
    fd: &Resource<Descriptor>,
) -> Option<String> {
    let desc = w.table.get(fd).ok()?;
    w.ctx.mount_of(desc).map(str::to_owned)
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
    let made = descriptor(w, &fd)?.read_via_stream(offset)?;
    push(w, made)
}

pub(super) async fn write_via_stream(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    offset: u64,
) -> FsResult<Resource<OutputStream>> {
    let made = descriptor(w, &fd)?.write_via_stream(offset)?;
    push(w, made)
}

pub(super) async fn append_via_stream(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<Resource<OutputStream>> {
    let made = descriptor(w, &fd)?.append_via_stream()?;
    push(w, made)
}

pub(super) async fn advise(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    offset: u64,
    len: u64,
    advice: Advice,
) -> FsResult<()> {
    descriptor(w, &fd)?.advise(offset, len, advice).await
}

pub(super) async fn sync_data(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<()> {
    descriptor(w, &fd)?.sync_data().await
}

pub(super) async fn get_flags(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<DescriptorFlags> {
    descriptor(w, &fd)?.get_flags()
}

pub(super) async fn get_type(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<DescriptorType> {
    descriptor(w, &fd)?.get_type().await
}

pub(super) async fn set_size(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    size: u64,
) -> FsResult<()> {
    descriptor(w, &fd)?.set_size(size).await
}

pub(super) async fn set_times(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    atime: NewTimestamp,
    mtime: NewTimestamp,
) -> FsResult<()> {
    descriptor(w, &fd)?.set_times(atime, mtime).await
}

pub(super) async fn read(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    len: u64,
    offset: u64,
) -> FsResult<(Vec<u8>, bool)> {
    descriptor(w, &fd)?.read(len, offset).await
}

pub(super) async fn write(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    buf: Vec<u8>,
    offset: u64,
) -> FsResult<u64> {
    descriptor(w, &fd)?.write(buf, offset).await
}

pub(super) async fn read_directory(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<Resource<ReaddirStream>> {
    let made = descriptor(w, &fd)?.read_directory().await?;
    push(w, made)
}

pub(super) async fn sync(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<()> {
    descriptor(w, &fd)?.sync().await
}

pub(super) async fn create_directory_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    path: String,
) -> FsResult<()> {
    descriptor(w, &fd)?.create_directory_at(path).await
}

pub(super) async fn stat(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<DescriptorStat> {
    descriptor(w, &fd)?.stat().await
}

pub(super) async fn stat_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    flags: PathFlags,
    path: String,
) -> FsResult<DescriptorStat> {
    descriptor(w, &fd)?.stat_at(flags, path).await
}

pub(super) async fn set_times_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    flags: PathFlags,
    path: String,
    atime: NewTimestamp,
    mtime: NewTimestamp,
) -> FsResult<()> {
    descriptor(w, &fd)?
        .set_times_at(flags, path, atime, mtime)
        .await
}

pub(super) async fn link_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    old_flags: PathFlags,
    old_path: String,
    new_fd: Resource<Descriptor>,
    new_path: String,
) -> FsResult<()> {
    descriptor(w, &fd)?
        .link_at(old_flags, old_path, &descriptor(w, &new_fd)?, new_path)
        .await
}

pub(super) async fn open_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    path_flags: PathFlags,
    path: String,
    oflags: OpenFlags,
    flags: DescriptorFlags,
) -> FsResult<Resource<Descriptor>> {
    let made = descriptor(w, &fd)?
        .open_at(path_flags, path, oflags, flags)
        .await?;
    push(w, made)
}

pub(super) async fn readlink_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    path: String,
) -> FsResult<String> {
    descriptor(w, &fd)?.readlink_at(path).await
}

pub(super) async fn remove_directory_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    path: String,
) -> FsResult<()> {
    descriptor(w, &fd)?.remove_directory_at(path).await
}

pub(super) async fn rename_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    old_path: String,
    new_fd: Resource<Descriptor>,
    new_path: String,
) -> FsResult<()> {
    descriptor(w, &fd)?
        .rename_at(old_path, &descriptor(w, &new_fd)?, new_path)
        .await
}

pub(super) async fn symlink_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    old_path: String,
    new_path: String,
) -> FsResult<()> {
    descriptor(w, &fd)?.symlink_at(old_path, new_path).await
}

pub(super) async fn unlink_file_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    path: String,
) -> FsResult<()> {
    descriptor(w, &fd)?.unlink_file_at(path).await
}

pub(super) async fn is_same_object(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    other: Resource<Descriptor>,
) -> wasmtime::Result<bool> {
    descriptor(w, &fd)?
        .is_same_object(&descriptor(w, &other)?)
        .await
}

pub(super) async fn metadata_hash(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
) -> FsResult<MetadataHashValue> {
    descriptor(w, &fd)?.metadata_hash().await
}

pub(super) async fn metadata_hash_at(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: Resource<Descriptor>,
    flags: PathFlags,
    path: String,
) -> FsResult<MetadataHashValue> {
    if let Some(hash) = metadata_hash_at_known(w, &fd, flags, &path)? {
        return Ok(hash);
    }
    descriptor(w, &fd)?.metadata_hash_at(flags, path).await
}

/// `metadata-hash-at` when a listing or `stat-at` just learned the answer
/// (`Descriptor::metadata_hash_at_known`): no clone, no future; `None`
/// when the call has to be made.
pub(super) fn metadata_hash_at_known(
    w: &mut WasiFilesystemCtxView<'_>,
    fd: &Resource<Descriptor>,
    flags: PathFlags,
    path: &str,
) -> FsResult<Option<MetadataHashValue>> {
    Ok(w.table.get(fd)?.metadata_hash_at_known(flags, path))
}

/// `read-directory-entry` when the answer is at hand (an entry of the
/// batch already read, or the end): no future; `None` when the next batch
/// has to be read.
pub(super) fn read_directory_entry_now(
    w: &mut WasiFilesystemCtxView<'_>,
    stream: &Resource<ReaddirStream>,
) -> FsResult<Option<FsResult<Option<DirectoryEntry>>>> {
    Ok(w.table.get_mut(stream)?.next_now())
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
