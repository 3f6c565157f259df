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
        let stream: InputStream = match self.descriptor(&fd)? {
            Descriptor::File(f) => Box::new(f.read_via_stream(offset)?),
            Descriptor::VirtualFile(f) => Box::new(f.read_via_stream(offset)?),
            _ => return Err(ErrorCode::IsDirectory.into()),
        };
        self.push_stream(stream)
    }

    async fn write_via_stream(
        &mut self,
        fd: Resource<Descriptor>,
        offset: Filesize,
    ) -> FsResult<Resource<OutputStream>> {
        let stream: OutputStream = match self.descriptor(&fd)? {
            Descriptor::File(f) => Box::new(f.write_via_stream(offset)?),
            Descriptor::VirtualFile(f) => Box::new(f.write_via_stream(offset)?),
            _ => return Err(ErrorCode::IsDirectory.into()),
        };
        self.push_stream(stream)
    }

    async fn append_via_stream(
        &mut self,
        fd: Resource<Descriptor>,
    ) -> FsResult<Resource<OutputStream>> {
        let stream: OutputStream = match self.descriptor(&fd)? {
            Descriptor::File(f) => Box::new(f.append_via_stream()?),
            Descriptor::VirtualFile(f) => Box::new(f.append_via_stream()?),
            _ => return Err(ErrorCode::IsDirectory.into()),
        };
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
            Descriptor::File(f) => f.advise(offset, len, advice).await,
            Descriptor::VirtualFile(_) => Ok(()),
            Descriptor::Dir(_) | Descriptor::VirtualDir(_) => Err(ErrorCode::BadDescriptor.into()),
        }
    }

    async fn sync_data(&mut self, fd: Resource<Descriptor>) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.sync_data().await,
            Descriptor::Dir(d) => d.sync().await,
            Descriptor::VirtualFile(f) => f.sync(),
            Descriptor::VirtualDir(d) => d.sync(),
        }
    }

    async fn get_flags(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorFlags> {
        Ok(match self.table().get(&fd)? {
            Descriptor::File(f) => f.get_flags(),
            Descriptor::Dir(d) => d.get_flags(),
            Descriptor::VirtualFile(f) => f.get_flags(),
            Descriptor::VirtualDir(d) => d.get_flags(),
        })
    }

    async fn get_type(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorType> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.get_type().await,
            Descriptor::VirtualFile(f) => f.get_type(),
            Descriptor::Dir(_) | Descriptor::VirtualDir(_) => Ok(DescriptorType::Directory),
        }
    }

    async fn set_size(&mut self, fd: Resource<Descriptor>, size: Filesize) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.set_size(size).await,
            Descriptor::VirtualFile(f) => f.set_size(size),
            _ => Err(ErrorCode::IsDirectory.into()),
        }
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
            Descriptor::VirtualFile(f) => f.set_times(atime, mtime),
            Descriptor::VirtualDir(d) => d.set_times(atime, mtime),
        }
    }

    async fn read(
        &mut self,
        fd: Resource<Descriptor>,
        len: Filesize,
        offset: Filesize,
    ) -> FsResult<(Vec<u8>, bool)> {
        let file = match self.table().get(&fd)? {
            Descriptor::File(f) => f.clone(),
            Descriptor::VirtualFile(f) => return f.read(len, offset),
            _ => return Err(ErrorCode::IsDirectory.into()),
        };
        file.read(len, offset).await
    }

    async fn write(
        &mut self,
        fd: Resource<Descriptor>,
        buf: Vec<u8>,
        offset: Filesize,
    ) -> FsResult<Filesize> {
        let file = match self.table().get(&fd)? {
            Descriptor::File(f) => f.clone(),
            Descriptor::VirtualFile(f) => return f.write(&buf, offset),
            _ => return Err(ErrorCode::IsDirectory.into()),
        };
        file.write(buf, offset).await
    }

    async fn read_directory(
        &mut self,
        fd: Resource<Descriptor>,
    ) -> FsResult<Resource<ReaddirStream>> {
        let stream = match self.descriptor(&fd)? {
            Descriptor::VirtualDir(d) => ReaddirStream::from_virtual(d.read_directory()?),
            d => d.dir()?.read_directory().await?,
        };
        Ok(self.table().push(stream)?)
    }

    async fn sync(&mut self, fd: Resource<Descriptor>) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.sync().await,
            Descriptor::Dir(d) => d.sync().await,
            Descriptor::VirtualFile(f) => f.sync(),
            Descriptor::VirtualDir(d) => d.sync(),
        }
    }

    async fn create_directory_at(
        &mut self,
        fd: Resource<Descriptor>,
        path: String,
    ) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::VirtualDir(d) => d.create_directory_at(&path),
            d => d.dir()?.create_directory_at(path).await,
        }
    }

    async fn stat(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorStat> {
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.stat().await,
            Descriptor::Dir(d) => d.stat().await,
            Descriptor::VirtualFile(f) => f.stat(),
            Descriptor::VirtualDir(d) => d.stat(),
        }
    }

    async fn stat_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<DescriptorStat> {
        match self.descriptor(&fd)? {
            Descriptor::VirtualDir(d) => d.stat_at(flags, &path),
            d => d.dir()?.stat_at(flags, path).await,
        }
    }

    async fn set_times_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::VirtualDir(d) => d.set_times_at(flags, &path, atime, mtime),
            d => d.dir()?.set_times_at(flags, path, atime, mtime).await,
        }
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
        match (&old, &new) {
            (Descriptor::VirtualDir(o), Descriptor::VirtualDir(n)) => {
                o.link_at(old_flags, &old_path, n, &new_path)
            }
            (Descriptor::VirtualDir(_), _) => Err(pair_error(&new)),
            _ => {
                old.dir()?
                    .link_at(old_flags, old_path, new.dir()?, new_path)
                    .await
            }
        }
    }

    async fn open_at(
        &mut self,
        fd: Resource<Descriptor>,
        path_flags: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Resource<Descriptor>> {
        let opened = match self.descriptor(&fd)? {
            Descriptor::VirtualDir(d) => d.open_at(path_flags, &path, oflags, flags)?,
            d => d.dir()?.open_at(path_flags, path, oflags, flags).await?,
        };
        Ok(self.table().push(opened)?)
    }

    async fn readlink_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<String> {
        match self.descriptor(&fd)? {
            Descriptor::VirtualDir(d) => d.readlink_at(&path),
            d => d.dir()?.readlink_at(path).await,
        }
    }

    async fn remove_directory_at(
        &mut self,
        fd: Resource<Descriptor>,
        path: String,
    ) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::VirtualDir(d) => d.remove_directory_at(&path),
            d => d.dir()?.remove_directory_at(path).await,
        }
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
        match (&old, &new) {
            (Descriptor::VirtualDir(o), Descriptor::VirtualDir(n)) => {
                o.rename_at(&old_path, n, &new_path)
            }
            (Descriptor::VirtualDir(_), _) => Err(pair_error(&new)),
            _ => old.dir()?.rename_at(old_path, new.dir()?, new_path).await,
        }
    }

    async fn symlink_at(
        &mut self,
        fd: Resource<Descriptor>,
        old_path: String,
        new_path: String,
    ) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::VirtualDir(d) => d.symlink_at(&old_path, &new_path),
            d => d.dir()?.symlink_at(old_path, new_path).await,
        }
    }

    async fn unlink_file_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()> {
        match self.descriptor(&fd)? {
            Descriptor::VirtualDir(d) => d.unlink_file_at(&path),
            d => d.dir()?.unlink_file_at(path).await,
        }
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
        match self.descriptor(&fd)? {
            Descriptor::File(f) => f.metadata_hash().await,
            Descriptor::Dir(d) => d.metadata_hash().await,
            Descriptor::VirtualFile(f) => f.metadata_hash(),
            Descriptor::VirtualDir(d) => d.metadata_hash(),
        }
    }

    async fn metadata_hash_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        match self.descriptor(&fd)? {
            Descriptor::VirtualDir(d) => d.metadata_hash_at(flags, &path),
            d => d.dir()?.metadata_hash_at(flags, path).await,
        }
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

/// The error of a link or rename from a virtual directory to `new`:
/// `not-directory` if `new` is no directory, `cross-device` otherwise.
fn pair_error(new: &Descriptor) -> FsError {
    match new {
        Descriptor::File(_) | Descriptor::VirtualFile(_) => ErrorCode::NotDirectory.into(),
        _ => ErrorCode::CrossDevice.into(),
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
