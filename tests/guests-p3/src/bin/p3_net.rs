//! `wasi:sockets@0.3.0`, both ends inside the guest, over loopback.
//!
//! * `tcp N`: an echo server and a client on IPv4 and IPv6; the client
//!   sends N bytes while reading them back, and checks every byte:
//!   `echoed N v4`, `echoed N v6`.
//! * `accept K`: K clients connect to one listener, whose accept stream
//!   yields K sockets with their peers' addresses; with the listener gone,
//!   connecting is refused: `accepted K`, `then ConnectionRefused`.
//! * `udp`: datagrams both ways on IPv4 and IPv6, with the sender's
//!   address; connected sockets filter other senders: `udp v4 ok`...
//! * `lookup`: names and literals resolved, malformed names refused.
//! * `lookup-refused`: every lookup refused by the context's policy.
//! * `policy`: the host refuses port 9 and peers on 127.0.0.2.
//! * `drop-send`: a send stream ended half-way, and one whose result
//!   future was dropped first: the peer reads what was written, then EOF.
//! * `drop-receive`: the server drops its receive stream and its socket
//!   after the first bytes of a large send; the client's send ends.
//! * `limit-tcp N` (the context's socket limit): creates up to N sockets,
//!   holding them: `created K then CODE`; dropped, one more: `again ok`.
//! * `limit-accept` (a socket limit of 2): a listener and a connected
//!   client spend it, so the accept stream yields nothing for 300 ms:
//!   `waiting`; with the client dropped, the queued connection comes:
//!   `accepted`.

use std::future::IntoFuture;
use wasi_guests_p3::exports::wasi::cli::run::Guest;
use wasi_guests_p3::wasi::cli::environment;
use wasi_guests_p3::wasi::clocks::monotonic_clock;
use wasi_guests_p3::wasi::sockets::ip_name_lookup::{self, resolve_addresses};
use wasi_guests_p3::wasi::sockets::types::{
    ErrorCode, IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress,
    TcpSocket, UdpSocket,
};
use wasi_guests_p3::{line, wit_stream};
use wit_bindgen::StreamResult;

struct Component;
wasi_guests_p3::export!(Component);

/// Loopback of `family` at `port`.
fn localhost(family: IpAddressFamily, port: u16) -> IpSocketAddress {
    match family {
        IpAddressFamily::Ipv4 => IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port,
            address: (127, 0, 0, 1),
        }),
        IpAddressFamily::Ipv6 => IpSocketAddress::Ipv6(Ipv6SocketAddress {
            port,
            address: (0, 0, 0, 0, 0, 0, 0, 1),
            flow_info: 0,
            scope_id: 0,
        }),
    }
}

fn v4(address: (u8, u8, u8, u8), port: u16) -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address })
}

fn port(addr: IpSocketAddress) -> u16 {
    match addr {
        IpSocketAddress::Ipv4(a) => a.port,
        IpSocketAddress::Ipv6(a) => a.port,
    }
}

fn name(family: IpAddressFamily) -> &'static str {
    match family {
        IpAddressFamily::Ipv4 => "v4",
        IpAddressFamily::Ipv6 => "v6",
    }
}

/// The byte at offset `i` of every test stream.
fn pattern(i: usize) -> u8 {
    (i % 251) as u8
}

/// A listener on loopback of `family` and the address to reach it.
fn listener(family: IpAddressFamily) -> (TcpSocket, IpSocketAddress) {
    let server = TcpSocket::create(family).expect("create");
    server.bind(localhost(family, 0)).expect("bind");
    let addr = server.get_local_address().expect("local address");
    (server, addr)
}

/// Writes `data` through a fresh send stream of `sock` and ends it.
async fn send_all(sock: &TcpSocket, data: Vec<u8>) -> Result<(), ErrorCode> {
    let (mut tx, rx) = wit_stream::new();
    let done = sock.send(rx);
    let ((), result) = futures::join!(
        async {
            tx.write_all(data).await;
            drop(tx);
        },
        done.into_future()
    );
    result
}

async fn tcp_echo(family: IpAddressFamily, total: usize) {
    let (server, addr) = listener(family);
    let mut accept = server.listen().expect("listen");
    let client = TcpSocket::create(family).expect("create");
    let serve = async {
        let sock = accept.next().await.expect("a connection");
        // Echo: everything received goes back through one send stream.
        let (mut rx, received) = sock.receive();
        let (mut tx, out) = wit_stream::new();
        let sent = sock.send(out);
        let pump = async {
            let mut buf = Vec::with_capacity(64 << 10);
            loop {
                let (status, got) = rx.read(buf).await;
                let rest = tx.write_all(got).await;
                assert!(rest.is_empty(), "the send stream closed early");
                buf = Vec::with_capacity(64 << 10);
                if !matches!(status, StreamResult::Complete(_)) {
                    break;
                }
            }
            drop(tx);
        };
        let ((), r, s) = futures::join!(pump, received.into_future(), sent.into_future());
        r.expect("server receive");
        s.expect("server send");
    };
    let talk = async {
        client.connect(addr).await.expect("connect");
        let again = client.connect(addr).await;
        assert!(matches!(again, Err(ErrorCode::InvalidState)), "{again:?}");
        let (mut tx, out) = wit_stream::new();
        let sent = client.send(out);
        let (mut rx, received) = client.receive();
        let write = async {
            let mut at = 0;
            while at < total {
                let n = (total - at).min(1 << 20);
                let chunk: Vec<u8> = (at..at + n).map(pattern).collect();
                let rest = tx.write_all(chunk).await;
                assert!(rest.is_empty(), "the client's send stream closed early");
                at += n;
            }
            drop(tx);
        };
        let read = async {
            let mut at = 0;
            loop {
                let (status, got) = rx.read(Vec::with_capacity(64 << 10)).await;
                for (k, b) in got.iter().enumerate() {
                    assert_eq!(*b, pattern(at + k), "byte {} differs", at + k);
                }
                at += got.len();
                if !matches!(status, StreamResult::Complete(_)) {
                    break;
                }
            }
            at
        };
        let ((), got, s, r) =
            futures::join!(write, read, sent.into_future(), received.into_future());
        s.expect("client send");
        r.expect("client receive");
        assert_eq!(got, total, "echoed bytes");
        // One send stream per socket.
        let second = send_all(&client, vec![1]).await;
        assert!(matches!(second, Err(ErrorCode::InvalidState)), "{second:?}");
    };
    futures::join!(serve, talk);
    line(format!("echoed {total} {}", name(family))).await;
}

async fn accept_many(count: usize) {
    let family = IpAddressFamily::Ipv4;
    let (server, addr) = listener(family);
    let mut accept = server.listen().expect("listen");
    let mut clients = Vec::new();
    for _ in 0..count {
        let c = TcpSocket::create(family).expect("create");
        c.connect(addr).await.expect("connect");
        clients.push(c);
    }
    let mut peers = Vec::new();
    for _ in 0..count {
        let s = accept.next().await.expect("an accepted socket");
        assert_eq!(port(s.get_local_address().expect("local")), port(addr));
        peers.push(port(s.get_remote_address().expect("remote")));
    }
    let mut mine: Vec<u16> = clients
        .iter()
        .map(|c| port(c.get_local_address().expect("local")))
        .collect();
    peers.sort();
    mine.sort();
    assert_eq!(peers, mine, "accepted peers are the clients");
    line(format!("accepted {count}")).await;
    drop(accept);
    drop(server);
    let late = TcpSocket::create(family).expect("create");
    let r = late.connect(addr).await;
    line(format!(
        "then {}",
        r.err().map(|e| format!("{e:?}")).unwrap_or_default()
    ))
    .await;
}

async fn udp(family: IpAddressFamily) {
    let a = UdpSocket::create(family).expect("create");
    let b = UdpSocket::create(family).expect("create");
    a.bind(localhost(family, 0)).expect("bind a");
    b.bind(localhost(family, 0)).expect("bind b");
    let aa = a.get_local_address().expect("a's address");
    let ba = b.get_local_address().expect("b's address");
    // An echo: b answers a's datagram to its sender.
    let echo = async {
        let (data, from) = b.receive().await.expect("b receives");
        assert_eq!(from, aa);
        b.send(data, Some(from)).await.expect("b answers");
    };
    let ask = async {
        a.send(vec![7; 1000], Some(ba)).await.expect("a sends");
        a.receive().await.expect("a receives")
    };
    let ((), (back, from)) = futures::join!(echo, ask);
    assert_eq!((back, from), (vec![7; 1000], ba));
    let big = a.send(vec![0; 65537], Some(ba)).await;
    assert!(matches!(big, Err(ErrorCode::DatagramTooLarge)), "{big:?}");
    // Connected: datagrams from others are dropped.
    b.connect(aa).expect("connect");
    let c = UdpSocket::create(family).expect("create");
    c.send(vec![1], Some(ba)).await.expect("c sends");
    a.send(vec![2], Some(ba)).await.expect("a sends");
    assert_eq!(b.receive().await.expect("b receives"), (vec![2], aa));
    b.disconnect().expect("disconnect");
    assert_eq!(b.get_local_address().expect("local"), ba);
    assert!(matches!(b.disconnect(), Err(ErrorCode::InvalidState)));
    line(format!("udp {} ok", name(family))).await;
}

async fn lookup() {
    let r = resolve_addresses("127.0.0.1".into())
        .await
        .expect("v4 literal");
    assert_eq!(r, vec![IpAddress::Ipv4((127, 0, 0, 1))]);
    let r = resolve_addresses("[::1]".into()).await.expect("v6 literal");
    assert_eq!(r, vec![IpAddress::Ipv6((0, 0, 0, 0, 0, 0, 0, 1))]);
    let r = resolve_addresses("localhost".into())
        .await
        .expect("localhost");
    assert!(!r.is_empty());
    for bad in ["", "a b", "127.0.0.1:80", "[1.2.3.4]"] {
        let r = resolve_addresses(bad.into()).await;
        assert!(
            matches!(r, Err(ip_name_lookup::ErrorCode::InvalidArgument)),
            "{bad}: {r:?}"
        );
    }
    let r = resolve_addresses("nonexistent.invalid".into()).await;
    assert!(
        matches!(r, Err(ip_name_lookup::ErrorCode::NameUnresolvable)),
        "{r:?}"
    );
    line("lookup ok").await;
}

async fn lookup_refused() {
    for name in ["localhost", "127.0.0.1", "example.com"] {
        let r = resolve_addresses(name.into()).await;
        line(format!("{name} {r:?}")).await;
    }
}

/// Under a policy refusing port 9 and peers on 127.0.0.2.
async fn policy() {
    let fam = IpAddressFamily::Ipv4;
    let show = |what: &str, r: Result<(), ErrorCode>| format!("{what} {r:?}");
    let a = UdpSocket::create(fam).expect("create");
    line(show(
        "udp-send",
        a.send(vec![1], Some(v4((127, 0, 0, 1), 9))).await,
    ))
    .await;
    // A datagram from 127.0.0.2 is dropped; the next one arrives.
    let b = UdpSocket::create(fam).expect("create");
    b.bind(v4((127, 0, 0, 1), 0)).expect("bind");
    let ba = b.get_local_address().expect("local");
    let c = UdpSocket::create(fam).expect("create");
    c.bind(v4((127, 0, 0, 2), 0)).expect("bind 127.0.0.2");
    c.send(vec![1], Some(ba)).await.expect("c sends");
    a.send(vec![2], Some(ba)).await.expect("a sends");
    line(format!(
        "udp-receive {:?}",
        b.receive().await.expect("receive").0
    ))
    .await;
    let t = TcpSocket::create(fam).expect("create");
    line(show("tcp-connect", t.connect(v4((127, 0, 0, 1), 9)).await)).await;
    // An accepted peer on 127.0.0.2 is dropped; the next one arrives.
    let (server, sa) = listener(fam);
    let mut accept = server.listen().expect("listen");
    let bad = TcpSocket::create(fam).expect("create");
    bad.bind(v4((127, 0, 0, 2), 0)).expect("bind 127.0.0.2");
    bad.connect(sa).await.expect("connect from 127.0.0.2");
    let good = TcpSocket::create(fam).expect("create");
    good.connect(sa).await.expect("connect");
    let s = accept.next().await.expect("accepted");
    let same = s.get_remote_address().expect("remote") == good.get_local_address().expect("local");
    line(format!("tcp-accept only-allowed {same}")).await;
    let u = UdpSocket::create(fam).expect("create");
    line(show("udp-bind", u.bind(v4((127, 0, 0, 1), 9)))).await;
    line(show("udp-connect", u.connect(v4((127, 0, 0, 1), 9)))).await;
    let t = TcpSocket::create(fam).expect("create");
    line(show("tcp-bind", t.bind(v4((127, 0, 0, 1), 9)))).await;
}

/// Reads `rx` to its end; the number of bytes.
async fn drain(rx: &mut wit_bindgen::StreamReader<u8>) -> usize {
    let mut n = 0;
    loop {
        let (status, got) = rx.read(Vec::with_capacity(64 << 10)).await;
        n += got.len();
        if !matches!(status, StreamResult::Complete(_)) {
            return n;
        }
    }
}

async fn drop_send() {
    let fam = IpAddressFamily::Ipv4;
    let (server, addr) = listener(fam);
    let mut accept = server.listen().expect("listen");
    for drop_future in [false, true] {
        let client = TcpSocket::create(fam).expect("create");
        client.connect(addr).await.expect("connect");
        let peer = accept.next().await.expect("accepted");
        let (mut tx, out) = wit_stream::new();
        let sent = client.send(out);
        let sent = if drop_future {
            drop(sent);
            None
        } else {
            Some(sent)
        };
        let (mut rx, received) = peer.receive();
        let write = async {
            // Half of what a whole send would be, then the end.
            tx.write_all(vec![5; 1 << 20]).await;
            drop(tx);
            if let Some(sent) = sent {
                sent.await.expect("send result");
            }
        };
        let ((), n) = futures::join!(write, drain(&mut rx));
        received.await.expect("peer's receive result");
        line(format!("peer read {n} (future dropped: {drop_future})")).await;
    }
}

async fn drop_receive() {
    let fam = IpAddressFamily::Ipv4;
    let (server, addr) = listener(fam);
    let mut accept = server.listen().expect("listen");
    let client = TcpSocket::create(fam).expect("create");
    client.connect(addr).await.expect("connect");
    let peer = accept.next().await.expect("accepted");
    let (mut tx, out) = wit_stream::new();
    let sent = client.send(out);
    let write = async {
        let mut written = 0usize;
        while written < 64 << 20 {
            let rest = tx.write_all(vec![9; 1 << 20]).await;
            written += (1 << 20) - rest.len();
            if !rest.is_empty() {
                break;
            }
        }
        drop(tx);
        sent.await
    };
    let read = async {
        let (mut rx, received) = peer.receive();
        let (_, first) = rx.read(Vec::with_capacity(1000)).await;
        assert!(!first.is_empty());
        drop(rx);
        let r = received.await;
        drop(peer);
        r
    };
    let (sent, received) = futures::join!(write, read);
    line(format!("receiver dropped: {received:?}")).await;
    line(format!(
        "send ended {}",
        if sent.is_ok() { "ok" } else { "with an error" }
    ))
    .await;
}

async fn limit_tcp(n: usize) {
    let mut held = Vec::new();
    let mut end = "none".to_string();
    for _ in 0..n {
        match TcpSocket::create(IpAddressFamily::Ipv4) {
            Ok(s) => held.push(s),
            Err(e) => {
                end = format!("{e:?}");
                break;
            }
        }
    }
    line(format!("created {} then {end}", held.len())).await;
    held.clear();
    TcpSocket::create(IpAddressFamily::Ipv4).expect("create after dropping");
    line("again ok".to_string()).await;
}

async fn limit_accept() {
    use futures::FutureExt;
    let family = IpAddressFamily::Ipv4;
    let (server, addr) = listener(family);
    let mut accept = server.listen().expect("listen");
    let client = TcpSocket::create(family).expect("create");
    client.connect(addr).await.expect("connect");
    let early = futures::select! {
        s = accept.next().fuse() => Some(s),
        () = monotonic_clock::wait_for(300_000_000).fuse() => None,
    };
    assert!(early.is_none(), "accepted beyond the socket limit");
    line("waiting".to_string()).await;
    drop(client);
    let s = accept.next().await.expect("an accepted socket");
    drop(s);
    line("accepted".to_string()).await;
}

impl Guest for Component {
    async fn run() -> Result<(), ()> {
        let args = environment::get_arguments();
        let arg = |i: usize| args.get(i).cloned().unwrap_or_default();
        match arg(1).as_str() {
            "tcp" => {
                let total: usize = arg(2).parse().expect("a size");
                tcp_echo(IpAddressFamily::Ipv4, total).await;
                tcp_echo(IpAddressFamily::Ipv6, total).await;
            }
            "accept" => accept_many(arg(2).parse().expect("a count")).await,
            "udp" => {
                udp(IpAddressFamily::Ipv4).await;
                udp(IpAddressFamily::Ipv6).await;
            }
            "lookup" => lookup().await,
            "lookup-refused" => lookup_refused().await,
            "policy" => policy().await,
            "drop-send" => drop_send().await,
            "drop-receive" => drop_receive().await,
            "limit-tcp" => limit_tcp(arg(2).parse().expect("a count")).await,
            "limit-accept" => limit_accept().await,
            other => panic!("unknown case {other:?}"),
        }
        Ok(())
    }
}

fn main() {
    unreachable!("the 0.3 `run` export is the entry point")
}
