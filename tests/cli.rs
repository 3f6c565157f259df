//! wasi:cli through real guests: args, environment, stdin, stdout, stderr,
//! exit codes, traps, terminals (both linkers).

use crate::common;
use common::{Exit, Mode, Run, guests};

#[test]
fn cli_basics_prints_what_it_prints_natively() {
    let stdin = "line one\nline two\n";
    for mode in Mode::ALL {
        let out = Run::new(guests::CLI_BASICS)
            .args(["first", "second arg"])
            .env("B", "two words")
            .env("A", "1")
            .stdin(stdin)
            .run(mode);
        // std::process::exit(3) goes through wasi-libc, which calls
        // wasi:cli/exit.exit(err) for any non-zero code (the program imports
        // no exit-with-code), so the host sees status 1.
        out.assert_code(1);
        let expected = "\
argc=3
arg[0]=cli_basics
arg[1]=first
arg[2]=second arg
env A=1
env B=two words
stdin bytes=18
stdin> line one
stdin> line two
systemtime plausible=true
slept>=10ms=true
getrandom nonzero=true
exiting with 3
";
        assert_eq!(out.stdout(), expected, "{out:?}");
        assert!(
            out.stderr().contains("stderr: hello from cli_basics\n"),
            "{out:?}"
        );
        assert!(out.stderr().contains("stderr: slept "), "{out:?}");
    }
}

#[test]
fn exit_codes_through_std() {
    for mode in Mode::ALL {
        for (code, want) in [("0", 0), ("1", 1), ("255", 1), ("3", 1)] {
            let out = Run::new(guests::EXIT_CODE).args(["std", code]).run(mode);
            out.assert_code(want);
            out.assert_line("before-exit std");
        }
    }
}

#[test]
fn exit_with_code_reports_the_code() {
    for mode in Mode::ALL {
        for code in [0, 1, 255, 42] {
            let out = Run::new(guests::EXIT_WITH_CODE)
                .arg(code.to_string())
                .run(mode);
            out.assert_code(code);
            out.assert_line(&format!("before-exit {code}"));
        }
    }
}

#[test]
fn exit_paths() {
    for mode in Mode::ALL {
        let out = Run::new(guests::EXIT_CODE).arg("return-ok").run(mode);
        out.assert_code(0);
        let out = Run::new(guests::EXIT_CODE).arg("return-err").run(mode);
        out.assert_code(1);
        assert!(out.stderr().contains("MainError"), "{out:?}");
        let out = Run::new(guests::EXIT_CODE).arg("wasi-ok").run(mode);
        out.assert_code(0);
        out.assert_line("before-exit wasi-ok");
        let out = Run::new(guests::EXIT_CODE).arg("wasi-err").run(mode);
        out.assert_code(1);
        out.assert_line("before-exit wasi-err");
    }
}

#[test]
fn exit_surfaces_as_i32exit() {
    // The raw error, not through the helper: exit(err) is an error that
    // downcasts to I32Exit(1); exit-with-code(7) to I32Exit(7).
    for (wasm, args, code) in [
        (guests::EXIT_CODE, vec!["wasi-err"], 1),
        (guests::EXIT_WITH_CODE, vec!["7"], 7),
    ] {
        let run = Run::new(wasm).args(args);
        let (ctx, _out, _err) = run.build_ctx();
        let component = common::component(wasm);
        let engine = common::engine();
        let mut linker = wasmtime::component::Linker::<common::Ctx>::new(engine);
        wasi_host::add_to_linker_sync(&mut linker).unwrap();
        let mut store = wasmtime::Store::new(
            engine,
            common::Ctx {
                table: wasi_host::ResourceTable::new(),
                wasi: ctx,
            },
        );
        store.set_epoch_deadline(1000);
        let cmd = wasi_host::bindings::sync::Command::instantiate(&mut store, &component, &linker)
            .unwrap();
        let err = cmd.wasi_cli_run().call_run(&mut store).unwrap_err();
        let exit = err
            .downcast_ref::<wasi_host::I32Exit>()
            .unwrap_or_else(|| panic!("not an I32Exit: {err:?}"));
        assert_eq!(exit.0, code);
    }
}

#[test]
fn panic_is_a_trap_with_the_message_on_stderr() {
    for mode in Mode::ALL {
        let out = Run::new(guests::EXIT_CODE).arg("panic").run(mode);
        out.assert_trap();
        assert!(
            out.stderr().contains("guest panicked on purpose"),
            "{out:?}"
        );
    }
}

#[test]
fn unreachable_traps() {
    for mode in Mode::ALL {
        let out = Run::new(guests::TRAP).arg("unreachable").run(mode);
        let msg = out.assert_trap().to_string();
        assert!(msg.contains("unreachable"), "trap text: {msg}");
        out.assert_line("before-trap unreachable");
        assert!(!out.stdout().contains("after-trap"));
    }
}

#[test]
fn stack_overflow_and_bad_memory_access_trap() {
    for mode in Mode::ALL {
        for case in ["stack-overflow", "oob"] {
            let out = Run::new(guests::TRAP).arg(case).run(mode);
            out.assert_trap();
            out.assert_line(&format!("before-trap {case}"));
        }
    }
}

#[test]
fn environment_as_given() {
    for mode in Mode::ALL {
        let out = Run::new(guests::ENVIRONMENT)
            .args(["a", "b c", "", "ünïcode"])
            .env("Z", "last-added-first")
            .env("A", "=equals=")
            .env("EMPTY", "")
            .run(mode);
        out.assert_success();
        assert_eq!(
            out.lines(),
            vec![
                "arg environment",
                "arg a",
                "arg b c",
                "arg ",
                "arg ünïcode",
                "env Z=last-added-first",
                "env A==equals=",
                "env EMPTY=",
                "cwd none",
            ],
            "{out:?}"
        );
    }
}

#[test]
fn initial_cwd_is_reported() {
    for mode in Mode::ALL {
        let out = Run::new(guests::ENVIRONMENT)
            .configure(|b| {
                b.initial_cwd("/work/dir");
            })
            .run(mode);
        out.assert_success().assert_line("cwd /work/dir");
    }
}

#[test]
fn inherit_args_and_env() {
    for mode in Mode::ALL {
        let out = Run::new(guests::ENVIRONMENT)
            .configure(|b| {
                b.inherit_args().inherit_env();
            })
            .run(mode);
        out.assert_success();
        let lines = out.lines();
        let args: Vec<String> = lines
            .iter()
            .filter_map(|l| l.strip_prefix("arg ").map(str::to_string))
            .collect();
        let host_args: Vec<String> = std::env::args().collect();
        // argv[0] from the Run, then the host's arguments appended.
        assert_eq!(args[0], "environment");
        assert_eq!(&args[1..], &host_args[..], "{out:?}");
        for (k, v) in std::env::vars() {
            assert!(
                lines.contains(&format!("env {k}={v}")),
                "inherited env lacks {k}:\n{out:?}"
            );
        }
    }
}

#[test]
fn terminals_are_absent_for_pipes() {
    for mode in Mode::ALL {
        let out = Run::new(guests::TERMINAL).stdin("x").run(mode);
        out.assert_success();
        assert_eq!(
            out.lines(),
            vec![
                "terminal-stdin=false",
                "terminal-stdout=false",
                "terminal-stderr=false"
            ]
        );
    }
}

#[test]
fn terminals_follow_the_inherited_streams() {
    // The test process's own stdio: a terminal only if it really is one.
    use std::io::IsTerminal;
    let expect_in = std::io::stdin().is_terminal();
    let expect_err = std::io::stderr().is_terminal();
    for mode in Mode::ALL {
        let out = Run::new(guests::TERMINAL)
            .configure(|b| {
                b.inherit_stdin().inherit_stderr();
            })
            .run(mode);
        out.assert_success();
        out.assert_line(&format!("terminal-stdin={expect_in}"));
        out.assert_line("terminal-stdout=false");
        out.assert_line(&format!("terminal-stderr={expect_err}"));
    }
}

#[test]
fn stdin_echo_copies_a_megabyte() {
    let data: Vec<u8> = (0..(1u32 << 20))
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    for mode in Mode::ALL {
        let out = Run::new(guests::STDIN_ECHO).stdin(data.clone()).run(mode);
        out.assert_success();
        assert!(
            out.stdout == data,
            "stdout differs from stdin ({} vs {} bytes)",
            out.stdout.len(),
            data.len()
        );
        assert!(
            out.stderr().contains(&format!("copied {}", data.len())),
            "{out:?}"
        );
    }
}

#[test]
fn stdin_echo_with_empty_and_closed_stdin() {
    for mode in Mode::ALL {
        let out = Run::new(guests::STDIN_ECHO).stdin(Vec::new()).run(mode);
        out.assert_success();
        assert!(out.stdout.is_empty());
        // No stdin configured at all: closed, reads as end of input.
        let out = Run::new(guests::STDIN_ECHO).run(mode);
        out.assert_success();
        assert!(out.stderr().contains("copied 0"), "{out:?}");
    }
}

#[test]
fn output_past_pipe_capacity_fails_the_guest_not_the_host() {
    // std's io::copy gets a write error when stdout is full; the guest
    // panics (a trap) and stdout holds a prefix of the input.
    let data = vec![b'z'; 100_000];
    for mode in Mode::ALL {
        let out = Run::new(guests::STDIN_ECHO)
            .stdin(data.clone())
            .stdout_capacity(10_000)
            .run(mode);
        assert!(
            out.exit != Exit::Code(0),
            "copy into a full pipe succeeded:\n{out:?}"
        );
        assert!(
            out.stdout.len() <= 10_000,
            "{} bytes in a 10000-byte pipe",
            out.stdout.len()
        );
        assert!(out.stdout.iter().all(|&b| b == b'z'));
    }
}

#[test]
fn the_same_component_runs_many_times() {
    for mode in Mode::ALL {
        for i in 0..5 {
            let out = Run::new(guests::ENVIRONMENT).arg(i.to_string()).run(mode);
            out.assert_success().assert_line(&format!("arg {i}"));
        }
    }
}

#[test]
fn concurrent_guests() {
    // Several guests at once, in every mode, each with its own stdio.
    let handles: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                let mode = Mode::ALL[i % Mode::ALL.len()];
                let input = format!("guest {i}\n").repeat(1000);
                let out = Run::new(guests::STDIN_ECHO).stdin(input.clone()).run(mode);
                out.assert_success();
                assert_eq!(out.stdout(), input);
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}
