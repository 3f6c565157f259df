//! The vocabulary of `wasi:filesystem` as the crate's own Rust types.
//!
//! The backends, the descriptor traits and the preview 1 host speak these;
//! they belong to no WASI version. Each front-end maps them to and from the
//! types its bindings generate (the 0.2 front-end in
//! `p2/filesystem/convert.rs`), variant for variant and field for field.
//! The names are the standard's; timestamps are [`Datetime`]s.

use crate::clocks::Datetime;
use std::fmt;

/// Why a filesystem operation failed: the codes a guest can be told, named
/// after the POSIX `errno` values they stand for.
///
/// The variants are in the standard's order, and their discriminants are
/// their positions in that list; after them come the crate's own codes,
/// which each front-end tells the guest as one of the standard's (see
/// each variant).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum ErrorCode {
    /// Permission denied by the object's own access rules (`EACCES`).
    Access,
    /// The operation would have to wait (`EAGAIN`).
    WouldBlock,
    /// The operation is already under way (`EALREADY`).
    Already,
    /// The descriptor is not usable for this operation (`EBADF`).
    BadDescriptor,
    /// The object is in use (`EBUSY`).
    Busy,
    /// Waiting would deadlock (`EDEADLK`).
    Deadlock,
    /// A storage quota is used up (`EDQUOT`).
    Quota,
    /// The name is taken (`EEXIST`).
    Exist,
    /// The file would grow beyond what is allowed (`EFBIG`).
    FileTooLarge,
    /// A name is not valid in its encoding (`EILSEQ`).
    IllegalByteSequence,
    /// The operation has started and finishes later (`EINPROGRESS`).
    InProgress,
    /// A signal cut the operation short (`EINTR`).
    Interrupted,
    /// An argument is not acceptable (`EINVAL`).
    Invalid,
    /// The device failed (`EIO`).
    Io,
    /// The object is a directory where something else is needed (`EISDIR`).
    IsDirectory,
    /// Too many symbolic links on the way (`ELOOP`).
    Loop,
    /// The object has as many links as it can have (`EMLINK`).
    TooManyLinks,
    /// A message is too long (`EMSGSIZE`).
    MessageSize,
    /// A name or path is too long (`ENAMETOOLONG`).
    NameTooLong,
    /// No such device (`ENODEV`).
    NoDevice,
    /// Nothing by that name (`ENOENT`).
    NoEntry,
    /// No lock is available (`ENOLCK`).
    NoLock,
    /// Memory (or another resource a guest can free) ran out (`ENOMEM`).
    InsufficientMemory,
    /// The device is full (`ENOSPC`).
    InsufficientSpace,
    /// A directory is needed (`ENOTDIR`).
    NotDirectory,
    /// The directory still has entries (`ENOTEMPTY`).
    NotEmpty,
    /// The state cannot be recovered (`ENOTRECOVERABLE`).
    NotRecoverable,
    /// The operation is not offered here (`ENOTSUP`).
    Unsupported,
    /// The object is not a terminal (`ENOTTY`).
    NoTty,
    /// The device or address does not exist (`ENXIO`).
    NoSuchDevice,
    /// A value does not fit its type (`EOVERFLOW`).
    Overflow,
    /// The operation is not allowed (`EPERM`).
    NotPermitted,
    /// The other end of a pipe is gone (`EPIPE`).
    Pipe,
    /// The filesystem refuses changes (`EROFS`).
    ReadOnly,
    /// The object has no position to seek to (`ESPIPE`).
    InvalidSeek,
    /// The file is a program being run (`ETXTBSY`).
    TextFileBusy,
    /// The two objects lie on different devices or mounts (`EXDEV`).
    CrossDevice,
    /// Too many open files: the context's budget or the host's
    /// (`EMFILE`, `ENFILE`). WASI 0.2 and 0.3 have no code for it and tell
    /// the guest `insufficient-memory`; preview 1 tells it `mfile`.
    TooManyOpenFiles,
}

impl ErrorCode {
    /// The code's name in the standard, in kebab case (`no-entry`); for a
    /// code of the crate's own, the name 0.2 tells the guest.
    pub fn name(self) -> &'static str {
        use ErrorCode as C;
        match self {
            C::Access => "access",
            C::WouldBlock => "would-block",
            C::Already => "already",
            C::BadDescriptor => "bad-descriptor",
            C::Busy => "busy",
            C::Deadlock => "deadlock",
            C::Quota => "quota",
            C::Exist => "exist",
            C::FileTooLarge => "file-too-large",
            C::IllegalByteSequence => "illegal-byte-sequence",
            C::InProgress => "in-progress",
            C::Interrupted => "interrupted",
            C::Invalid => "invalid",
            C::Io => "io",
            C::IsDirectory => "is-directory",
            C::Loop => "loop",
            C::TooManyLinks => "too-many-links",
            C::MessageSize => "message-size",
            C::NameTooLong => "name-too-long",
            C::NoDevice => "no-device",
            C::NoEntry => "no-entry",
            C::NoLock => "no-lock",
            C::InsufficientMemory => "insufficient-memory",
            C::InsufficientSpace => "insufficient-space",
            C::NotDirectory => "not-directory",
            C::NotEmpty => "not-empty",
            C::NotRecoverable => "not-recoverable",
            C::Unsupported => "unsupported",
            C::NoTty => "no-tty",
            C::NoSuchDevice => "no-such-device",
            C::Overflow => "overflow",
            C::NotPermitted => "not-permitted",
            C::Pipe => "pipe",
            C::ReadOnly => "read-only",
            C::InvalidSeek => "invalid-seek",
            C::TextFileBusy => "text-file-busy",
            C::CrossDevice => "cross-device",
            C::TooManyOpenFiles => "insufficient-memory",
        }
    }
}

/// The name and the code's number (its position in the standard's list),
/// as in `no-entry (error 20)`: the text a guest reads from the
/// `to-debug-string` of a failed file stream.
impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (error {})", self.name(), self.standard() as u8)
    }
}

impl ErrorCode {
    /// The standard's code a 0.2 or 0.3 guest is told: the code itself, or
    /// for a code of the crate's own, the one it stands for.
    pub fn standard(self) -> ErrorCode {
        match self {
            ErrorCode::TooManyOpenFiles => ErrorCode::InsufficientMemory,
            code => code,
        }
    }
}

impl std::error::Error for ErrorCode {}

/// The kind of object a descriptor or a directory entry stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DescriptorType {
    /// The host could not say (or it is none of the others).
    Unknown,
    /// A block device.
    BlockDevice,
    /// A character device.
    CharacterDevice,
    /// A directory.
    Directory,
    /// A named pipe.
    Fifo,
    /// A symbolic link.
    SymbolicLink,
    /// A regular file.
    RegularFile,
    /// A socket.
    Socket,
}

bitflags::bitflags! {
    /// What a descriptor was opened for (`open-at`'s request, `get-flags`'
    /// answer).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct DescriptorFlags: u8 {
        /// Reading.
        const READ = 1 << 0;
        /// Writing.
        const WRITE = 1 << 1;
        /// Writes reach the device, data and metadata, before they return
        /// (`O_SYNC`; not offered).
        const FILE_INTEGRITY_SYNC = 1 << 2;
        /// Writes reach the device, data and the metadata needed to read
        /// it, before they return (`O_DSYNC`; not offered).
        const DATA_INTEGRITY_SYNC = 1 << 3;
        /// Reads wait for pending writes of the same data (`O_RSYNC`; not
        /// offered).
        const REQUESTED_WRITE_SYNC = 1 << 4;
        /// Changing the entries of a directory (create, remove, rename,
        /// link).
        const MUTATE_DIRECTORY = 1 << 5;
    }
}

bitflags::bitflags! {
    /// How the last component of a path is looked up.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct PathFlags: u8 {
        /// A symbolic link there is followed (otherwise the link itself is
        /// meant).
        const SYMLINK_FOLLOW = 1 << 0;
    }
}

bitflags::bitflags! {
    /// What `open-at` may do beyond opening an object that exists.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub struct OpenFlags: u8 {
        /// Make a regular file if there is nothing by that name (`O_CREAT`).
        const CREATE = 1 << 0;
        /// Fail unless the object is a directory (`O_DIRECTORY`).
        const DIRECTORY = 1 << 1;
        /// With `CREATE`: fail if the name is taken (`O_EXCL`).
        const EXCLUSIVE = 1 << 2;
        /// Cut a regular file to length 0 (`O_TRUNC`).
        const TRUNCATE = 1 << 3;
    }
}

/// The metadata of an open object or of one named by a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DescriptorStat {
    /// What kind of object it is.
    pub type_: DescriptorType,
    /// How many directory entries name it.
    pub link_count: u64,
    /// Its size in bytes (for a symbolic link, its target's length).
    pub size: u64,
    /// When its data was last read, if known.
    pub data_access_timestamp: Option<Datetime>,
    /// When its data was last changed, if known.
    pub data_modification_timestamp: Option<Datetime>,
    /// When its metadata was last changed, if known.
    pub status_change_timestamp: Option<Datetime>,
    /// The device it lies on (a virtual mount's id for its nodes). WASI 0.2
    /// does not report it; preview 1's `filestat` does.
    pub dev: u64,
    /// Its number on that device. WASI 0.2 does not report it; preview 1's
    /// `filestat` and `dirent` do.
    pub ino: u64,
}

/// A new value for one of an object's timestamps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NewTimestamp {
    /// Leave the timestamp as it is.
    NoChange,
    /// The time of the call, by the host's clock.
    Now,
    /// This time.
    Timestamp(Datetime),
}

/// One entry of a directory listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// What kind of object the name stands for.
    pub type_: DescriptorType,
    /// The name within the directory (never `.` or `..`).
    pub name: String,
    /// Its inode number when the listing has it for free (a host listing
    /// reads it with the name); `None` when it would cost a lookup (ask
    /// `stat-at`). WASI 0.2 does not report it; preview 1's `dirent` does.
    pub ino: Option<u64>,
}

/// A hint about how a range of a file is going to be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Advice {
    /// No particular pattern.
    Normal,
    /// Read from start to end.
    Sequential,
    /// Read in no particular order.
    Random,
    /// Wanted soon.
    WillNeed,
    /// Not wanted soon.
    DontNeed,
    /// Read once only.
    NoReuse,
}

/// 128 bits that identify an object and change when it does
/// (`metadata-hash`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MetadataHashValue {
    /// The low 64 bits.
    pub lower: u64,
    /// The high 64 bits.
    pub upper: u64,
}
