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
            }),
        }
    }

    /// Writes one entry. A failed write stops the recording, and this and
    /// every later journaled call trap with why: a journal with a hole
    /// would replay wrongly.
    pub(crate) fn write(&self, entry: &Entry) -> wasmtime::Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let State {
            out,
            entries,
            failed,
        } = &mut *state;
        if let Some(why) = failed {
            wasmtime::bail!("recording the journal failed: {why}");
        }
        let Some(w) = out.as_mut() else {
            wasmtime::bail!("recording the journal failed");
        };
        if let Err(e) = w.write_all(entry.line().as_bytes()) {
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
