//! `wasi:filesystem/types` for [`crate::filesystem::WasiFilesystemCtxView`], async flavour: each method
//! converts the bindings' arguments to the crate's types (`convert.rs`),
//! awaits the call of `calls.rs` and converts its result back.

use super::calls;
use super::convert::{FsError, FsResult};
use crate::filesystem::WasiFilesystemCtxView;
use crate::filesystem::{Descriptor, ReaddirStream};
use crate::io::{InputStream, IoError, OutputStream};
use crate::p2::bindings::filesystem::types::{
    self, Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    Filesize, MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::p2::observe::observed;
use wasmtime::component::Resource;

impl types::Host for WasiFilesystemCtxView<'_> {
    fn convert_error_code(&mut self, err: FsError) -> wasmtime::Result<ErrorCode> {
        err.downcast()
    }

    async fn filesystem_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        let code = observed!(
            &self.ctx.observer,
            "wasi:filesystem/types",
            "filesystem-error-code",
            [err],
            calls::filesystem_error_code(self, err)
        );
        Ok(code?.map(Into::into))
    }
}

/// Each listed method (with its name in the interface): the arguments
/// converted, the call of the same name awaited (and observed), the
/// result (or the error) converted.
macro_rules! forward {
    ($( fn $name:ident = $wit:literal(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        $(
            async fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                $(let $arg = $arg.into();)*
                observed!(&self.ctx.observer, "wasi:filesystem/types", $wit, [$($arg),*],
                    calls::$name(self $(, $arg)*).await)
                    .map(Into::into)
                    .map_err(Into::into)
            }
        )*
    };
}

impl types::HostDescriptor for WasiFilesystemCtxView<'_> {
    forward! {
        fn read_via_stream = "[method]descriptor.read-via-stream"(&mut self, self_: Resource<Descriptor>, offset: Filesize) -> FsResult<Resource<InputStream>>;
        fn write_via_stream = "[method]descriptor.write-via-stream"(&mut self, self_: Resource<Descriptor>, offset: Filesize) -> FsResult<Resource<OutputStream>>;
        fn append_via_stream = "[method]descriptor.append-via-stream"(&mut self, self_: Resource<Descriptor>) -> FsResult<Resource<OutputStream>>;
        fn advise = "[method]descriptor.advise"(&mut self, self_: Resource<Descriptor>, offset: Filesize, len: Filesize, advice: Advice) -> FsResult<()>;
        fn sync_data = "[method]descriptor.sync-data"(&mut self, self_: Resource<Descriptor>) -> FsResult<()>;
        fn get_flags = "[method]descriptor.get-flags"(&mut self, self_: Resource<Descriptor>) -> FsResult<DescriptorFlags>;
        fn get_type = "[method]descriptor.get-type"(&mut self, self_: Resource<Descriptor>) -> FsResult<DescriptorType>;
        fn set_size = "[method]descriptor.set-size"(&mut self, self_: Resource<Descriptor>, size: Filesize) -> FsResult<()>;
        fn set_times = "[method]descriptor.set-times"(&mut self, self_: Resource<Descriptor>, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()>;
        fn read = "[method]descriptor.read"(&mut self, self_: Resource<Descriptor>, len: Filesize, offset: Filesize) -> FsResult<(Vec<u8>, bool)>;
        fn write = "[method]descriptor.write"(&mut self, self_: Resource<Descriptor>, buf: Vec<u8>, offset: Filesize) -> FsResult<Filesize>;
        fn read_directory = "[method]descriptor.read-directory"(&mut self, self_: Resource<Descriptor>) -> FsResult<Resource<ReaddirStream>>;
        fn sync = "[method]descriptor.sync"(&mut self, self_: Resource<Descriptor>) -> FsResult<()>;
        fn create_directory_at = "[method]descriptor.create-directory-at"(&mut self, self_: Resource<Descriptor>, path: String) -> FsResult<()>;
        fn stat = "[method]descriptor.stat"(&mut self, self_: Resource<Descriptor>) -> FsResult<DescriptorStat>;
        fn stat_at = "[method]descriptor.stat-at"(&mut self, self_: Resource<Descriptor>, flags: PathFlags, path: String) -> FsResult<DescriptorStat>;
        fn set_times_at = "[method]descriptor.set-times-at"(&mut self, self_: Resource<Descriptor>, flags: PathFlags, path: String, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()>;
        fn link_at = "[method]descriptor.link-at"(&mut self, self_: Resource<Descriptor>, old_flags: PathFlags, old_path: String, new_fd: Resource<Descriptor>, new_path: String) -> FsResult<()>;
        fn open_at = "[method]descriptor.open-at"(&mut self, self_: Resource<Descriptor>, path_flags: PathFlags, path: String, oflags: OpenFlags, flags: DescriptorFlags) -> FsResult<Resource<Descriptor>>;
        fn readlink_at = "[method]descriptor.readlink-at"(&mut self, self_: Resource<Descriptor>, path: String) -> FsResult<String>;
        fn remove_directory_at = "[method]descriptor.remove-directory-at"(&mut self, self_: Resource<Descriptor>, path: String) -> FsResult<()>;
        fn rename_at = "[method]descriptor.rename-at"(&mut self, self_: Resource<Descriptor>, old_path: String, new_fd: Resource<Descriptor>, new_path: String) -> FsResult<()>;
        fn symlink_at = "[method]descriptor.symlink-at"(&mut self, self_: Resource<Descriptor>, old_path: String, new_path: String) -> FsResult<()>;
        fn unlink_file_at = "[method]descriptor.unlink-file-at"(&mut self, self_: Resource<Descriptor>, path: String) -> FsResult<()>;
        fn is_same_object = "[method]descriptor.is-same-object"(&mut self, self_: Resource<Descriptor>, other: Resource<Descriptor>) -> wasmtime::Result<bool>;
        fn metadata_hash = "[method]descriptor.metadata-hash"(&mut self, self_: Resource<Descriptor>) -> FsResult<MetadataHashValue>;
        fn metadata_hash_at = "[method]descriptor.metadata-hash-at"(&mut self, self_: Resource<Descriptor>, flags: PathFlags, path: String) -> FsResult<MetadataHashValue>;
    }

    async fn drop(&mut self, rep: Resource<Descriptor>) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:filesystem/types",
            "[resource-drop]descriptor",
            [rep],
            calls::drop_descriptor(self, rep).await
        )
    }
}

impl types::HostDirectoryEntryStream for WasiFilesystemCtxView<'_> {
    async fn read_directory_entry(
        &mut self,
        self_: Resource<ReaddirStream>,
    ) -> FsResult<Option<DirectoryEntry>> {
        let entry = observed!(
            &self.ctx.observer,
            "wasi:filesystem/types",
            "[method]directory-entry-stream.read-directory-entry",
            [self_],
            calls::read_directory_entry(self, self_).await
        );
        Ok(entry?.map(Into::into))
    }

    async fn drop(&mut self, rep: Resource<ReaddirStream>) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:filesystem/types",
            "[resource-drop]directory-entry-stream",
            [rep],
            calls::drop_listing(self, rep).await
        )
    }
}
