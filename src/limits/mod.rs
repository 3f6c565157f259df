//! What a guest may make the host hold, per context: the limits an
//! embedder sets ([`Limits`], through
//! [`WasiCtxBuilder::limits`](crate::WasiCtxBuilder::limits)) and what is
//! used of them ([`Usage`], from [`WasiCtx::usage`](crate::WasiCtx::usage)).
//!
//! The counting itself is here (`budget.rs`: a count with a limit, a peak
//! and an optional parent; `rate.rs`: events per run and per second); each
//! package holds its own budgets and answers a spent one with its own error
//! code:
//! * handles: every host descriptor the filesystem opens for the guest
//!   (`open_files`), every descriptor and listing of a virtual mount
//!   (`virtual_files`), every socket (`sockets`) and every name lookup in
//!   flight (`lookups_in_flight`) also takes one from the context's
//!   `handles`;
//! * background tasks: host-mount jobs on the blocking pool
//!   (`background_tasks`, applied in `filesystem/host/blocking.rs`);
//! * stdout and stderr: bytes written in all (`bytes.rs`, applied in
//!   `cli/limited.rs`);
//! * host mounts: bytes written to the files of each (`bytes.rs`, applied
//!   in `filesystem/host/`);
//! * TCP sends: bytes granted by `check-write` or still to be sent, all
//!   connections together (`held.rs`, applied in `sockets/tcp_stream.rs`);
//! * name lookups: per run and per second (`sockets/ctx.rs`).

mod budget;
mod bytes;
mod held;
mod rate;

pub use budget::Use;
pub(crate) use budget::{Budget, Slot};
pub(crate) use bytes::ByteCount;
pub(crate) use held::{Held, HeldBytes};
pub(crate) use rate::{Rate, Refusal};

/// The default of [`Limits::handles`]: 2048, the sum of the default
/// sub-limits but for lookups, so that each sub-limit can be reached alone
/// while a guest using all kinds at once stays within a usual process
/// descriptor limit shared with other guests.
pub const DEFAULT_MAX_HANDLES: usize = 2048;

/// The default of [`Limits::open_files`]: far more descriptors than
/// ordinary programs keep open (the same as
/// [`DEFAULT_MAX_OPEN_FILES`](crate::DEFAULT_MAX_OPEN_FILES)).
pub const DEFAULT_MAX_OPEN_FILES: usize = crate::filesystem::DEFAULT_MAX_OPEN_FILES;

/// The default of [`Limits::virtual_files`]: 1024, as for host files. A
/// virtual descriptor holds no host descriptor, but it keeps its node (and
/// a listing its buffered names) alive after the guest removed them.
pub const DEFAULT_MAX_VIRTUAL_FILES: usize = 1024;

/// The default of [`Limits::background_tasks`]: 32. Each is a thread of
/// tokio's blocking pool, which all contexts and the embedder share (512
/// threads by default); a program keeps a few file operations in flight.
pub const DEFAULT_MAX_BACKGROUND_TASKS: usize = 32;

/// The default of [`Limits::sockets`]: 1024, enough for a guest server
/// holding a thousand connections; each is a host descriptor with kernel
/// buffers.
pub const DEFAULT_MAX_SOCKETS: usize = 1024;

/// The default of [`Limits::socket_send_bytes`]: 16 MiB. A connection's
/// output stream grants at most 1 MiB at once, and holds a write's bytes
/// only while the kernel's send buffer (itself up to a few MiB per
/// socket) is full; 16 connections can do so at once with full permits,
/// any number with smaller ones, while a thousand connections cannot make
/// the host hold a gigabyte.
pub const DEFAULT_MAX_SOCKET_SEND_BYTES: usize = 16 << 20;

/// The default of [`Limits::lookups_in_flight`]: 16. Each lookup in flight
/// holds a thread of the shared blocking pool while the system resolver
/// works; a program resolves a handful of names at once.
pub const DEFAULT_MAX_LOOKUPS_IN_FLIGHT: usize = 16;

/// The default of [`Limits::lookups_per_run`]: 10,000 names, far more than
/// a client program resolves, few enough that a guest cannot use the host
/// as a resolver for others.
pub const DEFAULT_MAX_LOOKUPS_PER_RUN: u64 = 10_000;

/// The default of [`Limits::lookups_per_second`]: 100, so that a guest
/// cannot flood the host's resolver.
pub const DEFAULT_MAX_LOOKUPS_PER_SECOND: u32 = 100;

/// The bounds of one context: what a guest may make the host hold at once,
/// and how much it may do in all. Given to
/// [`WasiCtxBuilder::limits`](crate::WasiCtxBuilder::limits). The default
/// is safe for untrusted guests sharing a host (each default's constant
/// says why its number); [`Limits::unlimited`] is for trusted guests. A
/// spent limit is an error code the guest is told, never a trap, and the
/// host stays usable.
///
/// The guest's memory, tables and instances are bounded by the embedder
/// with `Store::limiter`, its resource handles with
/// `ResourceTable::set_max_capacity` and `Store::set_max_component_handles`
/// (both end in a trap).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Host handles the guest holds at once, of every kind below (open
    /// files, virtual files, sockets, lookups in flight) together. Default:
    /// [`DEFAULT_MAX_HANDLES`]. Spent: the kind's own answer below.
    pub handles: usize,
    /// Host file descriptors held through the filesystem: every open file
    /// and directory counts one, every directory listing two, the preopens
    /// none. Default: [`DEFAULT_MAX_OPEN_FILES`]. Spent: `open-at` and
    /// `read-directory` fail with `insufficient-memory` in 0.2 and 0.3, and
    /// `path_open` and `fd_readdir` with `mfile` in preview 1 (as when the
    /// host runs out, `EMFILE`).
    pub open_files: usize,
    /// Files, directories and directory listings the guest holds open on
    /// virtual mounts (memory, overlay, read-only, single-file, custom),
    /// the mounts' roots not counted. Default:
    /// [`DEFAULT_MAX_VIRTUAL_FILES`]. Spent: the answers of `open_files`.
    pub virtual_files: usize,
    /// Jobs of host-mount I/O the guest has running on tokio's blocking
    /// pool at once: file and directory calls and file stream reads and
    /// writes, where blocking the calling thread is not allowed (a
    /// current-thread runtime without `allow_blocking_current_thread`).
    /// Default: [`DEFAULT_MAX_BACKGROUND_TASKS`]. Spent: the next job runs
    /// on the calling thread, as in a sync call; the guest is not told.
    /// (The other work in flight is bounded by what holds it: a socket has
    /// at most one background send, whose bytes count in
    /// `socket_send_bytes`, a lookup counts in `lookups_in_flight`, and a
    /// poll waits with one timer whatever its number of clock pollables.)
    pub background_tasks: usize,
    /// TCP and UDP sockets, listeners and accepted connections included.
    /// Default: [`DEFAULT_MAX_SOCKETS`]. Spent: creating or accepting one
    /// fails with `new-socket-limit` (preview 1: `mfile`).
    pub sockets: usize,
    /// Bytes the host holds for the guest's TCP output streams, all
    /// connections together: what `check-write` granted and no write used
    /// yet, and what a write left for the background to send when the
    /// kernel's send buffer was full (a write the kernel takes whole holds
    /// nothing). Default: [`DEFAULT_MAX_SOCKET_SEND_BYTES`]. Spent:
    /// `check-write` grants less, down to 0, and the stream's pollable is
    /// ready again when some is sent (preview 1 `fd_write` waits, or
    /// answers `again` on a non-blocking socket); nothing fails. 0 allows
    /// no TCP output at all: writers wait for room that never comes.
    pub socket_send_bytes: usize,
    /// Name lookups (of domain names; IP literals need none) whose
    /// address streams the guest holds. Default:
    /// [`DEFAULT_MAX_LOOKUPS_IN_FLIGHT`]. Spent: the new lookup's
    /// `resolve-next-address` answers `temporary-resolver-failure`.
    pub lookups_in_flight: usize,
    /// Name lookups (of domain names) in the whole run. Default:
    /// [`DEFAULT_MAX_LOOKUPS_PER_RUN`]. Spent: `permanent-resolver-failure`.
    pub lookups_per_run: u64,
    /// Name lookups (of domain names) started in any one second. Default:
    /// [`DEFAULT_MAX_LOOKUPS_PER_SECOND`]. Spent:
    /// `temporary-resolver-failure`. Not applied while recording or
    /// replaying, whose answers must not depend on the host's clock.
    pub lookups_per_second: u32,
    /// Bytes the guest may write to stdout in all. Default: no limit
    /// (`u64::MAX`): output goes out as it is written, and the crate's
    /// memory pipes have their own capacity. Spent: the stream reports
    /// itself closed (preview 1: `pipe`), and the guest goes on.
    pub stdout_bytes: u64,
    /// The same for stderr.
    pub stderr_bytes: u64,
    /// Bytes the guest may write to the files of each host mount, counted
    /// per mount: every byte a write carries counts, overwrites too, so it
    /// bounds the disk space the guest can take as well as its writes.
    /// Default: no limit (`u64::MAX`): the embedder chose to grant a
    /// writable directory, and outputs are as large as the program's job.
    /// Spent: the write takes what fits (`descriptor.write`, `fd_write`
    /// return the shorter count), or fails when nothing fits (a stream
    /// write that does not fit fails whole), with `insufficient-space`
    /// (preview 1 `nospc`); nothing past the limit reaches the disk.
    /// Memory mounts have their own quotas ([`crate::vfs::MemoryFs`]).
    pub mount_write_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            handles: DEFAULT_MAX_HANDLES,
            open_files: DEFAULT_MAX_OPEN_FILES,
            virtual_files: DEFAULT_MAX_VIRTUAL_FILES,
            background_tasks: DEFAULT_MAX_BACKGROUND_TASKS,
            sockets: DEFAULT_MAX_SOCKETS,
            socket_send_bytes: DEFAULT_MAX_SOCKET_SEND_BYTES,
            lookups_in_flight: DEFAULT_MAX_LOOKUPS_IN_FLIGHT,
            lookups_per_run: DEFAULT_MAX_LOOKUPS_PER_RUN,
            lookups_per_second: DEFAULT_MAX_LOOKUPS_PER_SECOND,
            stdout_bytes: u64::MAX,
            stderr_bytes: u64::MAX,
            mount_write_bytes: u64::MAX,
        }
    }
}

impl Limits {
    /// No limits at all, for trusted guests: the host's own limits
    /// (`EMFILE`, memory) are the only ones.
    pub fn unlimited() -> Self {
        Limits {
            handles: usize::MAX,
            open_files: usize::MAX,
            virtual_files: usize::MAX,
            background_tasks: usize::MAX,
            sockets: usize::MAX,
            socket_send_bytes: usize::MAX,
            lookups_in_flight: usize::MAX,
            lookups_per_run: u64::MAX,
            lookups_per_second: u32::MAX,
            stdout_bytes: u64::MAX,
            stderr_bytes: u64::MAX,
            mount_write_bytes: u64::MAX,
        }
    }
}

/// What a context's guest holds now and held at most, and what it did in
/// all, for accounting: [`WasiCtx::usage`](crate::WasiCtx::usage).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Usage {
    /// Host handles of every kind together.
    pub handles: Use,
    /// Host file descriptors held through the filesystem.
    pub open_files: Use,
    /// Descriptors and listings held on virtual mounts.
    pub virtual_files: Use,
    /// Host-mount jobs on the blocking pool.
    pub background_tasks: Use,
    /// Sockets.
    pub sockets: Use,
    /// Bytes held for TCP output streams.
    pub socket_send_bytes: Use,
    /// Name lookups in flight.
    pub lookups_in_flight: Use,
    /// Name lookups started in the run.
    pub lookups: u64,
    /// Bytes written to stdout.
    pub stdout_bytes: u64,
    /// Bytes written to stderr.
    pub stderr_bytes: u64,
    /// Bytes written to the files of host mounts, all mounts together.
    pub mount_write_bytes: u64,
}
