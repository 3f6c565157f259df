//! Direct calls of every `wasi:io/streams` method on stdin/stdout/stderr.
//! `argv[1]` picks the case:
//! - `read EXPECTED`: stdin holds EXPECTED; read, blocking-read, skip,
//!   blocking-skip and subscribe consume it in pieces, each piece checked;
//!   then every input method reports `closed` at the end of stdin.
//! - `closed-stdin`: stdin is empty/closed from the start.
//! - `write`: check-write/write/flush/subscribe, blocking-write-and-flush
//!   (exactly 4096 bytes allowed), write-zeroes, blocking-write-zeroes-and-flush,
//!   blocking-flush, an empty write; stdout must be exactly what tests/streams.rs expects.
//! - `splice EXPECTED`: stdin holds EXPECTED; splice then blocking-splice copy
//!   it to stdout; both report `closed` at the end.
//! - `overflow TOTAL CHUNK`: blocking-write-and-flush of TOTAL bytes in CHUNK
//!   pieces into a stdout smaller than TOTAL; reports where it stopped.
//! - `write-over-permit`: write of check-write's permit + 1 bytes (must trap).
//! - `bwf-too-long`: blocking-write-and-flush of 4097 bytes (must trap).
//! - `bwzf-too-long`: blocking-write-zeroes-and-flush of 4097 (must trap).
//! - `error-string`: stdout fails (the host gives a failing stream); prints
//!   the error's to-debug-string.
//! Diagnostics go to stderr so stdout holds only what is under test.
use wasi_guests::{arg, unknown_case};
use wasip2::cli::{stderr::get_stderr, stdin::get_stdin, stdout::get_stdout};
use wasip2::io::streams::{InputStream, OutputStream, StreamError};

fn main() {
    let case = arg(1);
    match case.as_str() {
        "read" => read_case(arg(2).as_bytes()),
        "closed-stdin" => closed_stdin(),
        "write" => write_case(),
        "splice" => splice_case(arg(2).as_bytes()),
        "overflow" => overflow(wasi_guests::num(2) as usize, wasi_guests::num(3) as usize),
        "write-over-permit" => write_over_permit(),
        "bwf-too-long" => {
            let out = get_stdout();
            let r = out.blocking_write_and_flush(&[b'q'; 4097]);
            eprintln!("blocking-write-and-flush(4097) returned {r:?}");
        }
        "bwzf-too-long" => {
            let out = get_stdout();
            let r = out.blocking_write_zeroes_and_flush(4097);
            eprintln!("blocking-write-zeroes-and-flush(4097) returned {r:?}");
        }
        "error-string" => error_string(),
        other => unknown_case(other),
    }
}

fn is_closed<T: std::fmt::Debug>(r: &Result<T, StreamError>) -> bool {
    matches!(r, Err(StreamError::Closed))
}

/// Reads up to `len` bytes without the blocking variant: waits on the
/// stream's pollable whenever a read returns nothing.
fn read_nonblocking(s: &InputStream, len: u64) -> Result<Vec<u8>, StreamError> {
    loop {
        let data = s.read(len)?;
        assert!(data.len() as u64 <= len, "read({len}) returned {} bytes", data.len());
        if !data.is_empty() || len == 0 {
            return Ok(data);
        }
        let p = s.subscribe();
        p.block();
    }
}

fn skip_nonblocking(s: &InputStream, len: u64) -> Result<u64, StreamError> {
    loop {
        let n = s.skip(len)?;
        assert!(n <= len, "skip({len}) returned {n}");
        if n > 0 {
            return Ok(n);
        }
        let p = s.subscribe();
        p.block();
    }
}

fn read_case(expected: &[u8]) {
    assert!(expected.len() >= 12, "read case wants at least 12 bytes of input");
    let stdin = get_stdin();
    let mut pos = 0usize;
    let check = |what: &str, data: &[u8], pos: &mut usize| {
        assert_eq!(
            data,
            &expected[*pos..*pos + data.len()],
            "{what} returned bytes that are not the next ones of stdin"
        );
        eprintln!("{what}: {:?}", String::from_utf8_lossy(data));
        *pos += data.len();
    };

    // A zero-length read on an open stream: ok(empty).
    let zero = stdin.read(0).expect("read(0) on an open stream");
    assert!(zero.is_empty(), "read(0) returned data");

    let d = read_nonblocking(&stdin, 3).expect("read(3)");
    assert!(!d.is_empty());
    check("read(3)", &d, &mut pos);

    let d = stdin.blocking_read(4).expect("blocking-read(4)");
    assert!(!d.is_empty() && d.len() <= 4, "blocking-read(4) gave {} bytes", d.len());
    check("blocking-read(4)", &d, &mut pos);

    let n = skip_nonblocking(&stdin, 2).expect("skip(2)");
    eprintln!("skip(2): {n}");
    pos += n as usize;

    let n = stdin.blocking_skip(3).expect("blocking-skip(3)");
    assert!(n >= 1 && n <= 3, "blocking-skip(3) gave {n}");
    eprintln!("blocking-skip(3): {n}");
    pos += n as usize;

    {
        // Data remains, so the pollable must be ready.
        let p = stdin.subscribe();
        p.block();
        assert!(p.ready(), "input pollable not ready while data remains");
    }

    // The rest, through blocking-read, until closed.
    loop {
        match stdin.blocking_read(5) {
            Ok(d) => {
                assert!(!d.is_empty(), "blocking-read returned nothing without closing");
                assert!(d.len() <= 5);
                check("blocking-read(5)", &d, &mut pos);
            }
            Err(StreamError::Closed) => break,
            Err(e) => panic!("blocking-read failed: {e:?}"),
        }
    }
    assert_eq!(pos, expected.len(), "consumed a different amount than stdin held");

    // At the end: everything says closed, and the pollable is ready.
    after_close(&stdin);
    println!("read ok consumed={pos}");
}

fn after_close(stdin: &InputStream) {
    let r = stdin.read(1);
    assert!(is_closed(&r), "read(1) at end: {r:?}");
    let r = stdin.read(0);
    assert!(is_closed(&r), "read(0) at end: {r:?}");
    let r = stdin.blocking_read(1);
    assert!(is_closed(&r), "blocking-read at end: {r:?}");
    let r = stdin.skip(1);
    assert!(is_closed(&r), "skip at end: {r:?}");
    let r = stdin.blocking_skip(1);
    assert!(is_closed(&r), "blocking-skip at end: {r:?}");
    let p = stdin.subscribe();
    assert!(p.ready(), "pollable of a closed input stream is not ready");
    p.block();
}

fn closed_stdin() {
    let stdin = get_stdin();
    after_close(&stdin);
    println!("closed-stdin ok");
}


/// Writes all of `data` with check-write/write, blocking on the pollable
/// when no write is permitted.
fn write_all_nonblocking(out: &OutputStream, mut data: &[u8]) {
    while !data.is_empty() {
        let permit = out.check_write().expect("check-write");
        if permit == 0 {
            let p = out.subscribe();
            p.block();
            continue;
        }
        let n = (permit as usize).min(data.len());
        out.write(&data[..n]).expect("write within permit");
        data = &data[n..];
    }
}

fn wait_writable(out: &OutputStream, at_least: u64) -> u64 {
    loop {
        let permit = out.check_write().expect("check-write");
        if permit >= at_least {
            return permit;
        }
        let p = out.subscribe();
        p.block();
    }
}

fn write_case() {
    let out = get_stdout();

    // 1. check-write / write / flush, then wait for the flush via subscribe.
    write_all_nonblocking(&out, b"write:hello\n");
    out.flush().expect("flush");
    {
        let p = out.subscribe();
        p.block();
        assert!(p.ready());
    }
    let permit = out.check_write().expect("check-write after flush");
    assert!(permit > 0, "pollable ready but check-write permits 0");

    // 2. An empty write is fine.
    out.write(&[]).expect("write of nothing");

    // 3. blocking-write-and-flush, including exactly 4096 bytes.
    out.blocking_write_and_flush(b"bwf:world\n").expect("blocking-write-and-flush");
    out.blocking_write_and_flush(&[b'x'; 4096]).expect("blocking-write-and-flush(4096)");
    out.blocking_write_and_flush(b"\n").expect("blocking-write-and-flush");

    // 4. write-zeroes within a permit, then blocking-write-zeroes-and-flush.
    wait_writable(&out, 3);
    out.write_zeroes(3).expect("write-zeroes(3)");
    out.blocking_write_zeroes_and_flush(2).expect("blocking-write-zeroes-and-flush(2)");
    out.blocking_write_zeroes_and_flush(0).expect("blocking-write-zeroes-and-flush(0)");
    out.blocking_write_and_flush(b"\n").expect("newline");

    // 5. A non-blocking write finished by blocking-flush.
    write_all_nonblocking(&out, b"end\n");
    out.blocking_flush().expect("blocking-flush");

    // 6. stderr works the same way.
    let err = get_stderr();
    err.blocking_write_and_flush(b"stderr-direct\n").expect("stderr write");
    err.blocking_flush().expect("stderr flush");
}

fn splice_case(expected: &[u8]) {
    let stdin = get_stdin();
    let out = get_stdout();
    let mut total = 0u64;
    let mut splices = 0;
    // First with the non-blocking splice, up to 7 bytes at a time.
    while total < (expected.len() / 2) as u64 {
        match out.splice(&stdin, 7) {
            Ok(0) => {
                let p = stdin.subscribe();
                p.block();
                let q = out.subscribe();
                q.block();
            }
            Ok(n) => {
                assert!(n <= 7, "splice(7) moved {n}");
                total += n;
                splices += 1;
            }
            Err(StreamError::Closed) => break,
            Err(e) => panic!("splice failed: {e:?}"),
        }
    }
    // Then blocking-splice until the input closes.
    loop {
        match out.blocking_splice(&stdin, 5) {
            Ok(n) => {
                assert!(n >= 1 && n <= 5, "blocking-splice(5) moved {n}");
                total += n;
                splices += 1;
            }
            Err(StreamError::Closed) => break,
            Err(e) => panic!("blocking-splice failed: {e:?}"),
        }
    }
    let r = out.splice(&stdin, 5);
    assert!(is_closed(&r), "splice at the end of input: {r:?}");
    let r = out.blocking_splice(&stdin, 5);
    assert!(is_closed(&r), "blocking-splice at the end of input: {r:?}");
    out.blocking_flush().expect("blocking-flush");
    assert_eq!(total, expected.len() as u64, "spliced a different amount than stdin held");
    eprintln!("spliced {total} bytes in {splices} calls");
}

fn pattern(i: usize) -> u8 {
    b'a' + (i % 26) as u8
}

fn overflow(total: usize, chunk: usize) {
    let out = get_stdout();
    let data: Vec<u8> = (0..total).map(pattern).collect();
    let mut accepted = 0usize;
    let mut error = None;
    for piece in data.chunks(chunk) {
        match out.blocking_write_and_flush(piece) {
            Ok(()) => accepted += piece.len(),
            Err(e) => {
                error = Some(e);
                break;
            }
        }
    }
    let kind = match &error {
        None => "none".to_string(),
        Some(StreamError::Closed) => "closed".to_string(),
        Some(StreamError::LastOperationFailed(e)) => {
            format!("last-operation-failed: {}", e.to_debug_string())
        }
    };
    eprintln!("overflow accepted={accepted} error={kind}");
    if error.is_some() {
        // Once failed, the stream stays closed.
        let r = out.check_write();
        eprintln!("check-write after the error: {r:?}");
        assert!(r.is_err(), "check-write succeeded after the stream failed");
        let r = out.blocking_write_and_flush(b"more");
        assert!(r.is_err(), "a write succeeded after the stream failed");
    }
}

fn write_over_permit() {
    let out = get_stdout();
    let permit = wait_writable(&out, 1);
    eprintln!("permit={permit}");
    if permit > 64 << 20 {
        eprintln!("permit too large to exceed in this test");
        std::process::exit(2);
    }
    let r = out.write(&vec![b'p'; permit as usize + 1]);
    eprintln!("write(permit + 1) returned {r:?}");
}

fn error_string() {
    let out = get_stdout();
    let mut result = Ok(());
    for _ in 0..3 {
        result = out.blocking_write_and_flush(b"doomed");
        if result.is_err() {
            break;
        }
    }
    match result {
        Err(StreamError::LastOperationFailed(e)) => {
            let s = e.to_debug_string();
            eprintln!("error-string: {s}");
            // After last-operation-failed, the stream is closed.
            let r = out.check_write();
            assert!(is_closed(&r), "after last-operation-failed: {r:?}");
        }
        other => panic!("expected last-operation-failed, got {other:?}"),
    }
}
