//! The host backend: a preopened host directory and what is opened beneath
//! it, as cap-std handles whose paths the kernel resolves without leaving
//! the preopen. [`Dir`] (`dir.rs`) and [`File`] (`file.rs`) implement the
//! core's descriptor operations; `blocking.rs` says where their blocking
//! work runs; `stream.rs` holds the file streams,
//! `order.rs` the order of a file's background work, `readdir.rs` a
//! directory's listing ([`HostListing`]) and `recent.rs` what a directory
//! just learned about one of its names.

mod blocking;
mod dir;
mod file;
mod order;
mod readdir;
mod recent;
mod stream;

pub(crate) use blocking::Blocking;
pub use dir::Dir;
pub use file::File;
#[cfg(test)]
pub(crate) use readdir::BATCH;
pub use readdir::HostListing;
pub use stream::{FileInputStream, FileOutputStream};
