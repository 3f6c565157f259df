//! [`Recorder`]: writes a journal as the guest runs.

use super::{Entry, HEADER};
use std::io::{BufWriter, Write};
use std::sync::Mutex;

/// A journal being written: the header when made, one line per entry, and
/// `end N` when the last holder (the context) drops it.
pub(crate) struct Recorder {
    state: Mutex<State>,
}

struct State {
    /// `None` once a write failed.
    out: Option<BufWriter<Box<dyn Write + Send>>>,
    /// Entries written.
    entries: u64,
    /// Why writing stopped.
    failed: Option<String>,
    /// The line being written (kept, so a line costs no allocation).
    line: String,
}

impl Recorder {
    /// A journal written to `out`, starting with the header.
    pub(crate) fn new(out: Box<dyn Write + Send>) -> Recorder {
        let mut out = BufWriter::new(out);
        let failed = writeln!(out, "{HEADER}").err().map(|e| e.to_string());
        Recorder {
            state: Mutex::new(State {
                out: failed.is_none().then_some(out),
                entries: 0,
                failed,
                line: String::new(),
            }),
        }
    }

    /// Writes one entry. A failed write stops the recording, and this and
    /// every later journaled call trap with why: a journal with a hole
    /// would replay wrongly.
    pub(crate) fn write(&self, entry: &Entry) -> wasmtime::Result<()> {
        self.write_with(|line| entry.write_line(line))
    }

    /// Writes an entry of bytes (`random`, `insecure`) from a borrowed
    /// buffer, without making an [`Entry`] of it.
    pub(crate) fn write_bytes(&self, keyword: &str, bytes: &[u8]) -> wasmtime::Result<()> {
        self.write_with(|line| super::entry::bytes_line(line, keyword, bytes))
    }

    /// Writes a network entry: `net KEY CALL VALUE`, the value appended
    /// by `value`.
    pub(crate) fn write_net(
        &self,
        key: &str,
        call: &str,
        value: impl FnOnce(&mut String),
    ) -> wasmtime::Result<()> {
        self.write_with(|line| {
            line.push_str("net ");
            line.push_str(key);
            line.push(' ');
            line.push_str(call);
            let start = line.len();
            line.push(' ');
            value(line);
            if line.len() == start + 1 {
                line.truncate(start);
            }
            line.push('\n');
        })
    }

    /// Writes the line `make` appends.
    fn write_with(&self, make: impl FnOnce(&mut String)) -> wasmtime::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let State {
            out,
            entries,
            failed,
            line,
        } = &mut *state;
        if let Some(why) = failed {
            wasmtime::bail!("recording the journal failed: {why}");
        }
        let Some(w) = out.as_mut() else {
            wasmtime::bail!("recording the journal failed");
        };
        line.clear();
        make(line);
        if let Err(e) = w.write_all(line.as_bytes()) {
            *failed = Some(e.to_string());
            *out = None;
            wasmtime::bail!("recording the journal failed: {e}");
        }
        *entries += 1;
        Ok(())
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        let state = self.state.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(out) = state.out.as_mut() {
            let done = writeln!(out, "end {}", state.entries).and_then(|()| out.flush());
            if let Err(e) = done {
                eprintln!("wasi-host: the journal could not be finished: {e}");
            }
        }
    }
}
