//! wasi:clocks through the `clocks` guest, with the host's clocks and with
//! clocks supplied through the builder.

use crate::common;
use common::{Mode, Run, guests};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use wasi_host::{HostMonotonicClock, HostWallClock};

#[test]
fn clocks_behave() {
    for mode in Mode::ALL {
        let out = Run::new(guests::CLOCKS).arg("check").run(mode);
        out.assert_success();
        for l in [
            "wall ok",
            "monotonic ok",
            "past ok",
            "overflow ok",
            "instant ok",
            "std ok",
        ] {
            out.assert_line(l);
        }
        let waited: u64 = out.value("waited-ms=").parse().unwrap();
        assert!((20..2000).contains(&waited), "20 ms timer took {waited} ms");
    }
}

#[test]
fn host_clocks_are_plausible() {
    for mode in Mode::ALL {
        let out = Run::new(guests::CLOCKS).arg("print").run(mode);
        out.assert_success();
        let wall = out.value("wall ");
        let secs: u64 = wall.split(' ').next().unwrap().parse().unwrap();
        let host = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(
            secs.abs_diff(host) < 60,
            "guest wall clock {secs}, host {host}"
        );
    }
}

struct FixedWall;
impl HostWallClock for FixedWall {
    fn resolution(&self) -> Duration {
        Duration::from_millis(1)
    }
    fn now(&self) -> Duration {
        Duration::new(1_234_567_890, 987_654_321)
    }
}

struct FixedMono;
impl HostMonotonicClock for FixedMono {
    fn resolution(&self) -> u64 {
        7
    }
    fn now(&self) -> u64 {
        42_000
    }
}

#[test]
fn builder_clocks_are_used() {
    for mode in Mode::ALL {
        let out = Run::new(guests::CLOCKS)
            .arg("print")
            .configure(|b| {
                b.wall_clock(FixedWall).monotonic_clock(FixedMono);
            })
            .run(mode);
        out.assert_success();
        assert_eq!(
            out.lines(),
            vec![
                "wall 1234567890 987654321",
                "wall-res 0 1000000",
                "mono 42000",
                "mono-res 7",
                "std-systemtime 1234567890 987654321",
            ],
            "{out:?}"
        );
    }
}

/// A wall clock before 1970: the guest's datetime cannot express it.
struct AncientWall;
impl HostWallClock for AncientWall {
    fn resolution(&self) -> Duration {
        Duration::from_nanos(1)
    }
    fn now(&self) -> Duration {
        Duration::MAX
    }
}

#[test]
fn extreme_clock_values_do_not_panic_the_host() {
    for mode in Mode::ALL {
        let out = Run::new(guests::CLOCKS)
            .arg("print")
            .configure(|b| {
                b.wall_clock(AncientWall);
            })
            .run(mode);
        // Whatever the guest sees, the host must not panic (Run::run fails
        // the test on a host panic).
        let _ = out;
    }
}
