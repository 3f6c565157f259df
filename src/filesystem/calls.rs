//! The calls of `wasi:filesystem/types` on one descriptor, written once
//! for every front-end: each hands the call to the backend's
//! [`DirectoryOps`] or [`FileOps`] through the core's dispatch. A front-end
//! looks its descriptors up (0.2 and 0.3 in the resource table), calls
//! these, and converts arguments and results to and from its bindings.
//!
//! Each call works on clones of the descriptors (they share their host
//! handle through an `Arc`), so nothing of the store is borrowed while the
//! blocking work runs.

use crate::filesystem::{
    Advice, Descriptor, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryOps, ErrorCode,
    FileOps, FsResult, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags, ReaddirStream,
};
use crate::io::{InputStream, OutputStream};
use cap_std::fs::MetadataExt;

impl Descriptor {
    /// `read-via-stream`: a stream of the file from `offset`.
    pub fn read_via_stream(&self, offset: u64) -> FsResult<InputStream> {
        on_file!(self.clone(), f => FileOps::read_via_stream(&f, offset).map(|s| Box::new(s) as InputStream))
    }

    /// `write-via-stream`: a stream writing the file from `offset`.
    pub fn write_via_stream(&self, offset: u64) -> FsResult<OutputStream> {
        on_file!(self.clone(), f => FileOps::write_via_stream(&f, offset).map(|s| Box::new(s) as OutputStream))
    }

    /// `append-via-stream`: a stream writing at the file's end.
    pub fn append_via_stream(&self) -> FsResult<OutputStream> {
        on_file!(self.clone(), f => FileOps::append_via_stream(&f).map(|s| Box::new(s) as OutputStream))
    }

    /// `advise` (a file only; `bad-descriptor` for a directory).
    pub async fn advise(&self, offset: u64, len: u64, advice: Advice) -> FsResult<()> {
        match self.clone() {
            Descriptor::Dir(_) | Descriptor::VirtualDir(_) => Err(ErrorCode::BadDescriptor.into()),
            d => on_file!(d, f => FileOps::advise(&f, offset, len, advice).await),
        }
    }

    /// `sync-data`.
    pub async fn sync_data(&self) -> FsResult<()> {
        on_any!(self.clone(), f => FileOps::sync_data(&f).await, d => DirectoryOps::sync(&d).await)
    }

    /// `get-flags`.
    pub fn get_flags(&self) -> FsResult<DescriptorFlags> {
        Ok(on_any!(self, f => FileOps::get_flags(f), d => DirectoryOps::get_flags(d)))
    }

    /// `get-type`.
    pub async fn get_type(&self) -> FsResult<DescriptorType> {
        on_any!(self.clone(), f => FileOps::get_type(&f).await, _d => Ok(DescriptorType::Directory))
    }

    /// `set-size` (a file only).
    pub async fn set_size(&self, size: u64) -> FsResult<()> {
        on_file!(self.clone(), f => FileOps::set_size(&f, size).await)
    }

    /// `set-times`.
    pub async fn set_times(&self, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()> {
        on_any!(self.clone(), f => FileOps::set_times(&f, atime, mtime).await, d => DirectoryOps::set_times(&d, atime, mtime).await)
    }

    /// `read` of `len` bytes at `offset` (a file only); `true` at the end.
    pub async fn read(&self, len: u64, offset: u64) -> FsResult<(Vec<u8>, bool)> {
        on_file!(self.clone(), f => FileOps::read(&f, len, offset).await)
    }

    /// `write` of `buf` at `offset` (a file only).
    pub async fn write(&self, buf: Vec<u8>, offset: u64) -> FsResult<u64> {
        on_file!(self.clone(), f => FileOps::write(&f, buf, offset).await)
    }

    /// Whether `read-directory` would be refused before any I/O: a file is
    /// `not-directory`, a directory the mount does not let the guest read
    /// `not-permitted`. (A front-end that opens listings lazily answers
    /// these at once.)
    pub fn check_read_directory(&self) -> FsResult<()> {
        let perms = match self {
            Descriptor::Dir(d) => d.perms,
            Descriptor::VirtualDir(d) => d.perms,
            Descriptor::File(_) | Descriptor::VirtualFile(_) => {
                return Err(ErrorCode::NotDirectory.into());
            }
        };
        crate::filesystem::perms::require_dir(perms, crate::filesystem::DirPerms::READ)
    }

    /// `read-directory` (a directory only).
    pub async fn read_directory(&self) -> FsResult<ReaddirStream> {
        on_dir!(self.clone(), d => DirectoryOps::read_directory(&d).await)
    }

    /// `sync`.
    pub async fn sync(&self) -> FsResult<()> {
        on_any!(self.clone(), f => FileOps::sync(&f).await, d => DirectoryOps::sync(&d).await)
    }

    /// `create-directory-at`.
    pub async fn create_directory_at(&self, path: String) -> FsResult<()> {
        on_dir!(self.clone(), d => DirectoryOps::create_directory_at(&d, path).await)
    }

    /// `stat`.
    pub async fn stat(&self) -> FsResult<DescriptorStat> {
        on_any!(self.clone(), f => FileOps::stat(&f).await, d => DirectoryOps::stat(&d).await)
    }

    /// `stat-at`.
    pub async fn stat_at(&self, flags: PathFlags, path: String) -> FsResult<DescriptorStat> {
        on_dir!(self.clone(), d => DirectoryOps::stat_at(&d, flags, path).await)
    }

    /// `set-times-at`.
    pub async fn set_times_at(
        &self,
        flags: PathFlags,
        path: String,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        on_dir!(self.clone(), d => DirectoryOps::set_times_at(&d, flags, path, atime, mtime).await)
    }

    /// `link-at`, into `new` (a directory of the same backend).
    pub async fn link_at(
        &self,
        old_flags: PathFlags,
        old_path: String,
        new: &Descriptor,
        new_path: String,
    ) -> FsResult<()> {
        let old = self.clone();
        let new = new.clone();
        on_dir_pair!(old, new, (o, n) => DirectoryOps::link_at(o, old_flags, old_path, n, new_path).await)
    }

    /// `open-at`: the new descriptor.
    pub async fn open_at(
        &self,
        path_flags: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Descriptor> {
        on_dir!(self.clone(), d => DirectoryOps::open_at(&d, path_flags, path, oflags, flags).await)
    }

    /// `readlink-at`.
    pub async fn readlink_at(&self, path: String) -> FsResult<String> {
        on_dir!(self.clone(), d => DirectoryOps::readlink_at(&d, path).await)
    }

    /// `remove-directory-at`.
    pub async fn remove_directory_at(&self, path: String) -> FsResult<()> {
        on_dir!(self.clone(), d => DirectoryOps::remove_directory_at(&d, path).await)
    }

    /// `rename-at`, into `new` (a directory of the same backend).
    pub async fn rename_at(
        &self,
        old_path: String,
        new: &Descriptor,
        new_path: String,
    ) -> FsResult<()> {
        let old = self.clone();
        let new = new.clone();
        on_dir_pair!(old, new, (o, n) => DirectoryOps::rename_at(o, old_path, n, new_path).await)
    }

    /// `symlink-at`.
    pub async fn symlink_at(&self, old_path: String, new_path: String) -> FsResult<()> {
        on_dir!(self.clone(), d => DirectoryOps::symlink_at(&d, old_path, new_path).await)
    }

    /// `unlink-file-at`.
    pub async fn unlink_file_at(&self, path: String) -> FsResult<()> {
        on_dir!(self.clone(), d => DirectoryOps::unlink_file_at(&d, path).await)
    }

    /// `is-same-object`: whether both name one object (a failure to tell is a trap).
    pub async fn is_same_object(&self, other: &Descriptor) -> wasmtime::Result<bool> {
        let a = self.clone();
        let b = other.clone();
        match (virtual_identity(&a), virtual_identity(&b)) {
            (None, None) => {}
            (Some(x), Some(y)) => return Ok(x? == y?),
            _ => return Ok(false),
        }
        let same = move || -> wasmtime::Result<bool> {
            let ma = host_metadata(&a)?;
            let mb = host_metadata(&b)?;
            Ok(ma.dev() == mb.dev() && ma.ino() == mb.ino())
        };
        match self.blocking() {
            Some(blocking) => blocking.clone().run(same).await,
            None => same(),
        }
    }

    /// `metadata-hash`.
    pub async fn metadata_hash(&self) -> FsResult<MetadataHashValue> {
        on_any!(self.clone(), f => FileOps::metadata_hash(&f).await, d => DirectoryOps::metadata_hash(&d).await)
    }

    /// `metadata-hash-at`.
    pub async fn metadata_hash_at(
        &self,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        on_dir!(self.clone(), d => DirectoryOps::metadata_hash_at(&d, flags, path).await)
    }

    /// `metadata-hash-at` when the answer is already known, without I/O
    /// or a future: a host directory's listing or `stat-at` just looked at
    /// `path` (see `host/recent.rs`). `None`: make the call.
    pub fn metadata_hash_at_known(
        &self,
        flags: PathFlags,
        path: &str,
    ) -> Option<MetadataHashValue> {
        match self {
            Descriptor::Dir(d) => d.metadata_hash_at_known(flags, path),
            _ => None,
        }
    }
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
