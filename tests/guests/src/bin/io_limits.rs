//! Stream and write limits (issue 6): what a guest sees at the edges of
//! stdio, memory pipes and file streams. `argv[1]` picks the case:
//! - `stdio-over-permit out|err`: a write of check-write's permit + 1 bytes
//!   to stdout or stderr (must trap; nothing may be written).
//! - `epipe`: prints `ready` on stdout, then writes until stdout fails (the
//!   host test closes the reader); reports the first error and what every
//!   later call returns, on stderr.
//! - `pipe-clones`: two handles to stdout (one memory pipe); check-write on
//!   both, then writes exactly each permit (must not trap); reports on stderr.
//! - `zero-write`: on a file stream in `/sandbox`, a write of the whole
//!   permit, then (whatever check-write says, 0 included) a write of 0 bytes
//!   and write-zeroes(0), repeatedly; prints `zero-write ok`.
//! - `flush-drop`: writes 1 MiB to `/sandbox/flushed.bin` through a stream,
//!   waits for the flush, checks the size by stat; then writes 1 MiB more to
//!   `/sandbox/dropped.bin`, flushes without waiting and drops the stream
//!   (the host checks both files).
//! - `partial-write`: on a small filesystem at `/sandbox`, `descriptor.write`
//!   of 3 MiB, then writes until an error; prints each count and error; then
//!   the same through a stream with blocking-write-and-flush chunks.
use wasi_guests::{arg, unknown_case};
use wasip2::cli::{stderr::get_stderr, stdout::get_stdout};
use wasip2::filesystem::types::{
    filesystem_error_code, Descriptor, DescriptorFlags as DF, OpenFlags as OF, PathFlags,
};
use wasip2::io::streams::{OutputStream, StreamError};

fn main() {
    let case = arg(1);
    match case.as_str() {
        "stdio-over-permit" => stdio_over_permit(&arg(2)),
        "epipe" => epipe(),
        "pipe-clones" => pipe_clones(),
        "zero-write" => zero_write(),
        "flush-drop" => flush_drop(),
        "partial-write" => partial_write(),
        other => unknown_case(other),
    }
}

fn err_name(e: &StreamError) -> String {
    match e {
        StreamError::Closed => "closed".into(),
        StreamError::LastOperationFailed(e) => match filesystem_error_code(e) {
            Some(code) => format!("last-operation-failed({})", code.name()),
            None => format!("last-operation-failed({})", e.to_debug_string()),
        },
    }
}

fn show<T: std::fmt::Debug>(r: Result<T, StreamError>) -> String {
    match r {
        Ok(v) => format!("ok {v:?}"),
        Err(e) => err_name(&e),
    }
}

fn stdio_over_permit(which: &str) {
    let s = match which {
        "out" => get_stdout(),
        "err" => get_stderr(),
        other => unknown_case(other),
    };
    let permit = s.check_write().expect("check-write");
    // Report on the other stream, so the one under test stays empty.
    let report = if which == "out" { get_stderr() } else { get_stdout() };
    let msg = format!("permit {permit}, writing {}\n", permit + 1);
    report.blocking_write_and_flush(msg.as_bytes()).unwrap();
    let r = s.write(&vec![b'p'; permit as usize + 1]);
    let msg = format!("write over the permit returned {}\n", show(r));
    report.blocking_write_and_flush(msg.as_bytes()).unwrap();
}

fn epipe() {
    let out = get_stdout();
    out.blocking_write_and_flush(b"ready\n").unwrap();
    let chunk = vec![b'e'; 64 << 10];
    let mut total: u64 = 0;
    let first = loop {
        if total > 1 << 30 {
            eprintln!("epipe no error after {total} bytes");
            return;
        }
        let permit = match out.check_write() {
            Ok(0) => {
                out.subscribe().block();
                continue;
            }
            Ok(n) => n.min(chunk.len() as u64) as usize,
            Err(e) => break ("check-write", e),
        };
        if let Err(e) = out.write(&chunk[..permit]) {
            break ("write", e);
        }
        total += permit as u64;
        if let Err(e) = out.flush() {
            break ("flush", e);
        }
    };
    eprintln!("epipe first error from {}: {}", first.0, err_name(&first.1));
    let later = [
        show(out.check_write()),
        show(out.write(b"x")),
        show(out.flush()),
        show(out.blocking_write_and_flush(b"y")),
        show(out.blocking_flush()),
        show(out.write_zeroes(0)),
    ];
    eprintln!("epipe later: {}", later.join(","));
    // A new handle to the same stdout is as broken.
    let again = get_stdout();
    eprintln!("epipe new handle: {}", show(again.blocking_write_and_flush(b"z")));
}

fn pipe_clones() {
    let a = get_stdout();
    let b = get_stdout();
    let pa = a.check_write().expect("check-write a") as usize;
    let pb = b.check_write().expect("check-write b") as usize;
    eprintln!("permits {pa} {pb}");
    // Each handle writes exactly what it was granted.
    let wa = show(a.write(&vec![b'a'; pa]));
    let wb = show(b.write(&vec![b'b'; pb]));
    eprintln!("writes {wa} {wb}");
    eprintln!("after {} {}", show(a.check_write()), show(b.check_write()));
}

fn sandbox() -> Descriptor {
    wasi_guests::preopen("/sandbox")
}

fn create(d: &Descriptor, name: &str) -> Descriptor {
    d.open_at(PathFlags::empty(), name, OF::CREATE | OF::TRUNCATE, DF::READ | DF::WRITE)
        .unwrap_or_else(|e| panic!("open {name}: {e:?}"))
}

/// Waits until the stream's flush completed (check-write grants again).
fn wait_flushed(s: &OutputStream) -> Result<u64, StreamError> {
    loop {
        match s.check_write()? {
            0 => s.subscribe().block(),
            n => return Ok(n),
        }
    }
}

fn zero_write() {
    let d = sandbox();
    let f = create(&d, "zero.bin");
    let s = f.write_via_stream(0).unwrap();
    let mut saw_zero = 0;
    for round in 0..20 {
        let permit = wait_flushed(&s).unwrap();
        s.write(&vec![round as u8; permit as usize]).unwrap();
        // The spec allows writing 0 bytes against any permit, 0 included.
        if s.check_write().unwrap() == 0 {
            saw_zero += 1;
        }
        s.write(&[]).unwrap();
        s.write_zeroes(0).unwrap();
    }
    s.blocking_flush().unwrap();
    println!("zero-write ok (check-write answered 0 {saw_zero} times)");
}

fn flush_drop() {
    let d = sandbox();
    let f = create(&d, "flushed.bin");
    let s = f.write_via_stream(0).unwrap();
    let permit = s.check_write().unwrap();
    assert!(permit >= 1 << 20, "permit {permit}");
    s.write(&vec![7; 1 << 20]).unwrap();
    s.flush().unwrap();
    wait_flushed(&s).unwrap();
    // The flush completed: the data is on the host now.
    let size = f.stat().unwrap().size;
    println!("flushed size {size}");
    drop(s);

    let g = create(&d, "dropped.bin");
    let s = g.write_via_stream(0).unwrap();
    s.write(&vec![9; 1 << 20]).unwrap();
    s.flush().unwrap();
    drop(s);
    drop(g);
    println!("dropped");
}

fn partial_write() {
    let d = sandbox();
    let f = create(&d, "big.bin");
    let data = vec![b'w'; 3 << 20];
    let mut offset = 0u64;
    for _ in 0..4 {
        match f.write(&data, offset) {
            Ok(n) => {
                println!("write {n}");
                offset += n;
            }
            Err(e) => {
                println!("write error {}", e.name());
                break;
            }
        }
    }
    println!("descriptor total {offset}");
    println!("descriptor size {}", f.stat().unwrap().size);
    // Free the space again, then fill it through a stream.
    f.set_size(0).unwrap();
    drop(f);
    d.unlink_file_at("big.bin").unwrap();
    let f = create(&d, "stream.bin");
    let s = f.write_via_stream(0).unwrap();
    let chunk = vec![b's'; 4096];
    let mut written = 0u64;
    let error = loop {
        match s.blocking_write_and_flush(&chunk) {
            Ok(()) => written += chunk.len() as u64,
            Err(e) => break err_name(&e),
        }
        if written > 64 << 20 {
            break "none".to_string();
        }
    };
    println!("stream flushed {written}");
    println!("stream error {error}");
    println!("stream later {}", show(s.check_write()));
}
