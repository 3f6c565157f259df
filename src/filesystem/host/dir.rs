//! Directory descriptors and every operation that takes a path.
//!
//! Each operation checks permissions and the path first (no I/O), then does
//! its blocking work in a single [`crate::runtime::run_blocking`] call: inline in sync mode
//! or with `allow_blocking_current_thread`, in `block_in_place` on a
//! multi-threaded tokio runtime, one hop to tokio's blocking pool otherwise.

use super::file::File;
use super::readdir::{HostListing, Recorder};
use super::recent::{self, Holds, Recent};
use crate::filesystem::budget::{FdBudget, Slot};
use crate::filesystem::path::{self, refuse_slash_through_symlink};
use crate::filesystem::perms::{DirPerms, FilePerms, OpenRequest, require_dir, require_file};
use crate::filesystem::{
    Descriptor, DescriptorFlags, DescriptorStat, DirectoryOps, DotsListing, ErrorCode, FsResult,
    MetadataHashValue, NewTimestamp, OpenFlags, PathFlags, ReaddirStream, stat,
};
use crate::limits::ByteCount;
use cap_fs_ext::{DirExt, FollowSymlinks, OpenOptionsFollowExt, OpenOptionsMaybeDirExt};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Source of preopen identities.
static NEXT_PREOPEN: AtomicU64 = AtomicU64::new(1);

/// An open directory of the guest, with the permissions it carries.
///
/// Every directory opened beneath a preopen inherits the preopen's
/// permissions and identity; links and renames are only allowed between
/// directories of the same preopen.
///
/// A directory opened without the `mutate-directory` flag keeps MUTATE when
/// its parent has it. The spec would drop it, but the WASI preview 1
/// adapter (and so every `std::fs` program on `wasm32-wasip2`) opens
/// directories with `read` only and then removes entries beneath them
/// (`remove_dir_all`); honouring the flag would break `rm -r`.
#[derive(Clone)]
pub struct Dir {
    pub(crate) dir: Arc<cap_std::fs::Dir>,
    pub(crate) perms: DirPerms,
    pub(crate) file_perms: FilePerms,
    /// Which preopen this directory lies beneath.
    pub(crate) preopen: u64,
    pub(crate) blocking: super::Blocking,
    /// Whether `get-flags` reports `mutate-directory`: for a preopen that
    /// may change its entries, and for a directory opened with the flag.
    /// (One opened without it keeps the right, see above, but does not
    /// claim the flag, as wasmtime answers.)
    pub(crate) shows_mutate: bool,
    /// The context's descriptor budget, which everything opened beneath
    /// this directory draws from.
    pub(crate) budget: FdBudget,
    /// The bytes written to the files of this mount, against the
    /// context's limit (shared by everything beneath the preopen).
    pub(crate) written: Arc<ByteCount>,
    /// This directory's own slot in the budget (`None` for a preopen),
    /// given back when the last clone is dropped, with the host handle.
    _slot: Option<Arc<Slot>>,
    /// The identity of the name a listing or `stat-at` just looked at, for
    /// the `metadata-hash-at` that follows (see `recent.rs`).
    recent: Arc<Recent>,
    /// Whether listings come in byte order of the names (a deterministic
    /// run) rather than the host's order.
    pub(crate) sorted_listings: bool,
    /// The context's record/replay journal: files opened for reading are
    /// hashed into it (or checked against it).
    pub(crate) journal: crate::journal::Journal,
}

impl Dir {
    /// A new preopen with a fresh identity, drawing on `budget` for what is
    /// opened beneath it (the preopen itself does not count) and counting
    /// the bytes written to its files in `written`.
    pub(crate) fn new_preopen(
        dir: Arc<cap_std::fs::Dir>,
        perms: DirPerms,
        file_perms: FilePerms,
        blocking: super::Blocking,
        budget: FdBudget,
        written: Arc<ByteCount>,
    ) -> Dir {
        Dir {
            dir,
            perms,
            file_perms,
            preopen: NEXT_PREOPEN.fetch_add(1, Ordering::Relaxed),
            blocking,
            shows_mutate: true,
            budget,
            written,
            _slot: None,
            recent: Arc::default(),
            sorted_listings: false,
            journal: crate::journal::Journal::Off,
        }
    }

    /// A directory opened beneath this one with `flags`, holding `slot`:
    /// same permissions, same preopen.
    fn child(&self, dir: cap_std::fs::Dir, slot: Slot, flags: DescriptorFlags) -> Dir {
        Dir {
            dir: Arc::new(dir),
            _slot: Some(Arc::new(slot)),
            recent: Arc::default(),
            shows_mutate: flags.contains(DescriptorFlags::MUTATE_DIRECTORY),
            ..self.clone()
        }
    }

    /// Runs blocking `f` with the host directory.
    async fn run<R, F>(&self, f: F) -> R
    where
        F: FnOnce(&cap_std::fs::Dir) -> R + Send + 'static,
        R: Send + 'static,
    {
        let dir = Arc::clone(&self.dir);
        self.blocking.run(move || f(&dir)).await
    }

    /// The metadata of `path`, following a final symlink when `follow`,
    /// and the path given back (the call's checks made by the caller:
    /// [`Dir::check_lookup`]).
    async fn metadata_at(
        &self,
        follow: bool,
        path: String,
    ) -> FsResult<(cap_std::fs::Metadata, String)> {
        self.run(move |dir| Ok((lookup(dir, &path, follow)?, path)))
            .await
    }

    /// What a call that looks `path` up for its metadata checks first:
    /// the directory may be read, and the path's rules.
    fn check_lookup(&self, path: &str) -> FsResult<()> {
        require_dir(self.perms, DirPerms::READ)?;
        path::check(path)?;
        Ok(())
    }

    /// `metadata-hash-at` from what the listing or `stat-at` just before
    /// learned about `path` (see `recent.rs`), when it did and the call
    /// would be allowed; `None` otherwise (then the lookup decides, and
    /// reports any refusal).
    pub(crate) fn metadata_hash_at_known(
        &self,
        flags: PathFlags,
        path: &str,
    ) -> Option<MetadataHashValue> {
        self.check_lookup(path).ok()?;
        let (dev, ino) = self.recent.recall(path, path::follows(flags, path))?;
        Some(stat::identity_hash(dev, ino))
    }

    /// Fails with `not-permitted` unless both sides may be mutated (checked
    /// first, so a link out of a read-only preopen is `not-permitted`), then
    /// with `cross-device` unless both directories lie beneath the same
    /// preopen: a link or rename never moves an object out of a read-only
    /// place, or between two grants.
    fn check_pair(&self, new: &Dir) -> FsResult<()> {
        require_dir(self.perms, DirPerms::READ | DirPerms::MUTATE)?;
        require_dir(new.perms, DirPerms::MUTATE)?;
        if self.preopen != new.preopen {
            return Err(ErrorCode::CrossDevice.into());
        }
        Ok(())
    }
}

impl DirectoryOps for Dir {
    /// `descriptor.get-flags` of a directory: what its permissions allow.
    fn get_flags(&self) -> DescriptorFlags {
        let mut flags = DescriptorFlags::empty();
        if self.perms.contains(DirPerms::READ) {
            flags |= DescriptorFlags::READ;
        }
        if self.perms.contains(DirPerms::MUTATE) && self.shows_mutate {
            flags |= DescriptorFlags::MUTATE_DIRECTORY;
        }
        flags
    }

    /// `descriptor.stat` of the directory itself.
    async fn stat(&self) -> FsResult<DescriptorStat> {
        self.run(|dir| Ok(stat::descriptor_stat(&dir.dir_metadata()?)))
            .await
    }

    /// `descriptor.metadata-hash` of the directory itself.
    async fn metadata_hash(&self) -> FsResult<MetadataHashValue> {
        self.run(|dir| Ok(stat::metadata_hash(&dir.dir_metadata()?)))
            .await
    }

    /// `descriptor.set-times` of the directory itself (needs MUTATE).
    async fn set_times(&self, atime: NewTimestamp, mtime: NewTimestamp) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        let atime = stat::system_time_spec(atime)?;
        let mtime = stat::system_time_spec(mtime)?;
        let slot = self.budget.take(1)?;
        self.run(move |dir| {
            let _slot = slot;
            let fd = open_self(dir)?;
            Ok(fs_set_times::SetTimes::set_times(&fd, atime, mtime)?)
        })
        .await
    }

    /// `descriptor.sync` / `sync-data` of a directory: makes the creates,
    /// renames and removals of its entries durable.
    async fn sync(&self) -> FsResult<()> {
        let slot = self.budget.take(1)?;
        self.run(move |dir| {
            let _slot = slot;
            Ok(rustix::fs::fsync(open_self(dir)?)?)
        })
        .await
    }

    /// `descriptor.stat-at`.
    ///
    /// The object's identity is kept for a `metadata-hash-at` of the same
    /// path that follows (what libc asks for `st_ino`).
    async fn stat_at(&self, flags: PathFlags, path: String) -> FsResult<DescriptorStat> {
        let generation = recent::generation();
        let follow = path::follows(flags, &path);
        self.check_lookup(&path)?;
        let (meta, path) = match self.recent.take_handle(&path, follow) {
            // The object the `metadata-hash-at` just before found: its
            // metadata now, without a second lookup.
            Some(handle) => {
                self.run(move |_| -> FsResult<_> { Ok((handle.metadata()?, path)) })
                    .await?
            }
            None => self.metadata_at(follow, path).await?,
        };
        self.recent.remember(
            &path,
            holds(follow, &meta),
            generation,
            dev(&meta),
            ino(&meta),
        );
        Ok(stat::descriptor_stat(&meta))
    }

    /// `descriptor.metadata-hash-at`: from what the listing or `stat-at`
    /// just before learned about `path`, when it did (see `recent.rs`),
    /// else from the host, keeping what it found for the `stat-at` that
    /// follows (wasi-libc's `stat` asks both).
    async fn metadata_hash_at(
        &self,
        flags: PathFlags,
        path: String,
    ) -> FsResult<MetadataHashValue> {
        if let Some(hash) = self.metadata_hash_at_known(flags, &path) {
            return Ok(hash);
        }
        self.check_lookup(&path)?;
        let follow = path::follows(flags, &path);
        if !follow && path::is_one_name(&path) {
            // cap-std answers this with one `fstatat`, opening nothing.
            return Ok(stat::metadata_hash(
                &self.metadata_at(follow, path).await?.0,
            ));
        }
        let generation = recent::generation();
        let (meta, handle, path) = self
            .run(move |dir| -> FsResult<_> {
                // What cap-std's own `stat` does (`openat2` beneath the
                // directory, then `fstat`), with the handle kept. Where
                // that open fails, the lookup itself gives the answer or
                // the error.
                match open_object(dir, &path, follow) {
                    Some(handle) => Ok((handle.metadata()?, Some(handle), path)),
                    None => Ok((lookup(dir, &path, follow)?, None, path)),
                }
            })
            .await?;
        let identity = (dev(&meta), ino(&meta));
        self.recent
            .keep(&path, holds(follow, &meta), generation, identity, handle);
        Ok(stat::metadata_hash(&meta))
    }

    /// `descriptor.set-times-at` (needs MUTATE).
    async fn set_times_at(
        &self,
        flags: PathFlags,
        path: String,
        atime: NewTimestamp,
        mtime: NewTimestamp,
    ) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        path::check(&path)?;
        let atime = stat::cap_time_spec(stat::system_time_spec(atime)?);
        let mtime = stat::cap_time_spec(stat::system_time_spec(mtime)?);
        let follow = path::follows(flags, &path);
        self.run(move |dir| {
            if follow {
                dir.set_times(&path, atime, mtime)?;
            } else {
                dir.set_symlink_times(&path, atime, mtime)?;
            }
            Ok(())
        })
        .await
    }

    /// `descriptor.create-directory-at` (needs MUTATE).
    async fn create_directory_at(&self, path: String) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        path::check(&path)?;
        self.run(move |dir| Ok(dir.create_dir(&path)?)).await
    }

    /// `descriptor.remove-directory-at` (needs MUTATE).
    async fn remove_directory_at(&self, path: String) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        path::check(&path)?;
        self.run(move |dir| {
            refuse_slash_through_symlink(dir, &path, ErrorCode::NotDirectory)?;
            let removed = dir.remove_dir(&path);
            recent::names_changed();
            Ok(removed?)
        })
        .await
    }

    /// `descriptor.unlink-file-at` (needs MUTATE).
    async fn unlink_file_at(&self, path: String) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        path::check(&path)?;
        self.run(move |dir| {
            refuse_slash_through_symlink(dir, &path, ErrorCode::NotDirectory)?;
            let removed = dir.remove_file(&path);
            recent::names_changed();
            Ok(removed?)
        })
        .await
    }

    /// `descriptor.readlink-at`. A link whose target is absolute is
    /// `not-permitted`, as the spec says; a target that is not UTF-8 is
    /// `illegal-byte-sequence`.
    async fn readlink_at(&self, path: String) -> FsResult<String> {
        require_dir(self.perms, DirPerms::READ)?;
        path::check(&path)?;
        self.run(move |dir| {
            let target = dir.read_link(&path)?;
            target
                .into_os_string()
                .into_string()
                .map_err(|_| ErrorCode::IllegalByteSequence.into())
        })
        .await
    }

    /// `descriptor.symlink-at` (needs MUTATE). An absolute target is
    /// `not-permitted`.
    async fn symlink_at(&self, target: String, path: String) -> FsResult<()> {
        require_dir(self.perms, DirPerms::MUTATE)?;
        path::check(&path)?;
        path::check_symlink_target(&target)?;
        self.run(move |dir| Ok(dir.symlink(&target, &path)?)).await
    }

    /// `descriptor.link-at` (both sides need MUTATE, same preopen).
    async fn link_at(
        &self,
        old_flags: PathFlags,
        old_path: String,
        new: &Self,
        new_path: String,
    ) -> FsResult<()> {
        self.check_pair(new)?;
        // The flag first, as wasmtime.
        path::refuse_link_follow(old_flags)?;
        path::check(&old_path)?;
        path::check(&new_path)?;
        let new_dir = Arc::clone(&new.dir);
        self.run(move |dir| {
            path::refuse_link_through_slash(dir, &old_path)?;
            dir.hard_link(&old_path, &new_dir, &new_path)?;
            Ok(())
        })
        .await
    }

    /// `descriptor.rename-at` (both sides need MUTATE, same preopen).
    async fn rename_at(&self, old_path: String, new: &Self, new_path: String) -> FsResult<()> {
        self.check_pair(new)?;
        path::check(&old_path)?;
        path::check(&new_path)?;
        let new_dir = Arc::clone(&new.dir);
        self.run(move |dir| {
            refuse_slash_through_symlink(dir, &old_path, ErrorCode::NotDirectory)?;
            refuse_slash_through_symlink(&new_dir, &new_path, ErrorCode::NotDirectory)?;
            if path::has_trailing_slash(&new_path) {
                path::refuse_non_directory_to_slash(dir, &old_path, &new_dir, &new_path)?;
            }
            let renamed = dir.rename(&old_path, &new_dir, &new_path);
            recent::names_changed();
            Ok(renamed?)
        })
        .await
    }

    /// `descriptor.read-directory`.
    async fn read_directory(&self) -> FsResult<ReaddirStream> {
        require_dir(self.perms, DirPerms::READ)?;
        let blocking = self.blocking.clone();
        // cap-std's listing holds two descriptors (see `budget.rs`).
        let slot = self.budget.take(2)?;
        let recent = Arc::clone(&self.recent);
        let sorted = self.sorted_listings;
        // The first batch is read in the same blocking call.
        let listing = self
            .run(move |dir| {
                let dev = cap_std::fs::MetadataExt::dev(&dir.dir_metadata()?);
                let recorder = Recorder { recent, dev };
                let entries = dir.entries()?;
                Ok::<_, std::io::Error>(HostListing::open(
                    entries,
                    slot,
                    blocking,
                    Some(recorder),
                    sorted,
                ))
            })
            .await?;
        Ok(ReaddirStream::Host(listing))
    }

    /// `read-directory` with the numbers of `.` and `..`, and the first
    /// batch of entries, in one blocking call. `..` of a preopen's root is
    /// out of the sandbox: it has the root's own number.
    async fn read_directory_with_dots(&self) -> FsResult<DotsListing> {
        require_dir(self.perms, DirPerms::READ)?;
        let blocking = self.blocking.clone();
        let slot = self.budget.take(2)?;
        let sorted = self.sorted_listings;
        self.run(move |dir| {
            let here = cap_std::fs::MetadataExt::ino(&dir.dir_metadata()?);
            let parent = dir
                .metadata("..")
                .map_or(here, |m| cap_std::fs::MetadataExt::ino(&m));
            let stream = ReaddirStream::Host(HostListing::open(
                dir.entries()?,
                slot,
                blocking,
                None,
                sorted,
            ));
            Ok(DotsListing {
                here,
                parent,
                stream,
            })
        })
        .await
    }

    /// `descriptor.open-at`.
    ///
    /// Needs READ on this directory. `write`, `mutate-directory`,
    /// `truncate` and `create` need MUTATE on this directory; `write` and
    /// `truncate` also need the preopen's file WRITE (so a read-only preopen
    /// can never truncate); `read` of a file needs file READ. Whatever the
    /// preopen refuses is `not-permitted`.
    ///
    /// Open modes follow POSIX: neither `read` nor `write` opens for
    /// reading (`O_RDONLY` is 0), and `create` or `truncate` open for
    /// writing too where the preopen allows writing files.
    async fn open_at(
        &self,
        path_flags: PathFlags,
        path: String,
        oflags: OpenFlags,
        flags: DescriptorFlags,
    ) -> FsResult<Descriptor> {
        require_dir(self.perms, DirPerms::READ)?;
        // The flags first (`create` with `directory` is `invalid`), as
        // Linux and wasmtime.
        let request = OpenRequest::check(self.perms, self.file_perms, oflags, flags, true)?;
        path::check(&path)?;
        let OpenRequest {
            create,
            truncate,
            exclusive,
            directory,
            read,
            write,
            implied_read,
            implied_write,
        } = request;
        let follow = path::follows(path_flags, &path);
        let this = self.clone();
        // Taken before the host call, so the budget is never exceeded.
        let slot = self.budget.take(1)?;
        self.run(move |dir| {
            if directory {
                let child = if follow {
                    dir.open_dir(&path)?
                } else {
                    dir.open_dir_nofollow(&path)?
                };
                if write || truncate {
                    return Err(ErrorCode::IsDirectory.into());
                }
                return Ok(Descriptor::Dir(this.child(child, slot, flags)));
            }

            // The host handle needs write access to create or truncate;
            // the guest's descriptor gets the mode computed below.
            let host_write = write || create || truncate;
            let mut opts = cap_std::fs::OpenOptions::new();
            opts.read(read || implied_read || !host_write)
                .write(host_write)
                .truncate(truncate)
                .follow(if follow {
                    FollowSymlinks::Yes
                } else {
                    FollowSymlinks::No
                })
                .maybe_dir(true);
            if create && exclusive {
                opts.create_new(true);
            } else if create {
                opts.create(true);
            }
            let mut implied_write = implied_write;
            let file = match dir.open_with(&path, &opts) {
                Ok(file) => file,
                // `O_CREAT|O_RDONLY` of an existing file the host may only
                // read: open it as it is.
                Err(e)
                    if create
                        && !exclusive
                        && !write
                        && !truncate
                        && e.raw_os_error() == Some(rustix::io::Errno::ACCESS.raw_os_error()) =>
                {
                    implied_write = false;
                    let mut opts = cap_std::fs::OpenOptions::new();
                    opts.read(true).follow(if follow {
                        FollowSymlinks::Yes
                    } else {
                        FollowSymlinks::No
                    });
                    dir.open_with(&path, &opts)?
                }
                Err(e) => return Err(e.into()),
            };
            if !host_write && file.metadata()?.is_dir() {
                let child = cap_std::fs::Dir::from_std_file(file.into_std());
                return Ok(Descriptor::Dir(this.child(child, slot, flags)));
            }
            if read {
                require_file(this.file_perms, FilePerms::READ)?;
            }
            // What the guest reads from the host, for the journal: the
            // contents of a regular file (a device or a pipe has no end to
            // hash, and is not journaled).
            if this.journal.is_on()
                && (read || implied_read || !host_write)
                && file.metadata()?.is_file()
            {
                this.journal
                    .file(&path, || {
                        crate::journal::sha256(PositionalReader {
                            file: &file,
                            offset: 0,
                        })
                    })
                    .map_err(crate::filesystem::FsError::trap)?;
            }
            // A file reached through a directory without MUTATE cannot be
            // changed through any handle obtained from it.
            let opened = request.opened(this.perms, this.file_perms, implied_write, true);
            Ok(Descriptor::File(File {
                file: Arc::new(file),
                perms: opened.perms,
                mode: opened.mode,
                flags: opened.flags,
                preopen: this.preopen,
                blocking: this.blocking.clone(),
                _slot: Arc::new(slot),
                order: Arc::default(),
                written: this.written.clone(),
            }))
        })
        .await
    }
}

/// A reader of a file from its start, by position (the file's own
/// offset is left alone).
struct PositionalReader<'a> {
    file: &'a cap_std::fs::File,
    offset: u64,
}

impl std::io::Read for PositionalReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = super::file::pread_into(self.file, buf, self.offset)?;
        self.offset += n as u64;
        Ok(n)
    }
}

/// The directory `dir` itself opened for reading (`.`, never anything
/// else), for the calls an `O_PATH` handle, which is how directories are
/// held, cannot make: `fsync` and `futimens`. The caller holds a slot of
/// the descriptor budget for it.
fn open_self(dir: &cap_std::fs::Dir) -> std::io::Result<std::fs::File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
    Ok(rustix::fs::openat(dir, ".", flags, Mode::empty())?.into())
}

/// The metadata of `path` beneath `dir`, following a final symbolic link
/// when `follow` (blocking).
fn lookup(
    dir: &cap_std::fs::Dir,
    path: &str,
    follow: bool,
) -> std::io::Result<cap_std::fs::Metadata> {
    if follow {
        dir.metadata(path)
    } else {
        dir.symlink_metadata(path)
    }
}

/// Which later lookups an answer found by a lookup that followed a final
/// symbolic link or not (`follow`) holds for.
fn holds(follow: bool, meta: &cap_std::fs::Metadata) -> Holds {
    if follow {
        Holds::Following
    } else if meta.file_type().is_symlink() {
        Holds::NotFollowing
    } else {
        Holds::Either
    }
}

/// The device of the object `meta` describes.
fn dev(meta: &cap_std::fs::Metadata) -> u64 {
    cap_std::fs::MetadataExt::dev(meta)
}

/// The inode number of the object `meta` describes.
fn ino(meta: &cap_std::fs::Metadata) -> u64 {
    cap_std::fs::MetadataExt::ino(meta)
}

/// An `O_PATH` handle to the object `path` names beneath `dir` (following
/// a final symbolic link when `follow`), opened as cap-std opens anything:
/// `None` where it cannot be (then the caller looks the name up as before).
#[cfg(target_os = "linux")]
fn open_object(dir: &cap_std::fs::Dir, path: &str, follow: bool) -> Option<cap_std::fs::File> {
    use cap_std::fs::OpenOptionsExt;
    let mut options = cap_std::fs::OpenOptions::new();
    // Linux ignores the access mode with `O_PATH`; std wants one.
    options
        .read(true)
        .follow(if follow {
            FollowSymlinks::Yes
        } else {
            FollowSymlinks::No
        })
        .custom_flags(rustix::fs::OFlags::PATH.bits() as i32);
    dir.open_with(path, &options).ok()
}

/// Elsewhere there is no `O_PATH`: the lookup answers alone.
#[cfg(not(target_os = "linux"))]
fn open_object(_: &cap_std::fs::Dir, _: &str, _: bool) -> Option<cap_std::fs::File> {
    None
}
