//! TCP through Rust std (`TcpStream`, `TcpListener`), the way ordinary
//! programs use it. One mode per run:
//!
//! - `echo ADDR N`: connects, sends N messages of 64 bytes and reads each
//!   echo back; prints `echoed N`.
//! - `send ADDR BYTES`: sends BYTES bytes of a pattern, shuts down its
//!   side, then prints the peer's one-line answer (`got <count> <sum>`).
//! - `recv ADDR`: reads until the peer closes; prints `received <count>
//!   <sum>`.
//! - `serve PORT CONNS`: listens on 127.0.0.1:PORT and echoes CONNS
//!   connections, one after the other, each until its peer closes; prints
//!   `served CONNS`.
//! - `http ADDR PATH`: an HTTP/1.1 GET; prints the status line and the body.
//! - `reset ADDR`: connects, sends `hi` and reads until an error; prints the
//!   `io::ErrorKind`.
//! - `connect ADDR...`: one connect per address; prints `case connect
//!   <ADDR>: ok` or the `io::ErrorKind`.
//! - `churn ADDR N`: N times, opens a listener and a connection to ADDR and
//!   drops both; prints `churned N` (the host runs out of descriptors if
//!   any were kept).
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};

/// The byte at position `i` of the bulk pattern.
fn pattern(i: u64) -> u8 {
    (i % 251) as u8
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    match arg(1) {
        "echo" => {
            let mut s = TcpStream::connect(arg(2)).expect("connect");
            let n: usize = arg(3).parse().expect("N");
            let mut buf = [0u8; 64];
            for i in 0..n {
                let msg = [(i % 256) as u8; 64];
                s.write_all(&msg).expect("write");
                s.read_exact(&mut buf).expect("read");
                assert_eq!(buf, msg, "echo {i}");
            }
            println!("echoed {n}");
        }
        "send" => {
            let mut s = TcpStream::connect(arg(2)).expect("connect");
            let total: u64 = arg(3).parse().expect("BYTES");
            let mut buf = vec![0u8; 256 * 1024];
            let mut sent = 0u64;
            while sent < total {
                let n = (total - sent).min(buf.len() as u64) as usize;
                for (k, b) in buf[..n].iter_mut().enumerate() {
                    *b = pattern(sent + k as u64);
                }
                s.write_all(&buf[..n]).expect("write");
                sent += n as u64;
            }
            s.shutdown(Shutdown::Write).expect("shutdown");
            let mut answer = String::new();
            s.read_to_string(&mut answer).expect("read answer");
            println!("{}", answer.trim());
        }
        "recv" => {
            let mut s = TcpStream::connect(arg(2)).expect("connect");
            let mut buf = vec![0u8; 256 * 1024];
            let (mut count, mut sum) = (0u64, 0u64);
            loop {
                let n = s.read(&mut buf).expect("read");
                if n == 0 {
                    break;
                }
                for &b in &buf[..n] {
                    assert_eq!(b, pattern(count), "byte {count}");
                    count += 1;
                    sum = sum.wrapping_add(b as u64);
                }
            }
            println!("received {count} {sum}");
        }
        "serve" => {
            let port: u16 = arg(2).parse().expect("PORT");
            let conns: usize = arg(3).parse().expect("CONNS");
            let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind");
            println!(
                "listening on {}",
                listener.local_addr().expect("local addr")
            );
            for _ in 0..conns {
                let (mut s, _) = listener.accept().expect("accept");
                let mut buf = [0u8; 16 * 1024];
                loop {
                    let n = s.read(&mut buf).expect("read");
                    if n == 0 {
                        break;
                    }
                    s.write_all(&buf[..n]).expect("write");
                }
            }
            println!("served {conns}");
        }
        "http" => {
            let mut s = TcpStream::connect(arg(2)).expect("connect");
            write!(
                s,
                "GET {} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                arg(3),
                arg(2)
            )
            .expect("request");
            let mut response = String::new();
            s.read_to_string(&mut response).expect("response");
            let (head, body) = response.split_once("\r\n\r\n").expect("head and body");
            println!("status: {}", head.lines().next().unwrap_or_default());
            println!("body: {body}");
        }
        "reset" => {
            let mut s = TcpStream::connect(arg(2)).expect("connect");
            // Tells the peer that the connection is established.
            s.write_all(b"hi").expect("write");
            let mut buf = [0u8; 1024];
            let kind = loop {
                match s.read(&mut buf) {
                    Ok(0) => break "end of stream".to_string(),
                    Ok(_) => continue,
                    Err(e) => {
                        eprintln!("read: {e}");
                        break format!("{:?}", e.kind());
                    }
                }
            };
            println!("read error: {kind}");
        }
        "connect" => {
            for addr in &args[2..] {
                match TcpStream::connect(addr.as_str()) {
                    Ok(_) => println!("case connect {addr}: ok"),
                    Err(e) => {
                        eprintln!("connect {addr}: {e}");
                        println!("case connect {addr}: {:?}", e.kind());
                    }
                }
            }
        }
        "churn" => {
            let n: usize = arg(3).parse().expect("N");
            for i in 0..n {
                let l =
                    TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("bind {i}: {e}"));
                let s = TcpStream::connect(arg(2)).unwrap_or_else(|e| panic!("connect {i}: {e}"));
                drop((l, s));
            }
            println!("churned {n}");
        }
        other => {
            eprintln!("unknown mode {other:?}");
            std::process::exit(2);
        }
    }
}
