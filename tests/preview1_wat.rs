//! Hostile preview 1 calls from a module written in WAT
//! (`tests/wat/p1_bad_input.wat`): out-of-bounds pointers, lengths that
//! overflow, huge iovec counts, unknown descriptors, invalid flag bits and
//! enum values each get the spec's errno, in every linker mode, and the
//! host keeps serving the instance afterwards.

use crate::common;
use common::p1::{self, P1Mode};
use common::{Run, tempdir};

const FAULT: i32 = 21;
const OVERFLOW: i32 = 61;
const INVAL: i32 = 28;
const BADF: i32 = 8;
const ILSEQ: i32 = 25;
const NOSYS: i32 = 52;

/// Each case and the errnos the spec allows for it.
const CASES: &[(&str, &[i32])] = &[
    ("case_write_iovs_oob", &[FAULT]),
    ("case_write_iovs_straddle", &[FAULT]),
    ("case_write_buf_oob", &[FAULT]),
    ("case_write_buf_wraps", &[FAULT, OVERFLOW]),
    ("case_write_count_overflows", &[FAULT, OVERFLOW]),
    ("case_write_count_huge", &[FAULT]),
    ("case_write_count_max", &[FAULT, OVERFLOW]),
    ("case_write_result_oob", &[FAULT]),
    ("case_read_buf_oob", &[FAULT]),
    ("case_pread_count_huge", &[FAULT]),
    ("case_pread_buf_oob", &[FAULT]),
    ("case_args_sizes_oob", &[FAULT]),
    ("case_args_get_oob", &[FAULT]),
    ("case_environ_buf_oob", &[FAULT]),
    ("case_clock_out_oob", &[FAULT]),
    ("case_clock_bad_id", &[INVAL]),
    ("case_clock_res_bad_id", &[INVAL]),
    ("case_random_oob", &[FAULT]),
    ("case_random_wraps", &[FAULT, OVERFLOW, INVAL]),
    ("case_prestat_name_oob", &[FAULT]),
    ("case_path_oob", &[FAULT]),
    ("case_path_len_huge", &[FAULT, OVERFLOW]),
    ("case_path_bad_utf8", &[ILSEQ]),
    ("case_path_fd_out_oob", &[FAULT]),
    ("case_path_oflags_bad", &[INVAL]),
    ("case_path_fdflags_bad", &[INVAL]),
    ("case_path_lookupflags_bad", &[INVAL]),
    ("case_path_rights_bad", &[INVAL]),
    ("case_path_bad_fd", &[BADF]),
    ("case_path_nul", &[ILSEQ, INVAL]),
    ("case_poll_in_oob", &[FAULT]),
    ("case_poll_out_oob", &[FAULT]),
    ("case_poll_count_huge", &[FAULT, OVERFLOW]),
    ("case_poll_nevents_oob", &[FAULT]),
    ("case_poll_bad_tag", &[INVAL]),
    ("case_poll_zero", &[INVAL]),
    ("case_readdir_buf_oob", &[FAULT]),
    ("case_readdir_bufused_oob", &[FAULT]),
    ("case_bad_fd_write", &[BADF]),
    ("case_bad_fd_close", &[BADF]),
    ("case_bad_fd_renumber_target", &[BADF]),
    ("case_bad_fd_renumber_source", &[BADF]),
    ("case_bad_fd_seek", &[BADF]),
    ("case_bad_fd_fdstat", &[BADF]),
    ("case_fdstat_out_oob", &[FAULT]),
    ("case_set_flags_bad", &[INVAL]),
    ("case_set_times_bad_bits", &[INVAL]),
    ("case_set_times_contradictory", &[INVAL]),
    ("case_seek_bad_whence", &[INVAL]),
    ("case_seek_out_oob", &[FAULT]),
    ("case_seek_negative", &[INVAL]),
    ("case_advise_bad", &[INVAL]),
    ("case_filestat_out_oob", &[FAULT]),
    ("case_path_filestat_out_oob", &[FAULT]),
    ("case_readlink_buf_oob", &[FAULT]),
    ("case_raise_bad_signal", &[INVAL, NOSYS]),
];

#[test]
fn hostile_calls_get_the_spec_errno_and_the_host_survives() {
    for mode in P1Mode::ALL {
        let tmp = tempdir();
        std::fs::write(tmp.path().join("data.txt"), "hello world\n").unwrap();
        std::os::unix::fs::symlink("data.txt", tmp.path().join("ln")).unwrap();
        let run = Run::new(&p1::wat("p1_bad_input.wat"))
            .arg("one")
            .env("KEY", "value")
            .stdin("some stdin data")
            .preopen_rw(tmp.path(), "/w");
        let mut names: Vec<&str> = CASES.iter().map(|(n, _)| *n).collect();
        names.push("alive");
        let (results, stdout) = p1::call_exports(&run, mode, &names);
        let mut wrong = Vec::new();
        for ((name, allowed), got) in CASES.iter().zip(&results) {
            match got {
                Ok(e) if allowed.contains(e) => {}
                other => wrong.push(format!("{name}: got {other:?}, want one of {allowed:?}")),
            }
        }
        assert!(
            wrong.is_empty(),
            "{mode:?}: {} wrong errno(s):\n  {}",
            wrong.len(),
            wrong.join("\n  ")
        );
        assert_eq!(results.last().unwrap(), &Ok(0), "{mode:?}: alive");
        let stdout = String::from_utf8_lossy(&stdout);
        assert!(stdout.ends_with("alive\n"), "{mode:?}: {stdout:?}");
        // Nothing was created by the failed calls.
        let mut names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["data.txt", "ln"], "{mode:?}");
    }
}

/// A subscriber that wants everything at trace level: while one exists,
/// the linker glue takes the generated path of every call (with its
/// spans) instead of its shortcuts.
struct TraceAll;

impl tracing::Subscriber for TraceAll {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, _: &tracing::Event<'_>) {}
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// The shortcuts of the hot calls (`clock_time_get`, `random_get`,
/// `fd_write` to a memory pipe) answer every hostile call exactly as the
/// generated path does: the same errno, the same output.
#[test]
fn shortcuts_answer_as_the_generated_path() {
    let names: Vec<&str> = CASES.iter().map(|(n, _)| *n).chain(["alive"]).collect();
    for mode in P1Mode::ALL {
        let run_all = || {
            let tmp = tempdir();
            std::fs::write(tmp.path().join("data.txt"), "hello world\n").unwrap();
            let run = Run::new(&p1::wat("p1_bad_input.wat"))
                .arg("one")
                .stdin("some stdin data")
                .preopen_rw(tmp.path(), "/w");
            p1::call_exports(&run, mode, &names)
        };
        let shortcut = run_all();
        let dispatch = tracing::Dispatch::new(TraceAll);
        assert!(
            tracing::level_enabled!(tracing::Level::TRACE),
            "a trace-level subscriber turns the shortcuts off"
        );
        let generated = tracing::dispatcher::with_default(&dispatch, run_all);
        assert_eq!(shortcut, generated, "{mode:?}");
    }
}
