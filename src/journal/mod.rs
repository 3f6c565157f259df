//! Record and replay: a journal of everything a guest received from
//! outside that is not a function of its inputs, written while it runs
//! ([`WasiCtxBuilder::record`](crate::WasiCtxBuilder::record)) and fed
//! back in a later run
//! ([`WasiCtxBuilder::replay`](crate::WasiCtxBuilder::replay)), so that the
//! guest takes the same path even when the outside world changed.
//!
//! # What is journaled
//! What a guest sees of the clocks (each reading it asks for), of the
//! random sources (each value it draws, and the insecure seed), of stdin
//! (each read: its bytes, "nothing yet", the end or a failure), how each
//! wait ended (which pollables a `poll` found ready, a `pollable.block`
//! or a 0.3 clock wait returning, the events of `poll_oneoff`), and the
//! SHA-256 of every host file it opens for reading. In replay the clocks,
//! random sources and stdin answer from the journal, waits end at once as
//! they ended then, and host files are read from the host and checked
//! against their hashes. Nothing the guest wrote is journaled.
//!
//! Each kind of entry ([`Channel`]) is replayed in its own order: a stdin
//! stream that a 0.3 task reads ahead may interleave with the guest's
//! clock readings differently in two runs, but each kind's own sequence
//! is the guest's.
//!
//! The network is journaled at its calls (`net.rs`): every outcome of a
//! call on a TCP or UDP socket, a connection's streams, a datagram stream
//! or a name lookup, with the bytes and datagrams received (never those
//! sent). In a replay no socket is made and nothing touches the network:
//! the sockets are stand-ins that answer from the journal.
//!
//! # The format
//! UTF-8 text, one entry per line, streamed as the guest runs:
//!
//! ```text
//! wasi-host-journal 1
//! wall 1796565144.591967686
//! monotonic 1203344
//! random 9f3c0a11d2e4b577
//! stdin 68656c6c6f0a
//! stdin
//! poll 0,2
//! file 2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824 data/in.txt
//! end 8
//! ```
//!
//! The first line names the format and its version; each entry line is a
//! keyword and its value (bytes in hexadecimal, paths and messages with
//! spaces, `%` and non-ASCII bytes as `%XX`); the last line, `end N`,
//! counts the entries and is written when the context is dropped, so a cut
//! journal is recognised as such. Lines starting with `#` are comments.
//!
//! # Divergence
//! When the guest asks for something the journal does not have next (a
//! clock reading where it holds a random value, more reads than it holds,
//! random bytes of another length), or a host file's hash differs, the call
//! traps with a message naming the call and the journal line. A journal
//! that cannot be read (wrong header, a malformed line, no `end`) makes the
//! first replayed call trap with what is wrong and where.
//!
//! Files: this one (the handle the contexts hold and the calls the
//! front-ends make), `entry.rs` (entries and their lines), `record.rs`,
//! `replay.rs`, `stdin.rs` (the journaled stdin), `clocks.rs` (the clocks
//! a replay's host code reads), `net.rs` (the network's entries and the
//! [`Tap`] a socket journals through).

mod clocks;
mod entry;
mod net;
mod record;
mod replay;
mod stdin;

pub(crate) use clocks::{ReplayMonotonicClock, ReplayWallClock};
pub(crate) use entry::{Channel, Entry};
pub(crate) use net::Tap;
pub(crate) use record::Recorder;
pub(crate) use replay::Replayer;
pub(crate) use stdin::JournaledStdin;

use crate::io::{StreamError, StreamResult};
use bytes::Bytes;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// The first line of every journal.
pub(crate) const HEADER: &str = "wasi-host-journal 1";

/// A context's journal: none, one being recorded, or one being replayed.
/// Cloned into every part of the context that journals.
#[derive(Clone, Default)]
pub(crate) enum Journal {
    /// Neither recording nor replaying.
    #[default]
    Off,
    /// Recording.
    Record(Arc<Recorder>),
    /// Replaying.
    Replay(Arc<Replayer>),
}

impl Journal {
    /// Whether this is a replay.
    pub(crate) fn is_replay(&self) -> bool {
        matches!(self, Journal::Replay(_))
    }

    /// Whether anything is journaled.
    pub(crate) fn is_on(&self) -> bool {
        !matches!(self, Journal::Off)
    }

    /// A wall-clock reading the guest asked for: `read()` (recorded), or
    /// the journal's.
    pub(crate) fn wall(&self, read: impl FnOnce() -> Duration) -> wasmtime::Result<Duration> {
        match self {
            Journal::Off => Ok(read()),
            Journal::Record(r) => {
                let now = read();
                r.write(&Entry::Wall(now))?;
                Ok(now)
            }
            Journal::Replay(r) => match r.next(Channel::Clock, "read the wall clock")? {
                (_, Entry::Wall(now)) => {
                    r.hold_wall(now);
                    Ok(now)
                }
                (line, other) => Err(r.diverged(line, "read the wall clock", &other)),
            },
        }
    }

    /// A monotonic-clock reading the guest asked for.
    pub(crate) fn monotonic(&self, read: impl FnOnce() -> u64) -> wasmtime::Result<u64> {
        match self {
            Journal::Off => Ok(read()),
            Journal::Record(r) => {
                let now = read();
                r.write(&Entry::Monotonic(now))?;
                Ok(now)
            }
            Journal::Replay(r) => match r.next(Channel::Clock, "read the monotonic clock")? {
                (_, Entry::Monotonic(now)) => {
                    r.hold_monotonic(now);
                    Ok(now)
                }
                (line, other) => Err(r.diverged(line, "read the monotonic clock", &other)),
            },
        }
    }

    /// Random bytes the guest asked for, into `buf`: filled by `fill`
    /// (recorded), or the journal's. `insecure` says which source.
    pub(crate) fn random(
        &self,
        insecure: bool,
        buf: &mut [u8],
        fill: impl FnOnce(&mut [u8]),
    ) -> wasmtime::Result<()> {
        let what = if insecure {
            "drew insecure random bytes"
        } else {
            "drew random bytes"
        };
        match self {
            Journal::Off => {
                fill(buf);
                Ok(())
            }
            Journal::Record(r) => {
                fill(buf);
                r.write_bytes(if insecure { "insecure" } else { "random" }, buf)
            }
            Journal::Replay(r) => match r.next(Channel::Random, what)? {
                // From the source the guest asked, of the length it asked.
                (_, Entry::Random(bytes)) if !insecure && bytes.len() == buf.len() => {
                    buf.copy_from_slice(&bytes);
                    Ok(())
                }
                (_, Entry::Insecure(bytes)) if insecure && bytes.len() == buf.len() => {
                    buf.copy_from_slice(&bytes);
                    Ok(())
                }
                (line, other) => {
                    Err(r.diverged(line, &format!("{what} ({} bytes)", buf.len()), &other))
                }
            },
        }
    }

    /// The insecure seed the guest asked for: `seed` (recorded), or the
    /// journal's.
    pub(crate) fn seed(&self, seed: u128) -> wasmtime::Result<u128> {
        match self {
            Journal::Off => Ok(seed),
            Journal::Record(r) => {
                r.write(&Entry::Seed(seed))?;
                Ok(seed)
            }
            Journal::Replay(r) => match r.next(Channel::Random, "asked for the insecure seed")? {
                (_, Entry::Seed(seed)) => Ok(seed),
                (line, other) => Err(r.diverged(line, "asked for the insecure seed", &other)),
            },
        }
    }

    /// A 0.2 `poll` of `count` pollables: `wait` (recorded), or at once
    /// what the journal says was ready (an index beyond `count` is a
    /// divergence: the guest would index its list with it).
    pub(crate) async fn poll(
        &self,
        count: usize,
        wait: impl Future<Output = wasmtime::Result<Vec<u32>>>,
    ) -> wasmtime::Result<Vec<u32>> {
        match self {
            Journal::Off => wait.await,
            Journal::Record(r) => {
                let ready = wait.await?;
                r.write(&Entry::Poll(ready.clone()))?;
                Ok(ready)
            }
            Journal::Replay(r) => match r.next(Channel::Wait, "polled")? {
                (_, Entry::Poll(ready)) if ready.iter().all(|&i| (i as usize) < count) => Ok(ready),
                (line, other) => {
                    Err(r.diverged(line, &format!("polled {count} pollables"), &other))
                }
            },
        }
    }

    /// A 0.2 `pollable.ready`: `check()` (recorded), or the journal's
    /// answer.
    pub(crate) fn ready(
        &self,
        check: impl FnOnce() -> wasmtime::Result<bool>,
    ) -> wasmtime::Result<bool> {
        match self {
            Journal::Off => check(),
            Journal::Record(r) => {
                let ready = check()?;
                r.write(&Entry::Ready(ready))?;
                Ok(ready)
            }
            Journal::Replay(r) => match r
                .next(Channel::Wait, "asked whether a pollable is ready")?
            {
                (_, Entry::Ready(ready)) => Ok(ready),
                (line, other) => Err(r.diverged(line, "asked whether a pollable is ready", &other)),
            },
        }
    }

    /// A wait that returns nothing (0.2 `pollable.block`, a 0.3 clock
    /// wait): `wait` (recorded), or at once.
    pub(crate) async fn wait<F>(&self, entry: Entry, wait: F) -> wasmtime::Result<()>
    where
        F: Future<Output = wasmtime::Result<()>>,
    {
        let what = match entry {
            Entry::Block => "blocked on a pollable",
            _ => "waited on the clock",
        };
        match self {
            Journal::Off => wait.await,
            Journal::Record(r) => {
                wait.await?;
                r.write(&entry)
            }
            Journal::Replay(r) => match r.next(Channel::Wait, what)? {
                (_, found) if found == entry => Ok(()),
                (line, other) => Err(r.diverged(line, what, &other)),
            },
        }
    }

    /// A preview 1 `poll_oneoff`: in replay, the events the journal holds
    /// (as guest-memory bytes); `None` otherwise (the call runs, then
    /// [`Journal::record_poll_oneoff`]).
    pub(crate) fn replay_poll_oneoff(&self) -> wasmtime::Result<Option<Vec<u8>>> {
        match self {
            Journal::Replay(r) => match r.next(Channel::Wait, "polled (poll_oneoff)")? {
                (_, Entry::PollOneoff(events)) => Ok(Some(events)),
                (line, other) => Err(r.diverged(line, "polled (poll_oneoff)", &other)),
            },
            _ => Ok(None),
        }
    }

    /// Records the events a preview 1 `poll_oneoff` wrote.
    pub(crate) fn record_poll_oneoff(
        &self,
        events: impl FnOnce() -> Vec<u8>,
    ) -> wasmtime::Result<()> {
        match self {
            Journal::Record(r) => r.write(&Entry::PollOneoff(events())),
            _ => Ok(()),
        }
    }

    /// A read of stdin: `read()` (recorded), or the journal's.
    pub(crate) fn stdin(&self, read: impl FnOnce() -> StreamResult<Bytes>) -> StreamResult<Bytes> {
        match self {
            Journal::Off => read(),
            Journal::Record(r) => {
                let result = read();
                let entry = match &result {
                    Ok(bytes) => Entry::Stdin(bytes.to_vec()),
                    Err(StreamError::Closed) => Entry::StdinClosed,
                    Err(StreamError::LastOperationFailed(e)) => Entry::StdinFailed(e.to_string()),
                    Err(StreamError::Trap(_)) => return result,
                };
                r.write(&entry).map_err(StreamError::Trap)?;
                result
            }
            Journal::Replay(r) => match r
                .next(Channel::Stdin, "read stdin")
                .map_err(StreamError::Trap)?
            {
                (_, Entry::Stdin(bytes)) => Ok(Bytes::from(bytes)),
                (_, Entry::StdinClosed) => Err(StreamError::Closed),
                (_, Entry::StdinFailed(msg)) => Err(StreamError::LastOperationFailed(
                    wasmtime::format_err!("{msg}"),
                )),
                (line, other) => Err(StreamError::Trap(r.diverged(line, "read stdin", &other))),
            },
        }
    }

    /// A host file the guest opened for reading: its SHA-256 from
    /// `hash()` (only computed when journaling), recorded, or checked
    /// against the journal's.
    pub(crate) fn file(
        &self,
        path: &str,
        hash: impl FnOnce() -> std::io::Result<String>,
    ) -> wasmtime::Result<()> {
        match self {
            Journal::Off => Ok(()),
            Journal::Record(r) => r.write(&Entry::File {
                hash: hash()?,
                path: path.to_owned(),
            }),
            Journal::Replay(r) => {
                let what = format!("opened the host file `{path}`");
                match r.next(Channel::File, &what)? {
                    (
                        line,
                        Entry::File {
                            hash: want,
                            path: was,
                        },
                    ) => {
                        let now = hash()?;
                        if now == want && was == path {
                            Ok(())
                        } else if was != path {
                            Err(r.diverged(
                                line,
                                &what,
                                &Entry::File {
                                    hash: want,
                                    path: was,
                                },
                            ))
                        } else {
                            Err(wasmtime::format_err!(
                                "replay diverged at journal line {line}: the host file `{path}` \
                                 has changed since it was recorded (SHA-256 {now}, recorded {want})"
                            ))
                        }
                    }
                    (line, other) => Err(r.diverged(line, &what, &other)),
                }
            }
        }
    }
}

/// The SHA-256 of everything `read` gives until it ends, in hexadecimal.
pub(crate) fn sha256(mut read: impl std::io::Read) -> std::io::Result<String> {
    use sha2::Digest;
    let mut hasher = sha2::Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match read.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    let mut out = String::with_capacity(64);
    entry::hex(&mut out, &hasher.finalize());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replaying(entries: &str) -> Journal {
        let text = format!("{HEADER}\n{entries}");
        Journal::Replay(Arc::new(Replayer::read(text.as_bytes())))
    }

    #[test]
    fn random_values_replay_only_from_the_source_asked() {
        let j = replaying("insecure 0102\nrandom 0304\nend 2\n");
        let mut buf = [0u8; 2];
        let err = j.random(false, &mut buf, |_| unreachable!()).unwrap_err();
        assert!(
            err.to_string().contains(
                "the guest drew random bytes (2 bytes), but the journal holds `insecure 0102`"
            ),
            "{err}"
        );
        j.random(false, &mut buf, |_| unreachable!()).unwrap();
        assert_eq!(buf, [3, 4]);
    }

    #[test]
    fn a_replayed_poll_names_only_the_pollables_polled() {
        let j = replaying("poll 0,2\npoll 1\nend 2\n");
        let wait = async { unreachable!() };
        let err = futures::executor::block_on(j.poll(2, wait)).unwrap_err();
        assert!(
            err.to_string()
                .contains("the guest polled 2 pollables, but the journal holds `poll 0,2`"),
            "{err}"
        );
        let ready = futures::executor::block_on(j.poll(2, async { unreachable!() })).unwrap();
        assert_eq!(ready, [1]);
    }
}
