//! Record and replay (tests/replay.rs): reads a line of stdin, the wall
//! clock, sleeps 30 ms on the monotonic clock, draws a random hash key,
//! reads the host file `argv[1]` if given, and prints all of it. With
//! `net HOST:PORT`, it looks the host up, connects, sends a line with the
//! hash key, ends its side and prints what comes back; with `udp
//! ADDR`, it sends a datagram with the hash key to `ADDR` and prints the
//! answer; with `serve FD`
//! (preview 1), it accepts one connection on the preopened listener `FD`,
//! reads to its end, answers, and prints what it read. The same source is
//! the preview 1 guest of tests/guests-p1.
use std::hash::{BuildHasher, RandomState};
use std::io::{BufRead, Read, Write};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

pub fn main() {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).expect("stdin");
    println!("stdin {:?}", line.trim_end());
    let wall = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    println!("wall {}.{:09}", wall.as_secs(), wall.subsec_nanos());
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(30));
    let slept = start.elapsed();
    assert!(slept >= Duration::from_millis(30), "slept {slept:?}");
    println!("slept {}", slept.as_nanos());
    let key = RandomState::new().hash_one(42u64);
    println!("random {key:x}");
    let arg = |n| std::env::args().nth(n).expect("an argument");
    match std::env::args().nth(1).as_deref() {
        Some("net") => {
            let mut s = std::net::TcpStream::connect(arg(2)).expect("connect");
            println!("peer {}", s.peer_addr().expect("peer address"));
            writeln!(s, "hello {key:x}").expect("send");
            s.shutdown(std::net::Shutdown::Write).expect("shutdown");
            let mut echoed = String::new();
            s.read_to_string(&mut echoed).expect("receive");
            println!("echo {echoed:?}");
        }
        Some("udp") => {
            let peer: std::net::SocketAddr = arg(2).parse().expect("an address");
            let sock = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
            let ping = format!("ping {key:x}");
            sock.send_to(ping.as_bytes(), peer).expect("send");
            let mut buf = [0u8; 512];
            let (n, from) = sock.recv_from(&mut buf).expect("receive");
            println!("udp {:?} from {from}", String::from_utf8_lossy(&buf[..n]));
        }
        Some("serve") => {
            use std::os::fd::FromRawFd;
            let fd = arg(2).parse().expect("a descriptor");
            // SAFETY: the host preopened a listener as `fd`, owned by no
            // one else in this program.
            let listener = unsafe { std::net::TcpListener::from_raw_fd(fd) };
            let (mut s, _) = listener.accept().expect("accept");
            let mut got = String::new();
            s.read_to_string(&mut got).expect("receive");
            println!("got {got:?}");
            write!(s, "answer {key:x}").expect("send");
        }
        Some(path) => println!(
            "file {:?}",
            std::fs::read_to_string(path).expect("read the file")
        ),
        None => {}
    }
}
