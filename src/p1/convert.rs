//! The filesystem's types as preview 1's, and back: file types, `filestat`,
//! timestamps, advice. Errors are converted in `error.rs`.

use super::bindings::types::{Advice, Errno, Error, Filestat, Filetype, Fstflags, Timestamp};
use crate::clocks::Datetime;
use crate::filesystem::{self, DescriptorStat, DescriptorType, NewTimestamp};

/// The preview 1 type of a descriptor type (a fifo has none: `unknown`).
pub(crate) fn filetype(t: DescriptorType) -> Filetype {
    match t {
        DescriptorType::Directory => Filetype::Directory,
        DescriptorType::RegularFile => Filetype::RegularFile,
        DescriptorType::SymbolicLink => Filetype::SymbolicLink,
        DescriptorType::BlockDevice => Filetype::BlockDevice,
        DescriptorType::CharacterDevice => Filetype::CharacterDevice,
        DescriptorType::Socket => Filetype::SocketStream,
        DescriptorType::Fifo | DescriptorType::Unknown => Filetype::Unknown,
    }
}

/// Nanoseconds since the epoch of a time (saturating; unknown is 0).
fn nanos(t: Option<Datetime>) -> Timestamp {
    t.map_or(0, |t| {
        t.seconds
            .saturating_mul(1_000_000_000)
            .saturating_add(u64::from(t.nanoseconds))
    })
}

/// The `filestat` of a descriptor's metadata.
pub(crate) fn filestat(s: &DescriptorStat) -> Filestat {
    Filestat {
        dev: s.dev,
        ino: s.ino,
        filetype: filetype(s.type_),
        nlink: s.link_count,
        size: s.size,
        atim: nanos(s.data_access_timestamp),
        mtim: nanos(s.data_modification_timestamp),
        ctim: nanos(s.status_change_timestamp),
    }
}

/// A guest timestamp and its two flags as the backend's `new-timestamp`;
/// both flags at once is `inval`.
fn new_timestamp(ts: Timestamp, set: bool, now: bool) -> Result<NewTimestamp, Error> {
    match (set, now) {
        (true, true) => Err(Errno::Inval.into()),
        (false, true) => Ok(NewTimestamp::Now),
        (true, false) => Ok(NewTimestamp::Timestamp(Datetime {
            seconds: ts / 1_000_000_000,
            nanoseconds: (ts % 1_000_000_000) as u32,
        })),
        (false, false) => Ok(NewTimestamp::NoChange),
    }
}

/// The access and modification times of `fst_flags`.
pub(crate) fn times(
    atim: Timestamp,
    mtim: Timestamp,
    flags: Fstflags,
) -> Result<(NewTimestamp, NewTimestamp), Error> {
    Ok((
        new_timestamp(
            atim,
            flags.contains(Fstflags::ATIM),
            flags.contains(Fstflags::ATIM_NOW),
        )?,
        new_timestamp(
            mtim,
            flags.contains(Fstflags::MTIM),
            flags.contains(Fstflags::MTIM_NOW),
        )?,
    ))
}

/// A preview 1 advice as the backend's.
pub(crate) fn advice(advice: Advice) -> filesystem::Advice {
    match advice {
        Advice::Normal => filesystem::Advice::Normal,
        Advice::Sequential => filesystem::Advice::Sequential,
        Advice::Random => filesystem::Advice::Random,
        Advice::Willneed => filesystem::Advice::WillNeed,
        Advice::Dontneed => filesystem::Advice::DontNeed,
        Advice::Noreuse => filesystem::Advice::NoReuse,
    }
}
