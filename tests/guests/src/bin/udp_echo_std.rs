//! A UDP echo client written with `std::net::UdpSocket` only: talks to an
//! echo peer at `argv[1]` (`HOST:PORT`), first unconnected (`send_to` /
//! `recv_from`), then connected (`connect` / `send` / `recv`), and prints
//! what came back. Reads have a 10 s timeout where std supports one, so a
//! missing reply ends the program instead of hanging it.
use std::net::{SocketAddr, UdpSocket};
use wasi_guests::arg;

fn main() {
    let peer: SocketAddr = arg(1).parse().expect("peer address");
    let bind_to = if peer.is_ipv4() { "127.0.0.1:0" } else { "[::1]:0" };
    let sock = UdpSocket::bind(bind_to).expect("bind");
    if let Err(e) = sock.set_read_timeout(Some(std::time::Duration::from_secs(10))) {
        eprintln!("set_read_timeout: {e}");
    }
    let local = sock.local_addr().expect("local_addr");
    println!("bound {}", local.ip());

    let mut buf = [0u8; 2048];
    for i in 0..3 {
        let msg = format!("ping {i}");
        let n = sock.send_to(msg.as_bytes(), peer).expect("send_to");
        assert_eq!(n, msg.len());
        let (n, from) = sock.recv_from(&mut buf).expect("recv_from");
        println!("echo {} from {}", String::from_utf8_lossy(&buf[..n]), from == peer);
    }

    sock.connect(peer).expect("connect");
    println!("peer {}", sock.peer_addr().expect("peer_addr") == peer);
    sock.send(b"connected").expect("send");
    let n = sock.recv(&mut buf).expect("recv");
    println!("echo {}", String::from_utf8_lossy(&buf[..n]));
    println!("done");
}
