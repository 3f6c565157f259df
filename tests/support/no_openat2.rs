//! Runs sandbox tests a second time with `openat2` unavailable, so that
//! cap-std's fallback resolver (the one used on kernels without `openat2`,
//! in gVisor-style sandboxes and on macOS) is covered on every run.
//!
//! [`rerun_without_openat2`] re-executes the current test binary in a child
//! process with [`ENV`] set and a filter selecting the tests; in the child,
//! [`disable_openat2_if_asked`] (called first by each of those tests)
//! installs a seccomp filter on every thread of the process that answers
//! `ENOSYS` for the `openat2` system call, as an old kernel would, and
//! checks that a raw `openat2` really fails that way, so the rerun cannot
//! pass vacuously. Linux only; the filter needs `PR_SET_NO_NEW_PRIVS` (or
//! root), both of which a test process has.

#![allow(dead_code)]

use std::process::Command;
use std::sync::Once;

/// Set in the child: the tests run with `openat2` answering `ENOSYS`.
pub const ENV: &str = "WASI_HOST_TEST_NO_OPENAT2";

/// What the child prints once the filter is verified.
pub const MARKER: &str = "openat2 is disabled: ENOSYS";

/// Whether this process runs with `openat2` disabled.
pub fn asked() -> bool {
    std::env::var_os(ENV).is_some()
}

/// In the child ([`ENV`] set): installs the filter once for the whole
/// process and verifies it. Elsewhere: nothing.
pub fn disable_openat2_if_asked() {
    static ONCE: Once = Once::new();
    if !asked() {
        return;
    }
    ONCE.call_once(|| {
        install_filter();
        verify();
        println!("{MARKER}");
    });
}

/// Re-runs the tests named `tests` (exact names) of this binary in a child
/// with `openat2` disabled, and panics unless every one of them ran and
/// passed there with the filter in effect.
pub fn rerun_without_openat2(tests: &[&str]) {
    assert!(!asked(), "a child must not rerun itself");
    let exe = std::env::current_exe().expect("the test binary");
    let mut cmd = Command::new(exe);
    cmd.env(ENV, "1")
        .args(tests)
        .args(["--exact", "--nocapture", "--test-threads", "2"]);
    let out = cmd.output().expect("run the test binary again");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report = format!("--- stdout ---\n{stdout}\n--- stderr ---\n{stderr}");
    assert!(
        out.status.success(),
        "the sandbox tests failed without openat2:\n{report}"
    );
    assert!(
        stdout.contains(MARKER),
        "the child never disabled openat2:\n{report}"
    );
    let summary = format!("test result: ok. {} passed", tests.len());
    assert!(
        stdout.contains(&summary),
        "not every test ran in the child (expected {summary:?}):\n{report}"
    );
}

#[cfg(target_arch = "x86_64")]
const AUDIT_ARCH: u32 = 0xc000_003e; // AUDIT_ARCH_X86_64
#[cfg(target_arch = "aarch64")]
const AUDIT_ARCH: u32 = 0xc000_00b7; // AUDIT_ARCH_AARCH64

/// One classic BPF instruction.
fn insn(code: u16, jt: u8, jf: u8, k: u32) -> libc::sock_filter {
    libc::sock_filter { code, jt, jf, k }
}

fn install_filter() {
    // Offsets in `struct seccomp_data`.
    const NR: u32 = 0;
    const ARCH: u32 = 4;
    const LD_W_ABS: u16 = (libc::BPF_LD | libc::BPF_W | libc::BPF_ABS) as u16;
    const JEQ_K: u16 = (libc::BPF_JMP | libc::BPF_JEQ | libc::BPF_K) as u16;
    const RET_K: u16 = (libc::BPF_RET | libc::BPF_K) as u16;
    let openat2 = u32::try_from(libc::SYS_openat2).expect("syscall number");
    let program = [
        // A foreign architecture's calls are let through.
        insn(LD_W_ABS, 0, 0, ARCH),
        insn(JEQ_K, 0, 3, AUDIT_ARCH),
        insn(LD_W_ABS, 0, 0, NR),
        insn(JEQ_K, 0, 1, openat2),
        insn(RET_K, 0, 0, libc::SECCOMP_RET_ERRNO | libc::ENOSYS as u32),
        insn(RET_K, 0, 0, libc::SECCOMP_RET_ALLOW),
    ];
    let prog = libc::sock_fprog {
        len: program.len() as u16,
        filter: program.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: plain system calls; `prog` points at `program`, which outlives
    // the call (the kernel copies the filter).
    unsafe {
        let r = libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        assert_eq!(
            r,
            0,
            "PR_SET_NO_NEW_PRIVS: {}",
            std::io::Error::last_os_error()
        );
        // TSYNC: every thread of the process, and the threads they start.
        let r = libc::syscall(
            libc::SYS_seccomp,
            libc::SECCOMP_SET_MODE_FILTER,
            libc::SECCOMP_FILTER_FLAG_TSYNC,
            &prog as *const libc::sock_fprog,
        );
        assert_eq!(r, 0, "seccomp: {}", std::io::Error::last_os_error());
    }
}

/// A raw `openat2` of `.` must now fail with `ENOSYS`, on this thread and on
/// a new one.
fn verify() {
    fn try_openat2() -> Option<i32> {
        #[repr(C)]
        struct OpenHow {
            flags: u64,
            mode: u64,
            resolve: u64,
        }
        let how = OpenHow {
            flags: (libc::O_RDONLY | libc::O_CLOEXEC) as u64,
            mode: 0,
            resolve: 0x08, // RESOLVE_BENEATH
        };
        // SAFETY: a plain system call with valid pointers.
        let r = unsafe {
            libc::syscall(
                libc::SYS_openat2,
                libc::AT_FDCWD,
                c".".as_ptr(),
                &how as *const OpenHow,
                std::mem::size_of::<OpenHow>(),
            )
        };
        if r >= 0 {
            // SAFETY: the descriptor was just opened and is ours.
            unsafe { libc::close(r as i32) };
            None
        } else {
            std::io::Error::last_os_error().raw_os_error()
        }
    }
    assert_eq!(try_openat2(), Some(libc::ENOSYS), "openat2 still works");
    let other = std::thread::spawn(try_openat2).join().unwrap();
    assert_eq!(other, Some(libc::ENOSYS), "openat2 works on a new thread");
}
