//! [`Replayer`]: a journal read back, one queue per [`Channel`].

use super::{Channel, Entry, HEADER};
use std::collections::{HashMap, VecDeque};
use std::io::Read;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// A journal being replayed: its entries by channel, each with its line
/// number, or what made it unreadable; and the clock readings last handed
/// out, which the host's own code reads in replay.
pub(crate) struct Replayer {
    state: Mutex<State>,
    /// The wall clock last replayed, in nanoseconds since 1970.
    wall: AtomicU64,
    /// The monotonic clock last replayed.
    monotonic: AtomicU64,
}

struct State {
    queues: Queues,
    /// The network entries by key (`net.rs`), each key in its own order.
    net: NetQueues,
    /// Why the journal cannot be replayed.
    broken: Option<String>,
    /// The line of `end`.
    last_line: u64,
}

impl Replayer {
    /// Reads a whole journal from `input`. An unreadable one gives a
    /// replayer whose every call fails with why.
    pub(crate) fn read(mut input: impl Read) -> Replayer {
        let mut text = String::new();
        let (Parsed(queues, net, last_line), broken) = match input.read_to_string(&mut text) {
            Ok(_) => match parse(&text) {
                Ok(parsed) => (parsed, None),
                Err(why) => (Parsed::default(), Some(why)),
            },
            Err(e) => (
                Parsed::default(),
                Some(format!("it could not be read: {e}")),
            ),
        };
        let first = |channel: Channel, pick: fn(&Entry) -> Option<u64>| {
            queues[channel.index()]
                .iter()
                .find_map(|(_, e)| pick(e))
                .unwrap_or(0)
        };
        let wall = first(Channel::Clock, |e| match e {
            Entry::Wall(d) => u64::try_from(d.as_nanos()).ok(),
            _ => None,
        });
        let monotonic = first(Channel::Clock, |e| match e {
            Entry::Monotonic(ns) => Some(*ns),
            _ => None,
        });
        Replayer {
            state: Mutex::new(State {
                queues,
                net,
                broken,
                last_line,
            }),
            wall: AtomicU64::new(wall),
            monotonic: AtomicU64::new(monotonic),
        }
    }

    /// The next entry of `channel` with its line, for a guest that `what`
    /// (for the message if there is none).
    pub(crate) fn next(&self, channel: Channel, what: &str) -> wasmtime::Result<(u64, Entry)> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(why) = &state.broken {
            wasmtime::bail!("replay: the journal cannot be replayed: {why}");
        }
        let last = state.last_line;
        state.queues[channel.index()].pop_front().ok_or_else(|| {
            wasmtime::format_err!(
                "replay diverged: the guest {what}, but the journal holds no more {} \
                 (it ends at line {last})",
                channel.what()
            )
        })
    }

    /// The next network entry of `key`, which must be of `call`: its line
    /// and value (a divergence when it holds another call, or nothing).
    pub(crate) fn next_net(&self, key: &str, call: &str) -> wasmtime::Result<(u64, String)> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(why) = &state.broken {
            wasmtime::bail!("replay: the journal cannot be replayed: {why}");
        }
        let last = state.last_line;
        let next = state.net.get_mut(key).and_then(VecDeque::pop_front);
        drop(state);
        match next {
            Some((line, Entry::Net { call: c, value, .. })) if c == call => Ok((line, value)),
            Some((line, other)) => Err(self.diverged(
                line,
                &format!("called `{call}` on network key {key}"),
                &other,
            )),
            None => Err(wasmtime::format_err!(
                "replay diverged: the guest called `{call}` on network key {key}, but the \
                 journal holds nothing more for it (it ends at line {last})"
            )),
        }
    }

    /// Whether an entry of `key` is left to replay (or the journal is
    /// broken, which the next call reports): what a replayed socket's
    /// readiness waits for.
    pub(crate) fn has_net(&self, key: &str) -> bool {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.broken.is_some() || state.net.get(key).is_some_and(|q| !q.is_empty())
    }

    /// The error of a guest that `what` where the journal's line `line`
    /// holds `found`.
    pub(crate) fn diverged(&self, line: u64, what: &str, found: &Entry) -> wasmtime::Error {
        let shown = found.line();
        let shown = shown.trim_end();
        let shown = match shown.char_indices().nth(80) {
            Some((cut, _)) => format!("{}...", &shown[..cut]),
            None => shown.to_owned(),
        };
        wasmtime::format_err!(
            "replay diverged at journal line {line}: the guest {what}, but the journal holds `{shown}` there"
        )
    }

    /// Keeps the wall-clock reading just replayed, for the host's own code.
    pub(crate) fn hold_wall(&self, now: Duration) {
        let ns = u64::try_from(now.as_nanos()).unwrap_or(u64::MAX);
        self.wall.store(ns, Ordering::Relaxed);
    }

    /// Keeps the monotonic reading just replayed.
    pub(crate) fn hold_monotonic(&self, now: u64) {
        self.monotonic.store(now, Ordering::Relaxed);
    }

    /// The wall-clock reading last replayed (the journal's first before
    /// any).
    pub(crate) fn held_wall(&self) -> Duration {
        Duration::from_nanos(self.wall.load(Ordering::Relaxed))
    }

    /// The monotonic reading last replayed (the journal's first before
    /// any).
    pub(crate) fn held_monotonic(&self) -> u64 {
        self.monotonic.load(Ordering::Relaxed)
    }
}

type Queues = [VecDeque<(u64, Entry)>; 6];
type NetQueues = HashMap<String, VecDeque<(u64, Entry)>>;

/// A journal read: its entries by channel and network key, and the line
/// of its `end`.
#[derive(Default)]
struct Parsed(Queues, NetQueues, u64);

/// The entries of a journal's text.
fn parse(text: &str) -> Result<Parsed, String> {
    let mut queues: Queues = Default::default();
    let mut net = NetQueues::new();
    let mut lines = text.split_inclusive('\n').zip(1u64..);
    match lines.next() {
        Some((first, _)) if first.trim_end() == HEADER => {}
        Some((first, _)) if first.starts_with("wasi-host-journal ") => {
            return Err(format!(
                "it is version `{}` of the format; this build reads `{HEADER}`",
                first.trim_end().trim_start_matches("wasi-host-journal ")
            ));
        }
        _ => return Err(format!("it does not start with `{HEADER}`: not a journal")),
    }
    let mut entries = 0u64;
    while let Some((raw, n)) = lines.next() {
        let Some(line) = raw.strip_suffix('\n') else {
            return Err(format!("it is cut short: line {n} has no end"));
        };
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(count) = line.strip_prefix("end ") {
            if count.parse() != Ok(entries) {
                return Err(format!(
                    "line {n}: `end {count}`, but the journal holds {entries} entries"
                ));
            }
            if let Some((_, extra)) = lines.find(|(l, _)| !l.trim().is_empty()) {
                return Err(format!("line {extra}: entries after `end`"));
            }
            return Ok(Parsed(queues, net, n));
        }
        let entry = Entry::parse(line).map_err(|why| format!("line {n}: {why}"))?;
        match &entry {
            Entry::Net { key, .. } => net.entry(key.clone()).or_default().push_back((n, entry)),
            _ => queues[entry.channel().index()].push_back((n, entry)),
        }
        entries += 1;
    }
    Err(format!(
        "it is cut short: it has no `end` line (it stops after {entries} entries)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broken(text: &str) -> String {
        let r = Replayer::read(text.as_bytes());
        r.next(Channel::Clock, "read the wall clock")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn entries_replay_in_their_channels() {
        let text = format!("{HEADER}\nwall 1.5\nrandom 00ff\nmonotonic 7\n# a note\nend 3\n");
        let r = Replayer::read(text.as_bytes());
        assert_eq!(r.held_wall(), Duration::from_nanos(1_000_000_005));
        assert_eq!(r.held_monotonic(), 7);
        assert_eq!(
            r.next(Channel::Random, "").unwrap(),
            (3, Entry::Random(vec![0, 255]))
        );
        assert_eq!(
            r.next(Channel::Clock, "").unwrap(),
            (2, Entry::Wall(Duration::new(1, 5)))
        );
        assert_eq!(
            r.next(Channel::Clock, "").unwrap(),
            (4, Entry::Monotonic(7))
        );
        let none = r.next(Channel::Clock, "read the wall clock").unwrap_err();
        assert_eq!(
            none.to_string(),
            "replay diverged: the guest read the wall clock, but the journal holds no more \
             clock readings (it ends at line 6)"
        );
    }

    #[test]
    fn network_entries_replay_in_the_order_of_their_key() {
        let text =
            format!("{HEADER}\nnet 2 create ok\nnet 1 create ok\nnet 2/in read bytes 00\nend 3\n");
        let r = Replayer::read(text.as_bytes());
        assert!(r.has_net("2/in") && !r.has_net("3"));
        assert_eq!(r.next_net("1", "create").unwrap(), (3, "ok".to_owned()));
        let other = r.next_net("2", "finish-bind").unwrap_err().to_string();
        assert_eq!(
            other,
            "replay diverged at journal line 2: the guest called `finish-bind` on network \
             key 2, but the journal holds `net 2 create ok` there"
        );
        assert_eq!(
            r.next_net("2/in", "read").unwrap(),
            (4, "bytes 00".to_owned())
        );
        assert!(!r.has_net("2/in"));
        let none = r.next_net("2/in", "read").unwrap_err().to_string();
        assert_eq!(
            none,
            "replay diverged: the guest called `read` on network key 2/in, but the journal \
             holds nothing more for it (it ends at line 5)"
        );
    }

    #[test]
    fn unreadable_journals_say_why() {
        for (text, want) in [
            ("", "does not start with `wasi-host-journal 1`"),
            ("hello\n", "does not start with `wasi-host-journal 1`"),
            ("wasi-host-journal 9\nend 0\n", "version `9`"),
            (
                "wasi-host-journal 1\nwall 1.0\n",
                "no `end` line (it stops after 1 entries)",
            ),
            ("wasi-host-journal 1\nwall 1.0", "line 2 has no end"),
            (
                "wasi-host-journal 1\nwall x\nend 1\n",
                "line 2: a wall reading",
            ),
            (
                "wasi-host-journal 1\nend 2\n",
                "`end 2`, but the journal holds 0 entries",
            ),
            (
                "wasi-host-journal 1\nend 0\nwall 1.0\n",
                "line 3: entries after `end`",
            ),
        ] {
            let got = broken(text);
            assert!(
                got.starts_with("replay: the journal cannot be replayed: "),
                "{got}"
            );
            assert!(got.contains(want), "{text:?}: {got}");
        }
    }
}
