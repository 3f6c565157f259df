//! The bridge between synchronous callers and tokio.
//!
//! Every host function is written once, as async code. Async embedders run
//! it on their own tokio runtime; the sync flavour of the bindings runs the
//! same future through [`block_on`], which
//!
//! 1. enters the crate's shared multi-threaded runtime (so tokio timers,
//!    sockets and the blocking pool are available),
//! 2. polls the future once: most WASI calls finish without waiting, and then
//!    no thread hop or runtime machinery is involved at all,
//! 3. only if the future is pending, parks the calling thread until it is
//!    woken. The shared runtime's worker threads drive timers and I/O, so this
//!    works even when the caller is itself a tokio worker thread (no
//!    "Cannot start a runtime from within a runtime" panic).
//!
//! While a sync call runs, the calling thread is marked as one that may block
//! ([`blocking_allowed`]): blocking file I/O then runs inline instead of on
//! the blocking pool, since the embedder gave us a plain thread. Where
//! blocking work runs otherwise is decided by [`run_blocking`].

use std::cell::Cell;
use std::future::Future;
use std::pin::{Pin, pin};
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};

static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("wasi-host-io")
        .enable_all()
        .build()
        // Without a runtime no sync embedding can work at all; this only
        // fails when the OS refuses to create a thread.
        .expect("wasi-host: failed to start the shared tokio runtime")
});

thread_local! {
    static BLOCKING_ALLOWED: Cell<bool> = const { Cell::new(false) };
}

/// Whether the current thread is running a synchronous host call, and so
/// may perform blocking I/O inline.
pub fn blocking_allowed() -> bool {
    BLOCKING_ALLOWED.with(|b| b.get())
}

/// Sets [`blocking_allowed`] for the lifetime of the guard.
struct BlockingScope(bool);

impl BlockingScope {
    fn enter() -> Self {
        BlockingScope(BLOCKING_ALLOWED.with(|b| b.replace(true)))
    }
}

impl Drop for BlockingScope {
    fn drop(&mut self) {
        let prev = self.0;
        BLOCKING_ALLOWED.with(|b| b.set(prev));
    }
}

/// Runs `f` with [`blocking_allowed`] set: for the synchronous flavour's
/// non-waiting calls, whose thread is the embedder's own and may block on
/// file I/O rather than hand it to another thread.
pub(crate) fn allow_blocking<R>(f: impl FnOnce() -> R) -> R {
    let _scope = BlockingScope::enter();
    f()
}

/// Wakes a parked thread.
struct ThreadWaker(Thread);

impl Wake for ThreadWaker {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs `future` to completion on the calling thread, with the shared
/// runtime's context entered. See the module docs.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let _rt = RUNTIME.enter();
    let _scope = BlockingScope::enter();
    let mut future = pin!(future);
    // Fast path: a future that is ready at once needs no real waker.
    if let Poll::Ready(out) = future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        return out;
    }
    park_until_ready(future)
}

fn park_until_ready<F: Future>(mut future: Pin<&mut F>) -> F::Output {
    let waker = Waker::from(Arc::new(ThreadWaker(thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        thread::park();
    }
}

/// Runs `future` to completion from synchronous code, inside the shared
/// runtime's context. Kept for API compatibility with other WASI hosts; the
/// same as [`block_on`].
pub fn in_tokio<F: Future>(future: F) -> F::Output {
    block_on(future)
}

/// The handle of the runtime to spawn on: the caller's own when it runs
/// inside one, the shared runtime otherwise.
fn handle() -> tokio::runtime::Handle {
    tokio::runtime::Handle::try_current().unwrap_or_else(|_| RUNTIME.handle().clone())
}

/// Spawns a task; the task is aborted when the returned handle is dropped.
pub fn spawn<F>(future: F) -> AbortOnDropJoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    AbortOnDropJoinHandle(handle().spawn(future))
}

/// Runs blocking work on the blocking pool; the task is aborted (if not yet
/// started) when the returned handle is dropped.
pub fn spawn_blocking<F, R>(f: F) -> AbortOnDropJoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    AbortOnDropJoinHandle(handle().spawn_blocking(f))
}

/// Runs blocking work on the blocking pool of the crate's shared runtime,
/// never the caller's: for work that may take long and cannot be
/// interrupted (a DNS lookup), so that an embedder's runtime never waits
/// for it when it shuts down. The task is aborted (if not yet started) when
/// the returned handle is dropped.
pub(crate) fn spawn_blocking_shared<F, R>(f: F) -> AbortOnDropJoinHandle<R>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    AbortOnDropJoinHandle(RUNTIME.handle().spawn_blocking(f))
}

/// A timer of the crate's shared runtime (the caller's runtime may have no
/// time driver), to be polled from any runtime or none.
#[cfg_attr(not(feature = "p3"), allow(dead_code))]
pub(crate) fn shared_sleep(duration: std::time::Duration) -> tokio::time::Sleep {
    let _enter = RUNTIME.enter();
    tokio::time::sleep(duration)
}

/// Runs blocking work `f` now, on the calling thread, when that is allowed:
/// in a sync host call or with `allow_blocking_current_thread` (`inline`),
/// or on a worker of a multi-threaded tokio runtime, where
/// `tokio::task::block_in_place` first hands the worker's other tasks to
/// another thread (so the executor is not stalled, and no thread hop is on
/// the guest's critical path). Otherwise gives `f` back, to be run on the
/// blocking pool. This is the one place that decides where blocking work
/// runs.
pub(crate) fn try_run_now<F, R>(inline: bool, f: F) -> Result<R, F>
where
    F: FnOnce() -> R,
{
    match run_now(inline) {
        Some(RunNow::Here) => Ok(f()),
        Some(RunNow::InPlace) => Ok(tokio::task::block_in_place(f)),
        None => Err(f),
    }
}

/// How [`try_run_now`] runs blocking work on the calling thread.
pub(crate) enum RunNow {
    /// As it is: blocking is allowed here.
    Here,
    /// Through `block_in_place`, on a multi-threaded runtime's worker.
    InPlace,
}

/// Whether [`try_run_now`] would run work now, and how; `None` when it
/// would give the work back for the blocking pool.
pub(crate) fn run_now(inline: bool) -> Option<RunNow> {
    use tokio::runtime::{Handle, RuntimeFlavor};
    if inline || blocking_allowed() {
        return Some(RunNow::Here);
    }
    match Handle::try_current().map(|h| h.runtime_flavor()) {
        Ok(RuntimeFlavor::MultiThread) => Some(RunNow::InPlace),
        _ => None,
    }
}

/// Runs blocking work on the calling thread when that is allowed (`inline`,
/// a sync host call, or a worker of a multi-threaded tokio runtime: the
/// crate-private `try_run_now` decides), otherwise with one hop to tokio's
/// blocking pool.
pub async fn run_blocking<F, R>(inline: bool, f: F) -> R
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    match try_run_now(inline, f) {
        Ok(r) => r,
        Err(f) => spawn_blocking(f).await,
    }
}

/// A tokio `JoinHandle` that aborts its task when dropped, and whose output
/// is the task's output (a panic in the task is resumed in the awaiter).
#[derive(Debug)]
pub struct AbortOnDropJoinHandle<T>(tokio::task::JoinHandle<T>);

impl<T> AbortOnDropJoinHandle<T> {
    /// Aborts the task and waits for it to finish, returning its output if
    /// it had already completed.
    pub async fn cancel(mut self) -> Option<T> {
        self.0.abort();
        (&mut self.0).await.ok()
    }

    /// Whether the task has finished.
    pub fn is_finished(&self) -> bool {
        self.0.is_finished()
    }
}

impl<T> Drop for AbortOnDropJoinHandle<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl<T> From<tokio::task::JoinHandle<T>> for AbortOnDropJoinHandle<T> {
    fn from(handle: tokio::task::JoinHandle<T>) -> Self {
        AbortOnDropJoinHandle(handle)
    }
}

impl<T> Future for AbortOnDropJoinHandle<T> {
    type Output = T;
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match Pin::new(&mut self.0).poll(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Ok(value)) => Poll::Ready(value),
            Poll::Ready(Err(err)) => match err.try_into_panic() {
                Ok(panic) => std::panic::resume_unwind(panic),
                // Only reachable if the task was aborted, which only
                // happens through `Drop`/`cancel` where nobody awaits it.
                Err(err) => panic!("wasi-host: background task was cancelled: {err}"),
            },
        }
    }
}

/// Polls `future` once, without waiting: `Some` if it completed. Enters the
/// shared runtime when the caller is outside any tokio runtime, so futures
/// over tokio resources can be polled from plain threads.
pub(crate) fn poll_once<F: Future>(future: F) -> Option<F::Output> {
    let _rt = enter_ambient();
    let future = pin!(future);
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(out) => Some(out),
        Poll::Pending => None,
    }
}

/// Enters the shared runtime's context when the caller is outside any tokio
/// runtime (a sync host call on a plain thread), so that tokio resources
/// (sockets) can be registered and polled; inside a runtime (the async
/// flavour) nothing changes. Keep the guard for the duration of the work.
pub(crate) fn enter_ambient() -> Option<tokio::runtime::EnterGuard<'static>> {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => None,
        Err(_) => Some(RUNTIME.enter()),
    }
}
