//! `wasi:filesystem/types` for [`WasiImpl`], sync flavour: every method runs
//! the async flavour's future through [`block_on`], where blocking file I/O
//! runs inline on the calling thread.
//!
//! The sync bindings generate their own copies of the interface's records,
//! flags and enums; the conversions between the two copies are here.

use crate::bindings::filesystem::types as a;
use crate::bindings::filesystem::types::{self as async_types, Filesize};
use crate::bindings::sync::filesystem::types;
use crate::bindings::sync::filesystem::types as s;
use crate::bindings::sync::filesystem::types::{
    Advice, DescriptorFlags, DescriptorStat, DescriptorType, DirectoryEntry, ErrorCode,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags,
};
use crate::filesystem::{Descriptor, FsError, FsResult, ReaddirStream};
use crate::io::{InputStream, IoError, OutputStream};
use crate::runtime::block_on;
use crate::{WasiImpl, WasiView};
use wasmtime::component::Resource;

impl<T: WasiView> types::Host for WasiImpl<T> {
    fn convert_error_code(&mut self, err: FsError) -> wasmtime::Result<ErrorCode> {
        Ok(err.downcast()?.into())
    }

    fn filesystem_error_code(
        &mut self,
        err: Resource<IoError>,
    ) -> wasmtime::Result<Option<ErrorCode>> {
        let code = block_on(<Self as async_types::Host>::filesystem_error_code(
            self, err,
        ))?;
        Ok(code.map(Into::into))
    }
}

/// Forwards each listed method to the async flavour.
macro_rules! forward {
    ($trait:ident: $( fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )*) => {
        $(
            fn $name(&mut self $(, $arg: $ty)*) -> $ret {
                block_on(<Self as async_types::$trait>::$name(self $(, $arg.into())*))
                    .map(Into::into)
            }
        )*
    };
}

impl<T: WasiView> types::HostDescriptor for WasiImpl<T> {
    forward! { HostDescriptor:
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
        fn metadata_hash_at(&mut self, fd: Resource<Descriptor>, flags: PathFlags, path: String) -> FsResult<MetadataHashValue>;
        fn drop(&mut self, fd: Resource<Descriptor>) -> wasmtime::Result<()>;
    }
}

impl<T: WasiView> types::HostDirectoryEntryStream for WasiImpl<T> {
    fn read_directory_entry(
        &mut self,
        stream: Resource<ReaddirStream>,
    ) -> FsResult<Option<DirectoryEntry>> {
        let entry = block_on(
            <Self as async_types::HostDirectoryEntryStream>::read_directory_entry(self, stream),
        )?;
        Ok(entry.map(Into::into))
    }

    forward! { HostDirectoryEntryStream:
        fn drop(&mut self, stream: Resource<ReaddirStream>) -> wasmtime::Result<()>;
    }
}

/// `From` between the two flavours' copies of a WIT enum or variant-free
/// enum, variant by variant.
macro_rules! convert_enum {
    ($from:ident => $to:ident, $ty:ident: $($v:ident),* $(,)?) => {
        impl From<$from::$ty> for $to::$ty {
            fn from(x: $from::$ty) -> Self {
                match x {
                    $($from::$ty::$v => $to::$ty::$v,)*
                }
            }
        }
    };
}

convert_enum!(a => s, ErrorCode:
    Access, WouldBlock, Already, BadDescriptor, Busy, Deadlock, Quota, Exist, FileTooLarge,
    IllegalByteSequence, InProgress, Interrupted, Invalid, Io, IsDirectory, Loop, TooManyLinks,
    MessageSize, NameTooLong, NoDevice, NoEntry, NoLock, InsufficientMemory, InsufficientSpace,
    NotDirectory, NotEmpty, NotRecoverable, Unsupported, NoTty, NoSuchDevice, Overflow,
    NotPermitted, Pipe, ReadOnly, InvalidSeek, TextFileBusy, CrossDevice);
convert_enum!(a => s, DescriptorType:
    Unknown, BlockDevice, CharacterDevice, Directory, Fifo, SymbolicLink, RegularFile, Socket);
convert_enum!(s => a, Advice: Normal, Sequential, Random, WillNeed, DontNeed, NoReuse);

/// `From` between the two flavours' copies of a WIT `flags`, flag by flag.
macro_rules! convert_flags {
    ($from:ident => $to:ident, $ty:ident: $($f:ident),* $(,)?) => {
        impl From<$from::$ty> for $to::$ty {
            fn from(x: $from::$ty) -> Self {
                let mut out = $to::$ty::empty();
                $(
                    if x.contains($from::$ty::$f) {
                        out |= $to::$ty::$f;
                    }
                )*
                out
            }
        }
    };
}

convert_flags!(a => s, DescriptorFlags: READ, WRITE, FILE_INTEGRITY_SYNC, DATA_INTEGRITY_SYNC,
    REQUESTED_WRITE_SYNC, MUTATE_DIRECTORY);
convert_flags!(s => a, DescriptorFlags: READ, WRITE, FILE_INTEGRITY_SYNC, DATA_INTEGRITY_SYNC,
    REQUESTED_WRITE_SYNC, MUTATE_DIRECTORY);
convert_flags!(s => a, PathFlags: SYMLINK_FOLLOW);
convert_flags!(s => a, OpenFlags: CREATE, DIRECTORY, EXCLUSIVE, TRUNCATE);

impl From<s::NewTimestamp> for a::NewTimestamp {
    fn from(x: s::NewTimestamp) -> Self {
        match x {
            s::NewTimestamp::NoChange => a::NewTimestamp::NoChange,
            s::NewTimestamp::Now => a::NewTimestamp::Now,
            s::NewTimestamp::Timestamp(t) => a::NewTimestamp::Timestamp(t),
        }
    }
}

impl From<a::DescriptorStat> for s::DescriptorStat {
    fn from(x: a::DescriptorStat) -> Self {
        s::DescriptorStat {
            type_: x.type_.into(),
            link_count: x.link_count,
            size: x.size,
            data_access_timestamp: x.data_access_timestamp,
            data_modification_timestamp: x.data_modification_timestamp,
            status_change_timestamp: x.status_change_timestamp,
        }
    }
}

impl From<a::DirectoryEntry> for s::DirectoryEntry {
    fn from(x: a::DirectoryEntry) -> Self {
        s::DirectoryEntry {
            type_: x.type_.into(),
            name: x.name,
        }
    }
}

impl From<a::MetadataHashValue> for s::MetadataHashValue {
    fn from(x: a::MetadataHashValue) -> Self {
        s::MetadataHashValue {
            lower: x.lower,
            upper: x.upper,
        }
    }
}
