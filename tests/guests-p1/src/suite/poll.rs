//! poll_oneoff: clocks (relative, absolute, both clock ids), fd_read and
//! fd_write on files, stdin and stdout, many subscriptions at once, bad
//! descriptors reported per event, zero subscriptions EINVAL.

use crate::*;

fn fdsub(userdata: u64, kind: Eventtype, fd: Fd) -> Subscription {
    let rw = SubscriptionFdReadwrite {
        file_descriptor: fd,
    };
    Subscription {
        userdata,
        u: SubscriptionU {
            tag: kind.raw(),
            u: if kind == EVENTTYPE_FD_READ {
                SubscriptionUU { fd_read: rw }
            } else {
                SubscriptionUU { fd_write: rw }
            },
        },
    }
}

fn wait(subs: &[Subscription]) -> Vec<Event> {
    let mut events: Vec<Event> = Vec::with_capacity(subs.len());
    let n = ok("poll_oneoff", unsafe {
        poll_oneoff(subs.as_ptr(), events.as_mut_ptr(), subs.len())
    });
    check(n >= 1 && n <= subs.len(), "poll_oneoff event count");
    unsafe { events.set_len(n) };
    events
}

fn find(events: &[Event], userdata: u64) -> Option<&Event> {
    events.iter().find(|e| e.userdata == userdata)
}

fn now(id: Clockid) -> u64 {
    ok("clock_time_get", unsafe { clock_time_get(id, 0) })
}

pub fn poll() {
    // Zero subscriptions.
    let mut ev = [Event {
        userdata: 0,
        error: ERRNO_SUCCESS,
        type_: EVENTTYPE_CLOCK,
        fd_readwrite: EventFdReadwrite {
            nbytes: 0,
            flags: 0,
        },
    }; 1];
    err(
        "no subscriptions",
        unsafe { poll_oneoff([].as_ptr(), ev.as_mut_ptr(), 0) },
        &[ERRNO_INVAL],
    );

    // A relative clock: sleeps at least that long.
    let t0 = now(CLOCKID_MONOTONIC);
    let e = wait(&[clock_sub(7, CLOCKID_MONOTONIC, 2_000_000, 0)]);
    check(now(CLOCKID_MONOTONIC) - t0 >= 2_000_000, "slept 2 ms");
    check_eq(e.len(), 1, "one event");
    check_eq(
        (e[0].userdata, e[0].error, e[0].type_.raw()),
        (7, ERRNO_SUCCESS, EVENTTYPE_CLOCK.raw()),
        "clock event",
    );
    // Absolute clocks in the past fire at once; realtime too.
    let e = wait(&[clock_sub(
        8,
        CLOCKID_MONOTONIC,
        now(CLOCKID_MONOTONIC),
        SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
    )]);
    check_eq(e[0].userdata, 8, "absolute monotonic in the past");
    let e = wait(&[clock_sub(
        9,
        CLOCKID_REALTIME,
        now(CLOCKID_REALTIME) - 1_000_000_000,
        SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
    )]);
    check_eq(e[0].userdata, 9, "absolute realtime in the past");
    let t0 = now(CLOCKID_MONOTONIC);
    let e = wait(&[clock_sub(
        10,
        CLOCKID_MONOTONIC,
        t0 + 3_000_000,
        SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME,
    )]);
    check(
        now(CLOCKID_MONOTONIC) >= t0 + 3_000_000,
        "absolute deadline reached",
    );
    check_eq(e[0].userdata, 10, "absolute monotonic in the future");
    let e = wait(&[clock_sub(11, CLOCKID_REALTIME, 1_000_000, 0)]);
    check_eq(e[0].userdata, 11, "relative realtime");
    // The earliest of several clocks wins.
    let e = wait(&[
        clock_sub(1, CLOCKID_MONOTONIC, 60_000_000_000, 0),
        clock_sub(2, CLOCKID_MONOTONIC, 1_000_000, 0),
        clock_sub(3, CLOCKID_REALTIME, 60_000_000_000, 0),
    ]);
    check(find(&e, 2).is_some(), "the short clock fired");
    check(
        find(&e, 1).is_none() && find(&e, 3).is_none(),
        "the long clocks did not",
    );
    pass("poll clocks");

    // Files are always ready; nbytes is what is left to read.
    let dir = preopen("/rw");
    put(dir, "poll.txt", &[b'p'; 100]);
    let f = ok("open", open(dir, "poll.txt", 0, FILE_RIGHTS, 0));
    ok("seek 30", unsafe { fd_seek(f, 30, WHENCE_SET) });
    let e = wait(&[
        clock_sub(1, CLOCKID_MONOTONIC, 60_000_000_000, 0),
        fdsub(2, EVENTTYPE_FD_READ, f),
        fdsub(3, EVENTTYPE_FD_WRITE, f),
    ]);
    check(find(&e, 1).is_none(), "the clock did not fire");
    let r = find(&e, 2).unwrap_or_else(|| fail("no fd_read event for a file"));
    check_eq(
        (r.error, r.type_.raw()),
        (ERRNO_SUCCESS, EVENTTYPE_FD_READ.raw()),
        "file read event",
    );
    check_eq(r.fd_readwrite.nbytes, 70, "nbytes of a file read event");
    let w = find(&e, 3).unwrap_or_else(|| fail("no fd_write event for a file"));
    check_eq(
        (w.error, w.type_.raw()),
        (ERRNO_SUCCESS, EVENTTYPE_FD_WRITE.raw()),
        "file write event",
    );
    pass("poll files");

    // stdin holds data (given by the host), stdout takes writes.
    let e = wait(&[
        clock_sub(1, CLOCKID_MONOTONIC, 60_000_000_000, 0),
        fdsub(2, EVENTTYPE_FD_READ, 0),
        fdsub(3, EVENTTYPE_FD_WRITE, 1),
    ]);
    check(find(&e, 1).is_none(), "the clock did not fire");
    let r = find(&e, 2).unwrap_or_else(|| fail("no stdin event"));
    check_eq(
        (r.error, r.type_.raw()),
        (ERRNO_SUCCESS, EVENTTYPE_FD_READ.raw()),
        "stdin read event",
    );
    let w = find(&e, 3).unwrap_or_else(|| fail("no stdout event"));
    check_eq(
        (w.error, w.type_.raw()),
        (ERRNO_SUCCESS, EVENTTYPE_FD_WRITE.raw()),
        "stdout write event",
    );
    check(w.fd_readwrite.nbytes > 0, "stdout nbytes");
    check_eq(
        read_to_end(0).as_slice(),
        b"poll input\n".as_slice(),
        "stdin data",
    );
    // At EOF stdin is still ready (reads return 0).
    let e = wait(&[
        clock_sub(1, CLOCKID_MONOTONIC, 60_000_000_000, 0),
        fdsub(2, EVENTTYPE_FD_READ, 0),
    ]);
    check(find(&e, 2).is_some(), "stdin at EOF is ready");
    pass("poll stdio");

    // A bad descriptor: the whole call fails with EBADF (the spec does not
    // say; wasmtime answers so and programs check it).
    let subs = [
        clock_sub(1, CLOCKID_MONOTONIC, 60_000_000_000, 0),
        fdsub(2, EVENTTYPE_FD_READ, 999),
    ];
    let mut out: Vec<Event> = Vec::with_capacity(2);
    err(
        "poll_oneoff with a bad fd",
        unsafe { poll_oneoff(subs.as_ptr(), out.as_mut_ptr(), 2) },
        &[ERRNO_BADF],
    );
    // Rights are advisory: a file whose rights the guest tried to drop
    // still polls.
    err(
        "fd_fdstat_set_rights",
        unsafe { fd_fdstat_set_rights(f, RIGHTS_FD_READ, 0) },
        &[ERRNO_NOTSUP],
    );
    let e = wait(&[
        clock_sub(1, CLOCKID_MONOTONIC, 60_000_000_000, 0),
        fdsub(2, EVENTTYPE_FD_READ, f),
    ]);
    let b = find(&e, 2).unwrap_or_else(|| fail("no event for a file"));
    check_eq(b.error, ERRNO_SUCCESS, "file event");
    ok("fd_close", unsafe { fd_close(f) });
    pass("poll errors");

    // Many at once: 100 clocks (one short) and 10 file reads.
    let g = ok("open", open(dir, "poll.txt", 0, READ_RIGHTS, 0));
    let mut subs: Vec<Subscription> = (0..100)
        .map(|i| clock_sub(1000 + i, CLOCKID_MONOTONIC, 60_000_000_000 + i, 0))
        .collect();
    subs.extend((0..10).map(|i| fdsub(2000 + i, EVENTTYPE_FD_READ, g)));
    let e = wait(&subs);
    check_eq(e.len(), 10, "ten fd events, no clock");
    for i in 0..10 {
        let r = find(&e, 2000 + i).unwrap_or_else(|| fail("missing fd event"));
        check_eq(r.fd_readwrite.nbytes, 100, "nbytes of every read event");
    }
    subs[42] = clock_sub(1042, CLOCKID_MONOTONIC, 0, 0);
    subs.truncate(100);
    let e = wait(&subs);
    check(
        find(&e, 1042).is_some(),
        "the zero timeout fired among 100 clocks",
    );
    ok("fd_close", unsafe { fd_close(g) });
    // An unknown event tag or clock id.
    let mut bad = clock_sub(5, CLOCKID_MONOTONIC, 0, 0);
    bad.u.tag = 3;
    let mut out: Vec<Event> = Vec::with_capacity(1);
    err(
        "unknown subscription tag",
        unsafe { poll_oneoff(&bad, out.as_mut_ptr(), 1) },
        &[ERRNO_INVAL],
    );
    let mut badclock = clock_sub(5, CLOCKID_MONOTONIC, 0, 0);
    unsafe { badclock.u.u.clock.id = std::mem::transmute::<u32, Clockid>(9) };
    match unsafe { poll_oneoff(&badclock, out.as_mut_ptr(), 1) } {
        Err(e) => check_eq(e, ERRNO_INVAL, "unknown clock id: EINVAL"),
        Ok(n) => {
            check_eq(n, 1, "one event");
            unsafe { out.set_len(1) };
            check_eq(out[0].error, ERRNO_INVAL, "unknown clock id event error");
        }
    }
    pass("poll many");
}
