//! `wasi:filesystem/types` for [`WasiImpl`], async flavour. Every operation
//! is written here once; the sync flavour (`host_types_sync.rs`) runs these
//! same futures through `block_on`.
//!
//! Each method clones what it needs out of the resource table (descriptors
//! share their host handle through an `Arc`), so the table is not borrowed
//! while the blocking work runs.

use super::error::stream_error_code;
use super::{Descriptor, FsError, FsResult, ReaddirStream};
use crate::bindings::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    Filesize, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::io::{InputStream, IoError, OutputStream};
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
        let stream = self.descriptor(&fd)?.file()?.read_via_stream(offset)?;
        self.push_stream(Box::new(stream) as InputStream)
    }

    async fn write_via_stream(
        &mut self,
        fd: Resource<Descriptor>,
        offset: Filesize,
    ) -> FsResult<Resource<OutputStream>> {
        let stream = self.descriptor(&fd)?.file()?.write_via_stream(offset)?;
        self.push_stream(Box::new(stream) as OutputStream)
    }

    async fn append_via_stream(
        &mut self,
        fd: Resource<Descriptor>,
    ) -> FsResult<Resource<OutputStream>> {
        let stream = self.descriptor(&fd)?.file()?.append_via_stream()?;
        self.push_stream(Box::new(stream) as OutputStream)
    }

    async fn advise(
        &mut self,
        fd: Resource<Descriptor>,
        offset: Filesize,
        len: Filesize,
        advice: Advice,
    ) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.advise(offset, len, advice).await,
            Descriptor::Dir(_) => Err(ErrorCode::BadDescriptor.into()),
        }
    }

    async fn sync_data(&mut self, fd: Resource<Descriptor>) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.sync_data().await,
            Descriptor::Dir(d) => d.sync().await,
        }
    }

    async fn get_flags(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorFlags> {
        Ok(match self.table().get(&fd)? {
            Descriptor::File(f) => f.get_flags(),
            Descriptor::Dir(d) => d.get_flags(),
        })
    }

    async fn get_type(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorType> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.get_type().await,
            Descriptor::Dir(_) => Ok(DescriptorType::Directory),
        }
    }

    async fn set_size(&mut self, fd: Resource<Descriptor>, size: Filesize) -> FsResult<()> {
        self.descriptor(&fd)?.file()?.set_size(size).await
    }

    async fn set_times(
        &mut self,
        fd: Resource<Descriptor>,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.set_times(atime, mtime).await,
            Descriptor::Dir(d) => d.set_times(atime, mtime).await,
        }
    }

    async fn read(
        &mut self,
        fd: Resource<Descriptor>,
        len: Filesize,
        offset: Filesize,
    ) -> FsResult<(Vec<u8>, bool)> {
        self.descriptor(&fd)?.file()?.read(len, offset).await
    }

    async fn write(
        &mut self,
        fd: Resource<Descriptor>,
        buf: Vec<u8>,
        offset: Filesize,
    ) -> FsResult<Filesize> {
        self.descriptor(&fd)?.file()?.write(buf, offset).await
    }

    async fn read_directory(
        &mut self,
        fd: Resource<Descriptor>,
    ) -> FsResult<Resource<ReaddirStream>> {
        let stream = self.descriptor(&fd)?.dir()?.read_directory().await?;
        Ok(self.table().push(stream)?)
    }

    async fn sync(&mut self, fd: Resource<Descriptor>) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.sync().await,
            Descriptor::Dir(d) => d.sync().await,
        }
    }

    async fn create_directory_at(
        &mut self,
        fd: Resource<Descriptor>,
        path: String,
    ) -> FsResult<()> {
        self.descriptor(&fd)?.dir()?.create_directory_at(path).await
    }

    async fn stat(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorStat> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.stat().await,
            Descriptor::Dir(d) => d.stat().await,
        }
    }

    async fn stat_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<DescriptorStat> {
        self.descriptor(&fd)?.dir()?.stat_at(flags, path).await
    }

    async fn set_times_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        let d = self.descriptor(&fd)?;
        d.dir()?.set_times_at(flags, path, atime, mtime).await
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
        old.dir()?
            .link_at(old_flags, old_path, new.dir()?, new_path)
            .await
    }

    async fn open_at(
        &mut self,
        fd: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Resource<Descriptor>> {
        let d = self.descriptor(&fd)?;
        let opened = d.dir()?.open_at(path_flags, path, oflags, flags).await?;
        Ok(self.table().push(opened)?)
    }

    async fn readlink_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<String> {
        self.descriptor(&fd)?.dir()?.readlink_at(path).await
    }

    async fn remove_directory_at(
        &mut self,
        fd: Resource<Descriptor>,
        path: String,
    ) -> FsResult<()> {
        self.descriptor(&fd)?.dir()?.remove_directory_at(path).await
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
        old.dir()?.rename_at(old_path, new.dir()?, new_path).await
    }

    async fn symlink_at(
        &mut self,
        fd: Resource<Descriptor>,
        old_path: String,
        new_path: String,
    ) -> FsResult<()> {
        self.descriptor(&fd)?
            .dir()?
            .symlink_at(old_path, new_path)
            .await
    }

    async fn unlink_file_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        self.descriptor(&fd)?.dir()?.unlink_file_at(path).await
    }

    async fn is_same_object(
        &mut self,
        fd: Resource<Descriptor>,
        other: Resource<Descriptor>,
    ) -> wasmtime::Result<bool> {
        let a = self.descriptor(&fd)?;
        let b = self.descriptor(&other)?;
        let inline = a.allow_blocking();
        crate::runtime::run_blocking(inline, move || -> wasmtime::Result<bool> {
            let ma = host_metadata(&a)?;
            let mb = host_metadata(&b)?;
            Ok(ma.dev() == mb.dev() && ma.ino() == mb.ino())
        })
        .await
    }

    async fn metadata_hash(&mut self, fd: Resource<Descriptor>) -> FsResult<MetadataHashValue> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.metadata_hash().await,
            Descriptor::Dir(d) => d.metadata_hash().await,
        }
    }

    async fn metadata_hash_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        self.descriptor(&fd)?
            .dir()?
            .metadata_hash_at(flags, path)
            .await
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
    }
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
