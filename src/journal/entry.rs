//! One journal entry and its line in the journal file: how it is written
//! ([`Entry::line`]) and read back ([`Entry::parse`]). See the module docs
//! of [`crate::journal`] for the format.

use std::fmt::Write as _;
use std::time::Duration;

/// What the guest received once from outside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Entry {
    /// A wall-clock reading.
    Wall(Duration),
    /// A monotonic-clock reading, in nanoseconds.
    Monotonic(u64),
    /// Bytes of the secure random source.
    Random(Vec<u8>),
    /// Bytes of the insecure random source.
    Insecure(Vec<u8>),
    /// The insecure seed.
    Seed(u128),
    /// A read of stdin (empty: nothing yet).
    Stdin(Vec<u8>),
    /// Stdin ended.
    StdinClosed,
    /// A read of stdin failed with this message.
    StdinFailed(String),
    /// The indices a 0.2 `poll` found ready.
    Poll(Vec<u32>),
    /// Whether a 0.2 `pollable.ready` was ready.
    Ready(bool),
    /// A 0.2 `pollable.block` returned.
    Block,
    /// The events a preview 1 (or preview 0) `poll_oneoff` wrote, as
    /// bytes of guest memory.
    PollOneoff(Vec<u8>),
    /// A 0.3 wait on the clock returned.
    Sleep,
    /// A host file opened for reading, with the SHA-256 of its contents.
    File {
        /// The hash, in hexadecimal.
        hash: String,
        /// The path the guest opened it by.
        path: String,
    },
    /// The outcome of one call on a socket, a socket stream or a name
    /// lookup (see `net.rs`).
    Net {
        /// What it was made on: `3` (the third socket or lookup the guest
        /// made), `3.1` (the first connection it accepted), `3/in` and
        /// `3/out` (its streams), `3/accept` (its accepts).
        key: String,
        /// The call (`finish-connect`, `read`, ...).
        call: String,
        /// The outcome, as the call's type writes it.
        value: String,
    },
}

/// The kinds of entry, each replayed in its own order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Channel {
    /// Clock readings.
    Clock,
    /// Random bytes and the insecure seed.
    Random,
    /// Stdin reads.
    Stdin,
    /// How waits ended.
    Wait,
    /// Host files read.
    File,
    /// Network outcomes (replayed in one order per key, not in this
    /// channel's queue).
    Net,
}

impl Channel {
    /// The position of this channel's queue.
    pub(crate) fn index(self) -> usize {
        self as usize
    }

    /// What the channel holds, for messages.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Channel::Clock => "clock readings",
            Channel::Random => "random values",
            Channel::Stdin => "stdin reads",
            Channel::Wait => "waits",
            Channel::File => "host files",
            Channel::Net => "network outcomes",
        }
    }
}

impl Entry {
    /// The channel it is replayed in.
    pub(crate) fn channel(&self) -> Channel {
        match self {
            Entry::Wall(_) | Entry::Monotonic(_) => Channel::Clock,
            Entry::Random(_) | Entry::Insecure(_) | Entry::Seed(_) => Channel::Random,
            Entry::Stdin(_) | Entry::StdinClosed | Entry::StdinFailed(_) => Channel::Stdin,
            Entry::Poll(_)
            | Entry::Ready(_)
            | Entry::Block
            | Entry::PollOneoff(_)
            | Entry::Sleep => Channel::Wait,
            Entry::File { .. } => Channel::File,
            Entry::Net { .. } => Channel::Net,
        }
    }

    /// Its keyword, the first word of its line.
    pub(crate) fn keyword(&self) -> &'static str {
        match self {
            Entry::Wall(_) => "wall",
            Entry::Monotonic(_) => "monotonic",
            Entry::Random(_) => "random",
            Entry::Insecure(_) => "insecure",
            Entry::Seed(_) => "seed",
            Entry::Stdin(_) => "stdin",
            Entry::StdinClosed => "stdin-closed",
            Entry::StdinFailed(_) => "stdin-failed",
            Entry::Poll(_) => "poll",
            Entry::Ready(_) => "ready",
            Entry::Block => "block",
            Entry::PollOneoff(_) => "poll-oneoff",
            Entry::Sleep => "sleep",
            Entry::File { .. } => "file",
            Entry::Net { .. } => "net",
        }
    }

    /// Its line, with the newline.
    pub(crate) fn line(&self) -> String {
        let mut s = String::new();
        self.write_line(&mut s);
        s
    }

    /// Appends its line, with the newline, to `s`.
    pub(crate) fn write_line(&self, s: &mut String) {
        match self {
            Entry::Random(bytes) | Entry::Insecure(bytes) | Entry::Stdin(bytes) => {
                return bytes_line(s, self.keyword(), bytes);
            }
            _ => s.push_str(self.keyword()),
        }
        match self {
            Entry::Wall(d) => {
                let _ = write!(s, " {}.{:09}", d.as_secs(), d.subsec_nanos());
            }
            Entry::Monotonic(ns) => {
                let _ = write!(s, " {ns}");
            }
            Entry::Random(_) | Entry::Insecure(_) | Entry::Stdin(_) => {}
            Entry::PollOneoff(bytes) => {
                if !bytes.is_empty() {
                    s.push(' ');
                    hex(s, bytes);
                }
            }
            Entry::Seed(seed) => {
                let _ = write!(s, " {seed:032x}");
            }
            Entry::StdinFailed(text) => {
                s.push(' ');
                escape(s, text);
            }
            Entry::Poll(ready) => {
                for (i, r) in ready.iter().enumerate() {
                    s.push(if i == 0 { ' ' } else { ',' });
                    let _ = write!(s, "{r}");
                }
            }
            Entry::Ready(ready) => s.push_str(if *ready { " yes" } else { " no" }),
            Entry::StdinClosed | Entry::Block | Entry::Sleep => {}
            Entry::File { hash, path } => {
                let _ = write!(s, " {hash} ");
                escape(s, path);
            }
            Entry::Net { key, call, value } => net_line_rest(s, key, call, value),
        }
        s.push('\n');
    }

    /// The entry of one line (without its newline), or what is wrong with
    /// it.
    pub(crate) fn parse(line: &str) -> Result<Entry, String> {
        let (keyword, rest) = line.split_once(' ').unwrap_or((line, ""));
        let bytes = || unhex(rest);
        let entry = match keyword {
            "wall" => {
                let (secs, nanos) = rest.split_once('.').ok_or("a wall reading is SECS.NANOS")?;
                let nanos: u32 = number(nanos)?;
                if nanos >= 1_000_000_000 {
                    return Err(format!("nanoseconds out of range: {nanos}"));
                }
                Entry::Wall(Duration::new(number(secs)?, nanos))
            }
            "monotonic" => Entry::Monotonic(number(rest)?),
            "random" => Entry::Random(bytes()?),
            "insecure" => Entry::Insecure(bytes()?),
            "seed" => Entry::Seed(
                u128::from_str_radix(rest, 16).map_err(|_| format!("not a seed: `{rest}`"))?,
            ),
            "stdin" => Entry::Stdin(bytes()?),
            "stdin-closed" => Entry::StdinClosed,
            "stdin-failed" => Entry::StdinFailed(unescape(rest)?),
            "poll" => Entry::Poll(
                rest.split(',')
                    .filter(|s| !s.is_empty())
                    .map(number)
                    .collect::<Result<_, _>>()?,
            ),
            "ready" => match rest {
                "yes" => Entry::Ready(true),
                "no" => Entry::Ready(false),
                _ => return Err(format!("ready is `yes` or `no`, not `{rest}`")),
            },
            "block" => Entry::Block,
            "poll-oneoff" => Entry::PollOneoff(bytes()?),
            "sleep" => Entry::Sleep,
            "file" => {
                let (hash, path) = rest.split_once(' ').ok_or("a file is HASH PATH")?;
                if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(format!("not a SHA-256: `{hash}`"));
                }
                Entry::File {
                    hash: hash.to_owned(),
                    path: unescape(path)?,
                }
            }
            "net" => {
                let mut words = rest.splitn(3, ' ');
                let (Some(key), Some(call)) = (words.next(), words.next()) else {
                    return Err("a net entry is KEY CALL [VALUE]".to_owned());
                };
                if key.is_empty() || call.is_empty() {
                    return Err("a net entry is KEY CALL [VALUE]".to_owned());
                }
                Entry::Net {
                    key: key.to_owned(),
                    call: call.to_owned(),
                    value: words.next().unwrap_or("").to_owned(),
                }
            }
            other => return Err(format!("unknown entry `{}`", cut(other))),
        };
        Ok(entry)
    }
}

/// Appends the line of an entry of bytes (`random`, `insecure`, `stdin`):
/// the keyword, and the bytes in hexadecimal unless there are none. The
/// recorder writes random draws this way, from the guest's own buffer.
pub(crate) fn bytes_line(s: &mut String, keyword: &str, bytes: &[u8]) {
    s.push_str(keyword);
    if !bytes.is_empty() {
        s.push(' ');
        hex(s, bytes);
    }
    s.push('\n');
}

/// Appends what follows `net` on a network entry's line: ` KEY CALL`
/// and ` VALUE` unless it is empty (the newline is the caller's).
fn net_line_rest(s: &mut String, key: &str, call: &str, value: &str) {
    s.push(' ');
    s.push_str(key);
    s.push(' ');
    s.push_str(call);
    if !value.is_empty() {
        s.push(' ');
        s.push_str(value);
    }
}

/// A decimal number of the line.
fn number<N: std::str::FromStr>(text: &str) -> Result<N, String> {
    text.parse()
        .map_err(|_| format!("not a number: `{}`", cut(text)))
}

/// At most 40 bytes of `text`, for a message.
fn cut(text: &str) -> &str {
    let mut end = text.len().min(40);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Appends `bytes` in lowercase hexadecimal (by table: a journaled
/// random draw is mostly this).
pub(crate) fn hex(s: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    s.reserve(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 15)]));
    }
}

/// The bytes of hexadecimal `text`.
pub(crate) fn unhex(text: &str) -> Result<Vec<u8>, String> {
    if !text.len().is_multiple_of(2) {
        return Err("odd number of hexadecimal digits".to_owned());
    }
    (0..text.len())
        .step_by(2)
        .map(|i| {
            text.get(i..i + 2)
                .and_then(|pair| u8::from_str_radix(pair, 16).ok())
                .ok_or_else(|| format!("not hexadecimal: `{}`", cut(text)))
        })
        .collect()
}

/// Appends `text` with `%`, spaces, controls and non-ASCII bytes as `%XX`,
/// so that it is one word of one line.
pub(crate) fn escape(s: &mut String, text: &str) {
    for b in text.bytes() {
        if b.is_ascii_graphic() && b != b'%' {
            s.push(char::from(b));
        } else {
            let _ = write!(s, "%{b:02x}");
        }
    }
}

/// The text [`escape`] wrote.
pub(crate) fn unescape(text: &str) -> Result<String, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut bytes = text.bytes();
    while let Some(b) = bytes.next() {
        if b == b'%' {
            let pair = [bytes.next().unwrap_or(0), bytes.next().unwrap_or(0)];
            let byte = std::str::from_utf8(&pair)
                .ok()
                .and_then(|p| u8::from_str_radix(p, 16).ok())
                .ok_or("a `%` is followed by two hexadecimal digits")?;
            out.push(byte);
        } else {
            out.push(b);
        }
    }
    String::from_utf8(out).map_err(|_| "escaped text is not UTF-8".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_reads_back_as_written() {
        let entries = [
            Entry::Wall(Duration::new(1_700_000_000, 5)),
            Entry::Monotonic(42),
            Entry::Random(vec![0, 255, 16]),
            Entry::Insecure(vec![]),
            Entry::Seed(u128::MAX - 7),
            Entry::Stdin(b"hi\n".to_vec()),
            Entry::Stdin(vec![]),
            Entry::StdinClosed,
            Entry::StdinFailed("broken pipe 100%".to_owned()),
            Entry::Poll(vec![0, 3]),
            Entry::Ready(false),
            Entry::Block,
            Entry::PollOneoff(vec![7; 64]),
            Entry::Sleep,
            Entry::File {
                hash: "ab".repeat(32),
                path: "dir/with space/é\n".to_owned(),
            },
            Entry::Net {
                key: "3.1/in".to_owned(),
                call: "read".to_owned(),
                value: "bytes 6869".to_owned(),
            },
            Entry::Net {
                key: "2".to_owned(),
                call: "finish-bind".to_owned(),
                value: String::new(),
            },
        ];
        for entry in entries {
            let line = entry.line();
            assert!(
                line.ends_with('\n') && line.matches('\n').count() == 1,
                "{line:?}"
            );
            assert_eq!(Entry::parse(line.trim_end_matches('\n')), Ok(entry));
        }
    }

    #[test]
    fn malformed_lines_are_named() {
        for (line, want) in [
            ("frob 1", "unknown entry `frob`"),
            ("monotonic x", "not a number: `x`"),
            ("random abc", "odd number of hexadecimal digits"),
            ("random zz", "not hexadecimal: `zz`"),
            ("wall 5.1000000000", "nanoseconds out of range: 1000000000"),
            ("ready maybe", "ready is `yes` or `no`, not `maybe`"),
            ("file 12 x", "not a SHA-256: `12`"),
            ("net 3", "a net entry is KEY CALL [VALUE]"),
            (
                "stdin-failed %g1",
                "a `%` is followed by two hexadecimal digits",
            ),
        ] {
            assert_eq!(Entry::parse(line), Err(want.to_owned()), "{line}");
        }
    }
}
