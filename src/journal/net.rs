//! The network's part of a journal: the outcome of every call the guest
//! (or the host on its behalf) makes on a socket, a socket stream or a
//! name lookup, written as `net KEY CALL VALUE` lines.
//!
//! Every socket and lookup the guest makes gets a key in the order it makes
//! them (`1`, `2`, ...); the n-th connection a listener `2` accepts is
//! `2.n`; a connection's streams are `2.n/in` and `2.n/out`; the accepts of
//! a listener are `2/accept`, apart from its other calls, because a 0.3
//! listener accepts from a host task, at times of its own. Each key's
//! entries replay in their own order, so two streams read ahead by 0.3
//! tasks may interleave differently in two runs.
//!
//! A value is written by its type ([`Outcome`], [`Value`]): `ok`, `ok
//! 127.0.0.1:8080`, `err connection-refused`, `bytes 68690a`, `closed`,
//! `failed connection-reset broken%20pipe`. A call that trapped is not
//! journaled: the recorded run ended there.

use super::Journal;
use super::entry::{escape, hex, unescape, unhex};
use crate::io::{StreamError, StreamResult};
use crate::sockets::{ErrorCode, IncomingDatagram, NetworkStreamError, SocketError, SocketResult};
use bytes::Bytes;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

/// The place of one socket, stream or lookup in a journal being recorded
/// or replayed: the journal and the key.
#[derive(Clone)]
pub(crate) struct Tap {
    journal: Journal,
    key: Arc<str>,
}

impl Tap {
    /// The tap of `key` in `journal`; `None` when nothing is journaled.
    pub(crate) fn new(journal: &Journal, key: String) -> Option<Tap> {
        journal.is_on().then(|| Tap {
            journal: journal.clone(),
            key: key.into(),
        })
    }

    /// The tap of a part of this one: `key` followed by `suffix`
    /// (`/in`, `.3`).
    pub(crate) fn child(&self, suffix: &str) -> Tap {
        Tap {
            journal: self.journal.clone(),
            key: format!("{}{suffix}", self.key).into(),
        }
    }

    /// Whether this is a replay.
    pub(crate) fn is_replay(&self) -> bool {
        self.journal.is_replay()
    }

    /// Records `outcome` as the outcome of `call` (unless it is a trap)
    /// and returns it; a journal that cannot be written makes it a trap.
    pub(crate) fn record<O: Outcome>(&self, call: &str, outcome: O) -> O {
        if let Journal::Record(r) = &self.journal
            && outcome.written()
            && let Err(err) = r.write_net(&self.key, call, |s| outcome.encode(s))
        {
            return O::trap(err);
        }
        outcome
    }

    /// Records whether `result` succeeded (`ok`, or its error code) as the
    /// outcome of `call`, for calls whose value is not journaled itself
    /// (a socket, streams), and returns it.
    pub(crate) fn record_done<T>(&self, call: &str, result: SocketResult<T>) -> SocketResult<T> {
        let done: SocketResult<()> = match &result {
            Ok(_) => Ok(()),
            Err(e) => match e.downcast_ref() {
                Some(code) => Err((*code).into()),
                None => return result,
            },
        };
        match self.record(call, done) {
            Err(trap) if result.is_ok() => Err(trap),
            _ => result,
        }
    }

    /// The outcome of `call` from the journal (in a replay; a trap if the
    /// journal holds another call or value there, or nothing).
    pub(crate) fn replay<O: Outcome>(&self, call: &str) -> O {
        let Journal::Replay(r) = &self.journal else {
            return O::trap(wasmtime::format_err!("not a replay"));
        };
        match r.next_net(&self.key, call) {
            Ok((line, value)) => O::decode(&value).unwrap_or_else(|| {
                O::trap(wasmtime::format_err!(
                    "replay: the journal cannot be replayed: line {line}: `{}` is not an \
                     outcome of `{call}`",
                    value.chars().take(40).collect::<String>()
                ))
            }),
            Err(e) => O::trap(e),
        }
    }

    /// In a replay, whether an entry of this key is left (or the journal
    /// is broken, which the next call reports): a replayed wait for this
    /// key ends at once if so, and never otherwise (the recorded run ended
    /// before it did). Always `true` when recording.
    pub(crate) fn has_next(&self) -> bool {
        match &self.journal {
            Journal::Replay(r) => r.has_net(&self.key),
            _ => true,
        }
    }

    /// Waits as a replayed wait on this key does (see
    /// [`Tap::has_next`]).
    pub(crate) async fn replayed_wait(&self) {
        if !self.has_next() {
            std::future::pending::<()>().await;
        }
    }
}

/// A value inside a journaled outcome, written as one word.
pub(crate) trait Value: Sized {
    /// Appends the value (nothing for `()`).
    fn encode(&self, s: &mut String);
    /// The value of the text [`Value::encode`] wrote.
    fn decode(text: &str) -> Option<Self>;
}

impl Value for () {
    fn encode(&self, _: &mut String) {}
    fn decode(text: &str) -> Option<Self> {
        text.is_empty().then_some(())
    }
}

impl Value for bool {
    fn encode(&self, s: &mut String) {
        s.push_str(if *self { "yes" } else { "no" });
    }
    fn decode(text: &str) -> Option<Self> {
        match text {
            "yes" => Some(true),
            "no" => Some(false),
            _ => None,
        }
    }
}

/// Values written with `Display` and read with `FromStr`.
macro_rules! displayed_values {
    ($($t:ty),*) => {$(
        impl Value for $t {
            fn encode(&self, s: &mut String) {
                use std::fmt::Write as _;
                let _ = write!(s, "{self}");
            }
            fn decode(text: &str) -> Option<Self> {
                text.parse().ok()
            }
        }
    )*};
}
displayed_values!(u8, u32, u64, usize, SocketAddr, IpAddr);

impl Value for Option<IpAddr> {
    fn encode(&self, s: &mut String) {
        match self {
            Some(ip) => Value::encode(ip, s),
            None => s.push_str("none"),
        }
    }
    fn decode(text: &str) -> Option<Self> {
        match text {
            "none" => Some(None),
            _ => <IpAddr as Value>::decode(text).map(Some),
        }
    }
}

/// A datagram received: `ADDR/HEX`.
impl Value for IncomingDatagram {
    fn encode(&self, s: &mut String) {
        Value::encode(&self.remote_address, s);
        s.push('/');
        hex(s, &self.data);
    }
    fn decode(text: &str) -> Option<Self> {
        let (addr, data) = text.rsplit_once('/')?;
        Some(IncomingDatagram {
            data: unhex(data).ok()?,
            remote_address: <SocketAddr as Value>::decode(addr)?,
        })
    }
}

/// Datagrams received: each as one datagram is, separated by `,`.
impl Value for Vec<IncomingDatagram> {
    fn encode(&self, s: &mut String) {
        for (i, datagram) in self.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            Value::encode(datagram, s);
        }
    }
    fn decode(text: &str) -> Option<Self> {
        text.split(',')
            .filter(|d| !d.is_empty())
            .map(<IncomingDatagram as Value>::decode)
            .collect()
    }
}

/// The outcome of a journaled call: a value or an error code, or a trap,
/// which is not journaled.
pub(crate) trait Outcome: Sized {
    /// Whether it is journaled (not a trap).
    fn written(&self) -> bool;
    /// Appends it.
    fn encode(&self, s: &mut String);
    /// The outcome of the text [`Outcome::encode`] wrote.
    fn decode(text: &str) -> Option<Self>;
    /// A trap with `err`.
    fn trap(err: wasmtime::Error) -> Self;
}

impl<T: Value> Outcome for SocketResult<T> {
    fn written(&self) -> bool {
        match self {
            Ok(_) => true,
            Err(e) => e.downcast_ref().is_some(),
        }
    }
    fn encode(&self, s: &mut String) {
        match self {
            Ok(v) => {
                s.push_str("ok");
                let at = s.len();
                s.push(' ');
                v.encode(s);
                if s.len() == at + 1 {
                    s.truncate(at);
                }
            }
            Err(e) => {
                s.push_str("err ");
                s.push_str(e.downcast_ref().map_or("unknown", |c: &ErrorCode| c.name()));
            }
        }
    }
    fn decode(text: &str) -> Option<Self> {
        let (word, rest) = text.split_once(' ').unwrap_or((text, ""));
        match word {
            "ok" => T::decode(rest).map(Ok),
            "err" => ErrorCode::from_name(rest).map(|c| Err(c.into())),
            _ => None,
        }
    }
    fn trap(err: wasmtime::Error) -> Self {
        Err(SocketError::trap(err))
    }
}

/// A stream's value: bytes read, a permit, or nothing.
pub(crate) trait StreamValue: Sized {
    /// Appends it.
    fn encode(&self, s: &mut String);
    /// The value of the text [`StreamValue::encode`] wrote.
    fn decode(text: &str) -> Option<Self>;
}

impl StreamValue for Bytes {
    fn encode(&self, s: &mut String) {
        s.push_str("bytes");
        if !self.is_empty() {
            s.push(' ');
            hex(s, self);
        }
    }
    fn decode(text: &str) -> Option<Self> {
        let hexed = text.strip_prefix("bytes")?;
        match hexed.strip_prefix(' ') {
            Some(h) => unhex(h).ok().map(Bytes::from),
            None if hexed.is_empty() => Some(Bytes::new()),
            None => None,
        }
    }
}

impl<T: Value> StreamValue for T {
    fn encode(&self, s: &mut String) {
        s.push_str("ok");
        let at = s.len();
        s.push(' ');
        Value::encode(self, s);
        if s.len() == at + 1 {
            s.truncate(at);
        }
    }
    fn decode(text: &str) -> Option<Self> {
        let rest = text.strip_prefix("ok")?;
        <T as Value>::decode(rest.strip_prefix(' ').unwrap_or(rest))
    }
}

impl<T: StreamValue> Outcome for StreamResult<T> {
    fn written(&self) -> bool {
        !matches!(self, Err(StreamError::Trap(_)))
    }
    fn encode(&self, s: &mut String) {
        match self {
            Ok(v) => v.encode(s),
            Err(StreamError::Closed) => s.push_str("closed"),
            Err(StreamError::LastOperationFailed(e)) | Err(StreamError::Trap(e)) => {
                s.push_str("failed ");
                match e.downcast_ref::<NetworkStreamError>() {
                    Some(n) => {
                        s.push_str(n.code.name());
                        s.push(' ');
                        escape(s, &n.source.to_string());
                    }
                    None => {
                        s.push_str("- ");
                        escape(s, &e.to_string());
                    }
                }
            }
        }
    }
    fn decode(text: &str) -> Option<Self> {
        if text == "closed" {
            return Some(Err(StreamError::Closed));
        }
        if let Some(rest) = text.strip_prefix("failed ") {
            let (code, msg) = rest.split_once(' ')?;
            let msg = unescape(msg).ok()?;
            let err = match code {
                "-" => wasmtime::Error::msg(msg),
                code => wasmtime::Error::new(NetworkStreamError {
                    code: ErrorCode::from_name(code)?,
                    source: std::io::Error::other(msg),
                }),
            };
            return Some(Err(StreamError::LastOperationFailed(err)));
        }
        T::decode(text).map(Ok)
    }
    fn trap(err: wasmtime::Error) -> Self {
        Err(StreamError::Trap(err))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<O: Outcome>(outcome: O) -> (String, O) {
        let mut s = String::new();
        outcome.encode(&mut s);
        let back = O::decode(&s).unwrap_or_else(|| panic!("`{s}` does not read back"));
        (s, back)
    }

    #[test]
    fn socket_outcomes_read_back_as_written() {
        let addr: SocketAddr = "[::1]:8080".parse().unwrap();
        let (text, back) = round_trip::<SocketResult<SocketAddr>>(Ok(addr));
        assert_eq!(text, "ok [::1]:8080");
        assert_eq!(back.ok(), Some(addr));
        let (text, back) = round_trip::<SocketResult<()>>(Err(ErrorCode::ConnectionRefused.into()));
        assert_eq!(text, "err connection-refused");
        assert_eq!(
            back.unwrap_err().downcast().ok(),
            Some(ErrorCode::ConnectionRefused)
        );
        let (text, back) = round_trip::<SocketResult<()>>(Ok(()));
        assert_eq!(text, "ok");
        assert!(back.is_ok());
        let (text, back) = round_trip::<SocketResult<Option<IpAddr>>>(Ok(None));
        assert_eq!(text, "ok none");
        assert_eq!(back.ok(), Some(None));
        assert!(!<SocketResult<()>>::trap(wasmtime::format_err!("x")).written());
        let datagrams = vec![
            IncomingDatagram {
                data: vec![1, 2],
                remote_address: addr,
            },
            IncomingDatagram {
                data: vec![],
                remote_address: "10.0.0.1:53".parse().unwrap(),
            },
        ];
        let (text, back) = round_trip::<SocketResult<Vec<IncomingDatagram>>>(Ok(datagrams.clone()));
        assert_eq!(text, "ok [::1]:8080/0102,10.0.0.1:53/");
        assert_eq!(back.ok(), Some(datagrams));
        let (text, back) = round_trip::<SocketResult<Vec<IncomingDatagram>>>(Ok(vec![]));
        assert_eq!(text, "ok");
        assert_eq!(back.ok(), Some(vec![]));
    }

    #[test]
    fn stream_outcomes_read_back_as_written() {
        let (text, back) = round_trip::<StreamResult<Bytes>>(Ok(Bytes::from_static(b"hi")));
        assert_eq!(text, "bytes 6869");
        assert_eq!(back.ok(), Some(Bytes::from_static(b"hi")));
        let (text, back) = round_trip::<StreamResult<Bytes>>(Ok(Bytes::new()));
        assert_eq!(text, "bytes");
        assert_eq!(back.ok(), Some(Bytes::new()));
        let (text, back) = round_trip::<StreamResult<usize>>(Ok(4096));
        assert_eq!(text, "ok 4096");
        assert_eq!(back.ok(), Some(4096));
        let (text, _) = round_trip::<StreamResult<()>>(Err(StreamError::Closed));
        assert_eq!(text, "closed");
        let failed = StreamError::failed(NetworkStreamError {
            code: ErrorCode::ConnectionReset,
            source: std::io::Error::other("reset by peer"),
        });
        let (text, back) = round_trip::<StreamResult<()>>(Err(failed));
        assert_eq!(text, "failed connection-reset reset%20by%20peer");
        let Err(StreamError::LastOperationFailed(e)) = back else {
            panic!("not a failure");
        };
        let n = e.downcast_ref::<NetworkStreamError>().unwrap();
        assert_eq!(n.code, ErrorCode::ConnectionReset);
        assert_eq!(n.source.to_string(), "reset by peer");
        for bad in ["", "bytes zz", "ok", "failed", "failed bogus-code x", "err"] {
            assert!(<StreamResult<usize>>::decode(bad).is_none(), "{bad}");
        }
    }
}
