//! `wasi:filesystem` for components: `types` (async flavour, where every
//! operation is written once; `types_sync` runs the same futures through
//! `block_on`) and `preopens`.

mod preopens;
mod types;
mod types_sync;
