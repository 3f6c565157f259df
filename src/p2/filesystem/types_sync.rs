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
use crate::p2::observe::observed;
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
/// converted (the event also names the mount of the descriptor), the call of the same name run to completion (and observed),
/// the result (or the error) converted.
macro_rules! forward {
    ($( fn $name:ident = $wit:literal(&mut self, $self_:ident: $self_ty:ty $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        $(
            fn $name(&mut self, $self_: $self_ty $(, $arg: $ty)*) -> $ret {
                $(let $arg = $arg.into();)*
                observed!(&self.ctx.observer, "wasi:filesystem/types", $wit,
                    [$self_ $(, $arg)*, mount = calls::mount_name(self, &$self_)],
                    block_on(calls::$name(self, $self_ $(, $arg)*)))
                    .map(Into::into)
                    .map_err(Into::into)
            }
        )*
    };
}

impl types::HostDescriptor for WasiFilesystemCtxView<'_> {
    super::descriptor_methods!(forward);

    /// Without `block_on` when a listing or `stat-at` just learned the
    /// answer (libc asks this for every entry it lists).
    fn metadata_hash_at(
        &mut self,
        self_: Resource<Descriptor>,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        let flags = flags.into();
        let hash = observed!(
            &self.ctx.observer,
            "wasi:filesystem/types",
            "[method]descriptor.metadata-hash-at",
            [self_, flags, path, mount = calls::mount_name(self, &self_)],
            match calls::metadata_hash_at_known(self, &self_, flags, &path) {
                Ok(Some(hash)) => Ok(hash),
                Ok(None) => block_on(calls::metadata_hash_at(self, self_, flags, path)),
                Err(e) => Err(e),
            }
        );
        Ok(hash?.into())
    }

    fn drop(&mut self, rep: Resource<Descriptor>) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:filesystem/types",
            "[resource-drop]descriptor",
            [rep],
            block_on(calls::drop_descriptor(self, rep))
        )
    }
}

impl types::HostDirectoryEntryStream for WasiFilesystemCtxView<'_> {
    fn read_directory_entry(
        &mut self,
        self_: Resource<ReaddirStream>,
    ) -> FsResult<Option<DirectoryEntry>> {
        // An entry of the batch in hand needs no `block_on`.
        let entry = observed!(
            &self.ctx.observer,
            "wasi:filesystem/types",
            "[method]directory-entry-stream.read-directory-entry",
            [self_],
            match calls::read_directory_entry_now(self, &self_) {
                Ok(Some(entry)) => entry,
                Ok(None) => block_on(calls::read_directory_entry(self, self_)),
                Err(e) => Err(e),
            }
        );
        Ok(entry?.map(Into::into))
    }

    fn drop(&mut self, rep: Resource<ReaddirStream>) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:filesystem/types",
            "[resource-drop]directory-entry-stream",
            [rep],
            block_on(calls::drop_listing(self, rep))
        )
    }
}
