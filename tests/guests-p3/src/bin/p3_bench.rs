//! The 0.3 side of the WASI 0.3 benchmark (`benches/p3.rs`): the same
//! cases as `tests/guests/src/bin/bench_p2.rs`, through `wasi:*@0.3.0`'s
//! streams and async functions; prints `ns T`, the time the workload took
//! on the guest's monotonic clock. `/bench` is the mounted folder.
//!
//! * `stdout SIZE N`: N writes of SIZE bytes into one stdout stream.
//! * `read FILE`: FILE read to its end through `read-via-stream`, into a
//!   64 KiB buffer used again for every read.
//! * `write FILE SIZE`: SIZE bytes written through `write-via-stream`.
//! * `list DIR`: DIR's listing read to its end.
//! * `rtt ADDR N`: N round trips of 64 bytes with the echo server at ADDR.
//! * `recv ADDR`: everything the server at ADDR sends, read to its end.
//! * `sleeps N MS`: N waits of MS milliseconds, all at once.

use std::future::IntoFuture;
use wasi_guests_p3::exports::wasi::cli::run::Guest;
use wasi_guests_p3::wasi::cli::{environment, stdout};
use wasi_guests_p3::wasi::clocks::monotonic_clock;
use wasi_guests_p3::wasi::filesystem::preopens;
use wasi_guests_p3::wasi::filesystem::types::{
    Descriptor, DescriptorFlags as DF, OpenFlags as OF, PathFlags as PF,
};
use wasi_guests_p3::wasi::sockets::types::{
    IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket,
};
use wasi_guests_p3::wit_stream;
use wit_bindgen::{StreamReader, StreamResult};

struct Component;
wasi_guests_p3::export!(Component);

/// The descriptor mounted at `/bench`.
fn bench_dir() -> Descriptor {
    preopens::get_directories()
        .into_iter()
        .find(|(_, path)| path == "/bench")
        .map(|(d, _)| d)
        .expect("/bench is mounted")
}

/// Reads `rx` to its end through one reused buffer of `chunk` bytes.
async fn read_to_end(rx: &mut StreamReader<u8>, chunk: usize) -> u64 {
    let mut buf = Vec::with_capacity(chunk);
    let mut total = 0;
    loop {
        let (status, mut got) = rx.read(buf).await;
        total += got.len() as u64;
        got.clear();
        buf = got;
        if !matches!(status, StreamResult::Complete(_)) {
            return total;
        }
    }
}

async fn write_stdout(size: usize, n: u64) -> String {
    let (mut tx, rx) = wit_stream::new();
    let done = stdout::write_via_stream(rx);
    let write = async {
        for _ in 0..n {
            let rest = tx.write_all(vec![b'x'; size]).await;
            assert!(rest.is_empty(), "stdout closed");
        }
        drop(tx);
    };
    let ((), r) = futures::join!(write, done.into_future());
    r.expect("stdout");
    format!("wrote {n} x {size}")
}

async fn read(path: &str) -> String {
    let f = bench_dir()
        .open_at(PF::empty(), path.into(), OF::empty(), DF::READ)
        .await
        .expect("open");
    let (mut rx, done) = f.read_via_stream(0);
    let n = read_to_end(&mut rx, 64 << 10).await;
    done.await.expect("read-via-stream");
    format!("read {n}")
}

async fn write(path: &str, size: usize) -> String {
    let f = bench_dir()
        .open_at(PF::empty(), path.into(), OF::CREATE | OF::TRUNCATE, DF::WRITE)
        .await
        .expect("create");
    let (mut tx, rx) = wit_stream::new();
    let done = f.write_via_stream(rx, 0);
    let write = async {
        let mut left = size;
        while left > 0 {
            let n = left.min(64 << 10);
            let rest = tx.write_all(vec![7u8; n]).await;
            assert!(rest.is_empty(), "the file's stream closed");
            left -= n;
        }
        drop(tx);
    };
    let ((), r) = futures::join!(write, done.into_future());
    r.expect("write-via-stream");
    format!("wrote {size}")
}

async fn list(path: &str) -> String {
    let d = bench_dir()
        .open_at(PF::empty(), path.into(), OF::DIRECTORY, DF::READ)
        .await
        .expect("open");
    let (mut entries, done) = d.read_directory();
    let mut n = 0;
    loop {
        let (status, batch) = entries.read(Vec::with_capacity(256)).await;
        n += batch.len();
        if !matches!(status, StreamResult::Complete(_)) {
            break;
        }
    }
    done.await.expect("read-directory");
    format!("listed {n}")
}

/// Connects to `addr` (`a.b.c.d:port`).
async fn connect(addr: &str) -> TcpSocket {
    let (ip, port) = addr.split_once(':').expect("host:port");
    let o: Vec<u8> = ip.split('.').map(|p| p.parse().expect("an octet")).collect();
    let remote = IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port: port.parse().expect("a port"),
        address: (o[0], o[1], o[2], o[3]),
    });
    let sock = TcpSocket::create(IpAddressFamily::Ipv4).expect("socket");
    sock.connect(remote).await.expect("connect");
    sock
}

async fn rtt(addr: &str, n: u64) -> String {
    let sock = connect(addr).await;
    let (mut tx, out) = wit_stream::new();
    let sent = sock.send(out);
    let (mut rx, received) = sock.receive();
    let talk = async {
        let mut buf = Vec::with_capacity(64);
        for _ in 0..n {
            let rest = tx.write_all(vec![b'p'; 64]).await;
            assert!(rest.is_empty(), "the connection closed");
            let mut got = 0;
            while got < 64 {
                let (status, mut bytes) = rx.read(buf).await;
                assert!(matches!(status, StreamResult::Complete(_)), "the echo ended");
                got += bytes.len();
                bytes.clear();
                buf = bytes;
            }
        }
        drop(tx);
        drop(rx);
    };
    let ((), s, r) = futures::join!(talk, sent.into_future(), received.into_future());
    s.expect("send");
    r.expect("receive");
    format!("{n} round trips")
}

async fn recv(addr: &str) -> String {
    let sock = connect(addr).await;
    let (mut rx, received) = sock.receive();
    let n = read_to_end(&mut rx, 64 << 10).await;
    received.await.expect("receive");
    format!("received {n}")
}

async fn sleeps(n: u64, ms: u64) -> String {
    futures::future::join_all((0..n).map(|_| monotonic_clock::wait_for(ms * 1_000_000))).await;
    format!("{n} waits")
}

impl Guest for Component {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
        let num = |i: usize| arg(i).parse::<u64>().expect("a number");
        let start = monotonic_clock::now();
        let done = match arg(1).as_str() {
            "stdout" => write_stdout(num(2) as usize, num(3)).await,
            "read" => read(&arg(2)).await,
            "write" => write(&arg(2), num(3) as usize).await,
            "list" => list(&arg(2)).await,
            "rtt" => rtt(&arg(2), num(3)).await,
            "recv" => recv(&arg(2)).await,
            "sleeps" => sleeps(num(2), num(3)).await,
            other => panic!("unknown case {other:?}"),
        };
        let took = monotonic_clock::now() - start;
        // Through stderr: stdout may be the sink under test.
        wasi_guests_p3::err(format!("ns {took}\n{done}\n")).await;
        Ok(())
    }
}

fn main() {
    unreachable!("the 0.3 `run` export is the entry point")
}
