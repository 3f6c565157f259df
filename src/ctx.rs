//! `WasiCtx`, what a guest was granted, and `WasiCtxBuilder`, which grants
//! it. Nothing is granted by default.

use crate::cli::{StdinStream, StdoutStream};
use crate::clocks::{HostMonotonicClock, HostWallClock};
use crate::filesystem::{DEFAULT_MAX_OPEN_FILES, DirPerms, FdBudget, FilePerms, FsPerms};
use crate::filesystem::{HostSettings, MountPoint, MountRoot};
use crate::io::pipe::{ClosedInputStream, SinkOutputStream};
use crate::random::{Deterministic, thread_rng};
use crate::sockets::{SocketAddrCheck, SocketAddrUse};
use crate::vfs::Mount;
use cap_rand::RngCore;
use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;

/// The default bound on the bytes one `get-random-bytes` call may ask for:
/// 64 MiB.
pub const DEFAULT_MAX_RANDOM_SIZE: u64 = 64 << 20;

/// Everything a guest may use: its arguments, environment, stdio, clocks,
/// random sources, preopened directories and network policy. Built with
/// [`WasiCtxBuilder`].
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) initial_cwd: Option<String>,
    pub(crate) stdin: Box<dyn StdinStream>,
    pub(crate) stdout: Box<dyn StdoutStream>,
    pub(crate) stderr: Box<dyn StdoutStream>,
    pub(crate) random: Box<dyn RngCore + Send>,
    pub(crate) insecure_random: Box<dyn RngCore + Send>,
    pub(crate) insecure_random_seed: u128,
    pub(crate) max_random_size: u64,
    pub(crate) wall_clock: Box<dyn HostWallClock>,
    pub(crate) monotonic_clock: Arc<dyn HostMonotonicClock>,
    /// The mount table: host directories and virtual backends, in the
    /// order the builder added them.
    pub(crate) preopens: Vec<MountPoint>,
    /// The host descriptors the guest may hold (shared with the preopens).
    pub(crate) fd_budget: FdBudget,
    pub(crate) socket_addr_check: SocketAddrCheck,
    pub(crate) allow_tcp: bool,
    pub(crate) allow_udp: bool,
    pub(crate) allow_ip_name_lookup: bool,
    pub(crate) allow_blocking_current_thread: bool,
    /// Listening sockets for a core module's descriptor table.
    pub(crate) tcp_listeners: Vec<std::net::TcpListener>,
}

impl WasiCtx {
    /// A builder for a new context; the same as [`WasiCtxBuilder::new`].
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
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
        let insecure_random_seed =
            cap_rand::Rng::r#gen::<u128>(&mut cap_rand::thread_rng(cap_rand::ambient_authority()));
        WasiCtxBuilder {
            ctx: Some(WasiCtx {
                args: Vec::new(),
                env: Vec::new(),
                initial_cwd: None,
                stdin: Box::new(ClosedInputStream),
                stdout: Box::new(SinkOutputStream),
                stderr: Box::new(SinkOutputStream),
                random: thread_rng(),
                insecure_random: Box::new(Deterministic::from_seed(insecure_random_seed)),
                insecure_random_seed,
                max_random_size: DEFAULT_MAX_RANDOM_SIZE,
                wall_clock: crate::clocks::wall_clock(),
                monotonic_clock: crate::clocks::monotonic_clock(),
                preopens: Vec::new(),
                fd_budget: FdBudget::new(DEFAULT_MAX_OPEN_FILES),
                socket_addr_check: SocketAddrCheck::unset(),
                allow_tcp: false,
                allow_udp: false,
                allow_ip_name_lookup: false,
                allow_blocking_current_thread: false,
                tcp_listeners: Vec::new(),
            }),
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
        self.ctx().stdin = Box::new(stdin);
        self
    }

    /// The guest's stdout.
    pub fn stdout(&mut self, stdout: impl StdoutStream + 'static) -> &mut Self {
        self.ctx().stdout = Box::new(stdout);
        self
    }

    /// The guest's stderr.
    pub fn stderr(&mut self, stderr: impl StdoutStream + 'static) -> &mut Self {
        self.ctx().stderr = Box::new(stderr);
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
            .args
            .extend(args.iter().map(|a| a.as_ref().to_owned()));
        self
    }

    /// Appends one argument.
    pub fn arg(&mut self, arg: impl AsRef<str>) -> &mut Self {
        self.ctx().args.push(arg.as_ref().to_owned());
        self
    }

    /// Appends the host process's arguments (those that are valid UTF-8 as
    /// they are, the others lossily converted).
    pub fn inherit_args(&mut self) -> &mut Self {
        self.ctx()
            .args
            .extend(std::env::args_os().map(|a| a.to_string_lossy().into_owned()));
        self
    }

    /// Appends environment variables.
    pub fn envs(&mut self, env: &[(impl AsRef<str>, impl AsRef<str>)]) -> &mut Self {
        self.ctx().env.extend(
            env.iter()
                .map(|(k, v)| (k.as_ref().to_owned(), v.as_ref().to_owned())),
        );
        self
    }

    /// Appends one environment variable.
    pub fn env(&mut self, key: impl AsRef<str>, value: impl AsRef<str>) -> &mut Self {
        self.ctx()
            .env
            .push((key.as_ref().to_owned(), value.as_ref().to_owned()));
        self
    }

    /// Appends the host process's environment (lossily converted to UTF-8).
    pub fn inherit_env(&mut self) -> &mut Self {
        self.ctx().env.extend(std::env::vars_os().map(|(k, v)| {
            (
                k.to_string_lossy().into_owned(),
                v.to_string_lossy().into_owned(),
            )
        }));
        self
    }

    /// What `wasi:cli/environment.initial-cwd` reports.
    pub fn initial_cwd(&mut self, cwd: impl AsRef<str>) -> &mut Self {
        self.ctx().initial_cwd = Some(cwd.as_ref().to_owned());
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
            allow_blocking_current_thread: self.ctx().allow_blocking_current_thread,
            budget: self.ctx().fd_budget.clone(),
        };
        let point = MountPoint::new(mount, guest_path.as_ref(), dir_perms, file_perms, host);
        self.ctx().preopens.push(point);
        self
    }

    /// The secure random source (`wasi:random/random`).
    pub fn secure_random(&mut self, random: impl RngCore + Send + 'static) -> &mut Self {
        self.ctx().random = Box::new(random);
        self
    }

    /// The insecure random source (`wasi:random/insecure`).
    pub fn insecure_random(&mut self, random: impl RngCore + Send + 'static) -> &mut Self {
        self.ctx().insecure_random = Box::new(random);
        self
    }

    /// What `wasi:random/insecure-seed` returns.
    pub fn insecure_random_seed(&mut self, seed: u128) -> &mut Self {
        self.ctx().insecure_random_seed = seed;
        self
    }

    /// The most bytes one `get-random-bytes` or `get-insecure-random-bytes`
    /// call may ask for; a larger request traps.
    pub fn max_random_size(&mut self, max: u64) -> &mut Self {
        self.ctx().max_random_size = max;
        self
    }

    /// The wall clock (`wasi:clocks/wall-clock`).
    pub fn wall_clock(&mut self, clock: impl HostWallClock + 'static) -> &mut Self {
        self.ctx().wall_clock = Box::new(clock);
        self
    }

    /// The monotonic clock (`wasi:clocks/monotonic-clock`), also used for
    /// the deadlines of clock pollables.
    pub fn monotonic_clock(&mut self, clock: impl HostMonotonicClock + 'static) -> &mut Self {
        self.ctx().monotonic_clock = Arc::new(clock);
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
        self.ctx().socket_addr_check = SocketAddrCheck::new(Arc::new(move |addr, addr_use| {
            Box::pin(check(addr, addr_use)) as Pin<Box<dyn Future<Output = bool> + Send + Sync>>
        }));
        self
    }

    /// Whether the guest may use TCP sockets.
    pub fn allow_tcp(&mut self, allow: bool) -> &mut Self {
        self.ctx().allow_tcp = allow;
        self
    }

    /// Whether the guest may use UDP sockets.
    pub fn allow_udp(&mut self, allow: bool) -> &mut Self {
        self.ctx().allow_udp = allow;
        self
    }

    /// Whether the guest may resolve host names. A refused lookup answers
    /// `permanent-resolver-failure` (from `resolve-next-address`).
    pub fn allow_ip_name_lookup(&mut self, allow: bool) -> &mut Self {
        self.ctx().allow_ip_name_lookup = allow;
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
        self.ctx().tcp_listeners.push(listener);
        self
    }

    /// The most host file descriptors the guest may hold open at once
    /// through the filesystem: every open file and directory counts one,
    /// every directory listing two; the preopens do not count. Default:
    /// [`DEFAULT_MAX_OPEN_FILES`] (1024).
    ///
    /// When the budget is spent, `open-at` and `read-directory` fail with
    /// `insufficient-memory` (as they do when the host itself runs out,
    /// `EMFILE`/`ENFILE`); the guest can close descriptors and open again.
    /// Applies to all preopens, whenever they were added.
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
        self.ctx().fd_budget.set_max(max);
        self
    }

    /// Runs blocking file I/O inline on the calling thread instead of on
    /// tokio's blocking pool, also in async mode. Applies to the preopens
    /// added after this call. (Sync calls always run it inline.)
    pub fn allow_blocking_current_thread(&mut self, allow: bool) -> &mut Self {
        self.ctx().allow_blocking_current_thread = allow;
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
        let mut mounts = ctx.preopens.iter().filter_map(|p| match &p.root {
            MountRoot::Virtual(d) => Some(d.mount()),
            MountRoot::Host(_) => None,
        });
        if let Some(first) = mounts.next() {
            // The virtual mounts' timestamps come from the context's wall
            // clock.
            let clock: Arc<dyn HostWallClock> = Arc::from(std::mem::replace(
                &mut ctx.wall_clock,
                crate::clocks::wall_clock(),
            ));
            for state in std::iter::once(first).chain(mounts) {
                let _ = state.clock.set(Arc::clone(&clock));
            }
            ctx.wall_clock = Box::new(crate::vfs::SharedWallClock(clock));
        }
        ctx
    }
}
