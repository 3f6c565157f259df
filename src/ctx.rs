//! `WasiCtx`, what a guest was granted, and `WasiCtxBuilder`, which grants
//! it. Nothing is granted by default.

use crate::cli::{StdinStream, StdoutStream, WasiCliCtx};
use crate::clocks::{HostMonotonicClock, HostWallClock, WasiClocksCtx};
use crate::filesystem::vfs::{Mount, SharedWallClock};
use crate::filesystem::{DirPerms, FilePerms, FsPerms};
use crate::filesystem::{FdBudget, HostSettings, MountPoint, MountRoot, WasiFilesystemCtx};
use crate::limits::{Budget, Limits, Usage};
use crate::random::WasiRandomCtx;
use crate::sockets::{SocketAddrCheck, SocketAddrUse, WasiSocketsCtx};
use rand::Rng;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

/// Everything a guest may use: its arguments, environment, stdio, clocks,
/// random sources, preopened directories and network policy, one part per
/// WASI package. Built with [`WasiCtxBuilder`]; the default is the empty
/// sandbox of [`WasiCtxBuilder::new`].
pub struct WasiCtx {
    pub(crate) cli: WasiCliCtx,
    pub(crate) clocks: WasiClocksCtx,
    pub(crate) filesystem: WasiFilesystemCtx,
    pub(crate) random: WasiRandomCtx,
    pub(crate) sockets: WasiSocketsCtx,
    /// Who is told of every call, if anyone.
    pub(crate) observer: crate::observe::Observer,
    /// The journal being recorded or replayed, if any.
    pub(crate) journal: crate::journal::Journal,
    /// The host handles the guest holds, of every kind: each package's
    /// budget of handles takes from it too.
    pub(crate) handles: Budget,
}

impl Default for WasiCtx {
    fn default() -> Self {
        let limits = Limits::default();
        let handles = Budget::new(limits.handles);
        let filesystem = WasiFilesystemCtx {
            fd_budget: FdBudget::within(limits.open_files, handles.clone()),
            virtual_budget: FdBudget::within(limits.virtual_files, handles.clone()),
            ..WasiFilesystemCtx::default()
        };
        let sockets = WasiSocketsCtx::within(&limits, &handles);
        WasiCtx {
            cli: WasiCliCtx::default(),
            clocks: WasiClocksCtx::default(),
            filesystem,
            random: WasiRandomCtx::default(),
            sockets,
            observer: None,
            journal: crate::journal::Journal::Off,
            handles,
        }
    }
}

impl WasiCtx {
    /// A builder for a new context; the same as [`WasiCtxBuilder::new`].
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }

    /// The `wasi:cli` part: arguments, environment, stdio.
    pub fn cli(&mut self) -> &mut WasiCliCtx {
        &mut self.cli
    }

    /// The `wasi:clocks` part.
    pub fn clocks(&mut self) -> &mut WasiClocksCtx {
        &mut self.clocks
    }

    /// The `wasi:filesystem` part: the mounts.
    pub fn filesystem(&mut self) -> &mut WasiFilesystemCtx {
        &mut self.filesystem
    }

    /// The `wasi:random` part.
    pub fn random(&mut self) -> &mut WasiRandomCtx {
        &mut self.random
    }

    /// The `wasi:sockets` part: the network policy.
    pub fn sockets(&mut self) -> &mut WasiSocketsCtx {
        &mut self.sockets
    }

    /// What the guest holds now and held at most of each budget of its
    /// [`Limits`], and what it did in all, for accounting. Cheap: a few
    /// atomic reads.
    pub fn usage(&self) -> Usage {
        Usage {
            handles: self.handles.figures(),
            open_files: self.filesystem.fd_budget.figures(),
            virtual_files: self.filesystem.virtual_budget.figures(),
            background_tasks: self.filesystem.tasks.figures(),
            sockets: self.sockets.socket_budget.figures(),
            socket_send_bytes: self.sockets.send_bytes.figures(),
            lookups_in_flight: self.sockets.lookup_budget.figures(),
            lookups: self.sockets.lookup_rate.made(),
            stdout_bytes: self.cli.stdout_bytes.written(),
            stderr_bytes: self.cli.stderr_bytes.written(),
            mount_write_bytes: self.filesystem.mount_write_bytes(),
        }
    }
}

/// Builds a [`WasiCtx`]. Every method grants one thing; a builder builds
/// once.
pub struct WasiCtxBuilder {
    /// `None` once built.
    ctx: Option<WasiCtx>,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl WasiCtxBuilder {
    /// An empty sandbox: no arguments, no environment, no preopens, closed
    /// stdin, discarded stdout and stderr, no network, the host's clocks
    /// and a fresh random source.
    pub fn new() -> Self {
        WasiCtxBuilder {
            ctx: Some(WasiCtx::default()),
        }
    }

    /// The context being built.
    ///
    /// # Panics
    ///
    /// After [`build`](Self::build): a builder builds once.
    fn ctx(&mut self) -> &mut WasiCtx {
        self.ctx
            .as_mut()
            .expect("WasiCtxBuilder used after build: a builder builds once")
    }

    /// The guest's stdin.
    pub fn stdin(&mut self, stdin: impl StdinStream + 'static) -> &mut Self {
        self.ctx().cli.stdin = Box::new(stdin);
        self
    }

    /// The guest's stdout.
    pub fn stdout(&mut self, stdout: impl StdoutStream + 'static) -> &mut Self {
        self.ctx().cli.stdout = Box::new(stdout);
        self
    }

    /// The guest's stderr.
    pub fn stderr(&mut self, stderr: impl StdoutStream + 'static) -> &mut Self {
        self.ctx().cli.stderr = Box::new(stderr);
        self
    }

    /// The host process's stdin.
    pub fn inherit_stdin(&mut self) -> &mut Self {
        self.stdin(crate::cli::stdin())
    }

    /// The host process's stdout.
    pub fn inherit_stdout(&mut self) -> &mut Self {
        self.stdout(crate::cli::stdout())
    }

    /// The host process's stderr.
    pub fn inherit_stderr(&mut self) -> &mut Self {
        self.stderr(crate::cli::stderr())
    }

    /// The host process's stdin, stdout and stderr.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.inherit_stdin().inherit_stdout().inherit_stderr()
    }

    /// Appends arguments (the first is conventionally the program name).
    pub fn args(&mut self, args: &[impl AsRef<str>]) -> &mut Self {
        self.ctx()
            .cli
            .args
            .extend(args.iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Appends one argument.
    pub fn arg(&mut self, arg: impl AsRef<str>) -> &mut Self {
        self.ctx().cli.args.push(arg.as_ref().to_owned());
        self
    }

    /// Appends the host process's arguments (those that are valid UTF-8 as
    /// they are, the others lossily converted).
    pub fn inherit_args(&mut self) -> &mut Self {
        self.ctx()
            .cli
            .args
            .extend(std::env::args_os().map(|a| a.to_string_lossy().into_owned()));
        self
    }

    /// Appends environment variables.
    pub fn envs(&mut self, env: &[(impl AsRef<str>, impl AsRef<str>)]) -> &mut Self {
        self.ctx().cli.env.extend(
            env.iter()
                .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned())),
        );
        self
    }

    /// Appends one environment variable.
    pub fn env(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> &mut Self {
        self.ctx()
            .cli
            .env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Appends the host process's environment (lossily converted to UTF-8).
    pub fn inherit_env(&mut self) -> &mut Self {
        self.ctx().cli.env.extend(std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }));
        self
    }

    /// What `wasi:cli/environment.initial-cwd` reports.
    pub fn initial_cwd(&mut self, cwd: impl AsRef<str>) -> &mut Self {
        self.ctx().cli.initial_cwd = Some(cwd.as_ref().to_owned());
        self
    }

    /// Grants the directory `host_path` to the guest as `guest_path`,
    /// read-only or read-write: the shortcut for [`mount`](Self::mount) of a
    /// [`Mount::host_dir`] (which takes the finer [`DirPerms`] and
    /// [`FilePerms`]). Fails if `host_path` cannot be opened as a
    /// directory.
    pub fn preopened_dir(
        &mut self,
        host_path: impl AsRef<Path>,
        guest_path: impl AsRef<str>,
        perms: FsPerms,
    ) -> wasmtime::Result<&mut Self> {
        let host_path = host_path.as_ref();
        let mount = Mount::host_dir(host_path).map_err(|e| {
            wasmtime::format_err!("failed to open directory {}: {e}", host_path.display())
        })?;
        let (dir_perms, file_perms) = perms.dir_and_file_perms();
        Ok(self.mount(guest_path, mount, dir_perms, file_perms))
    }

    /// Mounts `mount` (a host directory or a virtual filesystem, see
    /// [`crate::vfs`]) at `guest_path`, with `dir_perms` on its directories
    /// and `file_perms` on its files. The guest finds the mounts among its
    /// preopened directories, in the order they were added; links and
    /// renames between two mounts are `cross-device`. Timestamps of a
    /// virtual mount's changes come from the context's wall clock.
    pub fn mount(
        &mut self,
        guest_path: impl AsRef<str>,
        mount: Mount,
        dir_perms: DirPerms,
        file_perms: FilePerms,
    ) -> &mut Self {
        let host = HostSettings {
            allow_blocking_current_thread: self.ctx().filesystem.allow_blocking_current_thread,
            budget: self.ctx().filesystem.fd_budget.clone(),
            virtual_budget: self.ctx().filesystem.virtual_budget.clone(),
            tasks: self.ctx().filesystem.tasks.clone(),
            written: crate::limits::ByteCount::sharing(
                self.ctx().filesystem.mount_write_max.clone(),
            ),
        };
        let index = self.ctx().filesystem.preopens.len();
        let point = MountPoint::new(
            mount,
            guest_path.as_ref(),
            dir_perms,
            file_perms,
            host,
            index,
        );
        self.ctx().filesystem.preopens.push(point);
        self
    }

    /// The secure random source (`wasi:random/random`).
    pub fn secure_random(&mut self, random: impl Rng + Send + 'static) -> &mut Self {
        self.ctx().random.random = Box::new(random);
        self
    }

    /// The insecure random source (`wasi:random/insecure`).
    pub fn insecure_random(&mut self, random: impl Rng + Send + 'static) -> &mut Self {
        self.ctx().random.insecure_random = Box::new(random);
        self
    }

    /// What `wasi:random/insecure-seed` returns.
    pub fn insecure_random_seed(&mut self, seed: u128) -> &mut Self {
        self.ctx().random.insecure_random_seed = seed;
        self
    }

    /// The most bytes one `get-random-bytes` or `get-insecure-random-bytes`
    /// call may ask for; a larger request traps.
    pub fn max_random_size(&mut self, max: u64) -> &mut Self {
        self.ctx().random.max_size = max;
        self
    }

    /// The wall clock (`wasi:clocks/wall-clock`).
    pub fn wall_clock(&mut self, clock: impl HostWallClock + 'static) -> &mut Self {
        self.ctx().clocks.wall_clock = Box::new(clock);
        self
    }

    /// The monotonic clock (`wasi:clocks/monotonic-clock`), also used for
    /// the deadlines of clock pollables and 0.3 waits (after
    /// [`deterministic`](Self::deterministic), it replaces virtual time).
    pub fn monotonic_clock(&mut self, clock: impl HostMonotonicClock + 'static) -> &mut Self {
        let clocks = &mut self.ctx().clocks;
        clocks.monotonic_clock = Box::new(clock);
        clocks.virtual_time = None;
        self
    }

    /// Makes the run a function of its inputs (arguments, environment,
    /// stdin, the files it is given) and of `seed`:
    ///
    /// - **virtual time**: the monotonic clock starts at 0 and moves only
    ///   when the guest waits; a wait on deadlines alone ends at once with
    ///   the clock moved to the earliest one, so an hour of sleeps takes
    ///   no time; in preview 1 and 0.2, a wait that also involves real I/O
    ///   (a socket, inherited stdin) follows the I/O. 0.3 timers do not
    ///   (its tasks wait separately): a 0.3 run is reproducible when its
    ///   tasks wait only on time, memory mounts and stdio pipes. The wall clock reads a fixed epoch
    ///   ([`DEFAULT_EPOCH`](crate::clocks::DEFAULT_EPOCH), or
    ///   [`deterministic_epoch`](Self::deterministic_epoch)) plus the
    ///   monotonic reading; both resolutions are 1 ns;
    /// - **random**: the secure and the insecure generator and the
    ///   insecure seed are drawn from `seed` (same seed, same bytes);
    /// - **stable listings**: host directories list in byte order of their
    ///   names, as virtual mounts always do; virtual mounts number their
    ///   nodes in creation order and stamp them with virtual time. Host
    ///   files keep the host's timestamps and inode numbers: for a fully
    ///   reproducible tree, mount a [`MemoryFs`](crate::vfs::MemoryFs) or an
    ///   [`Overlay`](crate::vfs::Overlay);
    /// - **nothing ambient**: the arguments, environment, stdin and
    ///   network granted before this call are taken back. Grants made
    ///   after it stand (inherited stdin or a network make the run depend
    ///   on them). Stdout, stderr and mounts stay.
    ///
    /// A [`monotonic_clock`](Self::monotonic_clock) set after this call
    /// replaces virtual time (the wall clock then stays at the epoch unless
    /// [`wall_clock`](Self::wall_clock) is set too); a `wall_clock` set
    /// after it replaces the virtual wall clock. The same seed gives the
    /// same run with the same version of this crate.
    pub fn deterministic(&mut self, seed: u64) -> &mut Self {
        use rand::{RngExt, SeedableRng};
        let ctx = self.ctx();
        ctx.clocks
            .use_virtual_time(crate::clocks::VirtualTime::default());

        let mut seeds = rand::rngs::StdRng::seed_from_u64(seed);
        ctx.random.random = Box::new(crate::random::Deterministic::from_seed(seeds.random()));
        ctx.random.insecure_random =
            Box::new(crate::random::Deterministic::from_seed(seeds.random()));
        ctx.random.insecure_random_seed = seeds.random();

        ctx.filesystem.sorted_listings = true;

        let cli = &mut ctx.cli;
        cli.args.clear();
        cli.env.clear();
        cli.stdin = Box::new(crate::io::pipe::ClosedInputStream);
        ctx.sockets = WasiSocketsCtx::default();
        self
    }

    /// What the wall clock of a deterministic run reads at its start, as
    /// time since 1970-01-01T00:00:00Z (default
    /// [`DEFAULT_EPOCH`](crate::clocks::DEFAULT_EPOCH), 2022-01-01). Takes
    /// effect with [`deterministic`](Self::deterministic), before or
    /// after it (after it, it also replaces a [`wall_clock`](Self::wall_clock)
    /// set in between).
    pub fn deterministic_epoch(&mut self, since_unix_epoch: std::time::Duration) -> &mut Self {
        let clocks = &mut self.ctx().clocks;
        clocks.virtual_epoch = since_unix_epoch;
        if let Some(time) = clocks.virtual_time.clone() {
            clocks.set_virtual_wall_clock(time);
        }
        self
    }

    /// Allows any socket address (still subject to `allow_tcp`,
    /// `allow_udp` and `allow_ip_name_lookup`).
    pub fn inherit_network(&mut self) -> &mut Self {
        self.socket_addr_check(|_, _| async { true })
    }

    /// Decides, per address and use ([`SocketAddrUse`]), whether the guest
    /// may bind, connect or listen, which peers' connections it accepts,
    /// and which datagrams an unconnected UDP stream sends and receives.
    /// Without it, every address is refused except the peers of a
    /// preopened listener's connections (a guest that cannot bind has no
    /// other listener).
    pub fn socket_addr_check<F, Fut>(&mut self, check: F) -> &mut Self
    where
        F: Fn(SocketAddr, SocketAddrUse) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = bool> + Send + Sync + 'static,
    {
        self.ctx().sockets.socket_addr_check =
            SocketAddrCheck::new(Arc::new(move |addr, addr_use| {
                Box::pin(check(addr, addr_use)) as Pin<Box<dyn Future<Output = bool> + Send + Sync>>
            }));
        self
    }

    /// Whether the guest may use TCP sockets.
    pub fn allow_tcp(&mut self, allow: bool) -> &mut Self {
        self.ctx().sockets.allow_tcp = allow;
        self
    }

    /// Whether the guest may use UDP sockets.
    pub fn allow_udp(&mut self, allow: bool) -> &mut Self {
        self.ctx().sockets.allow_udp = allow;
        self
    }

    /// Whether the guest may resolve host names. A refused lookup answers
    /// `permanent-resolver-failure` (from `resolve-next-address`).
    pub fn allow_ip_name_lookup(&mut self, allow: bool) -> &mut Self {
        self.ctx().sockets.allow_ip_name_lookup = allow;
        self
    }

    /// Puts a listening TCP socket into a core module's descriptor table,
    /// after the preopened directories (in the order added), for
    /// `sock_accept`: the way a preview 1 server gets its socket (preview 1
    /// has no `bind` or `listen`). The embedder opened and granted it, so
    /// accepting on it is not subject to `allow_tcp`; the peer of each
    /// connection is put to `socket_addr_check` as
    /// [`SocketAddrUse::TcpAccept`] (a refused one is closed, and the guest
    /// never sees it), which the context's default policy allows.
    /// Components do not see it.
    pub fn preopened_tcp_listener(&mut self, listener: std::net::TcpListener) -> &mut Self {
        self.ctx().sockets.tcp_listeners.push(listener);
        self
    }

    /// Tells `observer` of every WASI call the guest makes: one
    /// [`CallEvent`](crate::observe::CallEvent) per call, after it, with
    /// its arguments in compact form, its outcome and its timing
    /// ([`JsonLines`](crate::observe::JsonLines) writes them as JSON lines).
    /// Every front-end's calls report (preview 1, preview 0, 0.2, 0.3).
    pub fn call_observer(
        &mut self,
        observer: impl crate::observe::CallObserver + 'static,
    ) -> &mut Self {
        self.ctx().observer = Some(Arc::new(observer));
        self
    }

    /// Records a journal of what the guest receives from outside to `out`
    /// as it runs: each clock reading and random value it asks for, each
    /// read of stdin, how each wait ended, the SHA-256 of each host file
    /// it opens for reading, and the outcome of each call on a TCP socket,
    /// its streams (the bytes received, not those sent) and each name
    /// lookup (the format is in the README). A later run with
    /// [`replay`](Self::replay) of the journal takes the same path. The
    /// journal is finished when the context is dropped. UDP is not
    /// journaled yet: it works while recording, and stops the replay.
    pub fn record(&mut self, out: impl std::io::Write + Send + 'static) -> &mut Self {
        self.ctx().journal =
            crate::journal::Journal::Record(Arc::new(crate::journal::Recorder::new(Box::new(out))));
        self
    }

    /// Replays the journal `input` holds (written by
    /// [`record`](Self::record)): clock readings, random values, stdin and
    /// the ends of waits come from it, in order, without waiting and
    /// without reading the host's clocks or stdin; TCP sockets and name
    /// lookups answer from it without touching the network (what the guest
    /// sends is dropped); host files are read as usual and checked against
    /// their recorded hashes. When the guest
    /// asks for something the journal does not have next, or a host file
    /// changed, the call traps with a message naming the call and the
    /// journal line; so does the first replayed call of a journal that
    /// cannot be read (cut short, malformed), saying why. The whole journal
    /// is read here.
    pub fn replay(&mut self, input: impl std::io::Read) -> &mut Self {
        self.ctx().journal =
            crate::journal::Journal::Replay(Arc::new(crate::journal::Replayer::read(input)));
        self
    }

    /// The most host file descriptors the guest may hold open at once
    /// through the filesystem ([`Limits::open_files`], the other limits
    /// unchanged): every open file and directory counts one, every
    /// directory listing two; the preopens do not count. Default:
    /// [`DEFAULT_MAX_OPEN_FILES`](crate::DEFAULT_MAX_OPEN_FILES) (1024).
    ///
    /// When the budget is spent, `open-at` and `read-directory` fail with
    /// `insufficient-memory` (preview 1: `mfile`), as they do when the host
    /// itself runs out (`EMFILE`/`ENFILE`); the guest can close
    /// descriptors and open again. Applies to all preopens, whenever they
    /// were added.
    ///
    /// The other resources a guest holds (descriptors, streams, pollables,
    /// listings) are bounded by the embedder: the capacity of the store's
    /// [`ResourceTable`](crate::ResourceTable)
    /// (`ResourceTable::set_max_capacity`; a full table traps with
    /// "resource table has no free keys") and wasmtime's
    /// `Store::set_max_component_handles` (past it the guest traps with
    /// "store handle limit exceeded"). Memory, tables and instances are
    /// bounded with `Store::limiter`. Hitting any of these is a trap with
    /// that message, never a host panic.
    pub fn max_open_files(&mut self, max: usize) -> &mut Self {
        self.ctx().filesystem.fd_budget.set_max(max);
        self
    }

    /// The bounds of what the guest may make the host hold and do (see
    /// [`Limits`]: handles of every kind, open files, sockets, name
    /// lookups, stdout and stderr bytes). Replaces the defaults (and an
    /// earlier [`max_open_files`](Self::max_open_files)); applies to
    /// everything the context gives the guest, whenever it was added.
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        let ctx = self.ctx();
        ctx.handles.set_max(limits.handles);
        ctx.filesystem.fd_budget.set_max(limits.open_files);
        ctx.filesystem.virtual_budget.set_max(limits.virtual_files);
        ctx.filesystem.tasks.set_max(limits.background_tasks);
        ctx.sockets.socket_budget.set_max(limits.sockets);
        ctx.sockets.send_bytes.set_max(limits.socket_send_bytes);
        ctx.sockets.lookup_budget.set_max(limits.lookups_in_flight);
        ctx.sockets
            .lookup_rate
            .set_limits(limits.lookups_per_run, limits.lookups_per_second);
        ctx.cli.stdout_bytes.set_max(limits.stdout_bytes);
        ctx.cli.stderr_bytes.set_max(limits.stderr_bytes);
        ctx.filesystem.mount_write_max.store(
            limits.mount_write_bytes,
            std::sync::atomic::Ordering::Relaxed,
        );
        self
    }

    /// Runs blocking file I/O inline on the calling thread instead of on
    /// tokio's blocking pool, also in async mode. Applies to the preopens
    /// added after this call. (Sync calls always run it inline.)
    pub fn allow_blocking_current_thread(&mut self, allow: bool) -> &mut Self {
        self.ctx().filesystem.allow_blocking_current_thread = allow;
        self
    }

    /// The finished context.
    ///
    /// # Panics
    ///
    /// When called a second time: a builder builds once.
    pub fn build(&mut self) -> WasiCtx {
        let mut ctx = self
            .ctx
            .take()
            .expect("WasiCtxBuilder::build called twice: a builder builds once");
        // Each package's host functions tell the observer through their
        // own part of the context.
        ctx.cli.observer = ctx.observer.clone();
        ctx.cli.count_output();
        ctx.clocks.observer = ctx.observer.clone();
        ctx.filesystem.observer = ctx.observer.clone();
        ctx.random.observer = ctx.observer.clone();
        ctx.sockets.observer = ctx.observer.clone();
        if ctx.journal.is_on() {
            use_journal(&mut ctx);
        }
        if ctx.filesystem.sorted_listings {
            for point in &mut ctx.filesystem.preopens {
                if let MountRoot::Host(dir) = &mut point.root {
                    dir.sorted_listings = true;
                }
            }
        }
        let mut mounts = ctx
            .filesystem
            .preopens
            .iter()
            .filter_map(|p| match &p.root {
                MountRoot::Virtual(d) => Some(d.mount()),
                MountRoot::Host(_) => None,
            });
        if let Some(first) = mounts.next() {
            // The virtual mounts' timestamps come from the context's wall
            // clock, which they then share with it.
            let clock = SharedWallClock::new(std::mem::replace(
                &mut ctx.clocks.wall_clock,
                crate::clocks::wall_clock(),
            ));
            for state in std::iter::once(first).chain(mounts) {
                let _ = state.clock.set(clock.clone());
            }
            ctx.clocks.wall_clock = Box::new(clock);
        }
        ctx
    }
}

/// Puts the context's journal where each part journals: the clocks,
/// random sources and sockets, every host mount, and a journaled stdin;
/// in a replay, the host's own code reads the replayed clocks.
fn use_journal(ctx: &mut WasiCtx) {
    use crate::journal::{Journal, JournaledStdin, ReplayMonotonicClock, ReplayWallClock};
    let journal = ctx.journal.clone();
    ctx.clocks.journal = journal.clone();
    ctx.random.journal = journal.clone();
    ctx.sockets.journal = journal.clone();
    for point in &mut ctx.filesystem.preopens {
        if let MountRoot::Host(dir) = &mut point.root {
            dir.journal = journal.clone();
        }
    }
    let stdin = std::mem::replace(
        &mut ctx.cli.stdin,
        Box::new(crate::io::pipe::ClosedInputStream),
    );
    ctx.cli.stdin = Box::new(JournaledStdin {
        inner: stdin,
        journal: journal.clone(),
    });
    if let Journal::Replay(replay) = journal {
        ctx.clocks.wall_clock = Box::new(ReplayWallClock {
            resolution: ctx.clocks.wall_clock.resolution(),
            replay: Arc::clone(&replay),
        });
        ctx.clocks.monotonic_clock = Box::new(ReplayMonotonicClock {
            resolution: ctx.clocks.monotonic_clock.resolution(),
            replay,
        });
    }
}
