//! Host-call fuel for preview 1: how much guest data one call may make the
//! host take (`wasmtime::Store::set_hostcall_fuel`, 128 MiB by default).
//!
//! The engine charges the fuel itself when it lifts a component's
//! arguments; a core module's arguments are plain numbers, and preview 1
//! reads the data they point at from guest memory itself. So it charges
//! the same fuel, before it reads or allocates anything:
//!
//! * a path or other string: its length;
//! * an iovec list: the array (8 bytes an entry) and the bytes it names,
//!   for reads too (as wasmtime counts them, and programs check: a read
//!   larger than the fuel answers `nomem` rather than a short count);
//! * a `poll_oneoff` subscription list: its size.
//!
//! A call whose data needs more than the fuel left answers `nomem`, having
//! read nothing. The link glue (`link.rs`) refills [`WasiP1Ctx::fuel`] from
//! the store at the start of every call.
//!
//! [`WasiP1Ctx::fuel`]: super::WasiP1Ctx

use super::bindings::types::{Errno, Error};

/// Takes `bytes` from the fuel of the current call, or answers `nomem` and
/// takes nothing.
pub(crate) fn take(fuel: &mut usize, bytes: u64) -> Result<(), Error> {
    match usize::try_from(bytes)
        .ok()
        .and_then(|b| fuel.checked_sub(b))
    {
        Some(left) => {
            *fuel = left;
            Ok(())
        }
        None => Err(Errno::Nomem.into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_until_empty_then_refuses_without_taking() {
        let mut fuel = 10;
        assert!(take(&mut fuel, 4).is_ok());
        assert!(take(&mut fuel, 6).is_ok());
        assert_eq!(fuel, 0);
        assert!(take(&mut fuel, 0).is_ok());
        let mut fuel = 10;
        assert!(take(&mut fuel, 11).is_err());
        assert!(take(&mut fuel, u64::MAX).is_err());
        assert_eq!(fuel, 10);
    }
}
