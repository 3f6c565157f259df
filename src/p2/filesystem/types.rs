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
/// converted (the event also names the mount of the descriptor), the call of the same name awaited (and observed), the
/// result (or the error) converted.
macro_rules! forward {
    ($( fn $name:ident = $wit:literal(&mut self, $self_:ident: $self_ty:ty $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        $(
            async fn $name(&mut self, $self_: $self_ty $(, $arg: $ty)*) -> $ret {
                $(let $arg = $arg.into();)*
                observed!(&self.ctx.observer, "wasi:filesystem/types", $wit,
                    [$self_ $(, $arg)*, mount = calls::mount_name(self, &$self_)],
                    calls::$name(self, $self_ $(, $arg)*).await)
                    .map(Into::into)
                    .map_err(Into::into)
            }
        )*
    };
}

impl types::HostDescriptor for WasiFilesystemCtxView<'_> {
    super::descriptor_methods!(forward);
    forward! {
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
