//! [`JournaledStdin`]: the guest's stdin while recording (each read
//! journaled) or replaying (each read answered from the journal; the real
//! stdin is never read).

use super::Journal;
use crate::cli::{IsTerminal, StdinStream};
use crate::io::{HostInputStream, StreamError, StreamResult, Subscribe};
use bytes::Bytes;
use tokio::io::AsyncRead;

/// A stdin source whose streams journal their reads.
pub(crate) struct JournaledStdin {
    /// The source being recorded (in replay, kept only for
    /// `is_terminal`).
    pub(crate) inner: Box<dyn StdinStream>,
    /// The context's journal.
    pub(crate) journal: Journal,
}

impl IsTerminal for JournaledStdin {
    fn is_terminal(&self) -> bool {
        // A replay answers as the recording did only if the embedder gives
        // the same kind of stdin; a terminal is not journaled.
        self.inner.is_terminal()
    }
}

impl StdinStream for JournaledStdin {
    /// The unjournaled reader of the source (no front-end reads stdin this
    /// way; they all take [`p2_stream`](Self::p2_stream)).
    fn async_stream(&self) -> Box<dyn AsyncRead + Send + Sync> {
        if self.journal.is_replay() {
            Box::new(tokio::io::empty())
        } else {
            self.inner.async_stream()
        }
    }

    fn p2_stream(&self) -> Box<dyn HostInputStream> {
        Box::new(JournaledInput {
            inner: (!self.journal.is_replay()).then(|| self.inner.p2_stream()),
            journal: self.journal.clone(),
            pending: Bytes::new(),
        })
    }
}

/// One stream over a journaled stdin.
struct JournaledInput {
    /// The real stream (recording), or `None` (replaying).
    inner: Option<Box<dyn HostInputStream>>,
    journal: Journal,
    /// Replaying: the rest of a journaled read longer than the read that
    /// replayed it asked for (the next reads get it first).
    pending: Bytes,
}

#[async_trait::async_trait]
impl Subscribe for JournaledInput {
    /// Recording: when the real stream is. Replaying: at once (the next
    /// read's answer is in the journal).
    async fn ready(&mut self) {
        if let Some(inner) = self.inner.as_mut() {
            inner.ready().await;
        }
    }
}

#[async_trait::async_trait]
impl HostInputStream for JournaledInput {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.pending.is_empty() {
            let inner = &mut self.inner;
            self.pending = self.journal.stdin(|| match inner.as_mut() {
                Some(inner) => inner.read(size),
                None => Err(StreamError::Closed),
            })?;
        }
        let n = size.min(self.pending.len());
        Ok(self.pending.split_to(n))
    }

    async fn cancel(&mut self) {
        if let Some(inner) = self.inner.as_mut() {
            inner.cancel().await;
        }
    }
}
