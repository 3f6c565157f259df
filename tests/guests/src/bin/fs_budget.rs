//! Opens descriptors until the host refuses, then closes them and opens
//! again (issue 6: a guest cannot take all of the host's descriptors, and
//! the refusal is an error code it can handle). `/sandbox` holds `f.txt`.
//! `argv[1]`:
//! - `files`: opens `f.txt` until refused (at most `argv[2]` times), prints
//!   `opened <n> then <code>`, closes them all, opens `argv[3]` again and
//!   prints `reopened <k>`;
//! - `listings`: the same with `read-directory` of the preopen, printing
//!   `listed <n> then <code>` and `relisted <k>`;
//! - `mixed`: files and listings alternately until refused, prints
//!   `mixed <n> then <code>`, closes all and opens one file (`reopened 1`);
//! - `std`: `std::fs::File::open` until it fails, prints
//!   `std opened <n> then <error kind>`, drops them and opens again.
//!
//! Tables that are full (the embedder's bounds) trap instead: the host test
//! checks the trap's message.
use wasi_guests::{arg, code_name, num, preopen};
use wasip2::filesystem::types::{DescriptorFlags as DF, OpenFlags as OF, PathFlags as PF};

fn main() {
    let d = preopen("/sandbox");
    let limit = num(2) as usize;
    match arg(1).as_str() {
        "files" => {
            let open = || d.open_at(PF::empty(), "f.txt", OF::empty(), DF::READ);
            let mut held = Vec::new();
            let mut refused = "none";
            while held.len() < limit {
                match open() {
                    Ok(f) => held.push(f),
                    Err(e) => {
                        refused = code_name(&e);
                        break;
                    }
                }
            }
            println!("opened {} then {refused}", held.len());
            drop(held);
            let again: Vec<_> = (0..num(3))
                .map(|i| open().unwrap_or_else(|e| panic!("reopen {i}: {e:?}")))
                .collect();
            // The reopened files work.
            let (data, _) = again[0].read(10, 0).expect("read");
            assert_eq!(data, b"data");
            println!("reopened {}", again.len());
        }
        "listings" => {
            let mut held = Vec::new();
            let mut refused = "none";
            while held.len() < limit {
                match d.read_directory() {
                    Ok(s) => held.push(s),
                    Err(e) => {
                        refused = code_name(&e);
                        break;
                    }
                }
            }
            println!("listed {} then {refused}", held.len());
            drop(held);
            let again: Vec<_> = (0..num(3))
                .map(|i| d.read_directory().unwrap_or_else(|e| panic!("relist {i}: {e:?}")))
                .collect();
            let first = again[0].read_directory_entry().expect("entry");
            assert!(first.is_some(), "the relisted directory has entries");
            println!("relisted {}", again.len());
        }
        "mixed" => {
            let mut files = Vec::new();
            let mut listings = Vec::new();
            let mut refused = "none";
            while files.len() + listings.len() < limit {
                let r = if files.len() <= listings.len() {
                    d.open_at(PF::empty(), "f.txt", OF::empty(), DF::READ).map(|f| files.push(f))
                } else {
                    d.read_directory().map(|s| listings.push(s))
                };
                if let Err(e) = r {
                    refused = code_name(&e);
                    break;
                }
            }
            println!("mixed {} then {refused}", files.len() + listings.len());
            drop((files, listings));
            d.open_at(PF::empty(), "f.txt", OF::empty(), DF::READ).expect("reopen");
            println!("reopened 1");
        }
        "std" => {
            let mut held = Vec::new();
            let mut refused = String::from("none");
            while held.len() < limit {
                match std::fs::File::open("/sandbox/f.txt") {
                    Ok(f) => held.push(f),
                    Err(e) => {
                        refused = format!("{:?}", e.kind());
                        break;
                    }
                }
            }
            println!("std opened {} then {refused}", held.len());
            drop(held);
            let again = std::fs::read_to_string("/sandbox/f.txt").expect("read again");
            assert_eq!(again, "data");
            println!("reopened 1");
        }
        other => wasi_guests::unknown_case(other),
    }
    println!("done");
}
