//! The ready-made streams, used directly from the host (no guest).

use bytes::Bytes;
use std::time::Duration;
use wasi_host::pipe::{
    AsyncReadStream, AsyncWriteStream, ClosedInputStream, ClosedOutputStream, MemoryInputPipe,
    MemoryOutputPipe, SinkOutputStream,
};
use wasi_host::{HostInputStream, HostOutputStream, StreamError, Subscribe};

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Completes `ready()` or fails the test after a second.
fn ready_now(s: &mut dyn Subscribe) {
    rt().block_on(async {
        tokio::time::timeout(Duration::from_secs(1), s.ready())
            .await
            .expect("ready() did not complete")
    })
}

fn is_closed<T: std::fmt::Debug>(r: Result<T, StreamError>) -> bool {
    matches!(r, Err(StreamError::Closed))
}

#[test]
fn memory_output_pipe_capacity_and_contents() {
    let mut pipe = MemoryOutputPipe::new(10);
    assert_eq!(pipe.check_write().unwrap(), 10);
    pipe.write(Bytes::from_static(b"hello")).unwrap();
    pipe.flush().unwrap();
    assert_eq!(&pipe.contents()[..], b"hello");
    assert_eq!(pipe.check_write().unwrap(), 5);
    // More than the permit: refused, nothing written.
    assert!(pipe.write(Bytes::from_static(b"too long!")).is_err());
    assert_eq!(&pipe.contents()[..], b"hello");
    pipe.write(Bytes::from_static(b"12345")).unwrap();
    // Full: closed for good.
    assert!(is_closed(pipe.check_write()), "a full pipe is not closed");
    assert!(pipe.write(Bytes::from_static(b"x")).is_err());
    assert_eq!(&pipe.contents()[..], b"hello12345");
    ready_now(&mut pipe);
}

#[test]
fn memory_output_pipe_clones_share_the_buffer() {
    let pipe = MemoryOutputPipe::new(100);
    let mut a = pipe.clone();
    let mut b = pipe.clone();
    a.write(Bytes::from_static(b"from a;")).unwrap();
    b.write(Bytes::from_static(b"from b;")).unwrap();
    assert_eq!(&pipe.contents()[..], b"from a;from b;");
    // The capacity is shared too.
    assert_eq!(a.check_write().unwrap(), 100 - 14);
    drop(a);
    drop(b);
    let inner = pipe
        .try_into_inner()
        .expect("the last clone gets the buffer");
    assert_eq!(&inner[..], b"from a;from b;");
}

#[test]
fn memory_output_pipe_handles_never_hold_more_than_the_room_left() {
    let pipe = MemoryOutputPipe::new(100);
    let mut a = pipe.clone();
    let mut b = pipe.clone();
    // Both ask first, then both write what they were granted: no trap.
    let pa = a.check_write().unwrap();
    let pb = b.check_write().unwrap();
    assert!(pa + pb <= 100, "granted {pa} + {pb} of 100");
    a.write(Bytes::from(vec![b'a'; pa])).unwrap();
    b.write(Bytes::from(vec![b'b'; pb])).unwrap();
    assert_eq!(pipe.contents().len(), pa + pb);

    // A handle without room waits until the holder releases it.
    let pipe = MemoryOutputPipe::new(100);
    let mut a = pipe.clone();
    let mut b = pipe.clone();
    assert_eq!(a.check_write().unwrap(), 100);
    assert_eq!(b.check_write().unwrap(), 0);
    {
        use std::task::{Context, Poll, Waker};
        let mut ready = b.ready();
        let poll = ready.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        assert!(
            matches!(poll, Poll::Pending),
            "ready() completed while another handle holds the room"
        );
    }
    a.write(Bytes::from_static(b"0123456789")).unwrap();
    ready_now(&mut b);
    assert_eq!(b.check_write().unwrap(), 90);
    // Dropping a holder releases its permit too.
    assert_eq!(a.check_write().unwrap(), 0);
    drop(b);
    assert_eq!(a.check_write().unwrap(), 90);
    // A write without asking may use the room no handle holds.
    let mut c = pipe.clone();
    assert!(
        c.write(Bytes::from_static(b"x")).is_err(),
        "a holds all the room"
    );
    a.write(Bytes::from(vec![b'a'; 90])).unwrap();
    assert!(is_closed(c.check_write()));
}

#[test]
fn memory_output_pipe_try_into_inner_needs_the_last_clone() {
    let pipe = MemoryOutputPipe::new(10);
    let other = pipe.clone();
    assert!(pipe.try_into_inner().is_none());
    assert!(other.try_into_inner().is_some());
}

#[test]
fn memory_output_pipe_write_zeroes() {
    let mut pipe = MemoryOutputPipe::new(8);
    pipe.write_zeroes(3).unwrap();
    pipe.write(Bytes::from_static(b"ab")).unwrap();
    assert_eq!(&pipe.contents()[..], b"\0\0\0ab");
}

#[test]
fn memory_output_pipe_zero_capacity_is_closed() {
    let mut pipe = MemoryOutputPipe::new(0);
    assert!(is_closed(pipe.check_write()));
}

#[test]
fn memory_input_pipe_reads_then_closes() {
    let mut pipe = MemoryInputPipe::new(Bytes::from_static(b"0123456789"));
    assert!(!pipe.is_empty());
    ready_now(&mut pipe);
    assert_eq!(&pipe.read(3).unwrap()[..], b"012");
    assert_eq!(pipe.skip(2).unwrap(), 2);
    assert_eq!(&pipe.read(100).unwrap()[..], b"56789");
    assert!(pipe.is_empty());
    assert!(is_closed(pipe.read(1)));
    assert!(is_closed(pipe.skip(1)));
    ready_now(&mut pipe);
    // From a Vec and a String too.
    let mut v = MemoryInputPipe::new(b"vec".to_vec());
    assert_eq!(&v.read(10).unwrap()[..], b"vec");
    let mut s = MemoryInputPipe::new("string");
    assert_eq!(&s.read(10).unwrap()[..], b"string");
    let mut e = MemoryInputPipe::new(Vec::new());
    assert!(is_closed(e.read(1)));
}

#[test]
fn memory_input_pipe_blocking_read() {
    let mut pipe = MemoryInputPipe::new("abc");
    let r = rt();
    assert_eq!(&r.block_on(pipe.blocking_read(2)).unwrap()[..], b"ab");
    assert_eq!(r.block_on(pipe.blocking_skip(5)).unwrap(), 1);
    assert!(is_closed(r.block_on(pipe.blocking_read(1))));
}

#[test]
fn closed_and_sink_streams() {
    let mut i = ClosedInputStream;
    assert!(is_closed(i.read(1)));
    ready_now(&mut i);
    let mut o = ClosedOutputStream;
    assert!(is_closed(o.check_write()));
    ready_now(&mut o);
    let mut s = SinkOutputStream;
    let permit = s.check_write().unwrap();
    assert!(permit > 0);
    s.write(Bytes::from(vec![1u8; permit.min(1 << 20)]))
        .unwrap();
    s.flush().unwrap();
    assert!(s.check_write().unwrap() > 0);
    ready_now(&mut s);
}

#[test]
fn async_read_stream_over_a_tokio_reader() {
    let r = rt();
    r.block_on(async {
        let (mut tx, rx) = tokio::io::duplex(64);
        let mut s = AsyncReadStream::new(rx);
        use tokio::io::AsyncWriteExt;
        tx.write_all(b"first").await.unwrap();
        tokio::time::timeout(Duration::from_secs(5), s.ready())
            .await
            .unwrap();
        let got = s.read(100).unwrap();
        assert_eq!(&got[..], b"first");
        // Nothing yet: an empty read, not an error.
        assert!(s.read(100).unwrap().is_empty());
        tx.write_all(b"second").await.unwrap();
        drop(tx);
        let mut all = Vec::new();
        loop {
            tokio::time::timeout(Duration::from_secs(5), s.ready())
                .await
                .unwrap();
            match s.read(100) {
                Ok(b) => all.extend_from_slice(&b),
                Err(StreamError::Closed) => break,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(all, b"second");
    });
}

#[test]
fn async_write_stream_over_a_tokio_writer() {
    let r = rt();
    r.block_on(async {
        let (tx, mut rx) = tokio::io::duplex(1 << 16);
        let mut s = AsyncWriteStream::new(1024, tx);
        let mut sent = Vec::new();
        for i in 0..20u8 {
            loop {
                tokio::time::timeout(Duration::from_secs(5), s.ready())
                    .await
                    .unwrap();
                let permit = s.check_write().unwrap();
                if permit > 0 {
                    let chunk = vec![i; permit.min(100)];
                    sent.extend_from_slice(&chunk);
                    s.write(Bytes::from(chunk)).unwrap();
                    break;
                }
            }
        }
        s.flush().unwrap();
        tokio::time::timeout(Duration::from_secs(5), s.ready())
            .await
            .unwrap();
        assert!(
            s.check_write().unwrap() > 0,
            "flushed stream grants no permit"
        );
        drop(s);
        use tokio::io::AsyncReadExt;
        let mut got = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), rx.read_to_end(&mut got))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got, sent);
    });
}

#[test]
fn async_write_stream_reports_a_failed_writer() {
    let r = rt();
    r.block_on(async {
        let (tx, rx) = tokio::io::duplex(16);
        drop(rx); // the reader is gone: writes fail
        let mut s = AsyncWriteStream::new(1024, tx);
        let mut saw_error = false;
        for _ in 0..100 {
            tokio::time::timeout(Duration::from_secs(5), s.ready())
                .await
                .unwrap();
            match s.check_write() {
                Ok(0) => continue,
                Ok(_) => {
                    if s.write(Bytes::from_static(b"data")).is_err() {
                        saw_error = true;
                        break;
                    }
                    let _ = s.flush();
                }
                Err(_) => {
                    saw_error = true;
                    break;
                }
            }
        }
        assert!(saw_error, "writing to a closed pipe never failed");
    });
}
