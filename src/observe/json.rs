//! [`JsonLines`]: a [`CallObserver`] that writes each call as one line of
//! JSON, strace-like:
//!
//! ```text
//! {"front_end":"preview1","interface":"wasi_snapshot_preview1","function":"path_open","args":{"fd":3,"dirflags":"0x1","path":"a.txt",...},"ok":{"fd":4},"start_ns":1733490000123456789,"duration_ns":5120}
//! {"front_end":"preview1",...,"function":"path_unlink_file","args":{"fd":3,"path":"gone"},"err":"noent",...}
//! ```
//!
//! Numbers and descriptors are JSON numbers, flags hexadecimal strings,
//! paths strings, buffers `{"len":N}`, result addresses `{"ptr":N}`. A
//! write error is reported once on the host's stderr and the observer
//! stops writing; the guest never sees it.

use super::{CallEvent, CallObserver, Outcome, Value};
use std::fmt::Write as _;
use std::io::Write;
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

/// Writes every call as one line of JSON to a writer (a file, stderr, a
/// `Vec<u8>`); see the module docs for the format.
pub struct JsonLines<W: Write + Send> {
    out: Mutex<Option<W>>,
}

impl<W: Write + Send> JsonLines<W> {
    /// An observer writing to `out`.
    pub fn new(out: W) -> Self {
        JsonLines {
            out: Mutex::new(Some(out)),
        }
    }

    /// The writer back (`None` after a write error).
    pub fn into_inner(self) -> Option<W> {
        self.out.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl<W: Write + Send> CallObserver for JsonLines<W> {
    fn on_call(&self, event: &CallEvent) {
        let line = to_json(event);
        let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(w) = out.as_mut()
            && let Err(e) = w.write_all(line.as_bytes()).and_then(|()| w.flush())
        {
            eprintln!("wasi-host: the call trace stopped: {e}");
            *out = None;
        }
    }
}

/// One event as a line of JSON (with its newline).
pub(crate) fn to_json(event: &CallEvent) -> String {
    let mut s = String::with_capacity(256);
    s.push_str("{\"front_end\":");
    string(&mut s, event.front_end.name());
    s.push_str(",\"interface\":");
    string(&mut s, event.interface);
    s.push_str(",\"function\":");
    string(&mut s, event.function);
    s.push_str(",\"args\":");
    object(&mut s, &event.args);
    match &event.outcome {
        Outcome::Ok(values) => {
            s.push_str(",\"ok\":");
            object(&mut s, values);
        }
        Outcome::Err(code) => {
            s.push_str(",\"err\":");
            string(&mut s, code);
        }
        Outcome::Trap(msg) => {
            s.push_str(",\"trap\":");
            string(&mut s, msg);
        }
    }
    let start = event
        .start
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let _ = write!(
        s,
        ",\"start_ns\":{start},\"duration_ns\":{}}}",
        event.duration.as_nanos()
    );
    s.push('\n');
    s
}

fn object(s: &mut String, fields: &[(&'static str, Value)]) {
    s.push('{');
    for (i, (name, value)) in fields.iter().enumerate() {
        if i > 0 {
            s.push(',');
        }
        string(s, name);
        s.push(':');
        match value {
            Value::Fd(n) => {
                let _ = write!(s, "{n}");
            }
            Value::Int(n) => {
                let _ = write!(s, "{n}");
            }
            Value::Flags(n) => {
                let _ = write!(s, "\"{n:#x}\"");
            }
            Value::Path(p) => string(s, p),
            Value::Len(n) => {
                let _ = write!(s, "{{\"len\":{n}}}");
            }
            Value::Ptr(p) => {
                let _ = write!(s, "{{\"ptr\":{p}}}");
            }
            Value::Text(t) => string(s, t),
        }
    }
    s.push('}');
}

/// `text` as a JSON string.
fn string(s: &mut String, text: &str) {
    s.push('"');
    for c in text.chars() {
        match c {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(s, "\\u{:04x}", u32::from(c));
            }
            c => s.push(c),
        }
    }
    s.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::observe::FrontEnd;
    use std::time::Duration;

    #[test]
    fn one_line_per_call_with_escaped_strings() {
        let event = CallEvent {
            front_end: FrontEnd::Preview1,
            interface: "wasi_snapshot_preview1",
            function: "path_open",
            args: vec![
                ("fd", Value::Fd(3)),
                ("path", Value::Path("a \"b\"\n\u{1}".into())),
                ("oflags", Value::Flags(9)),
                ("iovs", Value::Len(2)),
                ("opened", Value::Ptr(64)),
            ],
            outcome: Outcome::Ok(vec![("fd", Value::Fd(4))]),
            start: UNIX_EPOCH + Duration::from_nanos(5),
            duration: Duration::from_nanos(7),
        };
        assert_eq!(
            to_json(&event),
            "{\"front_end\":\"preview1\",\"interface\":\"wasi_snapshot_preview1\",\
             \"function\":\"path_open\",\"args\":{\"fd\":3,\"path\":\"a \\\"b\\\"\\n\\u0001\",\
             \"oflags\":\"0x9\",\"iovs\":{\"len\":2},\"opened\":{\"ptr\":64}},\
             \"ok\":{\"fd\":4},\"start_ns\":5,\"duration_ns\":7}\n"
        );
        let failed = CallEvent {
            outcome: Outcome::Err("noent".into()),
            args: Vec::new(),
            ..event
        };
        assert!(to_json(&failed).contains(",\"args\":{},\"err\":\"noent\","));
    }
}
