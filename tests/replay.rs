//! Record and replay (`WasiCtxBuilder::record` / `replay`): a guest that
//! reads stdin, the clocks, sleeps, draws random values and reads a host
//! file, recorded once and replayed with other stdin, prints the same, in
//! every linker mode of preview 1 and 0.2; a changed host file, a guest
//! that asks for something else, a journal cut short or malformed, and a
//! network call in a replay each stop the run with an error that says
//! which call and which journal line.

mod common;
use common::p1::{self, P1Mode};
use common::{Mode, Outcome, Run, SharedWriter, guests, tempdir};
use wasi_host::{DirPerms, FilePerms};

/// A front-end and linker mode.
#[derive(Clone, Copy, Debug)]
enum Front {
    P1(P1Mode),
    P2(Mode),
}

impl Front {
    fn all() -> Vec<Front> {
        let p1 = P1Mode::ALL.into_iter().map(Front::P1);
        p1.chain(Mode::ALL.into_iter().map(Front::P2)).collect()
    }

    fn guest(self) -> &'static str {
        match self {
            Front::P1(_) => guests::p1::REPLAY,
            Front::P2(_) => guests::REPLAY,
        }
    }

    fn run(self, run: &Run) -> Outcome {
        match self {
            Front::P1(mode) => p1::run(run, mode),
            Front::P2(mode) => run.run(mode),
        }
    }
}

/// The guest reading `/data/in.txt`, with `stdin`, set up by `journal`.
fn guest(
    front: Front,
    data: &std::path::Path,
    stdin: &str,
    journal: impl Fn(&mut wasi_host::WasiCtxBuilder) + Send + Sync + 'static,
) -> Run {
    Run::new(front.guest())
        .arg("/data/in.txt")
        .stdin(stdin.as_bytes().to_vec())
        .preopen(data, "/data", DirPerms::READ, FilePerms::READ)
        .configure(journal)
}

/// Runs `run` recording, and returns its output and journal.
fn record(front: Front, run: impl FnOnce(SharedWriter) -> Run) -> (Outcome, Vec<u8>) {
    let journal = SharedWriter::default();
    let out = front.run(&run(journal.clone()));
    let bytes = journal.contents();
    (out, bytes)
}

fn replaying(journal: &[u8]) -> impl Fn(&mut wasi_host::WasiCtxBuilder) + Send + Sync + 'static {
    let journal = journal.to_vec();
    move |b| {
        b.replay(std::io::Cursor::new(journal.clone()));
    }
}

fn recording(to: SharedWriter) -> impl Fn(&mut wasi_host::WasiCtxBuilder) + Send + Sync + 'static {
    move |b| {
        b.record(to.clone());
    }
}

#[test]
fn a_replay_prints_what_the_recording_printed() {
    for front in Front::all() {
        let data = tempdir();
        std::fs::write(data.path().join("in.txt"), "contents").unwrap();
        let (recorded, journal) = record(front, |j| {
            guest(front, data.path(), "first line\n", recording(j))
        });
        recorded.assert_success();
        recorded.assert_line("stdin \"first line\"");
        recorded.assert_line("file \"contents\"");
        let text = String::from_utf8(journal.clone()).unwrap();
        assert!(
            text.starts_with("wasi-host-journal 1\n"),
            "{front:?}: {text}"
        );
        assert!(text.ends_with('\n') && text.lines().last().unwrap().starts_with("end "));
        for kind in ["wall ", "monotonic ", "stdin ", "file "] {
            assert!(text.contains(kind), "{front:?}: no {kind:?} in\n{text}");
        }
        // Other stdin, the same journal: the same output, in every mode of
        // the front-end.
        let modes: Vec<Front> = match front {
            Front::P1(_) => P1Mode::ALL.into_iter().map(Front::P1).collect(),
            Front::P2(_) => Mode::ALL.into_iter().map(Front::P2).collect(),
        };
        for mode in modes {
            let replayed = mode.run(&guest(mode, data.path(), "other\n", replaying(&journal)));
            replayed.assert_success();
            assert_eq!(
                replayed.stdout(),
                recorded.stdout(),
                "recorded in {front:?}, replayed in {mode:?}"
            );
        }
    }
}

#[test]
fn a_changed_host_file_stops_the_replay() {
    for front in Front::all() {
        let data = tempdir();
        std::fs::write(data.path().join("in.txt"), "contents").unwrap();
        let (recorded, journal) = record(front, |j| guest(front, data.path(), "x\n", recording(j)));
        recorded.assert_success();
        std::fs::write(data.path().join("in.txt"), "changed!").unwrap();
        let replayed = front.run(&guest(front, data.path(), "x\n", replaying(&journal)));
        let trap = replayed.assert_trap();
        assert!(
            trap.contains("replay diverged at journal line")
                && trap.contains("the host file `in.txt` has changed since it was recorded"),
            "{front:?}: {trap}"
        );
    }
}

#[test]
fn a_guest_that_asks_for_something_else_stops_the_replay() {
    for front in Front::all() {
        let data = tempdir();
        std::fs::write(data.path().join("in.txt"), "contents").unwrap();
        // Recorded without reading the file; replayed reading it.
        let (recorded, journal) = record(front, |j| {
            Run::new(front.guest())
                .stdin(b"x\n".to_vec())
                .configure(recording(j))
        });
        recorded.assert_success();
        let replayed = front.run(&guest(front, data.path(), "x\n", replaying(&journal)));
        let trap = replayed.assert_trap();
        assert!(
            trap.contains(
                "replay diverged: the guest opened the host file `in.txt`, but the journal \
                 holds no more host files"
            ),
            "{front:?}: {trap}"
        );
    }
}

#[test]
fn broken_journals_are_named_errors() {
    let data = tempdir();
    std::fs::write(data.path().join("in.txt"), "contents").unwrap();
    let front = Front::P2(Mode::Sync);
    let (_, journal) = record(front, |j| guest(front, data.path(), "x\n", recording(j)));
    let text = String::from_utf8(journal).unwrap();
    let cut = &text[..text.len() - 3];
    let lines = text.lines().count();
    let garbled = text.replacen("\nwall ", "\nwal ", 1);
    let garbled_line = text.lines().position(|l| l.starts_with("wall ")).unwrap() + 1;
    for (journal, want) in [
        (
            cut.to_owned(),
            format!("it is cut short: line {lines} has no end"),
        ),
        (
            text.lines().take(3).map(|l| format!("{l}\n")).collect(),
            "it is cut short: it has no `end` line".to_owned(),
        ),
        (garbled, format!("line {garbled_line}: unknown entry `wal`")),
        ("PNG\n".to_owned(), "not a journal".to_owned()),
    ] {
        let out = front.run(&guest(
            front,
            data.path(),
            "x\n",
            replaying(journal.as_bytes()),
        ));
        let trap = out.assert_trap();
        assert!(
            trap.contains("replay: the journal cannot be replayed: ") && trap.contains(&want),
            "want {want:?}: {trap}"
        );
    }
}

#[test]
fn network_calls_stop_a_replay() {
    for mode in Mode::ALL {
        let front = Front::P2(mode);
        let (recorded, journal) = record(front, |j| {
            Run::new(guests::REPLAY)
                .arg("net")
                .stdin(b"x\n".to_vec())
                .configure(recording(j))
        });
        recorded.assert_success();
        recorded.assert_line("net Err(PermissionDenied)");
        let replayed = front.run(
            &Run::new(guests::REPLAY)
                .arg("net")
                .stdin(b"x\n".to_vec())
                .configure(replaying(&journal)),
        );
        let trap = replayed.assert_trap();
        assert!(
            trap.contains(
                "replay: the guest created a TCP socket, but network calls are not journaled"
            ),
            "{mode:?}: {trap}"
        );
    }
}

#[test]
fn a_p3_replay_prints_what_the_recording_printed() {
    // 0.3: stdin through its stream, both clocks, a `wait-for`, random
    // values and the seed; recorded in one async mode, replayed in both.
    let p3 = |stdin: &str, journal: Box<dyn Fn(&mut wasi_host::WasiCtxBuilder) + Send + Sync>| {
        let mut run = Run::new(guests::p3::P3_REPLAY)
            .stdin(stdin.as_bytes().to_vec())
            .configure(journal);
        run.p3 = true;
        run
    };
    for recorded_in in Mode::ASYNC {
        let journal = SharedWriter::default();
        let recorded = p3("first\n", Box::new(recording(journal.clone()))).run(recorded_in);
        recorded.assert_success();
        recorded.assert_line("stdin \"first\\n\"");
        let journal = journal.contents();
        let text = String::from_utf8(journal.clone()).unwrap();
        for kind in [
            "\nwall ",
            "\nmonotonic ",
            "\nsleep\n",
            "\nrandom ",
            "\nseed ",
        ] {
            assert!(text.contains(kind), "no {kind:?} in\n{text}");
        }
        for mode in Mode::ASYNC {
            let replayed = p3("other\n", Box::new(replaying(&journal))).run(mode);
            replayed.assert_success();
            assert_eq!(
                replayed.stdout(),
                recorded.stdout(),
                "recorded in {recorded_in:?}, replayed in {mode:?}"
            );
        }
    }
}
