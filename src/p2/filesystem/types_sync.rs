//! `wasi:filesystem/types` for [`crate::filesystem::WasiFilesystemCtxView`], sync flavour: each method
//! converts the sync bindings' arguments to the crate's types
//! (`convert.rs`), runs the call of `calls.rs` through [`block_on`], where
//! blocking file I/O runs inline on the calling thread, and converts its
//! result back.

use super::calls;
use super::convert::{FsError, FsResult};
use crate::filesystem::WasiFilesystemCtxView;
use crate::filesystem::{Descriptor, ReaddirStream};
use crate::io::{InputStream, IoError, OutputStream};
use crate::p2::bindings::sync::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    Filesize, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::runtime::block_on;
use wasmtime::component::Resource;

impl types::Host for WasiFilesystemCtxView<'_> {
    fn convert_error_code(&mut self, err: FsError) -> wasmtime::Result<ErrorCode> {
        Ok(err.downcast()?.into())
    }

    fn filesystem_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        Ok(calls::filesystem_error_code(self, err)?.map(Into::into))
    }
}

/// Each listed method: the arguments converted, the call of the same name
/// run to completion, the result (or the error) converted.
macro_rules! forward {
    ($( fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        $(
            fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                block_on(calls::$name(self $(, $arg.into())*))
                    .map(Into::into)
                    .map_err(Into::into)
            }
        )*
    };
}

impl types::HostDescriptor for WasiFilesystemCtxView<'_> {
    forward! {
        fn read_via_stream(&mut self, fd: Resource<Descriptor>, offset: Filesize) -> FsResult<Resource<InputStream>>;
        fn write_via_stream(&mut self, fd: Resource<Descriptor>, offset: Filesize) -> FsResult<Resource<OutputStream>>;
        fn append_via_stream(&mut self, fd: Resource<Descriptor>) -> FsResult<Resource<OutputStream>>;
        fn advise(&mut self, fd: Resource<Descriptor>, offset: Filesize, len: Filesize, advice: Advice) -> FsResult<()>;
        fn sync_data(&mut self, fd: Resource<Descriptor>) -> FsResult<()>;
        fn get_flags(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorFlags>;
        fn get_type(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorType>;
        fn set_size(&mut self, fd: Resource<Descriptor>, size: Filesize) -> FsResult<()>;
        fn set_times(&mut self, fd: Resource<Descriptor>, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()>;
        fn read(&mut self, fd: Resource<Descriptor>, len: Filesize, offset: Filesize) -> FsResult<(Vec<u8>, bool)>;
        fn write(&mut self, fd: Resource<Descriptor>, buf: Vec<u8>, offset: Filesize) -> FsResult<Filesize>;
        fn read_directory(&mut self, fd: Resource<Descriptor>) -> FsResult<Resource<ReaddirStream>>;
        fn sync(&mut self, fd: Resource<Descriptor>) -> FsResult<()>;
        fn create_directory_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()>;
        fn stat(&mut self, fd: Resource<Descriptor>) -> FsResult<DescriptorStat>;
        fn stat_at(&mut self, fd: Resource<Descriptor>, flags: PathFlags, path: String) -> FsResult<DescriptorStat>;
        fn set_times_at(&mut self, fd: Resource<Descriptor>, flags: PathFlags, path: String, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()>;
        fn link_at(&mut self, fd: Resource<Descriptor>, old_flags: PathFlags, old_path: String, new_fd: Resource<Descriptor>, new_path: String) -> FsResult<()>;
        fn open_at(&mut self, fd: Resource<Descriptor>, path_flags: PathFlags, path: String, oflags: OpenFlags, flags: DescriptorFlags) -> FsResult<Resource<Descriptor>>;
        fn readlink_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<String>;
        fn remove_directory_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()>;
        fn rename_at(&mut self, fd: Resource<Descriptor>, old_path: String, new_fd: Resource<Descriptor>, new_path: String) -> FsResult<()>;
        fn symlink_at(&mut self, fd: Resource<Descriptor>, old_path: String, new_path: String) -> FsResult<()>;
        fn unlink_file_at(&mut self, fd: Resource<Descriptor>, path: String) -> FsResult<()>;
        fn is_same_object(&mut self, fd: Resource<Descriptor>, other: Resource<Descriptor>) -> wasmtime::Result<bool>;
        fn metadata_hash(&mut self, fd: Resource<Descriptor>) -> FsResult<MetadataHashValue>;
    }

    /// Without `block_on` when a listing or `stat-at` just learned the
    /// answer (libc asks this for every entry it lists).
    fn metadata_hash_at(
        &mut self,
        fd: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        let flags = flags.into();
        if let Some(hash) = calls::metadata_hash_at_known(self, &fd, flags, &path)? {
            return Ok(hash.into());
        }
        Ok(block_on(calls::metadata_hash_at(self, fd, flags, path))?.into())
    }

    fn drop(&mut self, fd: Resource<Descriptor>) -> wasmtime::Result<()> {
        block_on(calls::drop_descriptor(self, fd))
    }
}

impl types::HostDirectoryEntryStream for WasiFilesystemCtxView<'_> {
    fn read_directory_entry(
        &mut self,
        stream: Resource<ReaddirStream>,
    ) -> FsResult<Option<DirectoryEntry>> {
        // An entry of the batch in hand needs no `block_on`.
        if let Some(entry) = calls::read_directory_entry_now(self, &stream)? {
            return Ok(entry?.map(Into::into));
        }
        Ok(block_on(calls::read_directory_entry(self, stream))?.map(Into::into))
    }

    fn drop(&mut self, stream: Resource<ReaddirStream>) -> wasmtime::Result<()> {
        block_on(calls::drop_listing(self, stream))
    }
}
