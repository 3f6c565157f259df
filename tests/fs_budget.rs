//! Issue 6, item 6: a guest cannot take all of the host's file descriptors.
//! Each context has a budget (`WasiCtxBuilder::max_open_files`); a spent
//! budget is an error code the guest handles (`insufficient-memory`), and
//! closing gives the descriptors back. The embedder's bounds on resources
//! (the `ResourceTable`'s capacity, the store's component handle limit)
//! trap with a clear message, never a host panic.

use crate::common;
use common::{Ctx, Exit, Mode, Run, error_text, exit_of, guests, tempdir};
use std::fs;
use wasi_host::{DEFAULT_MAX_OPEN_FILES, ResourceTable};
use wasmtime::Store;
use wasmtime::component::Linker;

fn run(case: &str, max_open: Option<usize>, limit: usize, again: usize, mode: Mode) -> Vec<String> {
    let dir = tempdir();
    fs::write(dir.path().join("f.txt"), "data").unwrap();
    if matches!(case, "listings" | "mixed") {
        // More entries than one batch, so an open listing holds its host
        // descriptors (a listing its first batch exhausts gives them back).
        for i in 0..300 {
            fs::write(dir.path().join(format!("z{i}")), "").unwrap();
        }
    }
    let mut r = Run::new(guests::FS_BUDGET)
        .args([case.to_string(), limit.to_string(), again.to_string()])
        .preopen_rw(dir.path(), "/sandbox");
    if let Some(n) = max_open {
        r = r.configure(move |b| {
            b.max_open_files(n);
        });
    }
    let out = r.run(mode);
    out.assert_success().assert_line("done");
    out.lines()
}

#[test]
fn spent_budget_is_an_error_code_and_closing_frees_it() {
    for mode in Mode::ALL {
        let lines = run("files", Some(40), 1000, 40, mode);
        assert!(
            lines.contains(&"opened 40 then insufficient-memory".to_string()),
            "{lines:?}"
        );
        assert!(lines.contains(&"reopened 40".to_string()), "{lines:?}");
    }
}

#[test]
fn listings_count_two_descriptors() {
    for mode in Mode::ALL {
        let lines = run("listings", Some(40), 1000, 20, mode);
        assert!(
            lines.contains(&"listed 20 then insufficient-memory".to_string()),
            "{lines:?}"
        );
        assert!(lines.contains(&"relisted 20".to_string()), "{lines:?}");
        // One file and one listing after another: 3 descriptors a pair.
        let lines = run("mixed", Some(30), 1000, 0, mode);
        assert!(
            lines.contains(&"mixed 20 then insufficient-memory".to_string()),
            "{lines:?}"
        );
        assert!(lines.contains(&"reopened 1".to_string()), "{lines:?}");
    }
}

#[test]
fn the_default_budget_applies() {
    for mode in Mode::ALL {
        let lines = run("files", None, 5000, DEFAULT_MAX_OPEN_FILES, mode);
        let expected = format!("opened {DEFAULT_MAX_OPEN_FILES} then insufficient-memory");
        assert!(lines.contains(&expected), "{lines:?}");
    }
}

#[test]
fn std_programs_see_an_error_they_can_handle() {
    for mode in Mode::ALL {
        let lines = run("std", Some(16), 1000, 0, mode);
        let opened = lines
            .iter()
            .find_map(|l| l.strip_prefix("std opened "))
            .unwrap_or_else(|| panic!("{lines:?}"));
        assert!(
            opened.starts_with("16 then ") && !opened.ends_with("none"),
            "{lines:?}"
        );
        assert!(lines.contains(&"reopened 1".to_string()), "{lines:?}");
    }
}

/// Runs `fs_budget files` with a host descriptor budget larger than the
/// embedder's bound under test (the table's capacity or the store's handle
/// limit).
fn run_bounded(
    mode: Mode,
    table_max: Option<usize>,
    store_handles: Option<usize>,
) -> (Exit, tempfile::TempDir) {
    let dir = tempdir();
    fs::write(dir.path().join("f.txt"), "data").unwrap();
    let r = Run::new(guests::FS_BUDGET)
        .args(["files", "100000", "1"])
        .configure(|b| {
            b.max_open_files(1_000_000);
        })
        .preopen_rw(dir.path(), "/sandbox");
    let (wasi, _stdout, _stderr) = r.build_ctx();
    let mut table = ResourceTable::new();
    if let Some(max) = table_max {
        table.set_max_capacity(max);
    }
    let component = common::component(guests::FS_BUDGET);
    let engine = common::engine();
    let exit = match mode {
        Mode::Sync => {
            let mut linker = Linker::<Ctx>::new(engine);
            wasi_host::add_to_linker_sync(&mut linker).unwrap();
            let mut store = Store::new(engine, Ctx { table, wasi });
            store.set_epoch_deadline(1200);
            if let Some(max) = store_handles {
                store.set_max_component_handles(max);
            }
            let command =
                wasi_host::bindings::sync::Command::instantiate(&mut store, &component, &linker)
                    .map_err(|e| error_text(&e))
                    .unwrap();
            exit_of(command.wasi_cli_run().call_run(&mut store))
        }
        _ => mode.block_on(async {
            let mut linker = Linker::<Ctx>::new(engine);
            wasi_host::add_to_linker_async(&mut linker).unwrap();
            let mut store = Store::new(engine, Ctx { table, wasi });
            store.set_epoch_deadline(1200);
            if let Some(max) = store_handles {
                store.set_max_component_handles(max);
            }
            let command =
                wasi_host::bindings::Command::instantiate_async(&mut store, &component, &linker)
                    .await
                    .map_err(|e| error_text(&e))
                    .unwrap();
            exit_of(command.wasi_cli_run().call_run(&mut store).await)
        }),
    };
    (exit, dir)
}

#[test]
fn a_full_resource_table_traps_with_a_clear_message() {
    for mode in Mode::ALL {
        let (exit, _dir) = run_bounded(mode, Some(64), None);
        match exit {
            Exit::Trap(t) => assert!(t.contains("resource table has no free keys"), "{t}"),
            other => panic!("expected a trap, got {other:?}"),
        }
    }
}

#[test]
fn the_store_handle_limit_traps_with_a_clear_message() {
    for mode in Mode::ALL {
        let (exit, _dir) = run_bounded(mode, None, Some(64));
        match exit {
            Exit::Trap(t) => assert!(t.contains("handle limit"), "{t}"),
            other => panic!("expected a trap, got {other:?}"),
        }
    }
}
