//! The one place where the 0.2 front-end translates between the crate's
//! filesystem types ([`crate::filesystem`]) and the copies of them that
//! `bindgen!` generates, once per flavour (`bindings::filesystem::types`
//! and `bindings::sync::filesystem::types`); between the two flavours'
//! copies (through the crate's type); and the 0.2 error type, [`FsError`],
//! made from the backends' error.
//!
//! Every conversion maps a variant to the variant of the same name, a flag
//! to the flag of the same name, a field to the field of the same name:
//! nothing is allocated and nothing can fail. Timestamps go through
//! private functions rather than `From`, so that `wasi:clocks` stays free
//! to convert its own `datetime` as it likes.

use crate::TrappableError;
use crate::clocks::Datetime;
use crate::filesystem as neutral;
use crate::p2::bindings::clocks::wall_clock;
use crate::p2::bindings::filesystem::types as a;
use crate::p2::bindings::sync::filesystem::types as s;

/// The error of a 0.2 `wasi:filesystem` call: an `error-code` of the
/// bindings for the guest, or a trap. The backends' [`neutral::FsError`]
/// becomes one with `?`: a code maps to the same code, a trap stays the
/// same trap.
pub type FsError = TrappableError<a::ErrorCode>;

/// The result of a 0.2 `wasi:filesystem` call.
pub type FsResult<T> = Result<T, FsError>;

impl From<neutral::FsError> for FsError {
    fn from(err: neutral::FsError) -> Self {
        match err.downcast() {
            Ok(code) => a::ErrorCode::from(code).into(),
            Err(trap) => FsError::trap(trap),
        }
    }
}

impl From<wasmtime::component::ResourceTableError> for FsError {
    fn from(err: wasmtime::component::ResourceTableError) -> Self {
        FsError::trap(err)
    }
}

/// A timestamp as the bindings' `datetime` (shared by both flavours).
fn datetime_out(t: Datetime) -> wall_clock::Datetime {
    wall_clock::Datetime {
        seconds: t.seconds,
        nanoseconds: t.nanoseconds,
    }
}

/// A guest's `datetime` as the crate's timestamp.
fn datetime_in(t: wall_clock::Datetime) -> Datetime {
    Datetime {
        seconds: t.seconds,
        nanoseconds: t.nanoseconds,
    }
}

/// `From` both ways between a crate enum without payloads and its copy in
/// each flavour's bindings, variant by variant.
macro_rules! enums {
    ($ty:ident: $($v:ident),* $(,)? $(; $($own:ident => $std:ident),*)?) => {
        enums!(@in a, $ty: $($v),* ; $($($own => $std),*)?);
        enums!(@in s, $ty: $($v),* ; $($($own => $std),*)?);
    };
    (@in $g:ident, $ty:ident: $($v:ident),* ; $($own:ident => $std:ident),*) => {
        impl From<neutral::$ty> for $g::$ty {
            fn from(x: neutral::$ty) -> Self {
                match x {
                    $(neutral::$ty::$v => $g::$ty::$v,)*
                    $(neutral::$ty::$own => $g::$ty::$std,)*
                }
            }
        }

        impl From<$g::$ty> for neutral::$ty {
            fn from(x: $g::$ty) -> Self {
                match x {
                    $($g::$ty::$v => neutral::$ty::$v,)*
                }
            }
        }
    };
}

enums!(ErrorCode:
    Access, WouldBlock, Already, BadDescriptor, Busy, Deadlock, Quota, Exist, FileTooLarge,
    IllegalByteSequence, InProgress, Interrupted, Invalid, Io, IsDirectory, Loop, TooManyLinks,
    MessageSize, NameTooLong, NoDevice, NoEntry, NoLock, InsufficientMemory, InsufficientSpace,
    NotDirectory, NotEmpty, NotRecoverable, Unsupported, NoTty, NoSuchDevice, Overflow,
    NotPermitted, Pipe, ReadOnly, InvalidSeek, TextFileBusy, CrossDevice;
    // The crate's own code, told as the standard's.
    TooManyOpenFiles => InsufficientMemory);
enums!(DescriptorType:
    Unknown, BlockDevice, CharacterDevice, Directory, Fifo, SymbolicLink, RegularFile, Socket);
enums!(Advice: Normal, Sequential, Random, WillNeed, DontNeed, NoReuse);

/// `From` both ways between a crate flags type and its copy in each
/// flavour's bindings, flag by flag.
macro_rules! flags {
    ($ty:ident: $($f:ident),* $(,)?) => {
        flags!(@in a, $ty: $($f),*);
        flags!(@in s, $ty: $($f),*);
    };
    (@in $g:ident, $ty:ident: $($f:ident),*) => {
        impl From<neutral::$ty> for $g::$ty {
            fn from(x: neutral::$ty) -> Self {
                let mut out = $g::$ty::empty();
                $(
                    if x.contains(neutral::$ty::$f) {
                        out |= $g::$ty::$f;
                    }
                )*
                out
            }
        }

        impl From<$g::$ty> for neutral::$ty {
            fn from(x: $g::$ty) -> Self {
                let mut out = neutral::$ty::empty();
                $(
                    if x.contains($g::$ty::$f) {
                        out |= neutral::$ty::$f;
                    }
                )*
                out
            }
        }
    };
}

flags!(DescriptorFlags: READ, WRITE, FILE_INTEGRITY_SYNC, DATA_INTEGRITY_SYNC,
    REQUESTED_WRITE_SYNC, MUTATE_DIRECTORY);
flags!(PathFlags: SYMLINK_FOLLOW);
flags!(OpenFlags: CREATE, DIRECTORY, EXCLUSIVE, TRUNCATE);

/// `From` both ways between the crate's records and variants with fields
/// and their copies in the bindings of each flavour named.
macro_rules! records {
    ($($g:ident),*) => {$(
        impl From<neutral::DescriptorStat> for $g::DescriptorStat {
            fn from(x: neutral::DescriptorStat) -> Self {
                $g::DescriptorStat {
                    type_: x.type_.into(),
                    link_count: x.link_count,
                    size: x.size,
                    data_access_timestamp: x.data_access_timestamp.map(datetime_out),
                    data_modification_timestamp: x.data_modification_timestamp.map(datetime_out),
                    status_change_timestamp: x.status_change_timestamp.map(datetime_out),
                }
            }
        }

        impl From<$g::DescriptorStat> for neutral::DescriptorStat {
            fn from(x: $g::DescriptorStat) -> Self {
                neutral::DescriptorStat {
                    type_: x.type_.into(),
                    link_count: x.link_count,
                    size: x.size,
                    data_access_timestamp: x.data_access_timestamp.map(datetime_in),
                    data_modification_timestamp: x.data_modification_timestamp.map(datetime_in),
                    status_change_timestamp: x.status_change_timestamp.map(datetime_in),
                    dev: 0,
                    ino: 0,
                }
            }
        }

        impl From<neutral::NewTimestamp> for $g::NewTimestamp {
            fn from(x: neutral::NewTimestamp) -> Self {
                match x {
                    neutral::NewTimestamp::NoChange => $g::NewTimestamp::NoChange,
                    neutral::NewTimestamp::Now => $g::NewTimestamp::Now,
                    neutral::NewTimestamp::Timestamp(t) => {
                        $g::NewTimestamp::Timestamp(datetime_out(t))
                    }
                }
            }
        }

        impl From<$g::NewTimestamp> for neutral::NewTimestamp {
            fn from(x: $g::NewTimestamp) -> Self {
                match x {
                    $g::NewTimestamp::NoChange => neutral::NewTimestamp::NoChange,
                    $g::NewTimestamp::Now => neutral::NewTimestamp::Now,
                    $g::NewTimestamp::Timestamp(t) => {
                        neutral::NewTimestamp::Timestamp(datetime_in(t))
                    }
                }
            }
        }

        impl From<neutral::DirectoryEntry> for $g::DirectoryEntry {
            fn from(x: neutral::DirectoryEntry) -> Self {
                $g::DirectoryEntry {
                    type_: x.type_.into(),
                    name: x.name,
                }
            }
        }

        impl From<$g::DirectoryEntry> for neutral::DirectoryEntry {
            fn from(x: $g::DirectoryEntry) -> Self {
                neutral::DirectoryEntry {
                    type_: x.type_.into(),
                    name: x.name,
                    ino: None,
                }
            }
        }

        impl From<neutral::MetadataHashValue> for $g::MetadataHashValue {
            fn from(x: neutral::MetadataHashValue) -> Self {
                $g::MetadataHashValue {
                    lower: x.lower,
                    upper: x.upper,
                }
            }
        }

        impl From<$g::MetadataHashValue> for neutral::MetadataHashValue {
            fn from(x: $g::MetadataHashValue) -> Self {
                neutral::MetadataHashValue {
                    lower: x.lower,
                    upper: x.upper,
                }
            }
        }
    )*};
}

records!(a, s);

/// `From` both ways between the async and the sync flavours' copies of a
/// type, through the crate's own.
macro_rules! between_flavours {
    ($($ty:ident),* $(,)?) => {$(
        impl From<a::$ty> for s::$ty {
            fn from(x: a::$ty) -> Self {
                neutral::$ty::from(x).into()
            }
        }

        impl From<s::$ty> for a::$ty {
            fn from(x: s::$ty) -> Self {
                neutral::$ty::from(x).into()
            }
        }
    )*};
}

between_flavours!(
    ErrorCode,
    DescriptorType,
    Advice,
    DescriptorFlags,
    PathFlags,
    OpenFlags,
    DescriptorStat,
    NewTimestamp,
    DirectoryEntry,
    MetadataHashValue,
);
