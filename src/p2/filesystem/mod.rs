//! `wasi:filesystem` for components: `types` (async flavour) and
//! `types_sync` (sync flavour) convert between the bindings and the
//! crate's own filesystem types (`convert.rs`, with the 0.2 error type)
//! around the calls written once in `calls.rs`; `preopens` hands out the
//! mount table.

mod calls;
mod convert;
mod preopens;
mod types;
mod types_sync;

pub use convert::{FsError, FsResult};
