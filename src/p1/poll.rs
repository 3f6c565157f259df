//! `poll_oneoff`: clock subscriptions (relative and absolute, on the
//! context's clocks) and descriptor subscriptions (files are always ready;
//! streams ask their backend), any number at once.
//!
//! The subscriptions are read from guest memory in one pass that writes an
//! event for each one that is ready; nothing is allocated on that path.
//! Only when none is ready does the call wait, on the earliest deadline and
//! on the readiness of the streams involved, and then it makes the pass
//! again.

use super::WasiP1Ctx;
use super::bindings::types::{
    Clockid, Errno, Error, Event, EventFdReadwrite, Eventrwflags, Eventtype, Size, Subclockflags,
    Subscription, SubscriptionClock, SubscriptionU,
};
use super::fds::{Kind, SocketFd};
use crate::filesystem::FileOps;
use crate::filesystem::dispatch::on_file;
use crate::io::{InputStream, OutputStream, StreamError, Subscribe};
use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;
use wiggle::{GuestMemory, GuestPtr};

/// The guest layouts of subscriptions and events (preview 1's, or
/// preview 0's, translated to preview 1's types).
pub(crate) trait Layout {
    /// The guest subscription.
    type Sub: wiggle::GuestType;
    /// The guest event.
    type Ev: wiggle::GuestType;
    /// Their sizes in guest memory.
    const SUB_SIZE: u64;
    const EV_SIZE: u64;
    /// As preview 1's.
    fn sub(s: Self::Sub) -> Subscription;
    /// From preview 1's.
    fn ev(e: Event) -> Self::Ev;
}

/// Preview 1's own layouts.
pub(crate) struct Layout1;

impl Layout for Layout1 {
    type Sub = Subscription;
    type Ev = Event;
    const SUB_SIZE: u64 = 48;
    const EV_SIZE: u64 = 32;
    fn sub(s: Subscription) -> Subscription {
        s
    }
    fn ev(e: Event) -> Event {
        e
    }
}

/// The deadline of a clock subscription on the monotonic clock, given the
/// readings taken when the call started.
fn deadline(
    c: &SubscriptionClock,
    start: u64,
    wall_start: impl FnOnce() -> u64,
) -> Result<u64, Errno> {
    let absolute = c.flags.contains(Subclockflags::SUBSCRIPTION_CLOCK_ABSTIME);
    match (c.id, absolute) {
        (Clockid::Monotonic, true) => Ok(c.timeout),
        (Clockid::Monotonic | Clockid::Realtime, false) => Ok(start.saturating_add(c.timeout)),
        (Clockid::Realtime, true) => {
            let wall = wall_start();
            Ok(start.saturating_add(c.timeout.saturating_sub(wall)))
        }
        _ => Err(Errno::Inval),
    }
}

fn event(userdata: u64, error: Errno, type_: Eventtype, nbytes: u64, hangup: bool) -> Event {
    Event {
        userdata,
        error,
        type_,
        fd_readwrite: EventFdReadwrite {
            nbytes,
            flags: if hangup {
                Eventrwflags::FD_READWRITE_HANGUP
            } else {
                Eventrwflags::empty()
            },
        },
    }
}

/// What a descriptor subscription sees now: `Some(event)` if ready. A
/// number that is not open fails the whole call with `badf` (as wasmtime
/// answers); a descriptor that cannot be waited on this way is ready at
/// once with `badf` in its event.
async fn fd_ready(
    cx: &mut WasiP1Ctx,
    userdata: u64,
    fd: u32,
    write: bool,
) -> Result<Option<Event>, Error> {
    let type_ = if write {
        Eventtype::FdWrite
    } else {
        Eventtype::FdRead
    };
    let e = cx.fds.get_mut(fd)?;
    Ok(match (&mut e.kind, write) {
        (Kind::Fs(f), _) if f.desc.is_directory() => {
            Some(event(userdata, Errno::Badf, type_, 0, false))
        }
        // A file is always ready: to read, with the bytes left from the
        // position.
        (Kind::Fs(f), false) => {
            let size =
                on_file!(&f.desc, file => FileOps::stat(file).await.map(|s| s.size)).unwrap_or(0);
            let left = size.saturating_sub(f.pos);
            Some(event(userdata, Errno::Success, type_, left, false))
        }
        (Kind::Fs(_), true) => Some(event(userdata, Errno::Success, type_, 0, false)),
        (Kind::Input(s), false) => input_event(s, userdata, type_),
        (Kind::Output(s), true) => output_event(s, userdata, type_),
        (Kind::Socket(s), write) => match (&mut **s, write) {
            // Ready when a connection waits to be accepted.
            (SocketFd::Listener(l), false) => crate::runtime::poll_once(l.ready())
                .map(|()| event(userdata, Errno::Success, type_, 1, false)),
            (SocketFd::Stream { input, .. }, false) => input_event(input, userdata, type_),
            (SocketFd::Stream { output, .. }, true) => output_event(output, userdata, type_),
            (SocketFd::Listener(_), true) => Some(event(userdata, Errno::Notconn, type_, 0, false)),
        },
        _ => Some(event(userdata, Errno::Badf, type_, 0, false)),
    })
}

/// A read subscription on an input stream: ready with data (`nbytes` 1:
/// some), at its end (hangup), or failed.
fn input_event(s: &mut InputStream, userdata: u64, type_: Eventtype) -> Option<Event> {
    crate::runtime::poll_once(s.ready())?;
    match s.read(0) {
        Err(StreamError::Closed) => Some(event(userdata, Errno::Success, type_, 0, true)),
        Err(_) => Some(event(userdata, Errno::Io, type_, 0, false)),
        Ok(_) => Some(event(userdata, Errno::Success, type_, 1, false)),
    }
}

/// A write subscription on an output stream: ready with room (`nbytes`
/// the room), closed (hangup), or failed.
fn output_event(s: &mut OutputStream, userdata: u64, type_: Eventtype) -> Option<Event> {
    match s.check_write() {
        Ok(0) => None,
        Ok(n) => Some(event(userdata, Errno::Success, type_, n as u64, false)),
        Err(StreamError::Closed) => Some(event(userdata, Errno::Success, type_, 0, true)),
        Err(_) => Some(event(userdata, Errno::Io, type_, 0, false)),
    }
}

pub(crate) async fn poll_oneoff<L: Layout>(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    subs: GuestPtr<L::Sub>,
    events: GuestPtr<L::Ev>,
    n: Size,
) -> Result<Size, Error> {
    if n == 0 {
        return Err(Errno::Inval.into());
    }
    let mem_len = super::iov::mem_len(mem) as u64;
    if u64::from(subs.offset()) + L::SUB_SIZE * u64::from(n) > mem_len
        || u64::from(events.offset()) + L::EV_SIZE * u64::from(n) > mem_len
    {
        return Err(Errno::Fault.into());
    }
    // The subscriptions are guest data the host reads (see `fuel.rs`).
    super::fuel::take(&mut cx.fuel, L::SUB_SIZE * u64::from(n))?;
    let events_at = events.offset();
    let subs = subs.as_array(n);
    let events = events.as_array(n);
    // Record and replay: the events written are what the wait received.
    let journal = cx.ctx.journal.clone();
    if let Some(recorded) = journal.replay_poll_oneoff().map_err(Error::trap)? {
        let count = recorded.len() as u64 / L::EV_SIZE;
        if !(recorded.len() as u64).is_multiple_of(L::EV_SIZE) || count > u64::from(n) {
            return Err(Error::trap(wasmtime::format_err!(
                "replay diverged: a poll_oneoff of {n} subscriptions, but the journal's \
                 events ({} bytes) do not fit it",
                recorded.len()
            )));
        }
        mem.copy_from_slice(
            &recorded,
            GuestPtr::<[u8]>::new((events_at, recorded.len() as u32)),
        )?;
        return Ok(count as Size);
    }
    let ready = wait_events::<L>(cx, mem, subs, events, n).await?;
    journal
        .record_poll_oneoff(|| {
            let len = (u64::from(ready) * L::EV_SIZE) as u32;
            mem.to_vec(GuestPtr::<[u8]>::new((events_at, len)))
                .unwrap_or_default()
        })
        .map_err(Error::trap)?;
    Ok(ready)
}

/// The wait of `poll_oneoff`, once its arguments are checked: writes the
/// events of the subscriptions that are ready, waiting until one is, and
/// returns how many.
async fn wait_events<L: Layout>(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    subs: GuestPtr<[L::Sub]>,
    events: GuestPtr<[L::Ev]>,
    n: Size,
) -> Result<Size, Error> {
    let start = cx.ctx.clocks.monotonic_clock.now();
    let mut wall_start = None;
    loop {
        let now = cx.ctx.clocks.monotonic_clock.now();
        let mut ready = 0u32;
        let mut earliest = u64::MAX;
        let mut waits_on_fds = false;
        for i in 0..n {
            let sub = L::sub(mem.read(subs.get(i).ok_or(Errno::Fault)?)?);
            let ev = match sub.u {
                SubscriptionU::Clock(c) => {
                    let wall = || {
                        *wall_start.get_or_insert_with(|| {
                            let d = cx.ctx.clocks.wall_clock.now();
                            u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
                        })
                    };
                    match deadline(&c, start, wall) {
                        Err(errno) => Some(event(sub.userdata, errno, Eventtype::Clock, 0, false)),
                        Ok(when) if when <= now => Some(event(
                            sub.userdata,
                            Errno::Success,
                            Eventtype::Clock,
                            0,
                            false,
                        )),
                        Ok(when) => {
                            earliest = earliest.min(when);
                            None
                        }
                    }
                }
                SubscriptionU::FdRead(s) => {
                    let r = fd_ready(cx, sub.userdata, s.file_descriptor.into(), false).await?;
                    waits_on_fds |= r.is_none();
                    r
                }
                SubscriptionU::FdWrite(s) => {
                    let r = fd_ready(cx, sub.userdata, s.file_descriptor.into(), true).await?;
                    waits_on_fds |= r.is_none();
                    r
                }
            };
            if let Some(ev) = ev {
                mem.write(events.get(ready).ok_or(Errno::Fault)?, L::ev(ev))?;
                ready += 1;
            }
        }
        if ready > 0 {
            return Ok(ready);
        }
        wait::<L>(cx, mem, subs, n, earliest, waits_on_fds).await?;
    }
}

/// Waits until the earliest deadline passes or one of the streams named by
/// a descriptor subscription becomes ready.
async fn wait<L: Layout>(
    cx: &mut WasiP1Ctx,
    mem: &GuestMemory<'_>,
    subs: GuestPtr<[L::Sub]>,
    n: Size,
    earliest: u64,
    waits_on_fds: bool,
) -> Result<(), Error> {
    // The descriptors waited on, each with `true` for a write
    // subscription.
    let mut fds: Vec<(u32, bool)> = Vec::new();
    if waits_on_fds {
        for i in 0..n {
            let sub = L::sub(mem.read(subs.get(i).ok_or(Errno::Fault)?)?);
            match sub.u {
                SubscriptionU::FdRead(s) => fds.push((s.file_descriptor.into(), false)),
                SubscriptionU::FdWrite(s) => fds.push((s.file_descriptor.into(), true)),
                SubscriptionU::Clock(_) => {}
            }
        }
        fds.sort_unstable();
        fds.dedup();
    }
    // The time left to the earliest deadline, read before the wait.
    let left = earliest.saturating_sub(cx.ctx.clocks.monotonic_clock.now());
    let mut futures: Vec<Pin<Box<dyn Future<Output = ()> + Send + '_>>> = Vec::new();
    for (fd, e) in cx.fds.entries_mut() {
        let read = fds.binary_search(&(fd, false)).is_ok();
        let write = fds.binary_search(&(fd, true)).is_ok();
        if !read && !write {
            continue;
        }
        match &mut e.kind {
            Kind::Input(s) => futures.push(s.ready()),
            Kind::Output(s) => futures.push(s.ready()),
            Kind::Socket(s) => match &mut **s {
                SocketFd::Listener(l) => futures.push(l.ready()),
                SocketFd::Stream { input, output, .. } => {
                    if read {
                        futures.push(input.ready());
                    }
                    if write {
                        futures.push(output.ready());
                    }
                }
            },
            _ => {}
        }
    }
    // `&mut`: a clock need only be `Send`, and this one is held across the
    // wait.
    let clock = &mut *cx.ctx.clocks.monotonic_clock;
    if futures.is_empty()
        && earliest != u64::MAX
        && clock.skip_to(earliest)
        && clock.now() >= earliest
    {
        // Virtual time, and nothing else to wait for: it moves on.
        return Ok(());
    }
    let mut sleep =
        (earliest != u64::MAX).then(|| Box::pin(tokio::time::sleep(Duration::from_nanos(left))));
    let deadline_first = std::future::poll_fn(|cx| {
        for f in futures.iter_mut() {
            if f.as_mut().poll(cx).is_ready() {
                return Poll::Ready(false);
            }
        }
        if let Some(s) = sleep.as_mut()
            && s.as_mut().poll(cx).is_ready()
        {
            return Poll::Ready(true);
        }
        Poll::Pending
    })
    .await;
    if deadline_first {
        // Virtual time moves to the deadline: the I/O did not come first.
        clock.skip_to(earliest);
    }
    Ok(())
}
