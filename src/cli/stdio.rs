//! What the builder's `stdin`/`stdout`/`stderr` take: factories of guest
//! streams, which also say whether they are a terminal.

use crate::io::pipe::{
    AsyncReadStream, AsyncWriteStream, ClosedInputStream, ClosedOutputStream, MemoryInputPipe,
    MemoryOutputPipe, SinkOutputStream,
};
use crate::io::{HostInputStream, HostOutputStream, StreamError, StreamResult, Subscribe};
use bytes::Bytes;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Whether a stdio stream is a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsATTY {
    /// It is a terminal.
    Yes,
    /// It is not.
    No,
}

/// A source of the guest's stdin: each `get-stdin` call gets a new stream
/// over it.
pub trait StdinStream: Send {
    /// A stream over this stdin.
    fn stream(&self) -> Box<dyn HostInputStream>;
    /// Whether it is a terminal.
    fn isatty(&self) -> bool;
}

/// A destination of the guest's stdout or stderr: each `get-stdout` call
/// gets a new stream over it.
pub trait StdoutStream: Send {
    /// A stream over this output.
    fn stream(&self) -> Box<dyn HostOutputStream>;
    /// Whether it is a terminal.
    fn isatty(&self) -> bool;
}

impl StdinStream for MemoryInputPipe {
    fn stream(&self) -> Box<dyn HostInputStream> {
        Box::new(self.clone())
    }
    fn isatty(&self) -> bool {
        false
    }
}

impl StdinStream for ClosedInputStream {
    fn stream(&self) -> Box<dyn HostInputStream> {
        Box::new(*self)
    }
    fn isatty(&self) -> bool {
        false
    }
}

impl StdoutStream for MemoryOutputPipe {
    fn stream(&self) -> Box<dyn HostOutputStream> {
        Box::new(self.clone())
    }
    fn isatty(&self) -> bool {
        false
    }
}

impl StdoutStream for SinkOutputStream {
    fn stream(&self) -> Box<dyn HostOutputStream> {
        Box::new(*self)
    }
    fn isatty(&self) -> bool {
        false
    }
}

impl StdoutStream for ClosedOutputStream {
    fn stream(&self) -> Box<dyn HostOutputStream> {
        Box::new(*self)
    }
    fn isatty(&self) -> bool {
        false
    }
}

/// How much one synchronous stdio write may take: the permit `check-write`
/// grants, and the most a `write` may carry (more traps).
const STDIO_PERMIT: usize = 1 << 20;

/// Which process stream a [`StdioOutput`] writes to.
#[derive(Clone, Copy)]
enum StdioTarget {
    Stdout,
    Stderr,
}

/// The state of a synchronous output stream (stdio, [`OutputFile`]):
/// whether a write or flush failed. A failed stream never recovers: its
/// failure is reported once (or as `closed` for a reader that went away),
/// and every later call answers `closed`.
#[derive(Clone, Copy, Default)]
struct SyncOutput {
    failed: bool,
}

impl SyncOutput {
    /// Runs a write of `len` bytes (at most the permit), or reports the
    /// stream closed if it has failed before.
    fn write(&mut self, len: usize, f: impl FnOnce() -> std::io::Result<()>) -> StreamResult<()> {
        if self.failed {
            return Err(StreamError::Closed);
        }
        if len > STDIO_PERMIT {
            return Err(StreamError::trap("write beyond the permit of check-write"));
        }
        self.run(f)
    }

    /// Runs a flush, or reports the stream closed if it has failed before.
    fn flush(&mut self, f: impl FnOnce() -> std::io::Result<()>) -> StreamResult<()> {
        if self.failed {
            return Err(StreamError::Closed);
        }
        self.run(f)
    }

    fn run(&mut self, f: impl FnOnce() -> std::io::Result<()>) -> StreamResult<()> {
        f().map_err(|e| {
            self.failed = true;
            crate::io::write_failure(e)
        })
    }

    fn check_write(&self) -> StreamResult<usize> {
        if self.failed {
            return Err(StreamError::Closed);
        }
        Ok(STDIO_PERMIT)
    }
}

/// Writes straight to the host process's stdout or stderr. Writes are
/// synchronous: the process's stdio is the embedder's own and blocking on it
/// is what a native program would do.
struct StdioOutput(StdioTarget, SyncOutput);

#[async_trait::async_trait]
impl Subscribe for StdioOutput {
    async fn ready(&mut self) {}
}

impl HostOutputStream for StdioOutput {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.write_from_slice(&bytes)
    }
    fn write_from_slice(&mut self, bytes: &[u8]) -> StreamResult<()> {
        let target = self.0;
        self.1.write(bytes.len(), || match target {
            StdioTarget::Stdout => std::io::stdout().write_all(bytes),
            StdioTarget::Stderr => std::io::stderr().write_all(bytes),
        })
    }
    fn flush(&mut self) -> StreamResult<()> {
        let target = self.0;
        self.1.flush(|| match target {
            StdioTarget::Stdout => std::io::stdout().flush(),
            StdioTarget::Stderr => std::io::stderr().flush(),
        })
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        self.1.check_write()
    }
}

fn is_terminal(fd: impl rustix::fd::AsFd) -> bool {
    rustix::termios::isatty(fd)
}

/// The host process's stdout.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stdout;

/// The host process's stdout, for [`crate::WasiCtxBuilder::stdout`].
pub fn stdout() -> Stdout {
    Stdout
}

impl StdoutStream for Stdout {
    fn stream(&self) -> Box<dyn HostOutputStream> {
        Box::new(StdioOutput(StdioTarget::Stdout, SyncOutput::default()))
    }
    fn isatty(&self) -> bool {
        is_terminal(std::io::stdout())
    }
}

/// The host process's stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr;

/// The host process's stderr, for [`crate::WasiCtxBuilder::stderr`].
pub fn stderr() -> Stderr {
    Stderr
}

impl StdoutStream for Stderr {
    fn stream(&self) -> Box<dyn HostOutputStream> {
        Box::new(StdioOutput(StdioTarget::Stderr, SyncOutput::default()))
    }
    fn isatty(&self) -> bool {
        is_terminal(std::io::stderr())
    }
}

/// An output that writes synchronously to a host file (anything `Write`),
/// shared by every stream made from it. Like inherited stdio, a stream over
/// it grants 1 MiB per `check-write`, traps on more, and stays closed once a
/// write or flush failed.
#[derive(Clone)]
pub struct OutputFile {
    file: Arc<Mutex<dyn Write + Send>>,
    state: SyncOutput,
}

impl OutputFile {
    /// Guest output goes to `file`.
    pub fn new(file: impl Write + Send + 'static) -> Self {
        OutputFile {
            file: Arc::new(Mutex::new(file)),
            state: SyncOutput::default(),
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for OutputFile {
    async fn ready(&mut self) {}
}

impl HostOutputStream for OutputFile {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.write_from_slice(&bytes)
    }
    fn write_from_slice(&mut self, bytes: &[u8]) -> StreamResult<()> {
        let file = &self.file;
        self.state.write(bytes.len(), || {
            let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
            file.write_all(bytes)
        })
    }
    fn flush(&mut self) -> StreamResult<()> {
        let file = &self.file;
        self.state.flush(|| {
            let mut file = file.lock().unwrap_or_else(|p| p.into_inner());
            file.flush()
        })
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        self.state.check_write()
    }
}

impl StdoutStream for OutputFile {
    fn stream(&self) -> Box<dyn HostOutputStream> {
        Box::new(OutputFile {
            file: Arc::clone(&self.file),
            state: SyncOutput::default(),
        })
    }
    fn isatty(&self) -> bool {
        false
    }
}

/// A stdin made from a tokio reader. The reader is shared: every stream
/// made from it reads from the same background reader.
#[derive(Clone)]
pub struct AsyncStdinStream(Arc<tokio::sync::Mutex<AsyncReadStream>>);

impl AsyncStdinStream {
    /// Wraps a reader stream.
    pub fn new(stream: AsyncReadStream) -> Self {
        AsyncStdinStream(Arc::new(tokio::sync::Mutex::new(stream)))
    }
}

#[async_trait::async_trait]
impl Subscribe for AsyncStdinStream {
    async fn ready(&mut self) {
        self.0.lock().await.ready().await
    }
}

impl HostInputStream for AsyncStdinStream {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        match self.0.try_lock() {
            Ok(mut stream) => stream.read(size),
            // Another stream of the same stdin is waiting: nothing for us.
            Err(_) => Ok(Bytes::new()),
        }
    }
}

impl StdinStream for AsyncStdinStream {
    fn stream(&self) -> Box<dyn HostInputStream> {
        Box::new(self.clone())
    }
    fn isatty(&self) -> bool {
        false
    }
}

/// A stdout made from a tokio writer. The writer is shared: every stream
/// made from it writes through the same background writer.
#[derive(Clone)]
pub struct AsyncStdoutStream(Arc<Mutex<AsyncWriteStream>>);

impl AsyncStdoutStream {
    /// Wraps a writer stream.
    pub fn new(stream: AsyncWriteStream) -> Self {
        AsyncStdoutStream(Arc::new(Mutex::new(stream)))
    }

    fn with<R>(&self, f: impl FnOnce(&mut AsyncWriteStream) -> R) -> R {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

#[async_trait::async_trait]
impl Subscribe for AsyncStdoutStream {
    async fn ready(&mut self) {
        let ready = self.with(|stream| stream.ready_owned());
        ready.await
    }
}

impl HostOutputStream for AsyncStdoutStream {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.with(|s| s.write(bytes))
    }
    fn flush(&mut self) -> StreamResult<()> {
        self.with(|s| s.flush())
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        self.with(|s| s.check_write())
    }
}

impl StdoutStream for AsyncStdoutStream {
    fn stream(&self) -> Box<dyn HostOutputStream> {
        Box::new(self.clone())
    }
    fn isatty(&self) -> bool {
        false
    }
}
