//! The descriptor table of a core module: numbers 0, 1 and 2 are stdio,
//! preopened directories follow from 3 in the order they were added, and a
//! new descriptor takes the lowest free number.
//!
//! Each entry holds a backend object (a stream, a filesystem
//! [`Descriptor`] of any backend, a socket) and the rights `fd_fdstat_get` reports for it. Rights are advisory, as
//! in every maintained runtime (DESIGN.md, "Preview 1 rights"): they are
//! derived from the mount's permissions and the open mode in one place
//! ([`Entry::descriptor`]), never asked of the guest,
//! and never taken away by it. What a descriptor may do is decided by the
//! backend's permission checks and by the open mode ([`Entry::open_for`]).

use super::bindings::types::{Errno, Error, Fdflags, Filetype, Rights};
use super::readdir::Listing;
use crate::filesystem::{Access, Descriptor, DirPerms, FilePerms};
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
    /// A file or a directory, of whatever backend.
    Fs(Box<FsFd>),
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

/// A file or directory descriptor: the backend's descriptor and what
/// preview 1 adds to it, the same for every backend.
pub(crate) struct FsFd {
    /// The file or directory.
    pub(crate) desc: Descriptor,
    /// A file's position: where `fd_read` and `fd_write` go, moved by them
    /// and by `fd_seek` (kept here, not in the host's file offset, so that
    /// it is one model for every backend).
    pub(crate) pos: u64,
    /// The guest path, for a preopen.
    pub(crate) preopen: Option<String>,
    /// A directory's listing in progress, which `fd_readdir` resumes.
    pub(crate) listing: Option<Listing>,
}

/// One open descriptor.
pub(crate) struct Entry {
    pub(crate) kind: Kind,
    pub(crate) filetype: Filetype,
    /// The rights `fd_fdstat_get` reports: what the permissions and the
    /// open mode allow.
    pub(crate) rights: Rights,
    /// The rights `fd_fdstat_get` reports as inheriting: what a descriptor
    /// opened beneath this one may get at most.
    pub(crate) inheriting: Rights,
    pub(crate) flags: Fdflags,
}

impl Entry {
    /// The entry of a file or directory `desc` of type `filetype` (the
    /// preopen `preopen` if named): its rights follow from its permissions
    /// (the mount's, and a file's open mode), here and nowhere else.
    pub(crate) fn descriptor(
        desc: Descriptor,
        filetype: Filetype,
        preopen: Option<String>,
        flags: Fdflags,
    ) -> Entry {
        let (rights, inheriting) = match desc.access() {
            Access::Dir { perms, file_perms } => {
                let rights = dir_rights(perms);
                (rights, rights | file_rights(file_perms, file_perms))
            }
            Access::File { perms, mode } => {
                let rights = file_rights(perms, mode);
                (rights, rights)
            }
        };
        Entry {
            kind: Kind::Fs(Box::new(FsFd {
                desc,
                pos: 0,
                preopen,
                listing: None,
            })),
            filetype,
            rights,
            inheriting,
            flags,
        }
    }

    /// The entry of a stdio stream (an output stream if `output`).
    pub(crate) fn stdio(kind: Kind, filetype: Filetype, output: bool) -> Entry {
        let rights = common_rights()
            | if output {
                Rights::FD_WRITE
            } else {
                Rights::FD_READ
            };
        Entry {
            kind,
            filetype,
            rights,
            inheriting: Rights::empty(),
            flags: Fdflags::empty(),
        }
    }

    /// The entry of a TCP socket: a listener accepts, a connection reads,
    /// writes and shuts down.
    pub(crate) fn socket(socket: SocketFd, flags: Fdflags) -> Entry {
        let connection =
            common_rights() | Rights::FD_READ | Rights::FD_WRITE | Rights::SOCK_SHUTDOWN;
        let (rights, inheriting) = match socket {
            SocketFd::Listener(_) => (common_rights() | Rights::SOCK_ACCEPT, connection),
            SocketFd::Stream { .. } => (connection, Rights::empty()),
        };
        Entry {
            kind: Kind::Socket(Box::new(socket)),
            filetype: Filetype::SocketStream,
            rights,
            inheriting,
            flags,
        }
    }

    /// `Ok` if the descriptor was opened for `needed` (reading, writing),
    /// `badf` otherwise, as POSIX answers a write to a descriptor opened
    /// for reading.
    pub(crate) fn open_for(&self, needed: Rights) -> Result<(), Error> {
        if self.rights.contains(needed) {
            Ok(())
        } else {
            Err(Errno::Badf.into())
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

/// The rights a directory of a preopen with `perms` carries. None of them
/// asks for writing when passed back to `path_open` (`FD_DATASYNC` would:
/// programs open `.` with the rights its preopen reports), and
/// `PATH_FILESTAT_SET_SIZE` is left out as wasmtime leaves it out: a
/// program that sees it tries to take it away and expects `O_TRUNC` to
/// fail then, which advisory rights cannot do.
fn dir_rights(perms: DirPerms) -> Rights {
    let mut r = common_rights() | Rights::FD_SYNC;
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
            | Rights::PATH_FILESTAT_SET_TIMES
            | Rights::FD_FILESTAT_SET_TIMES;
    }
    r
}

/// The rights of a file opened with `mode` beneath a preopen whose files
/// carry `perms`.
fn file_rights(perms: FilePerms, mode: FilePerms) -> Rights {
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
