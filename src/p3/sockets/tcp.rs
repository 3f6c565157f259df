//! `wasi:sockets/types.tcp-socket` in 0.3, on the backend's TCP state
//! machine ([`crate::sockets::TcpSocket`]), driven as 0.2 drives it: the
//! same start/finish steps and the same policy checks (`TcpBind`,
//! `TcpConnect`, `TcpListen`, `TcpAccept`).
//!
//! The spec's ownership model is shared: the resource, the streams of
//! `send` and `receive` and the stream of `listen` all refer to one
//! socket, which closes when the last of them goes. So the resource is an
//! `Arc` of the backend's socket behind a lock, which each of them holds.
//! The lock is only ever taken for a step that does not wait; whatever
//! waits (a connection being made, a policy check that takes its time, the
//! next connection to accept) is polled through it, one lock per poll, so
//! the socket stays usable (its options, its addresses) meanwhile.
//!
//! * `connect` starts the backend's connect, awaits it outside the store
//!   and the lock, and keeps the connection's streams for `send` and
//!   `receive`, each of which takes its stream once (a second call gets
//!   `invalid-state` in its future, as does a call on a socket that is not
//!   connected).
//! * `listen` binds the socket first if it is unbound (the spec asks for
//!   an implicit bind; the policy then judges the listen, with the address
//!   that bind produced), and turns `SO_REUSEADDR` on, so that the
//!   connections it accepts do not keep its port from being bound again
//!   once it is closed (an ephemeral port's bind does not set the option,
//!   so that two sockets cannot share it). Its stream accepts connections
//!   as the guest reads it; the backend closes those whose peer the
//!   policy refuses. An accept failure that concerns one connection only
//!   (Linux reports pending network errors of the new connection this
//!   way) is skipped; one that would repeat (no descriptors or memory
//!   left) ends the stream.
//! * `bind` and `listen`, synchronous for the guest, are `async` on the
//!   host (`bindings.rs`): a policy check that takes its time makes the
//!   guest wait for its answer.
//! * `send` writes the guest's stream as the connection's write permits
//!   allow; the guest closing it shuts the connection's send side at once
//!   (after a write still being sent), whether or not the guest reads the
//!   future, which reports a failure, or success once the last write went
//!   to the OS. `receive`'s stream ends at the peer's FIN (`ok`) or a
//!   failure (its code); the guest dropping it shuts the receive side.
//! * Each call is observed when the context has an observer (`bind`,
//!   `connect` and `listen` across their waits; `listen`, `send` and
//!   `receive` when they hand their stream or future over). The
//!   connections `listen`'s stream accepts, and the bytes of `send` and
//!   `receive`, are no calls and make no events.

use super::convert::{SocketError, SocketResult, stream_error};
use crate::io::{HostInputStream, InputStream, OutputStream, StreamError, Subscribe};
use crate::observe::{Call, FrontEnd, Outcome, Value};
use crate::p3::bindings::clocks::types::Duration;
use crate::p3::bindings::sockets::types::{self as b, ErrorCode, IpAddressFamily, IpSocketAddress};
use crate::p3::observe::observed;
use crate::p3::stream::{self, CHUNK};
use crate::runtime::enter_ambient;
use crate::sockets::{self, ShutdownType, WasiSockets, WasiSocketsCtxView};
use bytes::Bytes;
use futures::channel::oneshot;
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use wasmtime::StoreContextMut;
use wasmtime::component::{
    Access, Accessor, Destination, FutureReader, Resource, Source, StreamConsumer, StreamProducer,
    StreamReader, StreamResult,
};

/// The host side of 0.3's `wasi:sockets/types.tcp-socket`: a handle to a
/// socket it shares with the streams made from it (see the module docs).
pub struct TcpSocket {
    shared: Arc<Mutex<Shared>>,
}

impl std::fmt::Debug for TcpSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TcpSocket")
            .field("socket", &lock(&self.shared).socket)
            .finish()
    }
}

/// What the handles of one socket share.
struct Shared {
    /// The backend's socket.
    socket: sockets::TcpSocket,
    /// The connection's input stream, until `receive` takes it.
    input: Option<InputStream>,
    /// The connection's output stream, until `send` takes it.
    output: Option<OutputStream>,
}

impl TcpSocket {
    fn new(socket: sockets::TcpSocket, streams: Option<(InputStream, OutputStream)>) -> Self {
        let (input, output) = streams.unzip();
        TcpSocket {
            shared: Arc::new(Mutex::new(Shared {
                socket,
                input,
                output,
            })),
        }
    }
}

/// The socket behind a handle, locked for one step that does not wait.
fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Waits until the socket's operation in progress can finish.
async fn in_progress(shared: &Mutex<Shared>) {
    poll_fn(|cx| {
        let _rt = enter_ambient();
        lock(shared).socket.poll_in_progress(cx)
    })
    .await
}

/// The socket behind `socket`, shared.
fn shared(
    view: &WasiSocketsCtxView<'_>,
    socket: &Resource<TcpSocket>,
) -> SocketResult<Arc<Mutex<Shared>>> {
    Ok(view.table.get(socket)?.shared.clone())
}

/// A step on the socket behind `socket`.
fn with_tcp<R>(
    view: &WasiSocketsCtxView<'_>,
    socket: &Resource<TcpSocket>,
    step: impl FnOnce(&mut sockets::TcpSocket) -> sockets::SocketResult<R>,
) -> SocketResult<R> {
    let shared = &view.table.get(socket)?.shared;
    Ok(step(&mut lock(shared).socket)?)
}

impl b::HostTcpSocket for WasiSocketsCtxView<'_> {
    fn create(&mut self, address_family: IpAddressFamily) -> SocketResult<Resource<TcpSocket>> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[static]tcp-socket.create", [address_family], -> SocketResult<Resource<TcpSocket>> {
            let socket = self.ctx.create_tcp_socket(address_family.into())?;
            Ok(self.table.push(TcpSocket::new(socket, None))?)
        })
    }

    async fn bind(
        &mut self,
        self_: Resource<TcpSocket>,
        local_address: IpSocketAddress,
    ) -> SocketResult<()> {
        // Looked up outside the observed body, which holds no borrow of the
        // view across its wait (the view is not `Sync`).
        let check = self.ctx.socket_addr_check.clone();
        let found = shared(self, &self_);
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.bind", [self_, local_address], async -> SocketResult<()> {
            let shared = found?;
            {
                let _rt = enter_ambient();
                lock(&shared)
                    .socket
                    .start_bind(local_address.into(), &check)?;
            }
            in_progress(&shared).await;
            Ok(lock(&shared).socket.finish_bind()?)
        })
    }

    fn get_local_address(&mut self, self_: Resource<TcpSocket>) -> SocketResult<IpSocketAddress> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-local-address", [self_], -> SocketResult<IpSocketAddress> {
            Ok(with_tcp(self, &self_, |s| s.local_address())?.into())
        })
    }

    fn get_remote_address(&mut self, self_: Resource<TcpSocket>) -> SocketResult<IpSocketAddress> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-remote-address", [self_], -> SocketResult<IpSocketAddress> {
            Ok(with_tcp(self, &self_, |s| s.remote_address())?.into())
        })
    }

    fn get_is_listening(&mut self, self_: Resource<TcpSocket>) -> wasmtime::Result<bool> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-is-listening", [self_], -> wasmtime::Result<bool> {
            Ok(lock(&self.table.get(&self_)?.shared).socket.is_listening())
        })
    }

    fn get_address_family(
        &mut self,
        self_: Resource<TcpSocket>,
    ) -> wasmtime::Result<IpAddressFamily> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-address-family", [self_], -> wasmtime::Result<IpAddressFamily> {
            let family = lock(&self.table.get(&self_)?.shared)
                .socket
                .address_family();
            Ok(family.into())
        })
    }

    fn set_listen_backlog_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.set-listen-backlog-size", [self_, value], -> SocketResult<()> {
            with_tcp(self, &self_, |s| s.set_listen_backlog_size(value))
        })
    }

    fn get_keep_alive_enabled(&mut self, self_: Resource<TcpSocket>) -> SocketResult<bool> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-keep-alive-enabled", [self_], -> SocketResult<bool> {
            with_tcp(self, &self_, |s| s.keep_alive_enabled())
        })
    }

    fn set_keep_alive_enabled(
        &mut self,
        self_: Resource<TcpSocket>,
        value: bool,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.set-keep-alive-enabled", [self_, value], -> SocketResult<()> {
            with_tcp(self, &self_, |s| s.set_keep_alive_enabled(value))
        })
    }

    fn get_keep_alive_idle_time(&mut self, self_: Resource<TcpSocket>) -> SocketResult<Duration> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-keep-alive-idle-time", [self_], -> SocketResult<Duration> {
            with_tcp(self, &self_, |s| s.keep_alive_idle_time())
        })
    }

    fn set_keep_alive_idle_time(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.set-keep-alive-idle-time", [self_, value], -> SocketResult<()> {
            with_tcp(self, &self_, |s| s.set_keep_alive_idle_time(value))
        })
    }

    fn get_keep_alive_interval(&mut self, self_: Resource<TcpSocket>) -> SocketResult<Duration> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-keep-alive-interval", [self_], -> SocketResult<Duration> {
            with_tcp(self, &self_, |s| s.keep_alive_interval())
        })
    }

    fn set_keep_alive_interval(
        &mut self,
        self_: Resource<TcpSocket>,
        value: Duration,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.set-keep-alive-interval", [self_, value], -> SocketResult<()> {
            with_tcp(self, &self_, |s| s.set_keep_alive_interval(value))
        })
    }

    fn get_keep_alive_count(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u32> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-keep-alive-count", [self_], -> SocketResult<u32> {
            with_tcp(self, &self_, |s| s.keep_alive_count())
        })
    }

    fn set_keep_alive_count(&mut self, self_: Resource<TcpSocket>, value: u32) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.set-keep-alive-count", [self_, value], -> SocketResult<()> {
            with_tcp(self, &self_, |s| s.set_keep_alive_count(value))
        })
    }

    fn get_hop_limit(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u8> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-hop-limit", [self_], -> SocketResult<u8> {
            with_tcp(self, &self_, |s| s.hop_limit())
        })
    }

    fn set_hop_limit(&mut self, self_: Resource<TcpSocket>, value: u8) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.set-hop-limit", [self_, value], -> SocketResult<()> {
            with_tcp(self, &self_, |s| s.set_hop_limit(value))
        })
    }

    fn get_receive_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u64> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-receive-buffer-size", [self_], -> SocketResult<u64> {
            with_tcp(self, &self_, |s| s.receive_buffer_size())
        })
    }

    fn set_receive_buffer_size(
        &mut self,
        self_: Resource<TcpSocket>,
        value: u64,
    ) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.set-receive-buffer-size", [self_, value], -> SocketResult<()> {
            with_tcp(self, &self_, |s| s.set_receive_buffer_size(value))
        })
    }

    fn get_send_buffer_size(&mut self, self_: Resource<TcpSocket>) -> SocketResult<u64> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.get-send-buffer-size", [self_], -> SocketResult<u64> {
            with_tcp(self, &self_, |s| s.send_buffer_size())
        })
    }

    fn set_send_buffer_size(&mut self, self_: Resource<TcpSocket>, value: u64) -> SocketResult<()> {
        observed!(&self.ctx.observer, "wasi:sockets/types", "[method]tcp-socket.set-send-buffer-size", [self_, value], -> SocketResult<()> {
            with_tcp(self, &self_, |s| s.set_send_buffer_size(value))
        })
    }

    fn drop(&mut self, rep: Resource<TcpSocket>) -> wasmtime::Result<()> {
        observed!(
            &self.ctx.observer,
            "wasi:sockets/types",
            "[resource-drop]tcp-socket",
            [rep],
            self.table.delete(rep).map(drop).map_err(Into::into)
        )
    }
}

impl<T: Send + 'static> b::HostTcpSocketWithStore<T> for WasiSockets {
    async fn connect(
        accessor: &Accessor<T, Self>,
        self_: Resource<TcpSocket>,
        remote_address: IpSocketAddress,
    ) -> SocketResult<()> {
        // The observer is read in the same visit of the store as the
        // socket.
        let (observer, found) = accessor.with(|mut access| {
            let view = access.get();
            let check = view.ctx.socket_addr_check.clone();
            let found = shared(&view, &self_).map(|shared| (shared, check));
            (view.ctx.observer.clone(), found)
        });
        observed!(&observer, "wasi:sockets/types", "[method]tcp-socket.connect", [self_, remote_address], async -> SocketResult<()> {
            let (shared, check) = found?;
            {
                let _rt = enter_ambient();
                lock(&shared)
                    .socket
                    .start_connect(remote_address.into(), &check)?;
            }
            in_progress(&shared).await;
            let _rt = enter_ambient();
            let mut guard = lock(&shared);
            let (input, output) = guard.socket.finish_connect()?;
            guard.input = Some(input);
            guard.output = Some(output);
            Ok(())
        })
    }

    async fn listen(
        mut host: Access<'_, T, Self>,
        self_: Resource<TcpSocket>,
    ) -> SocketResult<StreamReader<Resource<TcpSocket>>> {
        let observer = host.get().ctx.observer.clone();
        observed!(&observer, "wasi:sockets/types", "[method]tcp-socket.listen", [self_], async -> SocketResult<StreamReader<Resource<TcpSocket>>> {
            let view = host.get();
            let check = view.ctx.socket_addr_check.clone();
            let shared = shared(&view, &self_)?;
            {
                let _rt = enter_ambient();
                let mut guard = lock(&shared);
                guard.socket.prepare_listen()?;
                guard.socket.start_listen(&check)?;
            }
            in_progress(&shared).await;
            {
                let _rt = enter_ambient();
                lock(&shared).socket.finish_listen()?;
            }
            let accepts = Accepts {
                listener: shared,
                listener_rep: self_.rep(),
                getter: host.getter(),
                retry: None,
            };
            StreamReader::new(&mut host, accepts).map_err(SocketError::trap)
        })
    }

    fn send(
        mut host: Access<T, Self>,
        self_: Resource<TcpSocket>,
        mut data: StreamReader<u8>,
    ) -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
        let observer = host.get().ctx.observer.clone();
        observed!(&observer, "wasi:sockets/types", "[method]tcp-socket.send", [self_, data], -> wasmtime::Result<FutureReader<Result<(), ErrorCode>>> {
            let shared = host.get().table.get(&self_)?.shared.clone();
            let output = lock(&shared).output.take();
            let Some(output) = output else {
                // Not connected, or `send` was called before.
                data.close(&mut host)?;
                return FutureReader::new(&mut host, async {
                    Ok::<_, wasmtime::Error>(Err(ErrorCode::InvalidState))
                });
            };
            let (tx, rx) = oneshot::channel();
            let consumer = Sender {
                state: Sending::Ready(output),
                shared,
                done: Some(tx),
            };
            data.pipe(&mut host, consumer)?;
            FutureReader::new(&mut host, sent(rx))
        })
    }

    fn receive(
        mut host: Access<T, Self>,
        self_: Resource<TcpSocket>,
    ) -> wasmtime::Result<(StreamReader<u8>, FutureReader<Result<(), ErrorCode>>)> {
        let observer = host.get().ctx.observer.clone();
        observed!(&observer, "wasi:sockets/types", "[method]tcp-socket.receive", [self_], -> wasmtime::Result<stream::ByteStream<ErrorCode>> {
            let shared = host.get().table.get(&self_)?.shared.clone();
            let input = lock(&shared).input.take();
            match input {
                Some(input) => {
                    let receiver = Receiver { input, shared };
                    stream::input(host, Box::new(receiver), stream_error)
                }
                None => {
                    // Not connected, or `receive` was called before.
                    let data = StreamReader::new(&mut host, std::iter::empty())?;
                    let result = FutureReader::new(&mut host, async {
                        Ok::<_, wasmtime::Error>(Err(ErrorCode::InvalidState))
                    })?;
                    Ok((data, result))
                }
            }
        })
    }
}

/// The most failed accepts one poll of `listen`'s stream skips before it
/// lets other work run.
const MAX_SKIPPED_PER_POLL: usize = 64;

/// The producer of `listen`'s stream: each connection the backend accepts
/// (its peer allowed by the policy), as a new socket in the table. Each is
/// one call event of its own, `[stream-item]tcp-socket.listen` (the
/// listener as `self`, the new socket as `ret`): an accept is no call in
/// 0.3, but the access log lists it as every front-end's.
struct Accepts<T> {
    /// The listening socket (the stream keeps it open).
    listener: Arc<Mutex<Shared>>,
    /// The listener's handle, for the events.
    listener_rep: u32,
    /// The sockets view of the store's data, for its table.
    getter: fn(&mut T) -> WasiSocketsCtxView<'_>,
    /// While the context's socket budget is spent: when to look again.
    retry: Option<Pin<Box<tokio::time::Sleep>>>,
}

/// How often a listen stream whose context holds all the sockets its
/// budget allows looks for room again: connections wait in the backlog
/// meanwhile, and the stream goes on once the guest closes one.
const ROOM_RETRY: std::time::Duration = std::time::Duration::from_millis(20);

impl<T> Accepts<T> {
    /// Whether the context's socket budget has room for a connection; if
    /// not, `false` with a timer set to wake the task to look again.
    fn room(&mut self, cx: &mut Context<'_>) -> bool {
        loop {
            if let Some(timer) = &mut self.retry {
                if timer.as_mut().poll(cx).is_pending() {
                    return false;
                }
                self.retry = None;
            }
            if lock(&self.listener).socket.has_room() {
                return true;
            }
            self.retry = Some(Box::pin(crate::runtime::shared_sleep(ROOM_RETRY)));
        }
    }
}

impl<T: 'static> StreamProducer<T> for Accepts<T> {
    type Item = Resource<TcpSocket>;
    type Buffer = Option<Resource<TcpSocket>>;

    fn poll_produce<'a>(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut store: StoreContextMut<'a, T>,
        mut dst: Destination<'a, Self::Item, Self::Buffer>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        if dst.remaining(&mut store) == Some(0) {
            // A guest asking whether a connection is ready: it may ask
            // again.
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        let mut skipped = 0;
        loop {
            if !me.room(cx) {
                // Spent: not an end of the stream (the guest may close
                // connections), and nothing taken from the backlog.
                return if finish {
                    Poll::Ready(Ok(StreamResult::Cancelled))
                } else {
                    Poll::Pending
                };
            }
            let accepted = {
                let _rt = enter_ambient();
                lock(&me.listener).socket.poll_accept(cx)
            };
            match accepted {
                Poll::Pending if finish => return Poll::Ready(Ok(StreamResult::Cancelled)),
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Ok((socket, input, output))) => {
                    let socket = TcpSocket::new(socket, Some((input, output)));
                    let view = (me.getter)(store.data_mut());
                    let socket = view.table.push(socket)?;
                    if let Some(call) = Call::begin(
                        &view.ctx.observer,
                        FrontEnd::Preview3,
                        "wasi:sockets/types",
                        "[stream-item]tcp-socket.listen",
                        || vec![("self", Value::Fd(me.listener_rep))],
                    ) {
                        call.end(Outcome::Ok(vec![("ret", Value::Fd(socket.rep()))]));
                    }
                    dst.set_buffer(Some(socket));
                    return Poll::Ready(Ok(StreamResult::Completed));
                }
                Poll::Ready(Err(e)) => {
                    if ends_listening(&e) {
                        tracing::debug!("listen stream ends: accept failed: {e}");
                        return Poll::Ready(Ok(StreamResult::Dropped));
                    }
                    tracing::debug!("accept failed, skipped: {e}");
                    skipped += 1;
                    if skipped == MAX_SKIPPED_PER_POLL {
                        if finish {
                            return Poll::Ready(Ok(StreamResult::Cancelled));
                        }
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                }
            }
        }
    }
}

/// Whether an accept failure would repeat for every connection (no
/// descriptors or memory left, a socket no longer listening), so that the
/// stream ends; any other concerns the one connection, which is skipped.
fn ends_listening(err: &sockets::SocketError) -> bool {
    use sockets::ErrorCode as C;
    matches!(
        err.downcast_ref(),
        Some(C::NewSocketLimit | C::OutOfMemory | C::InvalidState | C::InvalidArgument)
    )
}

/// Where `send`'s output stream is.
enum Sending {
    /// In hand.
    Ready(OutputStream),
    /// Waiting for a write permit (a write's rest is still being sent).
    Waiting(Pin<Box<dyn Future<Output = OutputStream> + Send>>),
    /// The transfer ended.
    Done,
}

/// How `send`'s transfer ended, for its future: the stream, when the guest
/// closed its end (to wait for a write still being sent), or the failure
/// that ended it (a code, or a trap).
type SendEnd = Result<Option<OutputStream>, Result<ErrorCode, wasmtime::Error>>;

/// The consumer of `send`'s stream: hands the guest's bytes to the
/// connection's output stream as its permits allow.
struct Sender {
    state: Sending,
    /// The socket, whose send side is shut when the transfer ends.
    shared: Arc<Mutex<Shared>>,
    done: Option<oneshot::Sender<SendEnd>>,
}

impl Sender {
    /// Ends the transfer on a stream error.
    fn fail(&mut self, err: StreamError) -> Poll<wasmtime::Result<StreamResult>> {
        let code = match err {
            StreamError::Closed => ErrorCode::ConnectionBroken,
            StreamError::LastOperationFailed(e) => stream_error(&e),
            StreamError::Trap(e) => return Poll::Ready(Err(e)),
        };
        self.state = Sending::Done;
        if let Some(tx) = self.done.take() {
            let _ = tx.send(Err(Ok(code)));
        }
        Poll::Ready(Ok(StreamResult::Dropped))
    }
}

impl Drop for Sender {
    /// The guest closed its end (or the transfer failed): the connection's
    /// send side is shut now (the backend does it after a write still
    /// being sent), as closing the stream is `shutdown(SHUT_WR)`, and the
    /// stream goes to the future, which waits for that write.
    fn drop(&mut self) {
        let _ = lock(&self.shared).socket.shutdown(ShutdownType::Send);
        if let Some(tx) = self.done.take() {
            let stream = match std::mem::replace(&mut self.state, Sending::Done) {
                Sending::Ready(stream) => Some(stream),
                // A stream inside a wait goes with it: its write's rest is
                // sent all the same.
                Sending::Waiting(_) | Sending::Done => None,
            };
            let _ = tx.send(Ok(stream));
        }
    }
}

impl<T> StreamConsumer<T> for Sender {
    type Item = u8;

    fn poll_consume(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut store: StoreContextMut<'_, T>,
        src: Source<'_, u8>,
        finish: bool,
    ) -> Poll<wasmtime::Result<StreamResult>> {
        let me = self.get_mut();
        if src.remaining(&mut store) == 0 {
            return Poll::Ready(Ok(StreamResult::Completed));
        }
        loop {
            let mut stream = match std::mem::replace(&mut me.state, Sending::Done) {
                Sending::Done => return Poll::Ready(Ok(StreamResult::Dropped)),
                Sending::Ready(stream) => stream,
                Sending::Waiting(mut wait) => match wait.as_mut().poll(cx) {
                    Poll::Ready(stream) => stream,
                    Poll::Pending => {
                        me.state = Sending::Waiting(wait);
                        return match finish {
                            true => Poll::Ready(Ok(StreamResult::Cancelled)),
                            false => Poll::Pending,
                        };
                    }
                },
            };
            let permit = match stream.check_write() {
                Ok(permit) => permit,
                Err(e) => return me.fail(e),
            };
            if permit == 0 {
                if finish {
                    me.state = Sending::Ready(stream);
                    return Poll::Ready(Ok(StreamResult::Cancelled));
                }
                me.state = Sending::Waiting(Box::pin(async move {
                    stream.ready().await;
                    stream
                }));
                continue;
            }
            let mut direct = src.as_direct(store);
            let bytes = direct.remaining();
            let n = bytes.len().min(permit).min(CHUNK);
            let written = stream
                .write_from_slice(&bytes[..n])
                .and_then(|()| stream.flush());
            direct.mark_read(n);
            me.state = Sending::Ready(stream);
            return match written {
                Ok(()) => Poll::Ready(Ok(StreamResult::Completed)),
                Err(e) => me.fail(e),
            };
        }
    }
}

/// `send`'s future: the failure that ended the transfer, or, once the
/// guest closed its stream, success when the last write went to the OS.
async fn sent(rx: oneshot::Receiver<SendEnd>) -> wasmtime::Result<Result<(), ErrorCode>> {
    match rx.await {
        Ok(Ok(Some(mut stream))) => {
            stream.ready().await;
            Ok(Ok(()))
        }
        Ok(Ok(None)) | Err(_) => Ok(Ok(())),
        Ok(Err(Ok(code))) => Ok(Err(code)),
        Ok(Err(Err(trap))) => Err(trap),
    }
}

/// `receive`'s stream: the connection's input stream, which shuts the
/// connection's receive side when dropped (the guest dropping the stream
/// is `shutdown(SHUT_RD)`).
struct Receiver {
    input: InputStream,
    shared: Arc<Mutex<Shared>>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = lock(&self.shared).socket.shutdown(ShutdownType::Receive);
    }
}

#[async_trait::async_trait]
impl Subscribe for Receiver {
    async fn ready(&mut self) {
        self.input.ready().await;
    }
}

#[async_trait::async_trait]
impl HostInputStream for Receiver {
    fn read(&mut self, size: usize) -> crate::io::StreamResult<Bytes> {
        self.input.read(size)
    }

    fn read_into(&mut self, buf: &mut [u8]) -> Option<crate::io::StreamResult<usize>> {
        self.input.read_into(buf)
    }

    fn skip(&mut self, size: usize) -> crate::io::StreamResult<usize> {
        self.input.skip(size)
    }
}
