//! The host process's stdin, shared by every guest that inherits it.
//!
//! Reading a process's stdin blocks, and tokio's own stdin reads on a
//! blocking thread that cannot be cancelled. So one dedicated thread reads
//! on demand (only while some guest is waiting for input, so the host
//! process keeps the rest), and guests take bytes from a shared buffer: a
//! guest waiting for input never blocks another guest or an executor.

use crate::cli::{IsTerminal, StdinStream};
use crate::io::{HostInputStream, StreamError, StreamReader, StreamResult, Subscribe};
use bytes::{Bytes, BytesMut};
use std::io::Read;
use std::sync::{Condvar, LazyLock, Mutex, MutexGuard};
use tokio::sync::Notify;

/// Bytes the reader thread reads in one go.
const CHUNK: usize = 64 * 1024;

#[derive(Default)]
struct State {
    buffer: BytesMut,
    /// End of input, or the error that ended it.
    end: Option<Option<std::io::ErrorKind>>,
    /// A guest is waiting and the buffer is empty: the reader should read.
    wanted: bool,
    reader_started: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the reader thread.
    want: Condvar,
    /// Wakes waiting guests.
    data: Notify,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| Shared {
    state: Mutex::new(State::default()),
    want: Condvar::new(),
    data: Notify::new(),
});

fn state() -> MutexGuard<'static, State> {
    SHARED.state.lock().unwrap_or_else(|p| p.into_inner())
}

fn reader_thread() {
    let mut stdin = std::io::stdin().lock();
    let mut chunk = vec![0; CHUNK];
    loop {
        {
            let mut st = state();
            while !st.wanted {
                st = SHARED.want.wait(st).unwrap_or_else(|p| p.into_inner());
            }
        }
        let result = stdin.read(&mut chunk);
        let mut st = state();
        st.wanted = false;
        match result {
            Ok(0) => st.end = Some(None),
            Ok(n) => st.buffer.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => st.end = Some(Some(e.kind())),
        }
        let done = st.end.is_some();
        drop(st);
        SHARED.data.notify_waiters();
        if done {
            return;
        }
    }
}

/// The host process's stdin; see the module docs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdin;

/// The host process's stdin, for [`crate::WasiCtxBuilder::stdin`].
pub fn stdin() -> Stdin {
    Stdin
}

/// The stdio traits of the process's stdin (ours, tokio's and std's
/// handles): every stream reads from the one shared reader.
macro_rules! stdin_of_process {
    ($($t:ty),*) => {$(
        impl IsTerminal for $t {
            fn is_terminal(&self) -> bool {
                rustix::termios::isatty(std::io::stdin())
            }
        }
        impl StdinStream for $t {
            fn async_stream(&self) -> Box<dyn tokio::io::AsyncRead + Send + Sync> {
                Box::new(StreamReader::new(Box::new(Stdin)))
            }
            fn p2_stream(&self) -> Box<dyn HostInputStream> {
                Box::new(Stdin)
            }
        }
    )*};
}

stdin_of_process!(Stdin, tokio::io::Stdin, std::io::Stdin);

#[async_trait::async_trait]
impl Subscribe for Stdin {
    async fn ready(&mut self) {
        loop {
            let notified = SHARED.data.notified();
            let mut notified = std::pin::pin!(notified);
            notified.as_mut().enable();
            {
                let mut st = state();
                if !st.buffer.is_empty() || st.end.is_some() {
                    return;
                }
                if !st.wanted {
                    st.wanted = true;
                    SHARED.want.notify_one();
                }
                if !st.reader_started {
                    st.reader_started = true;
                    // If the thread cannot start, stdin is at its end.
                    if std::thread::Builder::new()
                        .name("wasi-host-stdin".into())
                        .spawn(reader_thread)
                        .is_err()
                    {
                        st.end = Some(Some(std::io::ErrorKind::Other));
                        return;
                    }
                }
            }
            notified.await;
        }
    }
}

impl HostInputStream for Stdin {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        let mut st = state();
        if !st.buffer.is_empty() {
            let n = size.min(st.buffer.len());
            return Ok(st.buffer.split_to(n).freeze());
        }
        match st.end {
            None => Ok(Bytes::new()),
            Some(None) => Err(StreamError::Closed),
            Some(Some(kind)) => Err(StreamError::failed(std::io::Error::from(kind))),
        }
    }
}
