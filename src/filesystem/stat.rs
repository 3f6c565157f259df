//! Host metadata as the spec's `descriptor-stat`, `descriptor-type` and
//! `metadata-hash-value`, and guest timestamps as host times.

use super::FsResult;
use crate::clocks::Datetime;
use crate::filesystem::{
    DescriptorStat, DescriptorType, ErrorCode, MetadataHashValue, NewTimestamp,
};
use cap_std::fs::{FileType, FileTypeExt, Metadata, MetadataExt};
use fs_set_times::SystemTimeSpec;
use std::time::{Duration, SystemTime};

/// The spec type of a host file type.
pub(crate) fn descriptor_type(ft: FileType) -> DescriptorType {
    if ft.is_dir() {
        DescriptorType::Directory
    } else if ft.is_file() {
        DescriptorType::RegularFile
    } else if ft.is_symlink() {
        DescriptorType::SymbolicLink
    } else if ft.is_block_device() {
        DescriptorType::BlockDevice
    } else if ft.is_char_device() {
        DescriptorType::CharacterDevice
    } else if ft.is_fifo() {
        DescriptorType::Fifo
    } else if ft.is_socket() {
        DescriptorType::Socket
    } else {
        DescriptorType::Unknown
    }
}

/// A host timestamp (seconds and nanoseconds since the epoch, as `stat`
/// reports them) as a `datetime`. The `datetime` cannot express times
/// before 1970: those are clamped to the epoch; out-of-range nanoseconds are
/// clamped into `0..1e9`.
pub(crate) fn datetime(secs: i64, nsec: i64) -> Datetime {
    if secs < 0 {
        return Datetime {
            seconds: 0,
            nanoseconds: 0,
        };
    }
    Datetime {
        seconds: secs as u64,
        nanoseconds: nsec.clamp(0, 999_999_999) as u32,
    }
}

/// The `descriptor-stat` of host metadata.
pub(crate) fn descriptor_stat(meta: &Metadata) -> DescriptorStat {
    DescriptorStat {
        type_: descriptor_type(meta.file_type()),
        link_count: meta.nlink(),
        size: meta.len(),
        data_access_timestamp: Some(datetime(meta.atime(), meta.atime_nsec())),
        data_modification_timestamp: Some(datetime(meta.mtime(), meta.mtime_nsec())),
        status_change_timestamp: Some(datetime(meta.ctime(), meta.ctime_nsec())),
        dev: meta.dev(),
        ino: meta.ino(),
    }
}

/// The metadata hash of an object: its identity, device and inode numbers,
/// mixed into 128 bits. Only the identity goes in, as in wasmtime 48: libc
/// on `wasm32-wasip2` reports the hash as `st_ino` and `d_ino`, and an
/// inode number must not change when the file is written (programs compare
/// them to find hard links, the same file, or a loop in a walk). The mixing
/// is a keyed Feistel network with a SplitMix64 round function: cheap,
/// stable, distinct for distinct objects, and not readable back directly.
pub(crate) fn metadata_hash(meta: &Metadata) -> MetadataHashValue {
    identity_hash(meta.dev(), meta.ino())
}

/// The metadata hash of the object `(dev, ino)`; see [`metadata_hash`].
pub(crate) fn identity_hash(dev: u64, ino: u64) -> MetadataHashValue {
    const KEYS: [u64; 4] = [
        0x243f_6a88_85a3_08d3,
        0x1319_8a2e_0370_7344,
        0xa409_3822_299f_31d0,
        0x082e_fa98_ec4e_6c89,
    ];
    // Each round is invertible whatever the round function, so distinct
    // (dev, ino) pairs give distinct hashes.
    let (mut left, mut right) = (dev, ino);
    for key in KEYS {
        let next = left ^ mix64(right ^ key);
        left = right;
        right = next;
    }
    MetadataHashValue {
        lower: left,
        upper: right,
    }
}

/// The SplitMix64 finaliser.
fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A guest `new-timestamp` as what the host call takes: `None` to leave the
/// time alone. A `datetime` with nanoseconds of a second or more is
/// `invalid`; one beyond what the host can represent is `overflow`.
pub(crate) fn system_time_spec(ts: NewTimestamp) -> FsResult<Option<SystemTimeSpec>> {
    match ts {
        NewTimestamp::NoChange => Ok(None),
        NewTimestamp::Now => Ok(Some(SystemTimeSpec::SymbolicNow)),
        NewTimestamp::Timestamp(dt) => Ok(Some(SystemTimeSpec::Absolute(system_time(dt)?))),
    }
}

/// A `datetime` as a host time; see [`system_time_spec`].
pub(crate) fn system_time(dt: Datetime) -> FsResult<SystemTime> {
    // `utimensat` takes a signed 64-bit second count. A time beyond it is
    // `overflow` whatever its nanoseconds (as wasmtime answers).
    if dt.seconds > i64::MAX as u64 {
        return Err(ErrorCode::Overflow.into());
    }
    if dt.nanoseconds >= 1_000_000_000 {
        return Err(ErrorCode::Invalid.into());
    }
    SystemTime::UNIX_EPOCH
        .checked_add(Duration::new(dt.seconds, dt.nanoseconds))
        .ok_or_else(|| ErrorCode::Overflow.into())
}

/// The same, in cap-std's time type (for the path-based calls).
pub(crate) fn cap_time_spec(spec: Option<SystemTimeSpec>) -> Option<cap_fs_ext::SystemTimeSpec> {
    spec.map(|s| match s {
        SystemTimeSpec::SymbolicNow => cap_fs_ext::SystemTimeSpec::SymbolicNow,
        SystemTimeSpec::Absolute(t) => {
            cap_fs_ext::SystemTimeSpec::Absolute(cap_std::time::SystemTime::from_std(t))
        }
    })
}
