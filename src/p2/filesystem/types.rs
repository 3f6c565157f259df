//! `wasi:filesystem/types` for [`WasiImpl`], async flavour. Every operation
//! is written here once; the sync flavour (`types_sync.rs`) runs these
//! same futures through `block_on`.
//!
//! Each method clones what it needs out of the resource table (descriptors
//! share their host handle through an `Arc`), so the table is not borrowed
//! while the blocking work runs.

use crate::bindings::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    Filesize, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::filesystem::stream_error_code;
use crate::filesystem::{
    Descriptor, FsError, FsResult, ReaddirStream, on_any, on_dir, on_dir_pair, on_file,
};
use crate::io::{InputStream, IoError, OutputStream};
use crate::vfs::{DirectoryOps, FileOps};
use crate::{WasiImpl, WasiView};
use cap_std::fs::MetadataExt;
use wasmtime::component::Resource;

impl<T: WasiView> WasiImpl<T> {
    /// The descriptor behind `fd`, cloned out of the table.
    fn descriptor(&mut self, fd: &Resource<Descriptor>) -> FsResult<Descriptor> {
        Ok(self.table().get(fd)?.clone())
    }

    /// Hands a new stream to the guest.
    fn push_stream<S: Send + 'static>(&mut self, stream: S) -> FsResult<Resource<S>> {
        Ok(self.table().push(stream)?)
    }
}

impl<T: WasiView> types::Host for WasiImpl<T> {
    fn convert_error_code(&mut self, err: FsError) -> wasmtime::Result<ErrorCode> {
        err.downcast()
    }

    async fn filesystem_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        Ok(stream_error_code(&self.table().get(&err)?.0))
    }
}

impl<T: WasiView> types::HostDescriptor for WasiImpl<T> {
    async fn read_via_stream(
        &mut self,
        fd: Resource<Descriptor>,
        offset: Filesize,
    ) -> FsResult<Resource<InputStream>> {
        let stream = on_file!(self.descriptor(&fd)?, f => FileOps::read_via_stream(&f, offset).map(|s| Box::new(s) as InputStream))?;
        self.push_stream(stream)
    }

    async fn write_via_stream(
        &mut self,
        fd: Resource<Descriptor>,
        offset: Filesize,
    ) -> FsResult<Resource<OutputStream>> {
        let stream = on_file!(self.descriptor(&fd)?, f => FileOps::write_via_stream(&f, offset).map(|s| Box::new(s) as OutputStream))?;
        self.push_stream(stream)
    }

    async fn append_via_stream(
        &mut self,
        fd: Resource<Descriptor>,
    ) -> FsResult<Resource<OutputStream>> {
        let stream = on_file!(self.descriptor(&fd)?, f => FileOps::append_via_stream(&f).map(|s| Box::new(s) as OutputStream))?;
        self.push_stream(stream)
    }

    async fn advise(
        &mut self,
        fd: Resource<Descriptor>,
        offset: Filesize,
        len: Filesize,
        advice: Advice,
    ) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::Dir(_) | Descriptor::VirtualDir(_) => Err(ErrorCode::BadDescriptor.into()),
            d => on_file!(d, f => FileOps::advise(&f, offset, len, advice).await),
        }
    }

    async fn sync_data(&mut self, fd: Resource<Descriptor>) -> FsResult<()> {
        on_any!(self.descriptor(&fd)?, f => FileOps::sync_data(&f).await, d => DirectoryOps::sync(&d).await)
    }

    async fn get_flags(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorFlags> {
        Ok(
            on_any!(self.table().get(&fd)?, f => FileOps::get_flags(f), d => DirectoryOps::get_flags(d)),
        )
    }

    async fn get_type(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorType> {
        on_any!(self.descriptor(&fd)?, f => FileOps::get_type(&f).await, _d => Ok(DescriptorType::Directory))
    }

    async fn set_size(&mut self, fd: Resource<Descriptor>, size: Filesize) -> FsResult<()> {
        on_file!(self.descriptor(&fd)?, f => FileOps::set_size(&f, size).await)
    }

    async fn set_times(
        &mut self,
        fd: Resource<Descriptor>,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        on_any!(self.descriptor(&fd)?, f => FileOps::set_times(&f, atime, mtime).await, d => DirectoryOps::set_times(&d, atime, mtime).await)
    }

    async fn read(
        &mut self,
        fd: Resource<Descriptor>,
        len: Filesize,
        offset: Filesize,
    ) -> FsResult<(Vec<u8>, bool)> {
        on_file!(self.descriptor(&fd)?, f => FileOps::read(&f, len, offset).await)
    }

    async fn write(
        &mut self,
        fd: Resource<Descriptor>,
        buf: Vec<u8>,
        offset: Filesize,
    ) -> FsResult<Filesize> {
        on_file!(self.descriptor(&fd)?, f => FileOps::write(&f, buf, offset).await)
    }

    async fn read_directory(
        &mut self,
        fd: Resource<Descriptor>,
    ) -> FsResult<Resource<ReaddirStream>> {
        let stream = on_dir!(self.descriptor(&fd)?, d => DirectoryOps::read_directory(&d).await)?;
        Ok(self.table().push(stream)?)
    }

    async fn sync(&mut self, fd: Resource<Descriptor>) -> FsResult<()> {
        on_any!(self.descriptor(&fd)?, f => FileOps::sync(&f).await, d => DirectoryOps::sync(&d).await)
    }

    async fn create_directory_at(
        &mut self,
        fd: Resource<Descriptor>,
        path: String,
    ) -> FsResult<()> {
        on_dir!(self.descriptor(&fd)?, d => DirectoryOps::create_directory_at(&d, path).await)
    }

    async fn stat(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorStat> {
        on_any!(self.descriptor(&fd)?, f => FileOps::stat(&f).await, d => DirectoryOps::stat(&d).await)
    }

    async fn stat_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<DescriptorStat> {
        on_dir!(self.descriptor(&fd)?, d => DirectoryOps::stat_at(&d, flags, path).await)
    }

    async fn set_times_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        on_dir!(self.descriptor(&fd)?, d => DirectoryOps::set_times_at(&d, flags, path, atime, mtime).await)
    }

    async fn link_at(
        &mut self,
        fd: Resource<Descriptor>,
        old_flags: PathFlags,
        old_path: String,
        new_fd: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        let old = self.descriptor(&fd)?;
        let new = self.descriptor(&new_fd)?;
        on_dir_pair!(old, new, (o, n) => DirectoryOps::link_at(o, old_flags, old_path, n, new_path).await)
    }

    async fn open_at(
        &mut self,
        fd: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Resource<Descriptor>> {
        let opened = on_dir!(self.descriptor(&fd)?, d => DirectoryOps::open_at(&d, path_flags, path, oflags, flags).await)?;
        Ok(self.table().push(opened)?)
    }

    async fn readlink_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<String> {
        on_dir!(self.descriptor(&fd)?, d => DirectoryOps::readlink_at(&d, path).await)
    }

    async fn remove_directory_at(
        &mut self,
        fd: Resource<Descriptor>,
        path: String,
    ) -> FsResult<()> {
        on_dir!(self.descriptor(&fd)?, d => DirectoryOps::remove_directory_at(&d, path).await)
    }

    async fn rename_at(
        &mut self,
        fd: Resource<Descriptor>,
        old_path: String,
        new_fd: Resource<Descriptor>,
        new_path: String,
    ) -> FsResult<()> {
        let old = self.descriptor(&fd)?;
        let new = self.descriptor(&new_fd)?;
        on_dir_pair!(old, new, (o, n) => DirectoryOps::rename_at(o, old_path, n, new_path).await)
    }

    async fn symlink_at(
        &mut self,
        fd: Resource<Descriptor>,
        old_path: String,
        new_path: String,
    ) -> FsResult<()> {
        on_dir!(self.descriptor(&fd)?, d => DirectoryOps::symlink_at(&d, old_path, new_path).await)
    }

    async fn unlink_file_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        on_dir!(self.descriptor(&fd)?, d => DirectoryOps::unlink_file_at(&d, path).await)
    }

    async fn is_same_object(
        &mut self,
        fd: Resource<Descriptor>,
        other: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        let a = self.descriptor(&fd)?;
        let b = self.descriptor(&other)?;
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

    async fn metadata_hash(&mut self, fd: Resource<Descriptor>) -> FsResult<MetadataHashValue> {
        on_any!(self.descriptor(&fd)?, f => FileOps::metadata_hash(&f).await, d => DirectoryOps::metadata_hash(&d).await)
    }

    async fn metadata_hash_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        on_dir!(self.descriptor(&fd)?, d => DirectoryOps::metadata_hash_at(&d, flags, path).await)
    }

    async fn drop(&mut self, fd: Resource<Descriptor>) -> wasmtime::Result<()> {
        self.table().delete(fd)?;
        Ok(())
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
        Ok(code) => wasmtime::format_err!("metadata of an open descriptor: {code:?}"),
        Err(e) => e,
    }))
}

impl<T: WasiView> types::HostDirectoryEntryStream for WasiImpl<T> {
    async fn read_directory_entry(
        &mut self,
        stream: Resource<ReaddirStream>,
    ) -> FsResult<Option<DirectoryEntry>> {
        self.table().get_mut(&stream)?.next().await
    }

    async fn drop(&mut self, stream: Resource<ReaddirStream>) -> wasmtime::Result<()> {
        self.table().delete(stream)?;
        Ok(())
    }
}
