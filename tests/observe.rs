//! The call observer (`WasiCtxBuilder::call_observer`): one event per
//! preview 1, 0.2 and 0.3 call, in every linker mode, with the arguments in
//! compact form (descriptors, paths as strings, buffers as lengths), the
//! values a call wrote or its error code, and `proc_exit` as the end; the
//! JSON-lines writer; the access log's view of the same calls; hostile
//! arguments are observed without harm (the same errnos as unobserved); the
//! `run` example's `--trace` is in `run_example.rs`.

use crate::common;
use common::p1::{self, P1Mode};
use common::{Exit, Mode, Run, SharedWriter, guests, tempdir};
use std::sync::{Arc, Mutex};
use wasi_host::observe::{
    Access, AccessEvent, AccessLog, CallEvent, CallObserver, FrontEnd, JsonLines, Outcome, Value,
    Verdict,
};
use wasi_host::vfs::{MemoryFs, Mount};
use wasi_host::{DirPerms, FilePerms};

/// Keeps every event.
#[derive(Clone, Default)]
struct Keep(Arc<Mutex<Vec<CallEvent>>>);

impl CallObserver for Keep {
    fn on_call(&self, event: &CallEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

/// Both observers at once.
#[derive(Clone)]
struct Both(Arc<dyn CallObserver>, Arc<dyn CallObserver>);

impl CallObserver for Both {
    fn on_call(&self, event: &CallEvent) {
        self.0.on_call(event);
        self.1.on_call(event);
    }
}

/// A JSON-lines writer and an access log as one observer, with the lines
/// and the accesses they keep.
fn json_and_access() -> (Both, SharedWriter, Arc<Mutex<Vec<AccessEvent>>>) {
    let lines = SharedWriter::default();
    let access: Arc<Mutex<Vec<AccessEvent>>> = Arc::default();
    let log = {
        let access = Arc::clone(&access);
        AccessLog::new(move |e: &AccessEvent| access.lock().unwrap().push(e.clone()))
    };
    let both = Both(Arc::new(JsonLines::new(lines.clone())), Arc::new(log));
    (both, lines, access)
}

/// The `p1_observe.wat` run with `/rw` at fd 3 and a read-only `/ro` at
/// fd 4, and `observer` installed.
fn observed(
    rw: &std::path::Path,
    ro: &std::path::Path,
    observer: impl CallObserver + Clone + 'static,
) -> Run {
    Run::new(&p1::wat("p1_observe.wat"))
        .preopen_rw(rw, "/rw")
        .preopen(ro, "/ro", DirPerms::READ, FilePerms::READ)
        .configure(move |b| {
            b.call_observer(observer.clone());
        })
}

fn args(event: &CallEvent) -> Vec<(&'static str, Value)> {
    event.args.clone()
}

#[test]
fn every_call_is_one_event() {
    for mode in P1Mode::ALL {
        let (rw, ro) = (tempdir(), tempdir());
        let keep = Keep::default();
        let out = p1::run(&observed(rw.path(), ro.path(), keep.clone()), mode);
        assert_eq!(out.exit, Exit::Code(3), "{mode:?}");
        assert_eq!(out.stdout(), "hi\n");
        let events = keep.0.lock().unwrap().clone();
        let summary: Vec<(&str, Outcome)> = events
            .iter()
            .map(|e| (e.function, e.outcome.clone()))
            .collect();
        assert_eq!(
            summary,
            [
                ("path_open", Outcome::Err("noent".into())),
                ("path_open", Outcome::Ok(vec![("fd", Value::Fd(5))])),
                ("path_open", Outcome::Err("perm".into())),
                ("path_rename", Outcome::Ok(vec![])),
                ("fd_write", Outcome::Ok(vec![("nwritten", Value::Int(3))])),
                ("proc_exit", Outcome::Trap("exit 3".into())),
            ],
            "{mode:?}"
        );
        let open = &events[0];
        assert_eq!(open.front_end, FrontEnd::Preview1);
        assert_eq!(open.interface, "wasi_snapshot_preview1");
        assert_eq!(
            args(open),
            [
                ("fd", Value::Fd(3)),
                ("dirflags", Value::Flags(1)),
                ("path", Value::Path("missing".into())),
                ("oflags", Value::Flags(0)),
                ("fs_rights_base", Value::Flags(0x1fff_ffff)),
                ("fs_rights_inheriting", Value::Flags(0x1fff_ffff)),
                ("fdflags", Value::Flags(0)),
                ("mount", Value::Path("/rw".into())),
            ]
        );
        assert_eq!(
            args(&events[3]),
            [
                ("fd", Value::Fd(3)),
                ("old_path", Value::Path("made.txt".into())),
                ("new_fd", Value::Fd(3)),
                ("new_path", Value::Path("moved.txt".into())),
                ("mount", Value::Path("/rw".into())),
            ]
        );
        assert_eq!(
            args(&events[4]),
            [("fd", Value::Fd(1)), ("iovs", Value::Len(1))]
        );
        assert!(events.iter().all(|e| e.duration.as_secs() < 60));
        assert!(rw.path().join("moved.txt").exists());
    }
}

#[test]
fn json_lines_and_the_access_log() {
    let (rw, ro) = (tempdir(), tempdir());
    let (both, buf, access) = json_and_access();
    let out = p1::run(&observed(rw.path(), ro.path(), both), P1Mode::Sync);
    assert_eq!(out.exit, Exit::Code(3));

    let text = String::from_utf8(buf.contents()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6, "{text}");
    assert!(
        lines[0].starts_with(
            "{\"front_end\":\"preview1\",\"interface\":\"wasi_snapshot_preview1\",\
             \"function\":\"path_open\",\"args\":{\"fd\":3,\"dirflags\":\"0x1\",\
             \"path\":\"missing\","
        ),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains(",\"err\":\"noent\",\"start_ns\":"));
    assert!(lines[1].contains(",\"ok\":{\"fd\":5},"));
    assert!(
        lines[5].contains("\"function\":\"proc_exit\",\"args\":{\"rval\":3},\"trap\":\"exit 3\"")
    );

    let access = access.lock().unwrap().clone();
    let seen: Vec<(Access, u32, &str, Option<&str>, Verdict)> = access
        .iter()
        .map(|a| {
            (
                a.access,
                a.fd,
                a.path.as_str(),
                a.to.as_deref(),
                a.verdict.clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                Access::Open,
                3,
                "missing",
                None,
                Verdict::Failed("noent".into())
            ),
            (Access::Create, 3, "made.txt", None, Verdict::Allowed),
            (
                Access::Create,
                4,
                "made.txt",
                None,
                Verdict::Refused("perm".into())
            ),
            (
                Access::Rename,
                3,
                "made.txt",
                Some("moved.txt"),
                Verdict::Allowed
            ),
        ]
    );
}

#[test]
fn a_whole_program_is_traced_in_every_mode() {
    // The determinism guest (files, clocks, random, 100 timers), traced:
    // the same calls in every mode, and its output unchanged.
    let mut traces = Vec::new();
    for mode in P1Mode::ALL {
        let keep = Keep::default();
        let observer = keep.clone();
        let fs = MemoryFs::new();
        let run = Run::new(guests::p1::DETERMINISM)
            .deterministic(1)
            .arg("/mem")
            .configure(move |b| {
                b.mount(
                    "/mem",
                    Mount::memory(fs.clone()),
                    DirPerms::all(),
                    FilePerms::all(),
                );
                b.call_observer(observer.clone());
            });
        let out = p1::run(&run, mode);
        out.assert_success();
        let events = keep.0.lock().unwrap().clone();
        let calls: Vec<String> = events
            .iter()
            .map(|e| format!("{} {:?} {:?}", e.function, e.args, e.outcome))
            .collect();
        assert!(calls.len() > 200, "{mode:?}: {} calls", calls.len());
        assert!(
            calls.iter().any(|c| c.starts_with("path_rename")
                && c.contains("Path(\"out/f2.txt\")")
                && c.contains("Path(\"out/b.txt\")")),
            "{mode:?}"
        );
        traces.push(calls);
    }
    assert_eq!(traces[0], traces[1], "sync and async (current-thread)");
    assert_eq!(traces[0], traces[2], "sync and async (multi-thread)");
}

#[test]
fn hostile_arguments_are_observed_without_harm() {
    let names = [
        "case_path_oob",
        "case_path_len_huge",
        "case_path_bad_utf8",
        "case_path_fd_out_oob",
        "case_write_result_oob",
        "case_poll_count_huge",
        "case_readdir_bufused_oob",
        "case_clock_out_oob",
        "alive",
    ];
    for mode in P1Mode::ALL {
        let tmp = tempdir();
        std::fs::write(tmp.path().join("data.txt"), "hello world\n").unwrap();
        let plain = Run::new(&p1::wat("p1_bad_input.wat")).preopen_rw(tmp.path(), "/w");
        let keep = Keep::default();
        let watched = {
            let keep = keep.clone();
            plain.clone().configure(move |b| {
                b.call_observer(keep.clone());
            })
        };
        let (unobserved, _) = p1::call_exports(&plain, mode, &names);
        let (observed, _) = p1::call_exports(&watched, mode, &names);
        assert_eq!(observed, unobserved, "{mode:?}");
        let events = keep.0.lock().unwrap();
        assert!(
            events.len() >= names.len() - 1,
            "{mode:?}: {}",
            events.len()
        );
        assert!(
            events.iter().any(|e| e
                .args
                .iter()
                .any(|(_, v)| *v == Value::Path("<fault>".into()))),
            "{mode:?}: an unreadable path shows as <fault>"
        );
    }
}

/// The 0.2 `observe` guest with `/rw` and a read-only `/ro`, and
/// `observer` installed.
fn observed_p2(
    rw: &std::path::Path,
    ro: &std::path::Path,
    observer: impl CallObserver + Clone + 'static,
) -> Run {
    Run::new(guests::OBSERVE)
        .preopen_rw(rw, "/rw")
        .preopen(ro, "/ro", DirPerms::READ, FilePerms::READ)
        .configure(move |b| {
            // Sockets may be made; no address may be used.
            b.allow_tcp(true);
            b.call_observer(observer.clone());
        })
}

/// The calls the `observe` guest makes itself (its runtime makes others:
/// preopens, stdio, environment).
const P2_CALLS: [&str; 7] = [
    "[method]descriptor.open-at",
    "[method]descriptor.write",
    "[method]descriptor.rename-at",
    "get-random-bytes",
    "[method]tcp-socket.start-bind",
    "resolve-addresses",
    "exit-with-code",
];

/// A call's function, arguments and outcome.
type Summary = (&'static str, Vec<(&'static str, Value)>, Outcome);

#[test]
fn every_component_call_is_one_event() {
    for mode in Mode::ALL {
        let (rw, ro) = (tempdir(), tempdir());
        let keep = Keep::default();
        let out = observed_p2(rw.path(), ro.path(), keep.clone()).run(mode);
        out.assert_code(3);
        let events = keep.0.lock().unwrap().clone();
        assert!(
            events.iter().all(|e| e.front_end == FrontEnd::Preview2),
            "{mode:?}"
        );
        assert!(
            events
                .iter()
                .any(|e| (e.interface, e.function) == ("wasi:clocks/monotonic-clock", "now")),
            "{mode:?}"
        );
        assert!(
            events.iter().any(|e| e.function == "get-directories"
                && e.outcome == Outcome::Ok(vec![("ret", Value::Len(2))])),
            "{mode:?}"
        );
        let mine: Vec<&CallEvent> = events
            .iter()
            .filter(|e| P2_CALLS.contains(&e.function))
            .collect();
        let summary: Vec<Summary> = mine
            .iter()
            .map(|e| (e.function, e.args.clone(), e.outcome.clone()))
            .collect();
        let fd = |e: &CallEvent, name: &str| match e.args.iter().find(|(n, _)| *n == name) {
            Some((_, Value::Fd(fd))) => *fd,
            other => panic!("{mode:?}: {name} of {}: {other:?}", e.function),
        };
        let rw_fd = fd(mine[0], "self");
        let ro_fd = fd(mine[3], "self");
        let made = match &mine[1].outcome {
            Outcome::Ok(v) => match v.as_slice() {
                [("ret", Value::Fd(made))] => *made,
                other => panic!("{mode:?}: {other:?}"),
            },
            other => panic!("{mode:?}: {other:?}"),
        };
        let path = |p: &str| Value::Path(p.into());
        let socket = fd(mine[6], "self");
        let network = fd(mine[6], "network");
        assert_eq!(
            summary,
            [
                (
                    "[method]descriptor.open-at",
                    vec![
                        ("self", Value::Fd(rw_fd)),
                        ("path_flags", Value::Flags(0)),
                        ("path", path("missing")),
                        ("oflags", Value::Flags(0)),
                        ("flags", Value::Flags(1)),
                        ("mount", path("/rw")),
                    ],
                    Outcome::Err("no-entry".into()),
                ),
                (
                    "[method]descriptor.open-at",
                    vec![
                        ("self", Value::Fd(rw_fd)),
                        ("path_flags", Value::Flags(0)),
                        ("path", path("made.txt")),
                        ("oflags", Value::Flags(1)),
                        ("flags", Value::Flags(2)),
                        ("mount", path("/rw")),
                    ],
                    Outcome::Ok(vec![("ret", Value::Fd(made))]),
                ),
                (
                    "[method]descriptor.write",
                    vec![
                        ("self", Value::Fd(made)),
                        ("buf", Value::Len(3)),
                        ("offset", Value::Int(0)),
                        ("mount", path("/rw")),
                    ],
                    Outcome::Ok(vec![("ret", Value::Int(3))]),
                ),
                (
                    "[method]descriptor.open-at",
                    vec![
                        ("self", Value::Fd(ro_fd)),
                        ("path_flags", Value::Flags(0)),
                        ("path", path("made.txt")),
                        ("oflags", Value::Flags(1)),
                        ("flags", Value::Flags(2)),
                        ("mount", path("/ro")),
                    ],
                    Outcome::Err("not-permitted".into()),
                ),
                (
                    "[method]descriptor.rename-at",
                    vec![
                        ("self", Value::Fd(rw_fd)),
                        ("old_path", path("made.txt")),
                        ("new_fd", Value::Fd(rw_fd)),
                        ("new_path", path("moved.txt")),
                        ("mount", path("/rw")),
                    ],
                    Outcome::Ok(vec![]),
                ),
                (
                    "get-random-bytes",
                    vec![("len", Value::Int(8))],
                    Outcome::Ok(vec![("ret", Value::Len(8))]),
                ),
                (
                    "[method]tcp-socket.start-bind",
                    vec![
                        ("self", Value::Fd(socket)),
                        ("network", Value::Fd(network)),
                        ("local_address", Value::Text("127.0.0.1:0".into())),
                    ],
                    Outcome::Err("access-denied".into()),
                ),
                (
                    "resolve-addresses",
                    vec![("network", Value::Fd(network)), ("name", path("localhost"))],
                    mine[7].outcome.clone(),
                ),
                (
                    "exit-with-code",
                    vec![("status_code", Value::Int(3))],
                    Outcome::Trap("exit 3".into()),
                ),
            ],
            "{mode:?}"
        );
        assert!(rw.path().join("moved.txt").exists());
    }
}

#[test]
fn component_calls_in_json_lines_and_the_access_log() {
    let (rw, ro) = (tempdir(), tempdir());
    let (both, buf, access) = json_and_access();
    observed_p2(rw.path(), ro.path(), both)
        .run(Mode::Sync)
        .assert_code(3);

    let text = String::from_utf8(buf.contents()).unwrap();
    let write = text
        .lines()
        .find(|l| l.contains("\"function\":\"[method]descriptor.write\""))
        .expect("a write line");
    assert!(
        write.starts_with(
            "{\"front_end\":\"preview2\",\"interface\":\"wasi:filesystem/types\",\
             \"function\":\"[method]descriptor.write\",\"args\":{\"self\":"
        ),
        "{write}"
    );
    assert!(
        write.contains(",\"buf\":{\"len\":3},\"offset\":0,\"mount\":\"/rw\"},\"ok\":{\"ret\":3},"),
        "{write}"
    );
    assert!(text.contains(
        "\"function\":\"exit-with-code\",\"args\":{\"status_code\":3},\"trap\":\"exit 3\""
    ));

    let access = access.lock().unwrap().clone();
    let seen: Vec<(Access, &str, Option<&str>, Verdict)> = access
        .iter()
        .map(|a| {
            (
                a.access,
                a.path.as_str(),
                a.to.as_deref(),
                a.verdict.clone(),
            )
        })
        .collect();
    assert_eq!(
        seen[..5],
        [
            (
                Access::Open,
                "missing",
                None,
                Verdict::Failed("no-entry".into())
            ),
            (Access::Create, "made.txt", None, Verdict::Allowed),
            (
                Access::Create,
                "made.txt",
                None,
                Verdict::Refused("not-permitted".into())
            ),
            (
                Access::Rename,
                "made.txt",
                Some("moved.txt"),
                Verdict::Allowed
            ),
            (
                Access::Bind,
                "127.0.0.1:0",
                None,
                Verdict::Refused("access-denied".into())
            ),
        ]
    );
    let mounts: Vec<Option<&str>> = access.iter().map(|a| a.mount.as_deref()).collect();
    assert_eq!(
        mounts,
        [
            Some("/rw"),
            Some("/rw"),
            Some("/ro"),
            Some("/rw"),
            None,
            None
        ]
    );
    assert_eq!(seen[5].0, Access::Lookup);
    assert_eq!(seen[5].1, "localhost");
    assert_eq!(seen.len(), 6);
}

#[test]
fn a_whole_component_is_traced_alike_in_every_mode() {
    // The 0.2 determinism guest (files, clocks, random, 100 timers),
    // traced: the same calls in every mode, and its output unchanged.
    let mut traces = Vec::new();
    for mode in Mode::ALL {
        let keep = Keep::default();
        let observer = keep.clone();
        let fs = MemoryFs::new();
        let run = Run::new(guests::DETERMINISM)
            .deterministic(1)
            .arg("/mem")
            .configure(move |b| {
                b.mount(
                    "/mem",
                    Mount::memory(fs.clone()),
                    DirPerms::all(),
                    FilePerms::all(),
                );
                b.call_observer(observer.clone());
            });
        run.run(mode).assert_success();
        let events = keep.0.lock().unwrap().clone();
        let calls: Vec<String> = events
            .iter()
            .map(|e| format!("{} {:?} {:?}", e.function, e.args, e.outcome))
            .collect();
        assert!(calls.len() > 200, "{mode:?}: {} calls", calls.len());
        assert!(calls.iter().any(|c| c.starts_with("poll ")), "{mode:?}");
        traces.push(calls);
    }
    assert_eq!(traces[0], traces[1], "sync and async (current-thread)");
    assert_eq!(traces[0], traces[2], "sync and async (multi-thread)");
}

/// The 0.3 `p3_observe` guest with `/rw` and a read-only `/ro`, and
/// `observer` installed (sockets may be made, no address may be used).
fn observed_p3(
    rw: &std::path::Path,
    ro: &std::path::Path,
    observer: impl CallObserver + Clone + 'static,
) -> Run {
    let mut run = Run::new(guests::p3::P3_OBSERVE)
        .preopen_rw(rw, "/rw")
        .preopen(ro, "/ro", DirPerms::READ, FilePerms::READ)
        .configure(move |b| {
            b.allow_tcp(true);
            b.call_observer(observer.clone());
        });
    run.p3 = true;
    run
}

/// A 0.3 call's interface, function, arguments and outcome.
type P3Summary = (
    &'static str,
    &'static str,
    Vec<(&'static str, Value)>,
    Outcome,
);

#[test]
fn every_p3_call_is_one_event() {
    for mode in Mode::ASYNC {
        let (rw, ro) = (tempdir(), tempdir());
        let keep = Keep::default();
        let out = observed_p3(rw.path(), ro.path(), keep.clone()).run(mode);
        out.assert_code(3);
        let events = keep.0.lock().unwrap().clone();
        // The guest's 0.2 imports (its runtime's) report as 0.2; every
        // 0.3 call is the guest's own.
        let mine: Vec<&CallEvent> = events
            .iter()
            .filter(|e| e.front_end == FrontEnd::Preview3)
            .collect();
        let summary: Vec<P3Summary> = mine
            .iter()
            .map(|e| (e.interface, e.function, e.args.clone(), e.outcome.clone()))
            .collect();
        let fd = |i: usize, name: &str| match mine[i].args.iter().find(|(n, _)| *n == name) {
            Some((_, Value::Fd(fd))) => *fd,
            other => panic!("{mode:?}: {name} of {}: {other:?}", mine[i].function),
        };
        let returned = |i: usize| match &mine[i].outcome {
            Outcome::Ok(v) => match v.as_slice() {
                [("ret", Value::Fd(fd))] => *fd,
                other => panic!("{mode:?}: {other:?}"),
            },
            other => panic!("{mode:?}: {other:?}"),
        };
        assert!(mine.len() > 15, "{mode:?}: {summary:#?}");
        let (rw_fd, ro_fd, made, socket) =
            (fd(4, "self"), fd(8, "self"), returned(5), fd(13, "self"));
        let path = |p: &str| Value::Path(p.into());
        let fs = "wasi:filesystem/types";
        let mount = |dir: u32| path(if dir == rw_fd { "/rw" } else { "/ro" });
        let open = |dir: u32, p: &str, open_flags: u64, flags: u64| {
            vec![
                ("self", Value::Fd(dir)),
                ("path_flags", Value::Flags(0)),
                ("path", path(p)),
                ("open_flags", Value::Flags(open_flags)),
                ("flags", Value::Flags(flags)),
                ("mount", mount(dir)),
            ]
        };
        let directories = (
            "wasi:filesystem/preopens",
            "get-directories",
            vec![],
            Outcome::Ok(vec![("ret", Value::Len(2))]),
        );
        let dropped = |i: usize| {
            (
                fs,
                "[resource-drop]descriptor",
                vec![("rep", Value::Fd(fd(i, "rep")))],
                Outcome::Ok(vec![]),
            )
        };
        assert_eq!(
            summary,
            [
                directories.clone(),
                dropped(1),
                directories,
                dropped(3),
                (
                    fs,
                    "[method]descriptor.open-at",
                    open(rw_fd, "missing", 0, 1),
                    Outcome::Err("no-entry".into()),
                ),
                (
                    fs,
                    "[method]descriptor.open-at",
                    open(rw_fd, "made.txt", 1, 2),
                    Outcome::Ok(vec![("ret", Value::Fd(made))]),
                ),
                (
                    fs,
                    "[method]descriptor.write-via-stream",
                    vec![
                        ("self", Value::Fd(made)),
                        ("data", Value::Text("stream".into())),
                        ("offset", Value::Int(0)),
                        ("mount", path("/rw")),
                    ],
                    Outcome::Ok(vec![("ret", Value::Text("future".into()))]),
                ),
                (
                    fs,
                    "[resource-drop]descriptor",
                    vec![("rep", Value::Fd(made))],
                    Outcome::Ok(vec![]),
                ),
                (
                    fs,
                    "[method]descriptor.open-at",
                    open(ro_fd, "made.txt", 1, 2),
                    Outcome::Err("not-permitted".into()),
                ),
                (
                    fs,
                    "[method]descriptor.rename-at",
                    vec![
                        ("self", Value::Fd(rw_fd)),
                        ("old_path", path("made.txt")),
                        ("new_descriptor", Value::Fd(rw_fd)),
                        ("new_path", path("moved.txt")),
                        ("mount", path("/rw")),
                    ],
                    Outcome::Ok(vec![]),
                ),
                (
                    "wasi:random/random",
                    "get-random-bytes",
                    vec![("max_len", Value::Int(8))],
                    Outcome::Ok(vec![("ret", Value::Len(8))]),
                ),
                (
                    "wasi:clocks/monotonic-clock",
                    "now",
                    vec![],
                    mine[11].outcome.clone(),
                ),
                (
                    "wasi:sockets/types",
                    "[static]tcp-socket.create",
                    vec![(
                        "address_family",
                        Value::Text("IpAddressFamily::Ipv4".into())
                    )],
                    Outcome::Ok(vec![("ret", Value::Fd(socket))]),
                ),
                (
                    "wasi:sockets/types",
                    "[method]tcp-socket.bind",
                    vec![
                        ("self", Value::Fd(socket)),
                        ("local_address", Value::Text("127.0.0.1:0".into())),
                    ],
                    Outcome::Err("access-denied".into()),
                ),
                (
                    "wasi:sockets/ip-name-lookup",
                    "resolve-addresses",
                    vec![("name", path("localhost"))],
                    Outcome::Err("permanent-resolver-failure".into()),
                ),
                (
                    "wasi:cli/exit",
                    "exit-with-code",
                    vec![("status_code", Value::Int(3))],
                    Outcome::Trap("exit 3".into()),
                ),
            ],
            "{mode:?}"
        );
        assert!(
            matches!(&mine[11].outcome, Outcome::Ok(v) if matches!(v.as_slice(), [("ret", Value::Int(_))])),
            "{mode:?}: {:?}",
            mine[11].outcome
        );
        assert_eq!(std::fs::read(rw.path().join("moved.txt")).unwrap(), b"abc");
    }
}

#[test]
fn p3_calls_in_json_lines_and_the_access_log() {
    let (rw, ro) = (tempdir(), tempdir());
    let (both, buf, access) = json_and_access();
    observed_p3(rw.path(), ro.path(), both)
        .run(Mode::AsyncCurrentThread)
        .assert_code(3);

    let text = String::from_utf8(buf.contents()).unwrap();
    let bind = text
        .lines()
        .find(|l| l.contains("\"function\":\"[method]tcp-socket.bind\""))
        .expect("a bind line");
    assert!(
        bind.starts_with(
            "{\"front_end\":\"preview3\",\"interface\":\"wasi:sockets/types\",\
             \"function\":\"[method]tcp-socket.bind\",\"args\":{\"self\":"
        ),
        "{bind}"
    );
    assert!(
        bind.contains(",\"local_address\":\"127.0.0.1:0\"},\"err\":\"access-denied\","),
        "{bind}"
    );
    assert!(text.contains(
        "\"front_end\":\"preview3\",\"interface\":\"wasi:cli/exit\",\
         \"function\":\"exit-with-code\",\"args\":{\"status_code\":3},\"trap\":\"exit 3\""
    ));

    let access = access.lock().unwrap().clone();
    let seen: Vec<(Access, &str, &str, Option<&str>, Verdict)> = access
        .iter()
        .map(|a| {
            (
                a.access,
                a.function,
                a.path.as_str(),
                a.to.as_deref(),
                a.verdict.clone(),
            )
        })
        .collect();
    let open = "[method]descriptor.open-at";
    assert_eq!(
        seen,
        [
            (
                Access::Open,
                open,
                "missing",
                None,
                Verdict::Failed("no-entry".into())
            ),
            (Access::Create, open, "made.txt", None, Verdict::Allowed),
            (
                Access::Create,
                open,
                "made.txt",
                None,
                Verdict::Refused("not-permitted".into())
            ),
            (
                Access::Rename,
                "[method]descriptor.rename-at",
                "made.txt",
                Some("moved.txt"),
                Verdict::Allowed
            ),
            (
                Access::Bind,
                "[method]tcp-socket.bind",
                "127.0.0.1:0",
                None,
                Verdict::Refused("access-denied".into())
            ),
            (
                Access::Lookup,
                "resolve-addresses",
                "localhost",
                None,
                Verdict::Failed("permanent-resolver-failure".into())
            ),
        ]
    );
    // The filesystem entries name their mount, as 0.2's do.
    let mounts: Vec<Option<&str>> = access.iter().map(|a| a.mount.as_deref()).collect();
    assert_eq!(
        &mounts[..4],
        [Some("/rw"), Some("/rw"), Some("/ro"), Some("/rw")]
    );
}

#[test]
fn a_whole_p3_component_is_traced_alike_in_both_async_modes() {
    // The 0.3 determinism guest (clocks, an hour's wait, random, 100
    // concurrent waits), traced: the same 0.3 calls in both modes, each
    // wait one event from its start to its end.
    let mut traces = Vec::new();
    for mode in Mode::ASYNC {
        let keep = Keep::default();
        let observer = keep.clone();
        let fs = MemoryFs::new();
        let mut run = Run::new(guests::p3::P3_DETERMINISM)
            .deterministic(1)
            .args(["/mem", "/host"])
            .configure(move |b| {
                b.mount(
                    "/mem",
                    Mount::memory(fs.clone()),
                    DirPerms::all(),
                    FilePerms::all(),
                );
                b.call_observer(observer.clone());
            });
        run.p3 = true;
        run.run(mode).assert_success();
        let events = keep.0.lock().unwrap().clone();
        let calls: Vec<String> = events
            .iter()
            .filter(|e| e.front_end == FrontEnd::Preview3)
            .map(|e| {
                format!(
                    "{} {} {:?} {:?}",
                    e.interface, e.function, e.args, e.outcome
                )
            })
            .collect();
        let waits: Vec<&CallEvent> = events.iter().filter(|e| e.function == "wait-for").collect();
        assert_eq!(waits.len(), 101, "{mode:?}");
        assert_eq!(
            waits[0].args,
            [("how_long", Value::Int(3_600_000_000_000))],
            "{mode:?}"
        );
        assert!(
            waits.iter().all(|e| e.outcome == Outcome::Ok(vec![])),
            "{mode:?}"
        );
        assert!(
            events.iter().any(|e| e.function == "wait-until"),
            "{mode:?}"
        );
        assert!(
            calls
                .iter()
                .any(|c| c.starts_with("wasi:cli/stdout write-via-stream ")),
            "{mode:?}"
        );
        traces.push(calls);
    }
    assert_eq!(
        traces[0], traces[1],
        "async (current-thread) and async (multi-thread)"
    );
}

#[test]
fn p3_accepts_are_in_the_access_log() {
    // 0.3 accepts in `listen`'s stream, which is no call: each connection
    // it hands over is an event of its own, and an accept in the log.
    for mode in Mode::ASYNC {
        let (both, lines, access) = json_and_access();
        let mut run = Run::new(guests::p3::P3_NET).args(["accept", "3"]);
        run.p3 = true;
        let out = run
            .configure(move |b| {
                b.allow_tcp(true)
                    .inherit_network()
                    .call_observer(both.clone());
            })
            .run(mode);
        out.assert_success();
        out.assert_line("accepted 3");
        let accepts: Vec<AccessEvent> = access
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.access == Access::Accept)
            .cloned()
            .collect();
        assert_eq!(accepts.len(), 3, "{mode:?}: {accepts:#?}");
        let listener = accepts[0].fd;
        for a in &accepts {
            assert_eq!(
                (a.function, a.fd, a.verdict.clone()),
                ("[stream-item]tcp-socket.listen", listener, Verdict::Allowed),
                "{mode:?}"
            );
        }
        let text = String::from_utf8(lines.contents()).unwrap();
        assert_eq!(
            text.matches("\"function\":\"[stream-item]tcp-socket.listen\",\"args\":{\"self\":")
                .count(),
            3,
            "{mode:?}: {text}"
        );
    }
}
