//! `pollable`: readiness of a deadline or of any host resource that
//! implements [`Subscribe`], and the waiting behind `poll` and `block`.

use super::stream::Subscribe;
use crate::clocks::HostMonotonicClock;
use std::any::Any;
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use wasmtime::component::{Resource, ResourceTable};

/// A readiness future borrowed from a resource in the table.
type ReadyFuture<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Makes the readiness future of the resource a pollable watches.
type MakeFuture = for<'a> fn(&'a mut dyn Any) -> ReadyFuture<'a>;

/// The host side of `wasi:io/poll.pollable`.
///
/// Clock pollables carry their deadline and need no other resource; every
/// other pollable is a child of the resource it watches (which therefore
/// cannot be dropped before it) and asks that resource's
/// [`Subscribe::ready`].
pub struct Pollable {
    pub(crate) kind: PollableKind,
}

pub(crate) enum PollableKind {
    /// Ready once the monotonic clock reads at least this many nanoseconds.
    Deadline(u64),
    /// Ready when the resource at this table index says so.
    Resource { index: u32, make_future: MakeFuture },
}

impl Pollable {
    /// A pollable that is ready when the context's monotonic clock reaches
    /// `instant` (nanoseconds).
    pub fn deadline(instant: u64) -> Self {
        Pollable {
            kind: PollableKind::Deadline(instant),
        }
    }
}

/// Creates a pollable for `resource`, ready when its [`Subscribe::ready`]
/// completes. The pollable is the resource's child in `table`.
pub fn subscribe<T: Subscribe>(
    table: &mut ResourceTable,
    resource: Resource<T>,
) -> wasmtime::Result<Resource<Pollable>> {
    fn make_future<T: Subscribe>(resource: &mut dyn Any) -> ReadyFuture<'_> {
        match resource.downcast_mut::<T>() {
            Some(resource) => resource.ready(),
            // Unreachable: a parent keeps its type while it has children.
            None => Box::pin(std::future::ready(())),
        }
    }
    let pollable = Pollable {
        kind: PollableKind::Resource {
            index: resource.rep(),
            make_future: make_future::<T>,
        },
    };
    Ok(table.push_child(pollable, &resource)?)
}

/// Waits until at least one of `pollables` is ready and returns the
/// positions of all that are ready at that moment.
///
/// Deadlines are compared with `clock` first; resources are asked for their
/// readiness futures, which are polled together, so a poll in which anything
/// is already ready never sleeps or spawns. A virtual clock
/// ([`HostMonotonicClock::skip_to`]) moves to the earliest deadline at once
/// when no resource is waited on, and when the real-time wait for the
/// deadline ends first otherwise. Traps (as the spec says) on an empty
/// list.
pub(crate) async fn poll_list(
    table: &mut ResourceTable,
    clock: &mut dyn HostMonotonicClock,
    pollables: &[Resource<Pollable>],
) -> wasmtime::Result<Vec<u32>> {
    if pollables.is_empty() {
        wasmtime::bail!("wasi:io/poll.poll called with an empty poll list");
    }
    if u32::try_from(pollables.len()).is_err() {
        wasmtime::bail!("wasi:io/poll.poll called with more pollables than a u32 can index");
    }

    let now = clock.now();
    let mut ready = Vec::new();
    // Deadlines not yet reached: (position, instant).
    let mut deadlines: Vec<(u32, u64)> = Vec::new();
    // Table index of a watched resource -> (its future maker, the positions
    // in `pollables` that watch it). Several pollables may watch one
    // resource; its future is made once.
    let mut watched: BTreeMap<u32, (MakeFuture, Vec<u32>)> = BTreeMap::new();
    for (pos, handle) in pollables.iter().enumerate() {
        let pos = pos as u32;
        match table.get(handle)?.kind {
            PollableKind::Deadline(when) if when <= now => ready.push(pos),
            PollableKind::Deadline(when) => deadlines.push((pos, when)),
            PollableKind::Resource { index, make_future } => watched
                .entry(index)
                .or_insert_with(|| (make_future, Vec::new()))
                .1
                .push(pos),
        }
    }
    if watched.is_empty() && !ready.is_empty() {
        return Ok(ready);
    }

    let mut futures = Vec::with_capacity(watched.len());
    for (entry, (make_future, positions)) in table.iter_entries(watched) {
        futures.push((make_future(entry?), positions));
    }
    let mut sleep: Option<Pin<Box<tokio::time::Sleep>>> = None;
    let mut first = true;
    std::future::poll_fn(|cx: &mut Context<'_>| {
        for (future, positions) in futures.iter_mut() {
            if future.as_mut().poll(cx).is_ready() {
                ready.extend_from_slice(positions);
            }
        }
        if !ready.is_empty() {
            return Poll::Ready(());
        }
        if deadlines.is_empty() {
            return Poll::Pending;
        }
        let now = if first { now } else { read(clock) };
        first = false;
        let mut earliest = u64::MAX;
        for &(pos, when) in &deadlines {
            if when <= now {
                ready.push(pos);
            }
            earliest = earliest.min(when);
        }
        if !ready.is_empty() {
            return Poll::Ready(());
        }
        if futures.is_empty()
            && earliest != u64::MAX
            && clock.skip_to(earliest)
            && read(clock) >= earliest
        {
            // Virtual time, and nothing else to wait for: it moves on.
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        loop {
            let timer = sleep.get_or_insert_with(|| {
                let remaining = earliest.saturating_sub(read(clock));
                Box::pin(tokio::time::sleep(Duration::from_nanos(remaining)))
            });
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            // The timer fired; an embedder-supplied clock may not be there
            // yet, in which case sleep for what is left (virtual time moves
            // to the deadline: the I/O did not come first).
            sleep = None;
            if read(clock) >= earliest || (clock.skip_to(earliest) && read(clock) >= earliest) {
                cx.waker().wake_by_ref();
                return Poll::Pending;
            }
        }
    })
    .await;
    ready.sort_unstable();
    Ok(ready)
}

/// A reading of `clock`, through `&mut` so that a future holding the
/// clock is `Send` (a clock need only be `Send`, not `Sync`).
fn read(clock: &mut dyn HostMonotonicClock) -> u64 {
    clock.now()
}

/// Whether `pollable` is ready now, without waiting.
pub(crate) fn ready_now(
    table: &mut ResourceTable,
    clock: &dyn HostMonotonicClock,
    pollable: &Resource<Pollable>,
) -> wasmtime::Result<bool> {
    match table.get(pollable)?.kind {
        PollableKind::Deadline(when) => Ok(when <= clock.now()),
        PollableKind::Resource { index, make_future } => {
            let resource = table.get_any_mut(index)?;
            Ok(crate::runtime::poll_once(make_future(resource)).is_some())
        }
    }
}
