//! What the builder's `stdin`/`stdout`/`stderr` take: sources and
//! destinations that hand out guest streams (a new one per `get-stdin`),
//! say whether they are a terminal, and can be read or written as tokio
//! streams. Implemented for the crate's pipes and files, the process's
//! stdio (the crate's, tokio's and std's handles) and tokio's and std's
//! empty reader/writer.

use crate::io::pipe::{
    AsyncReadStream, AsyncWriteStream, ClosedInputStream, ClosedOutputStream, MemoryInputPipe,
    MemoryOutputPipe, SinkOutputStream,
};
use crate::io::{
    HostInputStream, HostOutputStream, StreamError, StreamReader, StreamResult, StreamWriter,
    Subscribe,
};
use bytes::Bytes;
use std::io::Write;
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncRead, AsyncWrite};

/// Whether a stdio stream is a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IsATTY {
    /// It is a terminal.
    Yes,
    /// It is not.
    No,
}

/// Whether a stdio source or destination is a terminal: what `wasi:cli`'s
/// terminal functions and preview 1's file types report for it.
pub trait IsTerminal {
    /// `true` for a terminal.
    fn is_terminal(&self) -> bool;
}

/// A source of the guest's stdin. Each `get-stdin` (and each core module)
/// gets a new stream over it; all of them read the same bytes.
pub trait StdinStream: IsTerminal + Send {
    /// A tokio reader over it, for front-ends that read asynchronously.
    fn async_stream(&self) -> Box<dyn AsyncRead + Send + Sync>;

    /// A new 0.2 and preview 1 stream over it. The default reads
    /// [`async_stream`](Self::async_stream) in the background; the crate's
    /// own sources hand out their own streams.
    fn p2_stream(&self) -> Box<dyn HostInputStream> {
        Box::new(AsyncReadStream::new(Box::into_pin(self.async_stream())))
    }
}

/// A destination of the guest's stdout or stderr. Each `get-stdout` (and
/// each core module) gets a new stream over it.
pub trait StdoutStream: IsTerminal + Send {
    /// A tokio writer over it, for front-ends that write asynchronously.
    fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync>;

    /// A new 0.2 and preview 1 stream over it. The default writes to
    /// [`async_stream`](Self::async_stream) in the background, with 8 KiB
    /// in flight; the crate's own destinations hand out their own streams.
    fn p2_stream(&self) -> Box<dyn HostOutputStream> {
        Box::new(AsyncWriteStream::new(
            8 * 1024,
            Box::into_pin(self.async_stream()),
        ))
    }
}

/// The stdio traits of a type that is not a terminal and whose 0.2 stream
/// is itself (a clone of it): `async_stream` adapts that stream.
macro_rules! stdio_of_stream {
    ($t:ty, in) => {
        impl IsTerminal for $t {
            fn is_terminal(&self) -> bool {
                false
            }
        }
        impl StdinStream for $t {
            fn async_stream(&self) -> Box<dyn AsyncRead + Send + Sync> {
                Box::new(StreamReader::new(self.p2_stream()))
            }
            fn p2_stream(&self) -> Box<dyn HostInputStream> {
                Box::new(self.clone())
            }
        }
    };
    ($t:ty, out) => {
        impl IsTerminal for $t {
            fn is_terminal(&self) -> bool {
                false
            }
        }
        impl StdoutStream for $t {
            fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
                Box::new(StreamWriter::new(self.p2_stream()))
            }
            fn p2_stream(&self) -> Box<dyn HostOutputStream> {
                Box::new(self.clone())
            }
        }
    };
}

stdio_of_stream!(MemoryInputPipe, in);
stdio_of_stream!(ClosedInputStream, in);
stdio_of_stream!(MemoryOutputPipe, out);
stdio_of_stream!(SinkOutputStream, out);
stdio_of_stream!(ClosedOutputStream, out);
stdio_of_stream!(OutputFile, out);
stdio_of_stream!(InputFile, in);
stdio_of_stream!(AsyncStdinStream, in);
stdio_of_stream!(AsyncStdoutStream, out);

/// tokio's and std's empty reader and writer: stdin at its end, output
/// discarded.
macro_rules! stdio_of_empty {
    ($t:ty) => {
        impl IsTerminal for $t {
            fn is_terminal(&self) -> bool {
                false
            }
        }
        impl StdinStream for $t {
            fn async_stream(&self) -> Box<dyn AsyncRead + Send + Sync> {
                Box::new(tokio::io::empty())
            }
            fn p2_stream(&self) -> Box<dyn HostInputStream> {
                Box::new(ClosedInputStream)
            }
        }
        impl StdoutStream for $t {
            fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
                Box::new(tokio::io::empty())
            }
            fn p2_stream(&self) -> Box<dyn HostOutputStream> {
                Box::new(SinkOutputStream)
            }
        }
    };
}

stdio_of_empty!(tokio::io::Empty);
stdio_of_empty!(std::io::Empty);

/// The stdio traits through a pointer to a source or destination.
macro_rules! stdio_through {
    ($($t:ty),*) => {$(
        impl<T: ?Sized + IsTerminal> IsTerminal for $t {
            fn is_terminal(&self) -> bool {
                T::is_terminal(self)
            }
        }
        impl<T: ?Sized + StdinStream + Sync> StdinStream for $t {
            fn async_stream(&self) -> Box<dyn AsyncRead + Send + Sync> {
                T::async_stream(self)
            }
            fn p2_stream(&self) -> Box<dyn HostInputStream> {
                T::p2_stream(self)
            }
        }
        impl<T: ?Sized + StdoutStream + Sync> StdoutStream for $t {
            fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
                T::async_stream(self)
            }
            fn p2_stream(&self) -> Box<dyn HostOutputStream> {
                T::p2_stream(self)
            }
        }
    )*};
}

stdio_through!(&T, &mut T, Box<T>, Arc<T>);

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

/// The host process's stderr.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stderr;

/// The host process's stderr, for [`crate::WasiCtxBuilder::stderr`].
pub fn stderr() -> Stderr {
    Stderr
}

/// The stdio traits of the process's stdout or stderr (ours, tokio's and
/// std's): a terminal if the process's is, written synchronously.
macro_rules! stdio_of_process_output {
    ($target:ident, $tokio:ident: $($t:ty),*) => {$(
        impl IsTerminal for $t {
            fn is_terminal(&self) -> bool {
                is_terminal(std::io::$tokio())
            }
        }
        impl StdoutStream for $t {
            fn async_stream(&self) -> Box<dyn AsyncWrite + Send + Sync> {
                Box::new(tokio::io::$tokio())
            }
            fn p2_stream(&self) -> Box<dyn HostOutputStream> {
                Box::new(StdioOutput(StdioTarget::$target, SyncOutput::default()))
            }
        }
    )*};
}

stdio_of_process_output!(Stdout, stdout: Stdout, tokio::io::Stdout, std::io::Stdout);
stdio_of_process_output!(Stderr, stderr: Stderr, tokio::io::Stderr, std::io::Stderr);

/// An output that writes synchronously to a host file (anything `Write`),
/// shared by every stream made from it. Like inherited stdio, a stream over
/// it grants 1 MiB per `check-write`, traps on more, and stays closed once a
/// write or flush failed.
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

impl Clone for OutputFile {
    /// Another stream over the same file, with a fresh failure state.
    fn clone(&self) -> Self {
        OutputFile {
            file: Arc::clone(&self.file),
            state: SyncOutput::default(),
        }
    }
}

/// An input that reads synchronously from a host file, shared by every
/// stream made from it (they read on from where the last one stopped).
#[derive(Clone)]
pub struct InputFile {
    file: Arc<Mutex<std::fs::File>>,
    /// The error that ended the input, reported once.
    failed: bool,
}

impl InputFile {
    /// Guest input comes from `file`.
    pub fn new(file: std::fs::File) -> Self {
        InputFile {
            file: Arc::new(Mutex::new(file)),
            failed: false,
        }
    }
}

#[async_trait::async_trait]
impl Subscribe for InputFile {
    async fn ready(&mut self) {}
}

impl HostInputStream for InputFile {
    fn read(&mut self, size: usize) -> StreamResult<Bytes> {
        if self.failed {
            return Err(StreamError::Closed);
        }
        let mut buf = vec![0; size.min(crate::filesystem::MAX_READ)];
        let mut file = self.file.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            return match std::io::Read::read(&mut *file, &mut buf) {
                Ok(0) if size > 0 => Err(StreamError::Closed),
                Ok(n) => {
                    buf.truncate(n);
                    Ok(Bytes::from(buf))
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.failed = true;
                    Err(StreamError::failed(e))
                }
            };
        }
    }
}

/// A stdin made from a tokio reader. The reader is shared: every stream
/// made from it reads from the same background reader.
#[derive(Clone)]
pub struct AsyncStdinStream(Arc<tokio::sync::Mutex<AsyncReadStream>>);

impl AsyncStdinStream {
    /// Reads `reader` in the background; every stream made from this one
    /// takes from the same reader.
    pub fn new(reader: impl AsyncRead + Send + Sync + 'static) -> Self {
        AsyncStdinStream(Arc::new(tokio::sync::Mutex::new(AsyncReadStream::new(
            reader,
        ))))
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

/// A stdout made from a tokio writer. The writer is shared: every stream
/// made from it writes through the same background writer.
#[derive(Clone)]
pub struct AsyncStdoutStream(Arc<Mutex<AsyncWriteStream>>);

impl AsyncStdoutStream {
    /// Writes to `writer` in the background, with up to `budget` bytes in
    /// flight; every stream made from this one writes through it.
    pub fn new(budget: usize, writer: impl AsyncWrite + Send + Sync + 'static) -> Self {
        AsyncStdoutStream(Arc::new(Mutex::new(AsyncWriteStream::new(budget, writer))))
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
