//! WASI preview 1 (`wasi_snapshot_preview1`) for core modules, on the 0.2
//! host's backends.
//!
//! A [`WasiP1Ctx`] holds a [`WasiCtx`], its own [`ResourceTable`] (so an
//! embedder can link preview 1 and 0.2 over the same state, through
//! [`WasiView`]) and the descriptor table of the module. Preview 1 calls go
//! straight from guest memory to the same backends the 0.2 host uses
//! (filesystem `Dir`/`File` with their cap-std resolution and permission
//! checks, streams and pipes, stdio, clocks, random): nothing is
//! implemented twice, and the hot paths take no detour through the
//! resource table.
//!
//! Layout: `bindings.rs` (wiggle output), `link.rs` (both linkers),
//! `host.rs` (the generated trait, dispatching to one file per function
//! family: `args.rs`, `clocks.rs` (clocks, random, sched), `fd.rs`,
//! `path.rs`, `poll.rs`, `proc.rs`, `sock.rs`), `fds.rs` (the descriptor
//! table and rights), `file_io.rs` (reads and writes of files, through the
//! descriptor traits' vectored hook), `iov.rs` (iovec arrays),
//! `readdir.rs` (the resumable listing), `convert.rs` (the filesystem
//! types as preview 1's) and `error.rs` (the one mapping to `errno`).
//! Files and directories of every backend (host directories, virtual
//! mounts) are one kind of entry, a filesystem `Descriptor`, and each
//! function calls its descriptor traits once.

mod args;
pub mod bindings;
mod clocks;
mod convert;
pub(crate) mod error;
pub(crate) mod fast;
mod fd;
pub(crate) mod fds;
mod file_io;
mod fuel;
mod host;
mod iov;
pub(crate) mod link;
pub(crate) mod observe;
mod path;
pub(crate) mod poll;
mod proc;
mod readdir;
mod sock;

pub(crate) use link::guest_call;
pub use link::{add_to_linker_async, add_to_linker_sync};

use crate::filesystem::{Descriptor, MountRoot};
use crate::{ResourceTable, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};
use bindings::types::{Fdflags, Filetype};
use fds::{Entry, FdTable, Kind};

/// The state of a core module's WASI: a [`WasiCtx`], a [`ResourceTable`]
/// and the descriptor table. Built with [`WasiCtxBuilder::build_p1`].
pub struct WasiP1Ctx {
    pub(crate) ctx: WasiCtx,
    pub(crate) table: ResourceTable,
    pub(crate) fds: FdTable,
    /// The host-call fuel left to the current call (see `fuel.rs`).
    pub(crate) fuel: usize,
}

impl WasiP1Ctx {
    /// A context for `ctx`: stdio at 0, 1 and 2, the preopens from 3, then
    /// the TCP listeners.
    pub(crate) fn new(mut ctx: WasiCtx) -> WasiP1Ctx {
        let mut fds = FdTable::default();
        let stdin_tty = ctx.cli.stdin.is_terminal();
        let stdout_tty = ctx.cli.stdout.is_terminal();
        let stderr_tty = ctx.cli.stderr.is_terminal();
        let stdio = [
            (Kind::Input(ctx.cli.stdin.p2_stream()), stdin_tty, false),
            (Kind::Output(ctx.cli.stdout.p2_stream()), stdout_tty, true),
            (Kind::Output(ctx.cli.stderr.p2_stream()), stderr_tty, true),
        ];
        for (kind, tty, output) in stdio {
            let filetype = if tty {
                Filetype::CharacterDevice
            } else {
                Filetype::Unknown
            };
            // Fresh table: the numbers are 0, 1 and 2.
            let _ = fds.push(Entry::stdio(kind, filetype, output));
        }
        for preopen in &ctx.filesystem.preopens {
            let desc = match &preopen.root {
                MountRoot::Host(dir) => Descriptor::Dir(dir.clone()),
                MountRoot::Virtual(dir) => Descriptor::VirtualDir(dir.clone()),
            };
            let name = Some(preopen.guest_path.clone());
            let _ = fds.push(Entry::descriptor(
                desc,
                Filetype::Directory,
                name,
                Fdflags::empty(),
            ));
        }
        let listeners = std::mem::take(&mut ctx.sockets.tcp_listeners);
        for (index, listener) in listeners.into_iter().enumerate() {
            let check = ctx.sockets.socket_addr_check.clone();
            let tap = ctx.sockets.listener_tap(index);
            let budget = &ctx.sockets.socket_budget;
            let sends = &ctx.sockets.send_bytes;
            match crate::sockets::TcpSocket::listening(listener, check, tap, budget, sends) {
                Ok(socket) => {
                    let entry = Entry::socket(fds::SocketFd::Listener(socket), Fdflags::empty());
                    let _ = fds.push(entry);
                }
                // Not a listening TCP socket: the embedder's mistake, not
                // the guest's. The guest sees no descriptor for it.
                Err(e) => tracing::warn!("preopened TCP listener left out: {e}"),
            }
        }
        WasiP1Ctx {
            ctx,
            table: ResourceTable::new(),
            fds,
            fuel: usize::MAX,
        }
    }
}

impl WasiView for WasiP1Ctx {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.ctx,
            table: &mut self.table,
        }
    }
}

impl WasiCtxBuilder {
    /// The finished context for a core module (preview 1 and preview 0).
    ///
    /// # Panics
    ///
    /// When the builder already built: a builder builds once.
    pub fn build_p1(&mut self) -> WasiP1Ctx {
        WasiP1Ctx::new(self.build())
    }
}
