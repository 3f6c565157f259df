//! [`Op`]s through the crate's preview 1 functions, called from a core
//! module as a guest calls them (the wrapping module of `p1_calls`), on
//! the preopens of one context; each result as text, for comparing two
//! sides.

use super::fs_ops::{Op, SET_TIME, write_data};
use super::p1_calls::{self, Setup, State};
use wasi_host::p1::WasiP1Ctx;
use wasmtime::{Instance, Memory, Store, Val};

/// Where a call's arguments and results are laid out in the guest's
/// memory.
const RESULT: u32 = 0x10;
const IOV: u32 = 0x20;
const PATH_A: u32 = 0x100;
const PATH_B: u32 = 0x500;
const STAT: u32 = 0x900;
const BUF: u32 = 0x1000;
const BUF_LEN: u32 = 0xf000;

/// All rights, and the rights of a descriptor opened for reading.
const ALL: i64 = 0x1fff_ffff;
const READ: i64 = (1 << 1) | (1 << 2) | (1 << 5) | (1 << 14) | (1 << 21);
/// `lookupflags::symlink_follow`; `oflags` `creat`, `directory`, `excl`,
/// `trunc`.
const FOLLOW: i32 = 1;
const CREAT: i32 = 1;
const DIRECTORY: i32 = 2;
const EXCL: i32 = 4;
const TRUNC: i32 = 8;
/// `filetype::directory` and `filetype::symbolic_link`.
const FILETYPE_DIRECTORY: u8 = 3;
const FILETYPE_SYMLINK: u8 = 7;

/// One preopen: its descriptor and the files kept open on it.
struct Side {
    fd: i32,
    held: Vec<i32>,
}

/// A preview 1 instance and its preopens, in descriptor order; `T` is the
/// store's data (the crate's context, or another host's).
pub struct P1<T: 'static = State> {
    setup: &'static Setup<T>,
    store: Store<T>,
    instance: Instance,
    memory: Memory,
    sides: Vec<Side>,
}

/// The outcome of a call: its errno as text unless it is 0.
fn errno(e: i32) -> Result<(), String> {
    if e == 0 {
        Ok(())
    } else {
        Err(format!("errno {e}"))
    }
}

impl P1 {
    /// Instantiates the wrapping module on the crate's `wasi`; the
    /// preopens' guest paths in descriptor order.
    pub fn new(wasi: WasiP1Ctx) -> (P1, Vec<String>) {
        P1::with(p1_calls::setup(), State { wasi })
    }
}

impl<T: 'static> P1<T> {
    /// Instantiates `setup`'s module on a store of `data`; the preopens'
    /// guest paths in descriptor order.
    pub fn with(setup: &'static Setup<T>, data: T) -> (P1<T>, Vec<String>) {
        let mut store = Store::new(&setup.engine, data);
        store.set_hostcall_fuel(1 << 20);
        let instance = setup
            .linker
            .instantiate(&mut store, &setup.module)
            .expect("instantiate");
        let memory = instance.get_memory(&mut store, "memory").expect("memory");
        let mut p1 = P1 {
            setup,
            store,
            instance,
            memory,
            sides: Vec::new(),
        };
        let mut names = Vec::new();
        for fd in 3.. {
            if p1.call("fd_prestat_get", &[Val::I32(fd), Val::I32(RESULT as i32)]) != 0 {
                break;
            }
            let len = p1.u32_at(RESULT + 4);
            p1.call(
                "fd_prestat_dir_name",
                &[Val::I32(fd), Val::I32(BUF as i32), Val::I32(len as i32)],
            );
            names.push(String::from_utf8_lossy(&p1.bytes(BUF, len)).into_owned());
            p1.sides.push(Side {
                fd,
                held: Vec::new(),
            });
        }
        (p1, names)
    }

    /// Calls the preview 1 function `name`; its errno.
    fn call(&mut self, name: &str, args: &[Val]) -> i32 {
        let index = self
            .setup
            .funcs
            .iter()
            .position(|(n, _)| n.strip_prefix("wasi_snapshot_preview1::") == Some(name))
            .expect("a preview 1 function");
        let func = self
            .instance
            .get_func(&mut self.store, &format!("f{index}"))
            .expect("an export");
        let mut results = [Val::I32(0)];
        match func.call(&mut self.store, args, &mut results) {
            Ok(()) => results[0].unwrap_i32(),
            Err(e) => panic!("{name}({args:?}) trapped: {e:?}"),
        }
    }

    fn bytes(&mut self, at: u32, len: u32) -> Vec<u8> {
        let mut out = vec![0; len as usize];
        self.memory
            .read(&self.store, at as usize, &mut out)
            .expect("in memory");
        out
    }

    fn u32_at(&mut self, at: u32) -> u32 {
        let b = self.bytes(at, 4);
        u32::from_le_bytes([b[0], b[1], b[2], b[3]])
    }

    fn u64_at(&mut self, at: u32) -> u64 {
        let b = self.bytes(at, 8);
        u64::from_le_bytes(std::array::from_fn(|i| b[i]))
    }

    fn put(&mut self, at: u32, bytes: &[u8]) {
        self.memory
            .write(&mut self.store, at as usize, bytes)
            .expect("in memory");
    }

    /// Lays out `path` at `at`; the pointer and length arguments.
    fn path(&mut self, at: u32, path: &str) -> [Val; 2] {
        self.put(at, path.as_bytes());
        [Val::I32(at as i32), Val::I32(path.len() as i32)]
    }

    /// One iovec of `len` bytes at [`BUF`].
    fn iov(&mut self, len: u32) -> Val {
        let mut v = BUF.to_le_bytes().to_vec();
        v.extend_from_slice(&len.to_le_bytes());
        self.put(IOV, &v);
        Val::I32(IOV as i32)
    }

    fn open(
        &mut self,
        dir: i32,
        path: &str,
        follow: bool,
        oflags: i32,
        rights: i64,
    ) -> Result<i32, String> {
        let [p, len] = self.path(PATH_A, path);
        let e = self.call(
            "path_open",
            &[
                Val::I32(dir),
                Val::I32(if follow { FOLLOW } else { 0 }),
                p,
                len,
                Val::I32(oflags),
                Val::I64(rights),
                Val::I64(rights),
                Val::I32(0),
                Val::I32(RESULT as i32),
            ],
        );
        errno(e)?;
        Ok(self.u32_at(RESULT) as i32)
    }

    fn close(&mut self, fd: i32) {
        assert_eq!(self.call("fd_close", &[Val::I32(fd)]), 0, "close {fd}");
    }

    /// `fd_pread` or `fd_pwrite` (`name`) of `len` bytes at [`BUF`] and
    /// `offset`; the count done.
    fn positional(&mut self, name: &str, fd: i32, len: u32, offset: u64) -> Result<u32, String> {
        let iov = self.iov(len);
        let args = [
            Val::I32(fd),
            iov,
            Val::I32(1),
            Val::I64(offset as i64),
            Val::I32(RESULT as i32),
        ];
        errno(self.call(name, &args))?;
        Ok(self.u32_at(RESULT))
    }

    fn pread(&mut self, fd: i32, len: u64, offset: u64) -> Result<Vec<u8>, String> {
        let len = len.min(u64::from(BUF_LEN)) as u32;
        let n = self.positional("fd_pread", fd, len, offset)?;
        Ok(self.bytes(BUF, n))
    }

    fn pwrite(&mut self, fd: i32, data: &[u8], offset: u64) -> Result<u32, String> {
        self.put(BUF, data);
        self.positional("fd_pwrite", fd, data.len() as u32, offset)
    }

    /// A stat as compared: type, and size and link count of
    /// non-directories (a filestat at [`STAT`]).
    fn stat_text(&mut self) -> String {
        let t = self.bytes(STAT + 16, 1)[0];
        if t == FILETYPE_DIRECTORY {
            return format!("type {t}");
        }
        let (nlink, size) = (self.u64_at(STAT + 24), self.u64_at(STAT + 32));
        format!("type {t} size {size} nlink {nlink}")
    }

    /// The sorted entries of the directory `fd`, without `.` and `..`.
    fn listing(&mut self, fd: i32) -> Result<Vec<(String, u8)>, String> {
        let mut out = Vec::new();
        let mut cookie = 0u64;
        loop {
            let e = self.call(
                "fd_readdir",
                &[
                    Val::I32(fd),
                    Val::I32(BUF as i32),
                    Val::I32(BUF_LEN as i32),
                    Val::I64(cookie as i64),
                    Val::I32(RESULT as i32),
                ],
            );
            errno(e)?;
            let used = self.u32_at(RESULT);
            let bytes = self.bytes(BUF, used);
            let mut at = 0usize;
            let mut whole = 0;
            while at + 24 <= bytes.len() {
                let next = u64::from_le_bytes(std::array::from_fn(|i| bytes[at + i]));
                let len = u32::from_le_bytes(std::array::from_fn(|i| bytes[at + 16 + i])) as usize;
                if at + 24 + len > bytes.len() {
                    break;
                }
                let name = String::from_utf8_lossy(&bytes[at + 24..at + 24 + len]).into_owned();
                if name != "." && name != ".." {
                    out.push((name, bytes[at + 20]));
                }
                cookie = next;
                whole += 1;
                at += 24 + len;
            }
            if used < BUF_LEN {
                break;
            }
            assert!(whole > 0, "a directory entry longer than the buffer");
        }
        out.sort();
        Ok(out)
    }

    /// Runs `op` on preopen `side`; the result as text.
    pub fn run(&mut self, side: usize, op: &Op) -> String {
        let root = self.sides[side].fd;
        let held = self.sides[side].held.clone();
        match op {
            Op::Mkdir(p) => {
                let [a, b] = self.path(PATH_A, p);
                format!(
                    "{:?}",
                    errno(self.call("path_create_directory", &[Val::I32(root), a, b]))
                )
            }
            Op::Write {
                path,
                oflags,
                offset,
                len,
            } => {
                let o = if oflags & 4 != 0 {
                    0
                } else {
                    CREAT
                        | if oflags & 1 != 0 { EXCL } else { 0 }
                        | if oflags & 2 != 0 { TRUNC } else { 0 }
                };
                match self.open(root, path, true, o, ALL) {
                    Ok(fd) => {
                        let r = self.pwrite(fd, &write_data(*oflags, *len), *offset);
                        self.close(fd);
                        format!("{r:?}")
                    }
                    Err(e) => e,
                }
            }
            Op::Read { path, offset, len } => match self.open(root, path, true, 0, READ) {
                Ok(fd) => {
                    let r = self.pread(fd, *len, *offset);
                    self.close(fd);
                    format!("{r:?}")
                }
                Err(e) => e,
            },
            Op::Truncate(p, size) => match self.open(root, p, true, 0, ALL) {
                Ok(fd) => {
                    let e = self.call(
                        "fd_filestat_set_size",
                        &[Val::I32(fd), Val::I64(*size as i64)],
                    );
                    self.close(fd);
                    format!("{:?}", errno(e))
                }
                Err(e) => e,
            },
            Op::Rename(a, b) => {
                let [a, al] = self.path(PATH_A, a);
                let [b, bl] = self.path(PATH_B, b);
                let e = self.call(
                    "path_rename",
                    &[Val::I32(root), a, al, Val::I32(root), b, bl],
                );
                format!("{:?}", errno(e))
            }
            Op::Link(a, b, follow) => {
                let [a, al] = self.path(PATH_A, a);
                let [b, bl] = self.path(PATH_B, b);
                let f = Val::I32(if *follow { FOLLOW } else { 0 });
                let e = self.call(
                    "path_link",
                    &[Val::I32(root), f, a, al, Val::I32(root), b, bl],
                );
                format!("{:?}", errno(e))
            }
            Op::Symlink(t, p) => {
                let [t, tl] = self.path(PATH_A, t);
                let [p, pl] = self.path(PATH_B, p);
                let e = self.call("path_symlink", &[t, tl, Val::I32(root), p, pl]);
                format!("{:?}", errno(e))
            }
            Op::Unlink(p) | Op::Rmdir(p) => {
                let name = match op {
                    Op::Unlink(_) => "path_unlink_file",
                    _ => "path_remove_directory",
                };
                let [a, b] = self.path(PATH_A, p);
                format!("{:?}", errno(self.call(name, &[Val::I32(root), a, b])))
            }
            Op::List(p) => match self.open(root, p, true, DIRECTORY, READ) {
                Ok(fd) => {
                    let l = self.listing(fd);
                    self.close(fd);
                    format!("{l:?}")
                }
                Err(e) => e,
            },
            Op::Stat(p, follow) => {
                let [a, b] = self.path(PATH_A, p);
                let f = Val::I32(if *follow { FOLLOW } else { 0 });
                match errno(self.call(
                    "path_filestat_get",
                    &[Val::I32(root), f, a, b, Val::I32(STAT as i32)],
                )) {
                    Ok(()) => self.stat_text(),
                    Err(e) => e,
                }
            }
            Op::Readlink(p) => {
                let [a, b] = self.path(PATH_A, p);
                let e = self.call(
                    "path_readlink",
                    &[
                        Val::I32(root),
                        a,
                        b,
                        Val::I32(BUF as i32),
                        Val::I32(BUF_LEN as i32),
                        Val::I32(RESULT as i32),
                    ],
                );
                match errno(e) {
                    Ok(()) => {
                        let n = self.u32_at(RESULT);
                        String::from_utf8_lossy(&self.bytes(BUF, n)).into_owned()
                    }
                    Err(e) => e,
                }
            }
            Op::Open(p, bits, follow) => {
                let o = if bits & 1 != 0 { DIRECTORY } else { 0 }
                    | if bits & 8 != 0 { CREAT } else { 0 };
                let rights = match bits & 6 {
                    0 => 0,
                    2 => READ,
                    4 => 1 << 6,
                    _ => ALL,
                };
                match self.open(root, p, *follow, o, rights) {
                    Ok(fd) => {
                        let e = self.call("fd_fdstat_get", &[Val::I32(fd), Val::I32(STAT as i32)]);
                        let (t, flags) = (self.bytes(STAT, 1)[0], self.bytes(STAT + 2, 2));
                        self.close(fd);
                        format!("ok {e} type {t} flags {flags:?}")
                    }
                    Err(e) => e,
                }
            }
            Op::Hold(_) if held.len() >= 4 => "full".to_string(),
            Op::Hold(p) => match self.open(root, p, false, 0, ALL) {
                Ok(fd) => {
                    self.call("fd_fdstat_get", &[Val::I32(fd), Val::I32(STAT as i32)]);
                    let t = self.bytes(STAT, 1)[0];
                    if t == FILETYPE_DIRECTORY || t == FILETYPE_SYMLINK {
                        self.close(fd);
                        format!("not held {t}")
                    } else {
                        self.sides[side].held.push(fd);
                        "held".to_string()
                    }
                }
                Err(e) => e,
            },
            Op::ReadHeld(i) => match held.get(*i) {
                Some(&fd) => {
                    let r = self.pread(fd, 100, 0);
                    let e = self.call("fd_filestat_get", &[Val::I32(fd), Val::I32(STAT as i32)]);
                    format!("{r:?} {e} {}", self.stat_text())
                }
                None => "none".to_string(),
            },
            Op::WriteHeld(i, offset) => match held.get(*i) {
                Some(&fd) => format!("{:?}", self.pwrite(fd, b"held!", *offset)),
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
                let [a, b] = self.path(PATH_A, p);
                let mtim = SET_TIME.0 as i64 * 1_000_000_000 + i64::from(SET_TIME.1);
                // `fstflags::mtim`.
                let e = self.call(
                    "path_filestat_set_times",
                    &[
                        Val::I32(root),
                        Val::I32(0),
                        a,
                        b,
                        Val::I64(0),
                        Val::I64(mtim),
                        Val::I32(4),
                    ],
                );
                if e != 0 {
                    // The time of an object left alone differs between two
                    // trees made at different moments.
                    return format!("{:?}", errno(e));
                }
                let s = self.call(
                    "path_filestat_get",
                    &[Val::I32(root), Val::I32(0), a, b, Val::I32(STAT as i32)],
                );
                let m = if s == 0 { self.u64_at(STAT + 48) } else { 0 };
                format!("{:?} {s} {m}", errno(e))
            }
        }
    }
}
