//! The compact forms of a component host method's arguments and results
//! in call events: [`Shown`] (a value: descriptors as numbers, strings as
//! paths, byte lists as lengths, anything else as short text) and
//! [`Report`] (a result: the values returned, the error code's name, or
//! the trap).

use super::{Outcome, Value};
use crate::TrappableError;
use crate::io::StreamError;
use std::fmt;
use wasmtime::component::Resource;

/// The most bytes of a string an event shows.
pub(crate) const MAX_TEXT_SHOWN: usize = 4096;

/// A value as a call event shows it.
pub(crate) trait Shown {
    /// Its compact form.
    fn value(&self) -> Value;

    /// Adds it to a result's values: as `ret`, or nothing for `()`, or
    /// one value per element for a tuple.
    fn push_returned(&self, out: &mut Vec<(&'static str, Value)>) {
        out.push(("ret", self.value()));
    }
}

/// A result as a call event shows it.
pub(crate) trait Report {
    /// How the call ended.
    fn outcome(&self) -> Outcome;
}

/// An argument's name as the event shows it: `self_` is `self`.
pub(crate) fn arg_name(name: &'static str) -> &'static str {
    name.strip_suffix('_').unwrap_or(name)
}

impl<T: 'static> Shown for Resource<T> {
    fn value(&self) -> Value {
        Value::Fd(self.rep())
    }
}

impl<T: Shown + ?Sized> Shown for &T {
    fn value(&self) -> Value {
        (**self).value()
    }
}

macro_rules! shown_as_int {
    ($($ty:ty),*) => {$(
        impl Shown for $ty {
            fn value(&self) -> Value {
                Value::Int(*self as i64)
            }
        }
    )*};
}
shown_as_int!(u8, u16, u32, u64, i64, bool);

impl Shown for str {
    fn value(&self) -> Value {
        Value::Path(cut(self))
    }
}

impl Shown for String {
    fn value(&self) -> Value {
        self.as_str().value()
    }
}

impl Shown for [u8] {
    fn value(&self) -> Value {
        Value::Len(self.len() as u64)
    }
}

impl Shown for Vec<u8> {
    fn value(&self) -> Value {
        self.as_slice().value()
    }
}

impl<T: 'static> Shown for [Resource<T>] {
    fn value(&self) -> Value {
        Value::Len(self.len() as u64)
    }
}

impl<T: 'static> Shown for Vec<Resource<T>> {
    fn value(&self) -> Value {
        self.as_slice().value()
    }
}

impl Shown for () {
    fn value(&self) -> Value {
        Value::Text(String::new())
    }

    fn push_returned(&self, _: &mut Vec<(&'static str, Value)>) {}
}

impl<T: Shown> Shown for Option<T> {
    fn value(&self) -> Value {
        match self {
            Some(v) => v.value(),
            None => Value::Text("none".to_owned()),
        }
    }
}

impl<A: Shown, B: Shown> Shown for (A, B) {
    fn value(&self) -> Value {
        Value::Text(format!("({}, {})", self.0.value(), self.1.value()))
    }

    fn push_returned(&self, out: &mut Vec<(&'static str, Value)>) {
        out.push(("0", self.0.value()));
        out.push(("1", self.1.value()));
    }
}

impl<A: Shown, B: Shown, C: Shown> Shown for (A, B, C) {
    fn value(&self) -> Value {
        let (a, b, c) = self;
        Value::Text(format!("({}, {}, {})", a.value(), b.value(), c.value()))
    }

    fn push_returned(&self, out: &mut Vec<(&'static str, Value)>) {
        out.push(("0", self.0.value()));
        out.push(("1", self.1.value()));
        out.push(("2", self.2.value()));
    }
}

/// Types shown as their bits.
macro_rules! shown_as_flags {
    ($($ty:ty),*) => {$(
        impl $crate::observe::Shown for $ty {
            fn value(&self) -> $crate::observe::Value {
                $crate::observe::Value::Flags(self.bits().into())
            }
        }
    )*};
}

/// Types with no compact form, shown as their `Debug` text.
macro_rules! shown_as_debug {
    ($($ty:ty),*) => {$(
        impl $crate::observe::Shown for $ty {
            fn value(&self) -> $crate::observe::Value {
                $crate::observe::Value::Text(format!("{self:?}"))
            }
        }
    )*};
}
pub(crate) use shown_as_debug;

shown_as_debug!(Vec<u32>, std::net::SocketAddr, std::net::IpAddr);

impl Shown for Vec<crate::sockets::IncomingDatagram> {
    fn value(&self) -> Value {
        Value::Len(self.len() as u64)
    }
}

impl Shown for Vec<crate::sockets::OutgoingDatagram> {
    fn value(&self) -> Value {
        Value::Len(self.len() as u64)
    }
}

/// An error code, named as the specification spells it (`no-entry`).
pub(crate) trait CodeName {
    /// The code's name.
    fn code_name(&self) -> &'static str;
}

/// Error codes with a `name()` in the specification's spelling: named in
/// outcomes, and shown by name.
macro_rules! code_names {
    ($($ty:ty),*) => {$(
        impl $crate::observe::CodeName for $ty {
            fn code_name(&self) -> &'static str {
                self.name()
            }
        }
        impl $crate::observe::Shown for $ty {
            fn value(&self) -> $crate::observe::Value {
                $crate::observe::Value::Text(self.name().to_owned())
            }
        }
    )*};
}
pub(crate) use code_names;

code_names!(crate::filesystem::ErrorCode, crate::sockets::ErrorCode);

// The backends' filesystem types, which the component front-ends observe
// their calls in.
shown_as_flags!(
    crate::filesystem::DescriptorFlags,
    crate::filesystem::PathFlags,
    crate::filesystem::OpenFlags
);
shown_as_debug!(
    crate::filesystem::NewTimestamp,
    crate::filesystem::Advice,
    crate::filesystem::DescriptorType,
    crate::filesystem::DescriptorStat,
    crate::filesystem::MetadataHashValue,
    crate::filesystem::DirectoryEntry
);

impl Shown for i32 {
    fn value(&self) -> Value {
        Value::Int((*self).into())
    }
}

impl Shown for Vec<String> {
    fn value(&self) -> Value {
        Value::Len(self.len() as u64)
    }
}

impl Shown for Vec<(String, String)> {
    fn value(&self) -> Value {
        Value::Len(self.len() as u64)
    }
}

impl<T: Shown> Report for wasmtime::Result<T> {
    fn outcome(&self) -> Outcome {
        match self {
            Ok(v) => returned(v),
            Err(e) => Outcome::Trap(super::trap_text(e)),
        }
    }
}

impl<T: Shown, E> Report for Result<T, TrappableError<E>>
where
    E: CodeName + fmt::Debug + fmt::Display + Send + Sync + 'static,
{
    fn outcome(&self) -> Outcome {
        match self {
            Ok(v) => returned(v),
            Err(e) => match e.downcast_ref() {
                Some(code) => Outcome::Err(code.code_name().to_owned()),
                None => Outcome::Trap(e.to_string()),
            },
        }
    }
}

impl<T: Shown> Report for Result<T, StreamError> {
    fn outcome(&self) -> Outcome {
        match self {
            Ok(v) => returned(v),
            Err(StreamError::Closed) => Outcome::Err("closed".to_owned()),
            Err(StreamError::LastOperationFailed(e)) => {
                Outcome::Err(format!("last-operation-failed: {e}"))
            }
            Err(StreamError::Trap(e)) => Outcome::Trap(super::trap_text(e)),
        }
    }
}

/// A successful call's values.
fn returned<T: Shown>(v: &T) -> Outcome {
    let mut values = Vec::new();
    v.push_returned(&mut values);
    Outcome::Ok(values)
}

/// The first [`MAX_TEXT_SHOWN`] bytes of `text` (then `...` if cut).
fn cut(text: &str) -> String {
    if text.len() <= MAX_TEXT_SHOWN {
        return text.to_owned();
    }
    let mut end = MAX_TEXT_SHOWN;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_named_as_the_specification_spells_them() {
        use crate::filesystem::{ErrorCode, FsError};
        let err: Result<(), FsError> = Err(ErrorCode::NoEntry.into());
        assert_eq!(err.outcome(), Outcome::Err("no-entry".to_owned()));
        let trap: Result<(), FsError> = Err(FsError::trap(wasmtime::format_err!("boom")));
        assert_eq!(trap.outcome(), Outcome::Trap("boom".to_owned()));
    }

    #[test]
    fn long_strings_are_cut_on_a_character() {
        let long = "é".repeat(MAX_TEXT_SHOWN);
        let Value::Path(shown) = long.value() else {
            panic!("a string is a path")
        };
        assert!(shown.ends_with("..."));
        assert!(shown.len() <= MAX_TEXT_SHOWN + 3);
        assert_eq!("a".value(), Value::Path("a".to_owned()));
    }

    #[test]
    fn results_show_their_values() {
        let ok: wasmtime::Result<(Vec<u8>, bool)> = Ok((vec![1, 2, 3], true));
        assert_eq!(
            ok.outcome(),
            Outcome::Ok(vec![("0", Value::Len(3)), ("1", Value::Int(1))])
        );
        let unit: wasmtime::Result<()> = Ok(());
        assert_eq!(unit.outcome(), Outcome::Ok(vec![]));
        let closed: Result<u64, StreamError> = Err(StreamError::Closed);
        assert_eq!(closed.outcome(), Outcome::Err("closed".to_owned()));
    }
}
