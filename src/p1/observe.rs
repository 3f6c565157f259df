//! Call events of preview 1 and preview 0 for the context's
//! [`CallObserver`](crate::observe::CallObserver): the linker glue
//! (`link.rs`) calls [`begin`] before a call and [`end`] after it, only
//! when the context has an observer.
//!
//! The glue sees the core-wasm arguments (numbers and addresses); the
//! table [`spec`] says, per function, what each stands for, so that the
//! event shows descriptors as numbers, paths as strings (read from guest
//! memory before the call), buffers as lengths, and the values written
//! through result addresses (read back after a successful call). A call
//! on a file or directory also names its mount (`mount`, the mount's
//! guest path).

use super::WasiP1Ctx;
use super::bindings::types::Errno;
use crate::observe::{Call, FrontEnd, Outcome, Value};
use std::sync::Arc;
use wiggle::{GuestMemory, GuestPtr};

/// What one core-wasm argument (or a pair of them) stands for.
#[derive(Clone, Copy)]
enum Kind {
    /// A descriptor.
    Fd(&'static str),
    /// A number.
    Int(&'static str),
    /// A bit set.
    Flags(&'static str),
    /// A string: address and length (two arguments).
    Path(&'static str),
    /// A buffer: address and length in bytes (two arguments).
    Buf(&'static str),
    /// A list (of buffers, of subscriptions): address and element count
    /// (two arguments).
    List(&'static str),
    /// An address the host writes a structure to (an argument, shown as
    /// the address).
    Out(&'static str),
    /// An address the host writes a `u16` to.
    Out16(&'static str),
    /// An address the host writes a `u32` count or size to.
    Out32(&'static str),
    /// An address the host writes a `u64` to.
    Out64(&'static str),
    /// An address the host writes a new descriptor to.
    OutFd(&'static str),
}

use Kind::*;

/// The meaning of each function's arguments, in the specification's names.
fn spec(function: &str) -> &'static [Kind] {
    match function {
        "args_get" => &[Out("argv"), Out("argv_buf")],
        "args_sizes_get" => &[Out32("argc"), Out32("argv_buf_size")],
        "environ_get" => &[Out("environ"), Out("environ_buf")],
        "environ_sizes_get" => &[Out32("environc"), Out32("environ_buf_size")],
        "clock_res_get" => &[Int("id"), Out64("resolution")],
        "clock_time_get" => &[Int("id"), Int("precision"), Out64("time")],
        "fd_advise" => &[Fd("fd"), Int("offset"), Int("len"), Int("advice")],
        "fd_allocate" => &[Fd("fd"), Int("offset"), Int("len")],
        "fd_close" | "fd_datasync" | "fd_sync" => &[Fd("fd")],
        "fd_fdstat_get" => &[Fd("fd"), Out("stat")],
        "fd_fdstat_set_flags" => &[Fd("fd"), Flags("flags")],
        "fd_fdstat_set_rights" => &[
            Fd("fd"),
            Flags("fs_rights_base"),
            Flags("fs_rights_inheriting"),
        ],
        "fd_filestat_get" => &[Fd("fd"), Out("filestat")],
        "fd_filestat_set_size" => &[Fd("fd"), Int("size")],
        "fd_filestat_set_times" => &[Fd("fd"), Int("atim"), Int("mtim"), Flags("fst_flags")],
        "fd_pread" => &[Fd("fd"), List("iovs"), Int("offset"), Out32("nread")],
        "fd_prestat_get" => &[Fd("fd"), Out("prestat")],
        "fd_prestat_dir_name" => &[Fd("fd"), Buf("path")],
        "fd_pwrite" => &[Fd("fd"), List("iovs"), Int("offset"), Out32("nwritten")],
        "fd_read" => &[Fd("fd"), List("iovs"), Out32("nread")],
        "fd_readdir" => &[Fd("fd"), Buf("buf"), Int("cookie"), Out32("bufused")],
        "fd_renumber" => &[Fd("fd"), Fd("to")],
        "fd_seek" => &[Fd("fd"), Int("offset"), Int("whence"), Out64("newoffset")],
        "fd_tell" => &[Fd("fd"), Out64("offset")],
        "fd_write" => &[Fd("fd"), List("iovs"), Out32("nwritten")],
        "path_create_directory" | "path_remove_directory" | "path_unlink_file" => {
            &[Fd("fd"), Path("path")]
        }
        "path_filestat_get" => &[Fd("fd"), Flags("flags"), Path("path"), Out("filestat")],
        "path_filestat_set_times" => &[
            Fd("fd"),
            Flags("flags"),
            Path("path"),
            Int("atim"),
            Int("mtim"),
            Flags("fst_flags"),
        ],
        "path_link" => &[
            Fd("old_fd"),
            Flags("old_flags"),
            Path("old_path"),
            Fd("new_fd"),
            Path("new_path"),
        ],
        "path_open" => &[
            Fd("fd"),
            Flags("dirflags"),
            Path("path"),
            Flags("oflags"),
            Flags("fs_rights_base"),
            Flags("fs_rights_inheriting"),
            Flags("fdflags"),
            OutFd("fd"),
        ],
        "path_readlink" => &[Fd("fd"), Path("path"), Buf("buf"), Out32("bufused")],
        "path_rename" => &[Fd("fd"), Path("old_path"), Fd("new_fd"), Path("new_path")],
        "path_symlink" => &[Path("old_path"), Fd("fd"), Path("new_path")],
        "poll_oneoff" => &[
            Out("in"),
            Out("out"),
            Int("nsubscriptions"),
            Out32("nevents"),
        ],
        "proc_exit" => &[Int("rval")],
        "proc_raise" => &[Int("sig")],
        "random_get" => &[Buf("buf")],
        "sock_accept" => &[Fd("fd"), Flags("flags"), OutFd("fd")],
        "sock_recv" => &[
            Fd("fd"),
            List("ri_data"),
            Flags("ri_flags"),
            Out32("ro_datalen"),
            Out16("ro_flags"),
        ],
        "sock_send" => &[
            Fd("fd"),
            List("si_data"),
            Flags("si_flags"),
            Out32("so_datalen"),
        ],
        "sock_shutdown" => &[Fd("fd"), Flags("how")],
        _ => &[],
    }
}

/// A core-wasm argument as the 64 bits [`begin`] reads: an `i32` zero-
/// extended (preview 1 passes unsigned values in them: descriptors,
/// flags, lengths, addresses), an `i64` as it is.
pub(crate) trait Raw {
    /// The argument's bits.
    fn raw(self) -> i64;
}

impl Raw for i32 {
    fn raw(self) -> i64 {
        i64::from(self as u32)
    }
}

impl Raw for i64 {
    fn raw(self) -> i64 {
        self
    }
}

/// One call being observed.
pub(crate) struct Watch {
    call: Box<Call>,
    /// The result addresses, read back after a successful call.
    outs: Vec<(Kind, u32)>,
}

/// Starts observing a call of `function` (of the module `interface`) with
/// the core-wasm arguments `raw`; `None` if the context has no observer.
pub(crate) fn begin(
    cx: &WasiP1Ctx,
    mem: &GuestMemory<'_>,
    interface: &'static str,
    function: &'static str,
    raw: &[i64],
) -> Option<Box<Watch>> {
    let observer = Arc::clone(cx.ctx.observer.as_ref()?);
    let mut args = Vec::new();
    let mut outs = Vec::new();
    let mut raw = raw.iter().copied();
    let mut next = || raw.next().unwrap_or(0);
    for &kind in spec(function) {
        match kind {
            Fd(name) => args.push((name, Value::Fd(next() as u32))),
            Int(name) => args.push((name, Value::Int(next()))),
            Flags(name) => args.push((name, Value::Flags(next() as u64))),
            Path(name) => {
                let (ptr, len) = (next() as u32, next() as u32);
                args.push((name, Value::Path(path(mem, ptr, len))));
            }
            Buf(name) | List(name) => {
                let _ptr = next();
                args.push((name, Value::Len(next() as u32 as u64)));
            }
            Out(name) => args.push((name, Value::Ptr(next() as u32))),
            Out16(_) | Out32(_) | Out64(_) | OutFd(_) => outs.push((kind, next() as u32)),
        }
    }
    // The mount of the call's (first) descriptor, for a file or directory.
    let mount = args.iter().find_map(|(_, v)| match v {
        Value::Fd(fd) => Some(*fd),
        _ => None,
    });
    if let Some(Ok(entry)) = mount.map(|fd| cx.fds.get(fd))
        && let super::fds::Kind::Fs(fs) = &entry.kind
        && let Some(guest_path) = cx.ctx.filesystem.mount_of(&fs.desc)
    {
        args.push(("mount", Value::Path(guest_path.to_owned())));
    }
    // Boxed: the async glue's future holds it across the call, and stays
    // small for the calls that are not observed.
    let front_end = match interface {
        "wasi_unstable" => FrontEnd::Preview0,
        _ => FrontEnd::Preview1,
    };
    let call = Call::start(observer, front_end, interface, function, args);
    Some(Box::new(Watch { call, outs }))
}

/// The most bytes of a path an event shows (as for every front-end).
const MAX_PATH_SHOWN: u32 = crate::observe::MAX_TEXT_SHOWN as u32;

/// The path of `len` bytes at `ptr`: its first [`MAX_PATH_SHOWN`] bytes
/// (invalid UTF-8 replaced, then `...` if cut), or `<fault>` if the guest's
/// memory does not hold it. The call itself still sees the whole path.
fn path(mem: &GuestMemory<'_>, ptr: u32, len: u32) -> String {
    if u64::from(ptr) + u64::from(len) > super::iov::mem_len(mem) as u64 {
        return "<fault>".to_owned();
    }
    let shown = len.min(MAX_PATH_SHOWN);
    match mem.to_vec(GuestPtr::<[u8]>::new((ptr, shown))) {
        Ok(bytes) => {
            let mut text = String::from_utf8_lossy(&bytes).into_owned();
            if shown < len {
                text.push_str("...");
            }
            text
        }
        Err(_) => "<fault>".to_owned(),
    }
}

/// Ends the observation with the call's `result` (its `errno`, or a
/// trap), reading the values a successful call wrote, and hands the event
/// to the observer.
pub(crate) fn end<R>(watch: Watch, mem: &GuestMemory<'_>, result: &wasmtime::Result<R>)
where
    R: Copy + Into<i64>,
{
    let outcome = match result {
        Ok(errno) => match (*errno).into() {
            0 => Outcome::Ok(
                watch
                    .outs
                    .iter()
                    .map(|&(k, p)| read_out(mem, k, p))
                    .collect(),
            ),
            code => Outcome::Err(errno_name(code)),
        },
        Err(e) => Outcome::Trap(crate::observe::trap_text(e)),
    };
    watch.call.end(outcome);
}

/// The value a call wrote at `ptr` (the address itself if the guest's
/// memory does not hold it).
fn read_out(mem: &GuestMemory<'_>, kind: Kind, ptr: u32) -> (&'static str, Value) {
    let (name, value) = match kind {
        Out16(name) => (
            name,
            mem.read(GuestPtr::<u16>::new(ptr))
                .map(|v| Value::Flags(v.into())),
        ),
        Out32(name) => (
            name,
            mem.read(GuestPtr::<u32>::new(ptr))
                .map(|v| Value::Int(v.into())),
        ),
        Out64(name) => (
            name,
            mem.read(GuestPtr::<u64>::new(ptr))
                .map(|v| Value::Int(v as i64)),
        ),
        OutFd(name) => (name, mem.read(GuestPtr::<u32>::new(ptr)).map(Value::Fd)),
        Out(name) | Fd(name) | Int(name) | Flags(name) | Path(name) | Buf(name) | List(name) => {
            return (name, Value::Ptr(ptr));
        }
    };
    (name, value.unwrap_or(Value::Ptr(ptr)))
}

/// The specification's name of an `errno` (`noent`, `2big`, ...).
fn errno_name(code: i64) -> String {
    match u16::try_from(code)
        .ok()
        .and_then(|c| Errno::try_from(c).ok())
    {
        Some(Errno::TooBig) => "2big".to_owned(),
        Some(errno) => format!("{errno:?}").to_lowercase(),
        None => format!("errno {code}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_cut_and_faults_named() {
        let mut bytes = vec![b'a'; 10_000];
        bytes[9_998] = 0xff;
        let mem = GuestMemory::Unshared(&mut bytes);
        assert_eq!(path(&mem, 0, 3), "aaa");
        let long = path(&mem, 0, 5_000);
        assert_eq!(long.len(), MAX_PATH_SHOWN as usize + 3);
        assert!(long.ends_with("a..."));
        assert_eq!(path(&mem, 9_000, 2_000), "<fault>");
        assert_eq!(path(&mem, u32::MAX, 2), "<fault>");
        assert_eq!(path(&mem, 9_997, 2), "a\u{fffd}");
    }

    #[test]
    fn i32_arguments_are_unsigned() {
        assert_eq!(Raw::raw(-1i32), 0xffff_ffff);
        assert_eq!(Raw::raw(-1i64), -1);
    }

    #[test]
    fn errno_names_are_the_specification_s() {
        assert_eq!(errno_name(44), "noent");
        assert_eq!(errno_name(1), "2big");
        assert_eq!(errno_name(76), "notcapable");
        assert_eq!(errno_name(9999), "errno 9999");
    }
}
