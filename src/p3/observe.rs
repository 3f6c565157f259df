//! Call events of the 0.3 front-end: [`observed!`], the crate's
//! [`observed!`](crate::observe::observed) with the front-end filled in,
//! and the compact forms of the 0.3 bindings' types: addresses as the host
//! writes them, flags as the crate's bits, streams and futures as what
//! they are (what flows through them later is no call), the rest as its
//! `Debug` text; and the outcomes of the 0.3 results, whose error codes
//! (`variant`s with an `other` case, which `bindgen!` gives no `name()`)
//! are named here.

/// Runs a 0.3 host function's body, observed when the context has an
/// observer: `observed!(observer, interface, function, [args], body)`
/// (see [`crate::observe::observed`], which this is with the front-end
/// filled in). The functions that see the store through an `Accessor` or
/// an `Access` read the observer through it first (an `Arc` clone when
/// there is one).
macro_rules! observed {
    ($observer:expr, $interface:literal, $function:literal, $($rest:tt)*) => {
        $crate::observe::observed!(
            $observer,
            $crate::observe::FrontEnd::Preview3,
            $interface,
            $function,
            $($rest)*
        )
    };
}
pub(crate) use observed;

use crate::TrappableError;
use crate::filesystem as neutral;
use crate::observe::{MAX_TEXT_SHOWN, Outcome, Report, Shown, Value, shown_as_debug};
use crate::p3::bindings::clocks::system_clock::Instant;
use crate::p3::bindings::filesystem::types as fs;
use crate::p3::bindings::sockets::ip_name_lookup as lookup;
use crate::p3::bindings::sockets::types::{self as net, IpAddress, IpSocketAddress};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use wasmtime::component::{FutureReader, StreamReader};

shown_as_debug!(
    Instant,
    net::IpAddressFamily,
    fs::Advice,
    fs::NewTimestamp,
    fs::DescriptorType,
    fs::DescriptorStat,
    fs::MetadataHashValue
);

/// The bindings' flags, shown as the bits of the crate's flags of the same
/// name (the same bits as the WIT's: `create` is bit 0 of `open-flags`).
macro_rules! shown_as_crate_flags {
    ($($ty:ident),*) => {$(
        impl Shown for fs::$ty {
            fn value(&self) -> Value {
                Value::Flags(neutral::$ty::from(*self).bits().into())
            }
        }
    )*};
}
shown_as_crate_flags!(DescriptorFlags, PathFlags, OpenFlags);

/// A socket address as the host writes it: `127.0.0.1:80`, `[::1]:80`.
impl Shown for IpSocketAddress {
    fn value(&self) -> Value {
        Value::Text(SocketAddr::from(*self).to_string())
    }
}

/// An address as the host writes it: `127.0.0.1`, `::1`.
fn ip(addr: &IpAddress) -> IpAddr {
    match *addr {
        IpAddress::Ipv4((a, b, c, d)) => Ipv4Addr::new(a, b, c, d).into(),
        IpAddress::Ipv6((a, b, c, d, e, f, g, h)) => Ipv6Addr::new(a, b, c, d, e, f, g, h).into(),
    }
}

impl Shown for IpAddress {
    fn value(&self) -> Value {
        Value::Text(ip(self).to_string())
    }
}

/// A name's addresses: `[127.0.0.1, ::1]`.
impl Shown for Vec<IpAddress> {
    fn value(&self) -> Value {
        let addrs: Vec<String> = self.iter().map(|a| ip(a).to_string()).collect();
        Value::Text(format!("[{}]", addrs.join(", ")))
    }
}

/// A stream handed over (or taken from the guest): `stream`.
impl<T> Shown for StreamReader<T> {
    fn value(&self) -> Value {
        Value::Text("stream".to_owned())
    }
}

/// A future handed over: `future`.
impl<T> Shown for FutureReader<T> {
    fn value(&self) -> Value {
        Value::Text("future".to_owned())
    }
}

/// A 0.3 error code: its WIT name, and the text of an `other` that has
/// one.
trait Code {
    /// Its name and `other`'s text.
    fn parts(&self) -> (&'static str, Option<&str>);

    /// How an event names it: `no-entry`; `other: TEXT` (at most
    /// [`MAX_TEXT_SHOWN`] bytes of the text), `other` without one.
    fn text(&self) -> String {
        match self.parts() {
            (name, None) => name.to_owned(),
            (name, Some(text)) => {
                let mut end = text.len().min(MAX_TEXT_SHOWN);
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                format!("{name}: {}", &text[..end])
            }
        }
    }
}

/// Names each case of a 0.3 `error-code` variant as the WIT spells it.
macro_rules! code_names {
    ($ty:ty { $($case:ident = $name:literal),* $(,)? }) => {
        impl Code for $ty {
            fn parts(&self) -> (&'static str, Option<&str>) {
                match self {
                    $(Self::$case => ($name, None),)*
                    Self::Other(text) => ("other", text.as_deref()),
                }
            }
        }
    };
}

code_names!(fs::ErrorCode {
    Access = "access", Already = "already", BadDescriptor = "bad-descriptor", Busy = "busy",
    Deadlock = "deadlock", Quota = "quota", Exist = "exist", FileTooLarge = "file-too-large",
    IllegalByteSequence = "illegal-byte-sequence", InProgress = "in-progress",
    Interrupted = "interrupted", Invalid = "invalid", Io = "io", IsDirectory = "is-directory",
    Loop = "loop", TooManyLinks = "too-many-links", MessageSize = "message-size",
    NameTooLong = "name-too-long", NoDevice = "no-device", NoEntry = "no-entry",
    NoLock = "no-lock", InsufficientMemory = "insufficient-memory",
    InsufficientSpace = "insufficient-space", NotDirectory = "not-directory",
    NotEmpty = "not-empty", NotRecoverable = "not-recoverable", Unsupported = "unsupported",
    NoTty = "no-tty", NoSuchDevice = "no-such-device", Overflow = "overflow",
    NotPermitted = "not-permitted", Pipe = "pipe", ReadOnly = "read-only",
    InvalidSeek = "invalid-seek", TextFileBusy = "text-file-busy", CrossDevice = "cross-device",
});

code_names!(net::ErrorCode {
    AccessDenied = "access-denied", NotSupported = "not-supported",
    InvalidArgument = "invalid-argument", OutOfMemory = "out-of-memory", Timeout = "timeout",
    InvalidState = "invalid-state", AddressNotBindable = "address-not-bindable",
    AddressInUse = "address-in-use", RemoteUnreachable = "remote-unreachable",
    ConnectionRefused = "connection-refused", ConnectionBroken = "connection-broken",
    ConnectionReset = "connection-reset", ConnectionAborted = "connection-aborted",
    DatagramTooLarge = "datagram-too-large",
});

code_names!(lookup::ErrorCode {
    AccessDenied = "access-denied", InvalidArgument = "invalid-argument",
    NameUnresolvable = "name-unresolvable",
    TemporaryResolverFailure = "temporary-resolver-failure",
    PermanentResolverFailure = "permanent-resolver-failure",
});

/// A successful call's values.
fn returned<T: Shown>(v: &T) -> Outcome {
    let mut values = Vec::new();
    v.push_returned(&mut values);
    Outcome::Ok(values)
}

/// The outcome of a `wasi:filesystem` or `wasi:sockets/types` call: its
/// values, its error code, or its trap.
macro_rules! trappable_reports {
    ($($code:ty),*) => {$(
        impl<T: Shown> Report for Result<T, TrappableError<$code>> {
            fn outcome(&self) -> Outcome {
                match self {
                    Ok(v) => returned(v),
                    Err(e) => match e.downcast_ref() {
                        Some(code) => Outcome::Err(code.text()),
                        None => Outcome::Trap(e.to_string()),
                    },
                }
            }
        }
    )*};
}
trappable_reports!(fs::ErrorCode, net::ErrorCode);

/// `resolve-addresses`: the addresses, the lookup's error code, or the
/// trap.
impl Report for wasmtime::Result<Result<Vec<IpAddress>, lookup::ErrorCode>> {
    fn outcome(&self) -> Outcome {
        match self {
            Ok(Ok(addrs)) => returned(addrs),
            Ok(Err(code)) => Outcome::Err(code.text()),
            Err(e) => Outcome::Trap(crate::observe::trap_text(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_named_as_the_specification_spells_them() {
        let err: Result<(), TrappableError<fs::ErrorCode>> = Err(fs::ErrorCode::NoEntry.into());
        assert_eq!(err.outcome(), Outcome::Err("no-entry".to_owned()));
        let other: Result<(), TrappableError<fs::ErrorCode>> =
            Err(fs::ErrorCode::Other(Some("would-block".into())).into());
        assert_eq!(
            other.outcome(),
            Outcome::Err("other: would-block".to_owned())
        );
        let denied: Result<(), TrappableError<net::ErrorCode>> =
            Err(net::ErrorCode::AccessDenied.into());
        assert_eq!(denied.outcome(), Outcome::Err("access-denied".to_owned()));
        let trap: Result<(), TrappableError<net::ErrorCode>> =
            Err(TrappableError::trap(wasmtime::format_err!("boom")));
        assert_eq!(trap.outcome(), Outcome::Trap("boom".to_owned()));
        let lookup: wasmtime::Result<Result<Vec<IpAddress>, lookup::ErrorCode>> =
            Ok(Err(lookup::ErrorCode::Other(None)));
        assert_eq!(lookup.outcome(), Outcome::Err("other".to_owned()));
    }

    #[test]
    fn addresses_are_written_as_the_host_writes_them() {
        let v4 = IpSocketAddress::from("127.0.0.1:80".parse::<SocketAddr>().unwrap());
        assert_eq!(v4.value(), Value::Text("127.0.0.1:80".to_owned()));
        let found: wasmtime::Result<Result<Vec<IpAddress>, lookup::ErrorCode>> = Ok(Ok(vec![
            IpAddress::Ipv4((127, 0, 0, 1)),
            IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 1)),
        ]));
        assert_eq!(
            found.outcome(),
            Outcome::Ok(vec![("ret", Value::Text("[127.0.0.1, ::1]".to_owned()))])
        );
    }

    #[test]
    fn flags_are_the_crate_bits() {
        assert_eq!(fs::OpenFlags::CREATE.value(), Value::Flags(1));
        assert_eq!(fs::DescriptorFlags::WRITE.value(), Value::Flags(2));
    }
}
