//! `wasi:filesystem` for components: `types` (async flavour) and
//! `types_sync` (sync flavour) convert between the bindings and the
//! crate's own filesystem types (`convert.rs`, with the 0.2 error type)
//! around the calls written once in `calls.rs`; `preopens` hands out the
//! mount table.

mod calls;
mod convert;
mod preopens;
mod types;
mod types_sync;

pub use convert::{FsError, FsResult};

/// Hands `$forward!` the descriptor methods both flavours forward alike,
/// each with its name in the interface. The types are named as both
/// flavours' bindings name them (each file imports its own).
macro_rules! descriptor_methods {
    ($forward:ident) => {
        $forward! {
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
        }
    };
}
pub(super) use descriptor_methods;
