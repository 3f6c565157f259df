//! The cases of `wasi-host`'s fuzz targets (see `Cargo.toml`): each target
//! is a function of a byte string that panics on a finding.

#[cfg(feature = "oracle")]
pub mod oracle;
pub mod targets;
