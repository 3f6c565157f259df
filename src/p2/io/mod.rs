//! `wasi:io` for components: `error`, `poll` and `streams`.

mod error;
mod poll;
mod streams;
