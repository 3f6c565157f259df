//! [`Op`]s through the crate's `wasi:filesystem` 0.2 host implementation
//! (the sync `Host` traits, as a guest's calls arrive), on the preopens of
//! one context; each result as text, for comparing two sides.

use super::fs_ops::{Op, SET_TIME, write_data};
use wasi_host::bindings::filesystem::preopens::Host as _;
use wasi_host::bindings::sync::filesystem::types::{
    Datetime, DescriptorFlags as DF, DescriptorType, HostDescriptor, HostDirectoryEntryStream,
    NewTimestamp, OpenFlags as OF, PathFlags as PF,
};
use wasi_host::filesystem::WasiFilesystemView as _;
use wasi_host::filesystem::{Descriptor, WasiFilesystemCtxView};
use wasi_host::{FsResult, ResourceTable, WasiCtx, WasiCtxView, WasiView};
use wasmtime::component::Resource;

/// The store data the host traits run on.
pub struct State {
    wasi: WasiCtx,
    table: ResourceTable,
}

impl WasiView for State {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

/// One preopen: its descriptor and the files kept open on it.
struct Side {
    root: u32,
    held: Vec<u32>,
}

/// A context and its preopens, in the order the builder made them.
pub struct P2 {
    state: State,
    sides: Vec<Side>,
}

fn borrow(rep: u32) -> Resource<Descriptor> {
    Resource::new_borrow(rep)
}

fn flags(follow: bool) -> PF {
    if follow {
        PF::SYMLINK_FOLLOW
    } else {
        PF::empty()
    }
}

/// The spec code of an error, as text.
fn err<T>(r: FsResult<T>) -> Result<T, String> {
    r.map_err(|e| match e.downcast_ref() {
        Some(code) => code.name().to_string(),
        None => format!("trap: {:?}", e.downcast().err()),
    })
}

/// The open flags of an [`Op::Write`].
fn write_oflags(bits: u8) -> OF {
    if bits & 4 != 0 {
        return OF::empty();
    }
    let mut o = OF::CREATE;
    if bits & 1 != 0 {
        o |= OF::EXCLUSIVE;
    }
    if bits & 2 != 0 {
        o |= OF::TRUNCATE;
    }
    o
}

impl P2 {
    /// Runs on the preopens of `wasi`, with their guest paths.
    pub fn new(wasi: WasiCtx) -> (P2, Vec<String>) {
        let mut state = State {
            wasi,
            table: ResourceTable::new(),
        };
        let dirs = state.filesystem().get_directories().expect("the preopens");
        let names = dirs.iter().map(|d| d.1.clone()).collect();
        let sides = dirs
            .into_iter()
            .map(|(fd, _)| Side {
                root: fd.rep(),
                held: Vec::new(),
            })
            .collect();
        (P2 { state, sides }, names)
    }

    fn open(&mut self, dir: u32, path: &str, o: OF, f: DF, follow: bool) -> Result<u32, String> {
        err(self
            .state
            .filesystem()
            .open_at(borrow(dir), flags(follow), path.to_string(), o, f))
        .map(|r| r.rep())
    }

    fn close(&mut self, fd: u32) {
        HostDescriptor::drop(&mut self.state.filesystem(), Resource::new_own(fd)).expect("close");
    }

    /// The sorted entries of the directory `fd`.
    fn listing(&mut self, fd: u32) -> Result<Vec<(String, DescriptorType)>, String> {
        let stream = err(self.state.filesystem().read_directory(borrow(fd)))?;
        let mut out = Vec::new();
        loop {
            match err(self
                .state
                .filesystem()
                .read_directory_entry(Resource::new_borrow(stream.rep())))
            {
                Ok(Some(e)) => out.push((e.name, e.type_)),
                Ok(None) => break,
                Err(e) => {
                    out.push((format!("error {e}"), DescriptorType::Unknown));
                    break;
                }
            }
        }
        HostDirectoryEntryStream::drop(&mut self.state.filesystem(), stream).expect("drop");
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// A stat as compared: type, and size and link count of non-directories.
    fn stat_text(&mut self, dir: u32, path: &str, follow: bool) -> String {
        // As libc's `stat` asks: the hash first, never following (its
        // answer differs between the sides by design), which lets a host
        // directory keep what its lookup opened for the `stat-at`.
        let _ =
            self.state
                .filesystem()
                .metadata_hash_at(borrow(dir), PF::empty(), path.to_string());
        match err(self
            .state
            .filesystem()
            .stat_at(borrow(dir), flags(follow), path.to_string()))
        {
            Ok(s) if s.type_ == DescriptorType::Directory => format!("{:?}", s.type_),
            Ok(s) => format!("{:?} size {} nlink {}", s.type_, s.size, s.link_count),
            Err(e) => e,
        }
    }

    fn fs(&mut self) -> WasiFilesystemCtxView<'_> {
        self.state.filesystem()
    }

    /// Opens `path` as [`Op::Open`]'s bits say.
    fn open_bits(&mut self, root: u32, p: &str, bits: u8, follow: bool) -> Result<u32, String> {
        let mut o = OF::empty();
        let mut f = DF::empty();
        if bits & 1 != 0 {
            o |= OF::DIRECTORY;
        }
        if bits & 2 != 0 {
            f |= DF::READ;
        }
        if bits & 4 != 0 {
            f |= DF::WRITE;
        }
        if bits & 8 != 0 {
            o |= OF::CREATE;
        }
        self.open(root, p, o, f, follow)
    }

    /// Runs `op` on preopen `side`; the result as text.
    pub fn run(&mut self, side: usize, op: &Op) -> String {
        let root = self.sides[side].root;
        let held = self.sides[side].held.clone();
        match op {
            Op::Mkdir(p) => format!(
                "{:?}",
                err(self.fs().create_directory_at(borrow(root), p.clone()))
            ),
            Op::Write {
                path,
                oflags,
                offset,
                len,
            } => match self.open(root, path, write_oflags(*oflags), DF::WRITE, true) {
                Ok(fd) => {
                    let data = write_data(*oflags, *len);
                    let r = err(self.fs().write(borrow(fd), data, *offset));
                    self.close(fd);
                    format!("{r:?}")
                }
                Err(e) => e,
            },
            Op::Read { path, offset, len } => {
                match self.open(root, path, OF::empty(), DF::READ, true) {
                    Ok(fd) => {
                        let r = err(self.fs().read(borrow(fd), *len, *offset));
                        self.close(fd);
                        format!("{r:?}")
                    }
                    Err(e) => e,
                }
            }
            Op::Truncate(p, size) => match self.open(root, p, OF::empty(), DF::WRITE, true) {
                Ok(fd) => {
                    let r = err(self.fs().set_size(borrow(fd), *size));
                    self.close(fd);
                    format!("{r:?}")
                }
                Err(e) => e,
            },
            Op::Rename(a, b) => format!(
                "{:?}",
                err(self
                    .fs()
                    .rename_at(borrow(root), a.clone(), borrow(root), b.clone()))
            ),
            Op::Link(a, b, follow) => format!(
                "{:?}",
                err(self.fs().link_at(
                    borrow(root),
                    flags(*follow),
                    a.clone(),
                    borrow(root),
                    b.clone()
                ))
            ),
            Op::Symlink(t, p) => format!(
                "{:?}",
                err(self.fs().symlink_at(borrow(root), t.clone(), p.clone()))
            ),
            Op::Unlink(p) => format!(
                "{:?}",
                err(self.fs().unlink_file_at(borrow(root), p.clone()))
            ),
            Op::Rmdir(p) => format!(
                "{:?}",
                err(self.fs().remove_directory_at(borrow(root), p.clone()))
            ),
            Op::List(p) => match self.open(root, p, OF::DIRECTORY, DF::READ, true) {
                Ok(fd) => {
                    let l = self.listing(fd);
                    self.close(fd);
                    format!("{l:?}")
                }
                Err(e) => e,
            },
            Op::Stat(p, follow) => self.stat_text(root, p, *follow),
            Op::Readlink(p) => format!("{:?}", err(self.fs().readlink_at(borrow(root), p.clone()))),
            Op::Open(p, bits, follow) => match self.open_bits(root, p, *bits, *follow) {
                Ok(fd) => {
                    let t = err(self.fs().get_type(borrow(fd)));
                    let fl = err(self.fs().get_flags(borrow(fd)));
                    self.close(fd);
                    format!("ok {t:?} {fl:?}")
                }
                Err(e) => e,
            },
            Op::Hold(p) if held.len() >= 4 => {
                let _ = p;
                "full".to_string()
            }
            Op::Hold(p) => match self.open(root, p, OF::empty(), DF::READ | DF::WRITE, false) {
                Ok(fd) => {
                    let t = err(self.fs().get_type(borrow(fd)));
                    if t != Ok(DescriptorType::RegularFile) {
                        self.close(fd);
                        format!("not held {t:?}")
                    } else {
                        self.sides[side].held.push(fd);
                        "held".to_string()
                    }
                }
                Err(e) => e,
            },
            Op::ReadHeld(i) => match held.get(*i) {
                Some(&fd) => {
                    let r = err(self.fs().read(borrow(fd), 100, 0));
                    let s = err(self.fs().stat(borrow(fd))).map(|s| (s.size, s.link_count));
                    format!("{r:?} {s:?}")
                }
                None => "none".to_string(),
            },
            Op::WriteHeld(i, offset) => match held.get(*i) {
                Some(&fd) => format!(
                    "{:?}",
                    err(self.fs().write(borrow(fd), b"held!".to_vec(), *offset))
                ),
                None => "none".to_string(),
            },
            Op::Release => match self.sides[side].held.pop() {
                Some(fd) => {
                    self.close(fd);
                    "released".to_string()
                }
                None => "none".to_string(),
            },
            Op::SetTimes(p) => {
                let t = NewTimestamp::Timestamp(Datetime {
                    seconds: SET_TIME.0,
                    nanoseconds: SET_TIME.1,
                });
                let r = err(self.fs().set_times_at(
                    borrow(root),
                    PF::empty(),
                    p.clone(),
                    NewTimestamp::NoChange,
                    t,
                ));
                if r.is_err() {
                    // The time of an object left alone differs between two
                    // trees made at different moments.
                    return format!("{r:?}");
                }
                let s = err(self.fs().stat_at(borrow(root), PF::empty(), p.clone())).map(|s| {
                    s.data_modification_timestamp
                        .map(|t| (t.seconds, t.nanoseconds))
                });
                format!("{r:?} {s:?}")
            }
        }
    }

    /// The whole tree of preopen `side` as text: paths, types, sizes,
    /// contents and symlink targets, sorted.
    pub fn snapshot(&mut self, side: usize) -> Vec<String> {
        let root = self.sides[side].root;
        let mut out = Vec::new();
        let mut todo = vec![String::new()];
        while let Some(dir) = todo.pop() {
            let fd = if dir.is_empty() {
                root
            } else {
                match self.open(root, &dir, OF::DIRECTORY, DF::READ, false) {
                    Ok(fd) => fd,
                    Err(e) => {
                        out.push(format!("{dir}: {e}"));
                        continue;
                    }
                }
            };
            let entries = self.listing(fd);
            if !dir.is_empty() {
                self.close(fd);
            }
            let entries = match entries {
                Ok(entries) => entries,
                Err(e) => {
                    out.push(format!("{dir}: listing {e}"));
                    continue;
                }
            };
            for (name, t) in entries {
                let path = if dir.is_empty() {
                    name.clone()
                } else {
                    format!("{dir}/{name}")
                };
                match t {
                    DescriptorType::Directory => {
                        out.push(format!("{path}/"));
                        todo.push(path);
                    }
                    DescriptorType::SymbolicLink => {
                        let t = err(self
                            .state
                            .filesystem()
                            .readlink_at(borrow(root), path.clone()));
                        out.push(format!("{path} -> {t:?}"));
                    }
                    _ => {
                        let st = self.stat_text(root, &path, false);
                        let bytes = match self.open(root, &path, OF::empty(), DF::READ, false) {
                            Ok(fd) => {
                                let r = err(self.state.filesystem().read(borrow(fd), 1 << 16, 0));
                                self.close(fd);
                                format!("{r:?}")
                            }
                            Err(e) => e,
                        };
                        out.push(format!("{path} {st} {bytes}"));
                    }
                }
            }
        }
        out.sort();
        out
    }
}
