//! The one place where the 0.3 front-end translates between the crate's
//! filesystem types ([`crate::filesystem`]) and the copies `bindgen!`
//! generates for `wasi:filesystem@0.3.0`, and where its error type,
//! [`FsError`], is made from the backends' error.
//!
//! Variants, flags and fields map to those of the same name. Where 0.3
//! differs from the crate's (0.2-shaped) vocabulary: a descriptor type the
//! host could not name is `other(none)`; timestamps are `instant`s with
//! signed seconds (a time before 1970 given to `set-times` is `invalid`,
//! as the backends cannot set one); `would-block`, which 0.3 lacks, is
//! `other("would-block")`.

use crate::TrappableError;
use crate::clocks::Datetime;
use crate::filesystem as neutral;
use crate::p3::bindings::clocks::system_clock::Instant;
use crate::p3::bindings::filesystem::types as b;

/// The error of a 0.3 `wasi:filesystem` call: an `error-code` for the
/// guest, or a trap.
pub type FsError = TrappableError<b::ErrorCode>;

/// The result of a 0.3 `wasi:filesystem` call.
pub type FsResult<T> = Result<T, FsError>;

impl From<neutral::FsError> for FsError {
    fn from(err: neutral::FsError) -> Self {
        match err.downcast() {
            Ok(code) => error_code(code).into(),
            Err(trap) => FsError::trap(trap),
        }
    }
}

impl From<wasmtime::component::ResourceTableError> for FsError {
    fn from(err: wasmtime::component::ResourceTableError) -> Self {
        FsError::trap(err)
    }
}

/// A backend error code as 0.3's.
pub(crate) fn error_code(code: neutral::ErrorCode) -> b::ErrorCode {
    use b::ErrorCode as B;
    use neutral::ErrorCode as N;
    match code {
        N::Access => B::Access,
        N::WouldBlock => B::Other(Some("would-block".into())),
        N::Already => B::Already,
        N::BadDescriptor => B::BadDescriptor,
        N::Busy => B::Busy,
        N::Deadlock => B::Deadlock,
        N::Quota => B::Quota,
        N::Exist => B::Exist,
        N::FileTooLarge => B::FileTooLarge,
        N::IllegalByteSequence => B::IllegalByteSequence,
        N::InProgress => B::InProgress,
        N::Interrupted => B::Interrupted,
        N::Invalid => B::Invalid,
        N::Io => B::Io,
        N::IsDirectory => B::IsDirectory,
        N::Loop => B::Loop,
        N::TooManyLinks => B::TooManyLinks,
        N::MessageSize => B::MessageSize,
        N::NameTooLong => B::NameTooLong,
        N::NoDevice => B::NoDevice,
        N::NoEntry => B::NoEntry,
        N::NoLock => B::NoLock,
        N::InsufficientMemory => B::InsufficientMemory,
        N::InsufficientSpace => B::InsufficientSpace,
        N::NotDirectory => B::NotDirectory,
        N::NotEmpty => B::NotEmpty,
        N::NotRecoverable => B::NotRecoverable,
        N::Unsupported => B::Unsupported,
        N::NoTty => B::NoTty,
        N::NoSuchDevice => B::NoSuchDevice,
        N::Overflow => B::Overflow,
        N::NotPermitted => B::NotPermitted,
        N::Pipe => B::Pipe,
        N::ReadOnly => B::ReadOnly,
        N::InvalidSeek => B::InvalidSeek,
        N::TextFileBusy => B::TextFileBusy,
        N::CrossDevice => B::CrossDevice,
        N::TooManyOpenFiles => B::InsufficientMemory,
    }
}

/// The error code of a file stream's failure (an I/O error of the
/// backend), `io` where it has none.
pub(crate) fn stream_error(err: &wasmtime::Error) -> b::ErrorCode {
    neutral::stream_error_code(err).map_or(b::ErrorCode::Io, error_code)
}

impl From<neutral::DescriptorType> for b::DescriptorType {
    fn from(t: neutral::DescriptorType) -> Self {
        use b::DescriptorType as B;
        use neutral::DescriptorType as N;
        match t {
            N::Unknown => B::Other(None),
            N::BlockDevice => B::BlockDevice,
            N::CharacterDevice => B::CharacterDevice,
            N::Directory => B::Directory,
            N::Fifo => B::Fifo,
            N::SymbolicLink => B::SymbolicLink,
            N::RegularFile => B::RegularFile,
            N::Socket => B::Socket,
        }
    }
}

/// `From` both ways between a crate flags type and its 0.3 copy, flag by
/// flag.
macro_rules! flags {
    ($ty:ident: $($f:ident),* $(,)?) => {
        impl From<neutral::$ty> for b::$ty {
            fn from(x: neutral::$ty) -> Self {
                let mut out = b::$ty::empty();
                $(if x.contains(neutral::$ty::$f) { out |= b::$ty::$f; })*
                out
            }
        }

        impl From<b::$ty> for neutral::$ty {
            fn from(x: b::$ty) -> Self {
                let mut out = neutral::$ty::empty();
                $(if x.contains(b::$ty::$f) { out |= neutral::$ty::$f; })*
                out
            }
        }
    };
}

flags!(DescriptorFlags: READ, WRITE, FILE_INTEGRITY_SYNC, DATA_INTEGRITY_SYNC, REQUESTED_WRITE_SYNC, MUTATE_DIRECTORY);
flags!(PathFlags: SYMLINK_FOLLOW);
flags!(OpenFlags: CREATE, DIRECTORY, EXCLUSIVE, TRUNCATE);

impl From<b::Advice> for neutral::Advice {
    fn from(a: b::Advice) -> Self {
        match a {
            b::Advice::Normal => neutral::Advice::Normal,
            b::Advice::Sequential => neutral::Advice::Sequential,
            b::Advice::Random => neutral::Advice::Random,
            b::Advice::WillNeed => neutral::Advice::WillNeed,
            b::Advice::DontNeed => neutral::Advice::DontNeed,
            b::Advice::NoReuse => neutral::Advice::NoReuse,
        }
    }
}

/// A backend timestamp as an `instant`.
pub(crate) fn instant(t: Datetime) -> Instant {
    Instant {
        seconds: i64::try_from(t.seconds).unwrap_or(i64::MAX),
        nanoseconds: t.nanoseconds,
    }
}

impl From<neutral::DescriptorStat> for b::DescriptorStat {
    fn from(s: neutral::DescriptorStat) -> Self {
        b::DescriptorStat {
            type_: s.type_.into(),
            link_count: s.link_count,
            size: s.size,
            data_access_timestamp: s.data_access_timestamp.map(instant),
            data_modification_timestamp: s.data_modification_timestamp.map(instant),
            status_change_timestamp: s.status_change_timestamp.map(instant),
        }
    }
}

/// A guest's new timestamp as the backends'; `invalid` before 1970 or
/// with a nanosecond count of a second or more.
pub(crate) fn new_timestamp(t: b::NewTimestamp) -> Result<neutral::NewTimestamp, b::ErrorCode> {
    Ok(match t {
        b::NewTimestamp::NoChange => neutral::NewTimestamp::NoChange,
        b::NewTimestamp::Now => neutral::NewTimestamp::Now,
        b::NewTimestamp::Timestamp(i) => {
            let seconds = u64::try_from(i.seconds).map_err(|_| b::ErrorCode::Invalid)?;
            neutral::NewTimestamp::Timestamp(Datetime {
                seconds,
                nanoseconds: i.nanoseconds,
            })
        }
    })
}

impl From<neutral::DirectoryEntry> for b::DirectoryEntry {
    fn from(e: neutral::DirectoryEntry) -> Self {
        b::DirectoryEntry {
            type_: e.type_.into(),
            name: e.name,
        }
    }
}

impl From<neutral::MetadataHashValue> for b::MetadataHashValue {
    fn from(h: neutral::MetadataHashValue) -> Self {
        b::MetadataHashValue {
            lower: h.lower,
            upper: h.upper,
        }
    }
}
