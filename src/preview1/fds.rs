//! The descriptor table of a core module: numbers 0, 1 and 2 are stdio,
//! preopened directories follow from 3 in the order they were added, and a
//! new descriptor takes the lowest free number.
//!
//! Each entry holds a 0.2 backend object (a stream, a [`File`] or a [`Dir`])
//! with the rights the guest has on it. Rights are derived from the
//! preopen's permissions and the open mode (see [`dir_rights`] and
//! [`file_rights`]); the guest can only shrink them.

use super::bindings::types::{Errno, Error, Fdflags, Filetype, Rights};
use super::readdir::Listing;
use crate::filesystem::{Dir, DirPerms, File, FilePerms};
use crate::io::{InputStream, OutputStream};
use crate::sockets::TcpSocket;

/// The most descriptors one guest may hold open at once (`EMFILE` beyond).
pub(crate) const MAX_FDS: usize = 1 << 16;

/// What a descriptor refers to.
pub(crate) enum Kind {
    /// An input stream (stdin).
    Input(InputStream),
    /// An output stream (stdout, stderr).
    Output(OutputStream),
    /// A file; the position is the host file's own offset.
    File(File),
    /// A directory, with its listing in progress (for `fd_readdir`).
    Dir(Box<DirFd>),
    /// A TCP socket: a preopened listener or a connection it accepted.
    Socket(Box<SocketFd>),
}

/// A socket descriptor, over the 0.2 host's TCP socket and streams.
pub(crate) enum SocketFd {
    /// A listening socket (`sock_accept`).
    Listener(TcpSocket),
    /// An accepted connection with its two streams.
    Stream {
        socket: TcpSocket,
        input: InputStream,
        output: OutputStream,
    },
}

/// A directory descriptor.
pub(crate) struct DirFd {
    pub(crate) dir: Dir,
    /// The guest path, for a preopen.
    pub(crate) preopen: Option<String>,
    /// The listing `fd_readdir` resumes.
    pub(crate) listing: Option<Listing>,
}

/// One open descriptor.
pub(crate) struct Entry {
    pub(crate) kind: Kind,
    pub(crate) filetype: Filetype,
    pub(crate) base: Rights,
    pub(crate) inheriting: Rights,
    /// The rights the descriptor had when opened: what the permissions
    /// and open mode allow.
    pub(crate) limit: Rights,
    pub(crate) flags: Fdflags,
}

impl Entry {
    /// `Ok` if the descriptor has every right in `needed`, `notcapable`
    /// otherwise.
    pub(crate) fn require(&self, needed: Rights) -> Result<(), Error> {
        if self.base.contains(needed) {
            Ok(())
        } else {
            Err(Errno::Notcapable.into())
        }
    }

    /// For a read or write: a right the guest dropped is `notcapable`, one
    /// the open mode never gave is `badf` (as POSIX says for a write to a
    /// descriptor opened for reading).
    pub(crate) fn require_io(&self, needed: Rights) -> Result<(), Error> {
        if self.base.contains(needed) {
            Ok(())
        } else if self.limit.contains(needed) {
            Err(Errno::Notcapable.into())
        } else {
            Err(Errno::Badf.into())
        }
    }

    /// For a path operation: a right the guest dropped is `notcapable`;
    /// one the preopen's permissions never gave is left to the backend,
    /// whose permission checks then answer as they do for 0.2.
    pub(crate) fn require_path(&self, needed: Rights) -> Result<(), Error> {
        let missing = needed - self.base;
        if (missing & self.limit).is_empty() {
            Ok(())
        } else {
            Err(Errno::Notcapable.into())
        }
    }
}

/// The table of a guest's descriptors.
#[derive(Default)]
pub(crate) struct FdTable {
    entries: Vec<Option<Entry>>,
    /// No free slot below this index.
    first_free: usize,
}

impl FdTable {
    /// The entry of `fd`, or `badf`.
    pub(crate) fn get(&self, fd: u32) -> Result<&Entry, Error> {
        match self.entries.get(fd as usize) {
            Some(Some(e)) => Ok(e),
            _ => Err(Errno::Badf.into()),
        }
    }

    /// The entry of `fd`, or `badf`.
    pub(crate) fn get_mut(&mut self, fd: u32) -> Result<&mut Entry, Error> {
        match self.entries.get_mut(fd as usize) {
            Some(Some(e)) => Ok(e),
            _ => Err(Errno::Badf.into()),
        }
    }

    /// Adds an entry at the lowest free number.
    pub(crate) fn push(&mut self, entry: Entry) -> Result<u32, Error> {
        let mut i = self.first_free;
        while i < self.entries.len() && self.entries[i].is_some() {
            i += 1;
        }
        if i >= MAX_FDS {
            return Err(Errno::Mfile.into());
        }
        if i == self.entries.len() {
            self.entries.push(Some(entry));
        } else {
            self.entries[i] = Some(entry);
        }
        self.first_free = i + 1;
        Ok(i as u32)
    }

    /// Removes `fd`, returning its entry, or `badf`.
    pub(crate) fn remove(&mut self, fd: u32) -> Result<Entry, Error> {
        let slot = self.entries.get_mut(fd as usize).ok_or(Errno::Badf)?;
        let entry = slot.take().ok_or(Errno::Badf)?;
        self.first_free = self.first_free.min(fd as usize);
        while self.entries.last().is_some_and(|e| e.is_none()) {
            self.entries.pop();
        }
        Ok(entry)
    }

    /// `fd_renumber`: moves `from` to `to`, closing what `to` held. Both
    /// must be open (`badf` otherwise, and nothing changes).
    pub(crate) fn renumber(&mut self, from: u32, to: u32) -> Result<(), Error> {
        self.get(from)?;
        self.get(to)?;
        if from == to {
            return Ok(());
        }
        let entry = self.remove(from)?;
        // `to` is open, so its slot exists.
        self.entries[to as usize] = Some(entry);
        Ok(())
    }

    /// The mutable entries of the numbers in `fds` (sorted, distinct), for
    /// waiting on several at once.
    pub(crate) fn entries_mut(&mut self) -> impl Iterator<Item = (u32, &mut Entry)> {
        self.entries
            .iter_mut()
            .enumerate()
            .filter_map(|(i, e)| e.as_mut().map(|e| (i as u32, e)))
    }
}

/// Rights every descriptor has on itself.
fn common_rights() -> Rights {
    Rights::FD_FDSTAT_SET_FLAGS | Rights::FD_FILESTAT_GET | Rights::POLL_FD_READWRITE
}

/// The rights of a stdio stream.
pub(crate) fn stdio_rights(output: bool) -> Rights {
    common_rights()
        | if output {
            Rights::FD_WRITE
        } else {
            Rights::FD_READ
        }
}

/// The rights of a socket: a listener accepts, a connection reads, writes
/// and shuts down.
pub(crate) fn socket_rights(listener: bool) -> Rights {
    common_rights()
        | if listener {
            Rights::SOCK_ACCEPT
        } else {
            Rights::FD_READ | Rights::FD_WRITE | Rights::SOCK_SHUTDOWN
        }
}

/// The rights a directory of a preopen with `perms` carries.
pub(crate) fn dir_rights(perms: DirPerms) -> Rights {
    let mut r = common_rights() | Rights::FD_SYNC | Rights::FD_DATASYNC;
    if perms.contains(DirPerms::READ) {
        r |= Rights::FD_READDIR
            | Rights::PATH_OPEN
            | Rights::PATH_FILESTAT_GET
            | Rights::PATH_READLINK;
    }
    if perms.contains(DirPerms::MUTATE) {
        r |= Rights::PATH_CREATE_DIRECTORY
            | Rights::PATH_CREATE_FILE
            | Rights::PATH_LINK_SOURCE
            | Rights::PATH_LINK_TARGET
            | Rights::PATH_RENAME_SOURCE
            | Rights::PATH_RENAME_TARGET
            | Rights::PATH_SYMLINK
            | Rights::PATH_REMOVE_DIRECTORY
            | Rights::PATH_UNLINK_FILE
            | Rights::PATH_FILESTAT_SET_SIZE
            | Rights::PATH_FILESTAT_SET_TIMES
            | Rights::FD_FILESTAT_SET_TIMES;
    }
    r
}

/// The rights of a file opened with `mode` beneath a preopen whose files
/// carry `perms`.
pub(crate) fn file_rights(perms: FilePerms, mode: FilePerms) -> Rights {
    let mut r = common_rights()
        | Rights::FD_SEEK
        | Rights::FD_TELL
        | Rights::FD_ADVISE
        | Rights::FD_SYNC
        | Rights::FD_DATASYNC;
    if mode.contains(FilePerms::READ) {
        r |= Rights::FD_READ;
    }
    if mode.contains(FilePerms::WRITE) {
        r |= Rights::FD_WRITE | Rights::FD_ALLOCATE | Rights::FD_FILESTAT_SET_SIZE;
    }
    if perms.contains(FilePerms::WRITE) {
        r |= Rights::FD_FILESTAT_SET_TIMES;
    }
    r
}

/// Every right a file beneath a preopen with these permissions may get.
pub(crate) fn file_rights_max(perms: FilePerms) -> Rights {
    file_rights(perms, perms)
}
