//! Clocks, random bytes and `sched_yield`.

use super::WasiP1Ctx;
use super::bindings::types::{Clockid, Errno, Error, Size, Timestamp};
use rand::Rng;
use wiggle::{GuestMemory, GuestPtr};

/// Nanoseconds of a duration, saturating.
fn nanos(d: std::time::Duration) -> Timestamp {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// `clock_res_get`. The CPU-time clocks are not offered (they would show
/// the host process's time): `inval`.
pub(crate) fn res_get(cx: &mut WasiP1Ctx, id: Clockid) -> Result<Timestamp, Error> {
    match id {
        Clockid::Realtime => Ok(nanos(cx.ctx.clocks.wall_clock.resolution()).max(1)),
        Clockid::Monotonic => Ok(cx.ctx.clocks.monotonic_clock.resolution().max(1)),
        _ => Err(Errno::Inval.into()),
    }
}

/// `clock_time_get`, from the context's clocks.
/// Readings are journaled when recording, and come from the journal when
/// replaying.
pub(crate) fn time_get(cx: &mut WasiP1Ctx, id: Clockid) -> Result<Timestamp, Error> {
    let clocks = &cx.ctx.clocks;
    match id {
        Clockid::Monotonic => clocks
            .journal
            .monotonic(|| clocks.monotonic_clock.now())
            .map_err(Error::trap),
        Clockid::Realtime => clocks
            .journal
            .wall(|| clocks.wall_clock.now())
            .map(nanos)
            .map_err(Error::trap),
        _ => Err(Errno::Inval.into()),
    }
}

/// `random_get`: straight into guest memory from the secure source. A
/// request above the context's `max_random_size` is `inval`.
pub(crate) fn random_get(
    cx: &mut WasiP1Ctx,
    mem: &mut GuestMemory<'_>,
    buf: GuestPtr<u8>,
    len: Size,
) -> Result<(), Error> {
    if u64::from(len) > cx.ctx.random.max_size {
        return Err(Errno::Inval.into());
    }
    let dest = buf.as_array(len);
    let random = &mut cx.ctx.random;
    if let Some(slice) = mem.as_slice_mut(dest)? {
        if !random.journal.is_on() {
            random.random.fill_bytes(slice);
            return Ok(());
        }
        // The journal records the bytes, or fills them in.
        let rng = &mut random.random;
        return random
            .journal
            .random(false, slice, |b| rng.fill_bytes(b))
            .map_err(Error::trap);
    }
    if random.journal.is_on() {
        // A shared memory: through one buffer.
        let mut bytes = vec![0u8; len as usize];
        let rng = &mut random.random;
        random
            .journal
            .random(false, &mut bytes, |b| rng.fill_bytes(b))
            .map_err(Error::trap)?;
        mem.copy_from_slice(&bytes, dest)?;
        return Ok(());
    }
    // A shared memory: through a small buffer.
    let mut chunk = [0u8; 256];
    let mut done = 0u32;
    while done < len {
        let n = (len - done).min(chunk.len() as u32);
        random.random.fill_bytes(&mut chunk[..n as usize]);
        mem.copy_from_slice(&chunk[..n as usize], buf.add(done)?.as_array(n))?;
        done += n;
    }
    Ok(())
}
