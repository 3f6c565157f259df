//! `wasi:filesystem@0.3.0` over the crate's filesystem core: the same
//! descriptors, backends (host preopens and every virtual mount),
//! permissions and budgets as 0.2 and preview 1.
//!
//! Files: `types.rs` (the descriptor methods), `readdir.rs` (listings as
//! streams), `preopens.rs`, `convert.rs` (the one translation between the
//! core's types and 0.3's, and [`FsError`]).

mod convert;
mod preopens;
mod readdir;
mod types;

pub use convert::{FsError, FsResult};
