//! The 0.2 side of the WASI 0.3 benchmark (`benches/p3.rs`): each case
//! does one workload through `wasi:*@0.2` and prints `ns T`, the time the
//! workload took on the guest's monotonic clock. `/bench` is the mounted
//! folder.
//!
//! * `stdout SIZE N`: N writes of SIZE bytes to stdout.
//! * `read FILE`: FILE read to its end through `read-via-stream`, 64 KiB
//!   at a time.
//! * `write FILE SIZE`: SIZE bytes written through `write-via-stream`.
//! * `list DIR`: DIR's listing read to its end.
//! * `std-list DIR N`: DIR listed N times through `std::fs::read_dir`
//!   (wasi-libc: `read-directory-entry` and `metadata-hash-at` per entry),
//!   as the side-by-side harness's `readdir` guest does (`benches/floor.rs`).
//! * `std-read FILE`: FILE read to its end through `std::fs::File`, 64 KiB
//!   at a time, as the harness's `file_read_seq` guest does.
//! * `rtt ADDR N`: N round trips of 64 bytes with the echo server at ADDR.
//! * `recv ADDR`: everything the server at ADDR sends, read to its end.
//! * `sleeps N MS`: N waits of MS milliseconds, all at once.

use wasi_guests::{arg, num, preopen, unknown_case};
use wasip2::clocks::monotonic_clock;
use wasip2::filesystem::types::{DescriptorFlags, OpenFlags, PathFlags};
use wasip2::io::streams::{InputStream, OutputStream, StreamError};
use wasip2::sockets::network::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};
use wasip2::sockets::tcp::TcpSocket;

fn main() {
    let start = monotonic_clock::now();
    let done = match arg(1).as_str() {
        "stdout" => stdout(num(2) as usize, num(3)),
        "read" => read(&arg(2)),
        "write" => write(&arg(2), num(3) as usize),
        "list" => list(&arg(2)),
        "std-list" => std_list(&arg(2), num(3)),
        "std-read" => std_read(&arg(2)),
        "rtt" => rtt(&arg(2), num(3)),
        "recv" => recv(&arg(2)),
        "sleeps" => sleeps(num(2), num(3)),
        other => unknown_case(other),
    };
    let took = monotonic_clock::now() - start;
    // Through stderr: stdout may be the sink under test.
    eprintln!("ns {took}\n{done}");
}

/// Writes all of `data`, as much as each permit allows, then flushes.
fn write_all(out: &OutputStream, mut data: &[u8]) {
    while !data.is_empty() {
        let permit = out.check_write().expect("check-write") as usize;
        if permit == 0 {
            out.subscribe().block();
            continue;
        }
        let n = permit.min(data.len());
        out.write(&data[..n]).expect("write");
        data = &data[n..];
    }
    out.blocking_flush().expect("flush");
}

/// Reads `input` to its end, `chunk` bytes at a time; the byte count.
fn read_to_end(input: &InputStream, chunk: u64) -> u64 {
    let mut total = 0;
    loop {
        match input.blocking_read(chunk) {
            Ok(bytes) => total += bytes.len() as u64,
            Err(StreamError::Closed) => return total,
            Err(e) => panic!("read: {e:?}"),
        }
    }
}

fn stdout(size: usize, n: u64) -> String {
    let out = wasip2::cli::stdout::get_stdout();
    let data = vec![b'x'; size];
    for _ in 0..n {
        if size <= 4096 {
            out.blocking_write_and_flush(&data).expect("write");
        } else {
            write_all(&out, &data);
        }
    }
    format!("wrote {n} x {size}")
}

fn read(path: &str) -> String {
    let dir = preopen("/bench");
    let file = dir
        .open_at(PathFlags::empty(), path, OpenFlags::empty(), DescriptorFlags::READ)
        .expect("open");
    let input = file.read_via_stream(0).expect("read-via-stream");
    format!("read {}", read_to_end(&input, 64 << 10))
}

fn write(path: &str, size: usize) -> String {
    let dir = preopen("/bench");
    let file = dir
        .open_at(
            PathFlags::empty(),
            path,
            OpenFlags::CREATE | OpenFlags::TRUNCATE,
            DescriptorFlags::WRITE,
        )
        .expect("create");
    let out = file.write_via_stream(0).expect("write-via-stream");
    let mut chunk = vec![0u8; 64 << 10];
    let mut left = size;
    while left > 0 {
        let n = left.min(chunk.len());
        // Each chunk made afresh, as the 0.3 guest must.
        chunk[..n].fill(7);
        write_all(&out, &chunk[..n]);
        left -= n;
    }
    format!("wrote {size}")
}

fn list(path: &str) -> String {
    let dir = preopen("/bench");
    let d = dir
        .open_at(PathFlags::empty(), path, OpenFlags::DIRECTORY, DescriptorFlags::READ)
        .expect("open");
    let entries = d.read_directory().expect("read-directory");
    let mut n = 0;
    while entries.read_directory_entry().expect("entry").is_some() {
        n += 1;
    }
    format!("listed {n}")
}

fn std_list(path: &str, listings: u64) -> String {
    let mut entries = 0;
    let mut names = 0;
    for _ in 0..listings {
        for entry in std::fs::read_dir(path).expect("read_dir") {
            names += entry.expect("entry").file_name().len();
            entries += 1;
        }
    }
    format!("listed {entries}, {names} name bytes")
}

fn std_read(path: &str) -> String {
    use std::io::Read;
    let mut file = std::fs::File::open(path).expect("open");
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0;
    loop {
        match file.read(&mut buf).expect("read") {
            0 => break,
            n => total += n,
        }
    }
    format!("read {total}")
}

/// Connects to `addr` (`a.b.c.d:port`): the socket and its streams.
fn connect(addr: &str) -> (TcpSocket, InputStream, OutputStream) {
    let (ip, port) = addr.split_once(':').expect("host:port");
    let o: Vec<u8> = ip.split('.').map(|p| p.parse().expect("an octet")).collect();
    let remote = IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port: port.parse().expect("a port"),
        address: (o[0], o[1], o[2], o[3]),
    });
    let net = wasip2::sockets::instance_network::instance_network();
    let sock = wasip2::sockets::tcp_create_socket::create_tcp_socket(IpAddressFamily::Ipv4)
        .expect("socket");
    sock.start_connect(&net, remote).expect("connect");
    sock.subscribe().block();
    let (input, output) = sock.finish_connect().expect("connected");
    (sock, input, output)
}

fn rtt(addr: &str, n: u64) -> String {
    let (_sock, input, output) = connect(addr);
    let ping = [b'p'; 64];
    for _ in 0..n {
        output.blocking_write_and_flush(&ping).expect("send");
        let mut got = 0;
        while got < 64 {
            got += input.blocking_read(64 - got as u64).expect("receive").len();
        }
    }
    format!("{n} round trips")
}

fn recv(addr: &str) -> String {
    let (_sock, input, _output) = connect(addr);
    format!("received {}", read_to_end(&input, 64 << 10))
}

fn sleeps(n: u64, ms: u64) -> String {
    let mut waits: Vec<_> = (0..n)
        .map(|_| monotonic_clock::subscribe_duration(ms * 1_000_000))
        .collect();
    while !waits.is_empty() {
        let refs: Vec<_> = waits.iter().collect();
        let mut ready = wasip2::io::poll::poll(&refs);
        ready.sort_unstable();
        for i in ready.into_iter().rev() {
            waits.swap_remove(i as usize);
        }
    }
    format!("{n} waits")
}
