//! wasi:io/poll through the `poll` guest: hundreds of pollables mixing
//! clocks and streams, `ready`, `block`, and the trap for an empty list.

use crate::common;
use common::{Mode, Run, guests};

fn counts(out: &common::Outcome) -> (usize, usize) {
    let line = out.value("ready-returned=");
    let (k, m) = line.split_once(" expected-ready=").expect("report line");
    (k.parse().unwrap(), m.parse().unwrap())
}

#[test]
fn poll_over_hundreds_of_pollables() {
    for mode in Mode::ALL {
        let out = Run::new(guests::POLL).args(["many", "600"]).run(mode);
        out.assert_success();
        out.assert_line("timer among 300 never-ready: ok");
        out.assert_line("block ok");
        let (returned, ready) = counts(&out);
        assert!(returned >= 1 && returned <= ready);
    }
}

#[test]
fn poll_reports_every_ready_pollable() {
    // The spec allows reporting a subset; this host reports them all (as
    // other hosts do), which guests that poll for many streams rely on.
    for mode in Mode::ALL {
        let out = Run::new(guests::POLL).args(["many", "300"]).run(mode);
        out.assert_success();
        let (returned, ready) = counts(&out);
        assert_eq!(returned, ready, "{out:?}");
    }
}

#[test]
fn repeated_polls_do_not_leak_or_slow_down() {
    for mode in Mode::ALL {
        let out = Run::new(guests::POLL)
            .args(["repeat", "100", "300"])
            .run(mode);
        out.assert_success().assert_line("repeat ok");
    }
}

#[test]
fn poll_of_an_empty_list_traps() {
    for mode in Mode::ALL {
        let out = Run::new(guests::POLL).arg("empty").run(mode);
        out.assert_trap();
        out.assert_line("polling an empty list");
        assert!(!out.stdout().contains("returned"), "{out:?}");
    }
}

#[test]
fn stdin_pollable_is_ready_with_data_and_when_closed() {
    for mode in Mode::ALL {
        Run::new(guests::POLL)
            .arg("stdin")
            .stdin("data")
            .run(mode)
            .assert_success()
            .assert_line("stdin ready");
        Run::new(guests::POLL)
            .arg("stdin")
            .run(mode)
            .assert_success()
            .assert_line("stdin ready");
    }
}
