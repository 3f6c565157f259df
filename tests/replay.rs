//! Record and replay (`WasiCtxBuilder::record` / `replay`): a guest that
//! reads stdin, the clocks, sleeps, draws random values and reads a host
//! file, recorded once and replayed with other stdin, prints the same, in
//! every linker mode of preview 1, 0.2 and 0.3; so does one that talks to
//! a TCP echo server (0.2, 0.3) or serves a client on a preopened listener
//! (preview 1), or exchanges datagrams with a UDP echo server (0.2, 0.3),
//! replayed with the server or client gone. A changed host
//! file, a guest that asks for something else, and a journal cut short or
//! malformed each stop the run with an error that says which call and
//! which journal line.

use crate::common;
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

/// An echo server on loopback, for the recordings: each connection gets
/// `echo: ` and what it sent, once it ended its side. Stops (its port
/// closed) when dropped.
struct EchoServer {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl EchoServer {
    fn start() -> EchoServer {
        use std::io::{Read, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        std::thread::spawn(move || {
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                match listener.accept() {
                    Ok((mut conn, _)) => {
                        conn.set_nonblocking(false).unwrap();
                        let mut got = Vec::new();
                        let _ = conn.read_to_end(&mut got);
                        let _ = conn.write_all(b"echo: ");
                        let _ = conn.write_all(&got);
                    }
                    Err(_) => std::thread::sleep(std::time::Duration::from_millis(2)),
                }
            }
        });
        EchoServer { port, stop }
    }

    fn addr(&self) -> String {
        format!("localhost:{}", self.port)
    }
}

impl Drop for EchoServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        // Wait until the port is closed, so that a replay that touched
        // the network would fail.
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    }
}

/// The network grants of the recordings and replays: TCP and lookups to
/// anywhere.
fn networked(
    journal: impl Fn(&mut wasi_host::WasiCtxBuilder) + Send + Sync + 'static,
) -> impl Fn(&mut wasi_host::WasiCtxBuilder) + Send + Sync + 'static {
    move |b| {
        b.inherit_network()
            .allow_tcp(true)
            .allow_ip_name_lookup(true);
        journal(b);
    }
}

/// Network entries of the recorded journal `text` for the checks below.
fn assert_network_journaled(text: &str) {
    for entry in [
        "\nnet 1 next-address ok ",
        " create ok\n",
        " start-connect ok\n",
        " finish-connect ok\n",
        " remote-address ok 127.0.0.1:",
        "/in read bytes ",
        "/out check-write ok ",
    ] {
        assert!(text.contains(entry), "no {entry:?} in\n{text}");
    }
}

#[test]
fn a_tcp_conversation_replays_without_the_network() {
    // 0.2: a lookup of `localhost`, a connection to an echo server, a line
    // sent and the echo read; replayed in every mode with the server gone
    // and other stdin.
    let mut journals = Vec::new();
    let server = EchoServer::start();
    for mode in Mode::ALL {
        let journal = SharedWriter::default();
        let recorded = Run::new(guests::REPLAY)
            .args(["net", server.addr().as_str()])
            .stdin(b"first\n".to_vec())
            .configure(networked(recording(journal.clone())))
            .run(mode);
        recorded.assert_success();
        let key = recorded.value("random ");
        recorded.assert_line(&format!("echo \"echo: hello {key}\\n\""));
        let text = String::from_utf8(journal.contents()).unwrap();
        assert_network_journaled(&text);
        assert!(
            !text.contains("hello"),
            "what the guest sent is not journaled:\n{text}"
        );
        journals.push((mode, recorded, journal.contents()));
    }
    drop(server);
    for (recorded_in, recorded, journal) in journals {
        for mode in Mode::ALL {
            let replayed = Run::new(guests::REPLAY)
                .args(["net", "localhost:1"])
                .stdin(b"other\n".to_vec())
                .configure(networked(replaying(&journal)))
                .run(mode);
            replayed.assert_success();
            assert_eq!(
                replayed.stdout(),
                recorded.stdout(),
                "recorded in {recorded_in:?}, replayed in {mode:?}"
            );
        }
    }
}

/// A UDP echo server on loopback, for the recordings: answers each
/// datagram with `pong: ` and the datagram. Stops when dropped.
struct UdpEchoServer {
    addr: std::net::SocketAddr,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl UdpEchoServer {
    fn start() -> UdpEchoServer {
        let sock = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        sock.set_read_timeout(Some(std::time::Duration::from_millis(20)))
            .unwrap();
        let addr = sock.local_addr().unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || {
            let mut buf = [0u8; 2048];
            while !stopped.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok((n, from)) = sock.recv_from(&mut buf) {
                    let mut answer = b"pong: ".to_vec();
                    answer.extend_from_slice(&buf[..n]);
                    let _ = sock.send_to(&answer, from);
                }
            }
        });
        UdpEchoServer {
            addr,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for UdpEchoServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            t.join().unwrap();
        }
    }
}

#[test]
fn a_udp_exchange_replays_without_the_network() {
    // 0.2 (every mode) and 0.3 (both async modes): a datagram to an echo
    // server and its answer, replayed in every mode of the front-end with
    // the server gone.
    let server = UdpEchoServer::start();
    let udp = |p3: bool,
               addr: &str,
               journal: Box<dyn Fn(&mut wasi_host::WasiCtxBuilder) + Send + Sync>| {
        let guest = if p3 {
            guests::p3::P3_REPLAY
        } else {
            guests::REPLAY
        };
        let mut run = Run::new(guest)
            .args(["udp", addr])
            .stdin(b"x\n".to_vec())
            .configure(move |b| {
                b.inherit_network().allow_udp(true);
                journal(b);
            });
        run.p3 = p3;
        run
    };
    let mut recordings = Vec::new();
    for (p3, modes) in [(false, &Mode::ALL[..]), (true, &Mode::ASYNC[..])] {
        for &mode in modes {
            let journal = SharedWriter::default();
            let recorded = udp(
                p3,
                &server.addr.to_string(),
                Box::new(recording(journal.clone())),
            )
            .run(mode);
            recorded.assert_success();
            let answer = recorded.value("udp ");
            assert!(answer.starts_with("\"pong: ping "), "{answer}");
            let text = String::from_utf8(journal.contents()).unwrap();
            assert!(text.contains(" create ok\n"), "{text}");
            assert!(
                text.contains(&format!(" receive ok {}/706f6e67", server.addr)),
                "the datagram received is journaled:\n{text}"
            );
            recordings.push((p3, modes, mode, recorded, journal.contents()));
        }
    }
    drop(server);
    for (p3, modes, recorded_in, recorded, journal) in recordings {
        for &mode in modes {
            let replayed = udp(p3, "127.0.0.1:1", Box::new(replaying(&journal))).run(mode);
            replayed.assert_success();
            assert_eq!(
                replayed.stdout(),
                recorded.stdout(),
                "recorded in {recorded_in:?}, replayed in {mode:?}"
            );
        }
    }
}

/// The preview 1 guest serving one connection on `listener` (its
/// descriptor 3), with `stdin`, set up by `journal`.
fn p1_server(
    mode: P1Mode,
    listener: std::net::TcpListener,
    stdin: &str,
    journal: impl Fn(&mut wasi_host::WasiCtxBuilder) + Send + Sync + 'static,
) -> Outcome {
    let listener = std::sync::Mutex::new(Some(listener));
    let run = Run::new(guests::p1::REPLAY)
        .args(["serve", "3"])
        .stdin(stdin.as_bytes().to_vec())
        .configure(move |b| {
            if let Some(l) = listener.lock().unwrap().take() {
                b.preopened_tcp_listener(l);
            }
            journal(b);
        });
    p1::run(&run, mode)
}

#[test]
fn a_preview1_server_replays_without_its_client() {
    // Preview 1: a connection accepted on a preopened listener, read to
    // its end and answered; replayed in every mode with nobody connecting.
    for mode in P1Mode::ALL {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let client = std::thread::spawn(move || {
            use std::io::{Read, Write};
            let mut conn = std::net::TcpStream::connect(addr).unwrap();
            conn.write_all(b"from the host\n").unwrap();
            conn.shutdown(std::net::Shutdown::Write).unwrap();
            let mut answer = String::new();
            conn.read_to_string(&mut answer).unwrap();
            answer
        });
        let journal = SharedWriter::default();
        let recorded = p1_server(mode, listener, "first\n", recording(journal.clone()));
        recorded.assert_success();
        recorded.assert_line("got \"from the host\\n\"");
        let key = recorded.value("random ");
        assert_eq!(client.join().unwrap(), format!("answer {key}"));
        let journal = journal.contents();
        let text = String::from_utf8(journal.clone()).unwrap();
        for entry in ["\nnet p0/accept accept ok\n", "\nnet p0.1/in read bytes "] {
            assert!(text.contains(entry), "no {entry:?} in\n{text}");
        }
        for replay_mode in P1Mode::ALL {
            let nobody = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            let replayed = p1_server(replay_mode, nobody, "other\n", replaying(&journal));
            replayed.assert_success();
            assert_eq!(
                replayed.stdout(),
                recorded.stdout(),
                "recorded in {mode:?}, replayed in {replay_mode:?}"
            );
        }
    }
}

#[test]
fn a_replay_of_a_network_the_guest_does_not_follow_diverges() {
    // Recorded connecting to the server, replayed without network calls
    // in the journal: the first one names itself.
    let front = Front::P2(Mode::Sync);
    let (_, journal) = record(front, |j| {
        Run::new(guests::REPLAY)
            .stdin(b"x\n".to_vec())
            .configure(networked(recording(j)))
    });
    let replayed = front.run(
        &Run::new(guests::REPLAY)
            .args(["net", "localhost:1"])
            .stdin(b"x\n".to_vec())
            .configure(networked(replaying(&journal))),
    );
    let trap = replayed.assert_trap();
    assert!(
        trap.contains(
            "replay diverged: the guest called `next-address` on network key 1, but the \
             journal holds nothing more for it"
        ),
        "{trap}"
    );
}

#[test]
fn a_p3_replay_prints_what_the_recording_printed() {
    // 0.3: stdin through its stream, both clocks, a `wait-for`, random
    // values and the seed, a lookup and a conversation with an echo server;
    // recorded in one async mode, replayed in both with the server gone.
    let p3 = |stdin: &str,
              addr: &str,
              journal: Box<dyn Fn(&mut wasi_host::WasiCtxBuilder) + Send + Sync>| {
        let mut run = Run::new(guests::p3::P3_REPLAY)
            .args(["net", addr])
            .stdin(stdin.as_bytes().to_vec())
            .configure(networked(journal));
        run.p3 = true;
        run
    };
    let server = EchoServer::start();
    let mut recordings = Vec::new();
    for recorded_in in Mode::ASYNC {
        let journal = SharedWriter::default();
        let recorded = p3(
            "first\n",
            &server.addr(),
            Box::new(recording(journal.clone())),
        )
        .run(recorded_in);
        recorded.assert_success();
        recorded.assert_line("stdin \"first\\n\"");
        recorded.assert_line("echo \"echo: hello from 0.3\\n\"");
        let journal = journal.contents();
        let text = String::from_utf8(journal.clone()).unwrap();
        assert_network_journaled(&text);
        for kind in [
            "\nwall ",
            "\nmonotonic ",
            "\nsleep\n",
            "\nrandom ",
            "\nseed ",
        ] {
            assert!(text.contains(kind), "no {kind:?} in\n{text}");
        }
        recordings.push((recorded_in, recorded, journal));
    }
    drop(server);
    for (recorded_in, recorded, journal) in recordings {
        for mode in Mode::ASYNC {
            let replayed = p3("other\n", "localhost:1", Box::new(replaying(&journal))).run(mode);
            replayed.assert_success();
            assert_eq!(
                replayed.stdout(),
                recorded.stdout(),
                "recorded in {recorded_in:?}, replayed in {mode:?}"
            );
        }
    }
}
