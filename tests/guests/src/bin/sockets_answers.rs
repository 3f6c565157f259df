//! The socket answers that programs written for other hosts check, through
//! direct `wasi:sockets` calls. `argv[1]` selects the case; each prints
//! `case <name>: <result>` lines (`ok ...` or the spec error code) for
//! `tests/sockets_answers.rs` to compare, then `done`. Every wait is
//! bounded (5 s per wait), so a missing answer shows as `timeout`, never as
//! a hang.
//! - `buffers`: `receive-buffer-size` / `send-buffer-size` after a set, on
//!   TCP (unbound, listening, connected, and accepted from a listener that
//!   had them set) and UDP; sizes of 1 and `u64::MAX`.
//! - `check-send PORT`: `check-send` right after `stream`, before any wait,
//!   on unconnected and connected streams (and on streams that replaced
//!   others), then a send of two datagrams on that permit to a host echo
//!   peer on 127.0.0.1:PORT, and their echoes.
//! - `listen-policy DENIED`: listens on 127.0.0.1:DENIED (the host's policy
//!   refuses it) and on an ephemeral port (allowed).
//! - `accept-policy DENIED`: a listener and two clients of its own, the
//!   first bound to port DENIED (the policy refuses that peer), the second
//!   not: `accept` gives the second, never the first, which finds its
//!   connection closed.
//! - `udp-policy DENIED_SEND DENIED_RECEIVE`: an unconnected stream sends
//!   to port DENIED_SEND (refused) and to an allowed socket, and receives
//!   from a socket bound to port DENIED_RECEIVE (dropped) and from an
//!   allowed one; then a stream connected to the DENIED_RECEIVE socket.
use wasi_guests::{arg, num, unknown_case};
use wasip2::clocks::monotonic_clock;
use wasip2::io::poll::{poll, Pollable};
use wasip2::io::streams::{InputStream, StreamError};
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Network,
};
use wasip2::sockets::tcp::TcpSocket;
use wasip2::sockets::tcp_create_socket::create_tcp_socket;
use wasip2::sockets::udp::{
    IncomingDatagram, IncomingDatagramStream, OutgoingDatagram, OutgoingDatagramStream, UdpSocket,
};
use wasip2::sockets::udp_create_socket::create_udp_socket;

fn main() {
    let net = instance_network();
    match arg(1).as_str() {
        "buffers" => buffers(&net),
        "check-send" => check_send(&net, num(2) as u16),
        "listen-policy" => listen_policy(&net, num(2) as u16),
        "accept-policy" => accept_policy(&net, num(2) as u16),
        "udp-policy" => udp_policy(&net, num(2) as u16, num(3) as u16),
        other => unknown_case(other),
    }
    println!("done");
}

fn case<T: std::fmt::Debug>(name: &str, r: Result<T, ErrorCode>) {
    match r {
        Ok(v) => println!("case {name}: ok {v:?}"),
        Err(e) => println!("case {name}: {}", e.name()),
    }
}

fn port_of(a: &IpSocketAddress) -> u16 {
    match a {
        IpSocketAddress::Ipv4(a) => a.port,
        IpSocketAddress::Ipv6(a) => a.port,
    }
}

fn localhost(port: u16) -> IpSocketAddress {
    IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port,
        address: (127, 0, 0, 1),
    })
}

/// Waits for `p`, at most 5 s. Returns whether it became ready.
fn wait(p: &Pollable) -> bool {
    let timeout = monotonic_clock::subscribe_duration(5_000_000_000);
    poll(&[p, &timeout]).contains(&0)
}

/// Calls `f` until it stops answering `would-block`, waiting on `p` in
/// between (at most 20 waits of 5 s).
fn finish<T>(p: &Pollable, mut f: impl FnMut() -> Result<T, ErrorCode>) -> Result<T, ErrorCode> {
    for _ in 0..20 {
        match f() {
            Err(ErrorCode::WouldBlock) => {
                wait(p);
            }
            r => return r,
        }
    }
    Err(ErrorCode::Timeout)
}

fn tcp_bind(net: &Network, s: &TcpSocket, a: IpSocketAddress) -> Result<(), ErrorCode> {
    s.start_bind(net, a)?;
    finish(&s.subscribe(), || s.finish_bind())
}

fn tcp_listen(s: &TcpSocket) -> Result<(), ErrorCode> {
    s.start_listen()?;
    finish(&s.subscribe(), || s.finish_listen())
}

fn tcp_connect(net: &Network, s: &TcpSocket, a: IpSocketAddress) -> Result<(), ErrorCode> {
    s.start_connect(net, a)?;
    finish(&s.subscribe(), || s.finish_connect()).map(drop)
}

/// A TCP listener on 127.0.0.1 (ephemeral port) and its address.
fn tcp_listener(net: &Network) -> (TcpSocket, IpSocketAddress) {
    let l = create_tcp_socket(IpAddressFamily::Ipv4).expect("create");
    tcp_bind(net, &l, localhost(0)).expect("bind");
    tcp_listen(&l).expect("listen");
    let addr = l.local_address().expect("local-address");
    (l, addr)
}

fn udp_bind(net: &Network, s: &UdpSocket, a: IpSocketAddress) -> Result<(), ErrorCode> {
    s.start_bind(net, a)?;
    wait(&s.subscribe());
    s.finish_bind()
}

/// The getters and setters of one socket kind's two buffer sizes.
struct Sizes<S> {
    receive: fn(&S) -> Result<u64, ErrorCode>,
    set_receive: fn(&S, u64) -> Result<(), ErrorCode>,
    send: fn(&S) -> Result<u64, ErrorCode>,
    set_send: fn(&S, u64) -> Result<(), ErrorCode>,
}

const TCP: Sizes<TcpSocket> = Sizes {
    receive: TcpSocket::receive_buffer_size,
    set_receive: TcpSocket::set_receive_buffer_size,
    send: TcpSocket::send_buffer_size,
    set_send: TcpSocket::set_send_buffer_size,
};

const UDP: Sizes<UdpSocket> = Sizes {
    receive: UdpSocket::receive_buffer_size,
    set_receive: UdpSocket::set_receive_buffer_size,
    send: UdpSocket::send_buffer_size,
    set_send: UdpSocket::set_send_buffer_size,
};

impl<S> Sizes<S> {
    /// Prints `<p>-rcvbuf` and `<p>-sndbuf`: the two sizes as they read.
    fn show(&self, p: &str, s: &S) {
        case(&format!("{p}-rcvbuf"), (self.receive)(s));
        case(&format!("{p}-sndbuf"), (self.send)(s));
    }

    /// Sets both sizes to `value` (`<p>-set` is the first failure or ok),
    /// then shows them.
    fn set(&self, p: &str, s: &S, value: u64) {
        let r = (self.set_receive)(s, value).and_then(|()| (self.set_send)(s, value));
        case(&format!("{p}-set"), r);
        self.show(p, s);
    }

    /// Sets each size to `value`, then to what was read back: the second
    /// read must give the same (`<p>-rcvbuf-again: ok same`).
    fn capped(&self, p: &str, s: &S, value: u64) {
        self.set(p, s, value);
        for (name, get, set) in [
            ("rcvbuf", self.receive, self.set_receive),
            ("sndbuf", self.send, self.set_send),
        ] {
            let r = get(s).and_then(|got| {
                set(s, got)?;
                Ok(if get(s)? == got { "same" } else { "different" })
            });
            match r {
                Ok(v) => println!("case {p}-{name}-again: ok {v}"),
                Err(e) => println!("case {p}-{name}-again: {}", e.name()),
            }
        }
    }
}

fn buffers(net: &Network) {
    // TCP: set before the bind, read in every state after.
    let s = create_tcp_socket(IpAddressFamily::Ipv4).expect("create");
    TCP.set("tcp-64k", &s, 65536);
    TCP.capped("tcp-1", &s, 1);
    TCP.capped("tcp-max", &s, u64::MAX);
    TCP.set("tcp-zero", &s, 0);

    let l = create_tcp_socket(IpAddressFamily::Ipv4).expect("create");
    TCP.set("listener-64k", &l, 65536);
    tcp_bind(net, &l, localhost(0)).expect("bind");
    tcp_listen(&l).expect("listen");
    TCP.show("listening", &l);
    let addr = l.local_address().expect("local-address");

    let client = create_tcp_socket(IpAddressFamily::Ipv4).expect("create");
    TCP.set("client-32k", &client, 32768);
    tcp_connect(net, &client, addr).expect("connect");
    TCP.show("connected", &client);
    match finish(&l.subscribe(), || l.accept()) {
        Ok((accepted, _input, _output)) => {
            // The kernel copies the listener's buffers to the connection.
            TCP.show("accepted", &accepted);
            TCP.set("accepted-48k", &accepted, 49152);
        }
        Err(e) => println!("case accepted: {}", e.name()),
    }

    // A listener whose sizes were set while it listened.
    let (l2, addr2) = tcp_listener(net);
    TCP.set("listening-16k", &l2, 16384);
    let client2 = create_tcp_socket(IpAddressFamily::Ipv4).expect("create");
    tcp_connect(net, &client2, addr2).expect("connect");
    match finish(&l2.subscribe(), || l2.accept()) {
        Ok((accepted, _input, _output)) => TCP.show("accepted-16k", &accepted),
        Err(e) => println!("case accepted-16k: {}", e.name()),
    }

    // UDP: before and after the bind.
    let u = create_udp_socket(IpAddressFamily::Ipv4).expect("create");
    UDP.set("udp-64k", &u, 65536);
    udp_bind(net, &u, localhost(0)).expect("bind");
    UDP.show("udp-bound", &u);
    UDP.set("udp-24k", &u, 24576);
    UDP.capped("udp-1", &u, 1);
    UDP.capped("udp-max", &u, u64::MAX);
    UDP.set("udp-zero", &u, 0);
}

/// A bound UDP socket on 127.0.0.1 (ephemeral port).
fn udp_bound(net: &Network) -> UdpSocket {
    let s = create_udp_socket(IpAddressFamily::Ipv4).expect("create");
    udp_bind(net, &s, localhost(0)).expect("bind");
    s
}

fn datagram(data: &[u8], to: Option<IpSocketAddress>) -> OutgoingDatagram {
    OutgoingDatagram {
        data: data.to_vec(),
        remote_address: to,
    }
}

/// Receives until `count` datagrams came or a wait of 5 s found none.
fn receive(inc: &IncomingDatagramStream, count: usize) -> Vec<IncomingDatagram> {
    let mut got = Vec::new();
    for _ in 0..1000 {
        if got.len() >= count {
            break;
        }
        match inc.receive(16) {
            Ok(batch) if batch.is_empty() => {
                if !wait(&inc.subscribe()) {
                    break;
                }
            }
            Ok(batch) => got.extend(batch),
            Err(e) => {
                println!("receive error: {}", e.name());
                break;
            }
        }
    }
    got
}

/// `<p>-check-send` at once (`ok at-least-2`, or the permit), then the
/// send of two datagrams on it (`<p>-send`) and their echoes (`<p>-echo`).
fn send_at_once(
    p: &str,
    inc: &IncomingDatagramStream,
    out: &OutgoingDatagramStream,
    to: Option<IpSocketAddress>,
) {
    let permit = out.check_send();
    match permit {
        Ok(n) if n >= 2 => println!("case {p}-check-send: ok at-least-2"),
        other => println!("case {p}-check-send: {other:?}"),
    }
    if !matches!(permit, Ok(n) if n >= 2) {
        return;
    }
    let data = [format!("{p} 1"), format!("{p} 2")];
    let datagrams: Vec<_> = data.iter().map(|d| datagram(d.as_bytes(), to)).collect();
    case(&format!("{p}-send"), out.send(&datagrams));
    let mut got: Vec<String> = receive(inc, 2)
        .iter()
        .map(|d| String::from_utf8_lossy(&d.data).into_owned())
        .collect();
    got.sort();
    if got == data {
        println!("case {p}-echo: ok");
    } else {
        println!("case {p}-echo: wrong {got:?}");
    }
}

fn check_send(net: &Network, peer_port: u16) {
    let peer = localhost(peer_port);
    let s = udp_bound(net);
    let (inc, out) = s.stream(None).expect("stream");
    send_at_once("unconnected", &inc, &out, Some(peer));

    let c = udp_bound(net);
    let (inc, out) = c.stream(Some(peer)).expect("stream");
    send_at_once("connected", &inc, &out, None);

    // Streams that replace others: the same at once.
    let (inc, out) = c.stream(None).expect("stream");
    send_at_once("replaced-unconnected", &inc, &out, Some(peer));
    let (inc, out) = c.stream(Some(peer)).expect("stream");
    send_at_once("replaced-connected", &inc, &out, None);
}

fn listen_policy(net: &Network, denied: u16) {
    let s = create_tcp_socket(IpAddressFamily::Ipv4).expect("create");
    tcp_bind(net, &s, localhost(denied)).expect("bind");
    case("listen-denied", tcp_listen(&s));
    // Refused: still bound, not listening, and it may ask again.
    println!("case denied is-listening: ok {}", s.is_listening());
    case(
        "denied local-port",
        s.local_address().map(|a| port_of(&a) == denied),
    );
    case("denied finish-listen", s.finish_listen());
    case("listen-denied-again", tcp_listen(&s));

    let s = create_tcp_socket(IpAddressFamily::Ipv4).expect("create");
    tcp_bind(net, &s, localhost(0)).expect("bind");
    case("listen-allowed", tcp_listen(&s));
    println!("case allowed is-listening: ok {}", s.is_listening());
}

/// What reading `input` shows within 5 s: `closed`, the failure's text
/// (`connection-reset`, ...), `data N` or `timeout`.
fn read_end(input: &InputStream) -> String {
    for _ in 0..10 {
        match input.read(100) {
            Ok(bytes) if bytes.is_empty() => {
                if !wait(&input.subscribe()) {
                    return "timeout".into();
                }
            }
            Ok(bytes) => return format!("data {}", bytes.len()),
            Err(StreamError::Closed) => return "closed".into(),
            Err(StreamError::LastOperationFailed(e)) => {
                let text = e.to_debug_string();
                return if text.contains("connection-reset") {
                    "connection-reset".into()
                } else {
                    text
                };
            }
        }
    }
    "no end".into()
}

fn accept_policy(net: &Network, denied: u16) {
    let (l, addr) = tcp_listener(net);
    // The refused peer connects first, so `accept` meets it first.
    let refused = create_tcp_socket(IpAddressFamily::Ipv4).expect("create");
    tcp_bind(net, &refused, localhost(denied)).expect("bind");
    refused.start_connect(net, addr).expect("start-connect");
    let refused_streams = finish(&refused.subscribe(), || refused.finish_connect());
    case(
        "refused connect",
        refused_streams.as_ref().map(|_| ()).map_err(|e| *e),
    );
    let allowed = create_tcp_socket(IpAddressFamily::Ipv4).expect("create");
    allowed.start_connect(net, addr).expect("start-connect");
    let (_in, out) = finish(&allowed.subscribe(), || allowed.finish_connect()).expect("connect");
    let allowed_port = allowed.local_address().map(|a| port_of(&a)).expect("local");
    out.blocking_write_and_flush(b"hi").expect("write");

    match finish(&l.subscribe(), || l.accept()) {
        Ok((socket, input, _output)) => {
            let peer = socket.remote_address().map(|a| port_of(&a));
            if peer == Ok(allowed_port) {
                println!("case accept: ok allowed peer");
            } else {
                println!(
                    "case accept: wrong peer {peer:?} (allowed {allowed_port}, refused {denied})"
                );
            }
            match input.blocking_read(2) {
                Ok(data) => println!("case accepted data: ok {}", String::from_utf8_lossy(&data)),
                Err(e) => println!("case accepted data: {e:?}"),
            }
        }
        Err(e) => println!("case accept: {}", e.name()),
    }
    // Let the listener's pollable settle what is still queued (a verdict
    // that takes its time), then nothing is left for the guest.
    let timeout = monotonic_clock::subscribe_duration(300_000_000);
    poll(&[&l.subscribe(), &timeout]);
    case("accept again", l.accept().map(|_| ()));
    match refused_streams {
        Ok((input, _output)) => println!("case refused peer reads: ok {}", read_end(&input)),
        Err(e) => println!("case refused peer reads: {}", e.name()),
    }
    println!("case listening after: ok {}", l.is_listening());
}

fn udp_policy(net: &Network, denied_send: u16, denied_receive: u16) {
    let r = udp_bound(net);
    let r_addr = r.local_address().expect("local");
    let (inc, out) = r.stream(None).expect("stream");

    let good = udp_bound(net);
    let good_addr = good.local_address().expect("local");
    let (good_in, good_out) = good.stream(None).expect("stream");
    let bad = create_udp_socket(IpAddressFamily::Ipv4).expect("create");
    udp_bind(net, &bad, localhost(denied_receive)).expect("bind");
    let (_bad_in, bad_out) = bad.stream(None).expect("stream");

    // Sends: one refused destination, one allowed.
    let permit = out.check_send().unwrap_or(0);
    println!("case permit: ok {}", permit >= 2);
    case(
        "send-denied",
        out.send(&[datagram(b"x", Some(localhost(denied_send)))]),
    );
    let _ = out.check_send();
    case(
        "send-allowed",
        out.send(&[datagram(b"to good", Some(good_addr))]),
    );
    let got = receive(&good_in, 1);
    let texts: Vec<_> = got
        .iter()
        .map(|d| String::from_utf8_lossy(&d.data).into_owned())
        .collect();
    println!("case sent-arrived: ok {texts:?}");

    // Receives: the refused source's datagrams are dropped, in between.
    for (i, o) in [&bad_out, &good_out, &bad_out, &good_out]
        .into_iter()
        .enumerate()
    {
        let _ = o.check_send();
        let data = format!("{} {i}", if i % 2 == 0 { "bad" } else { "good" });
        if let Err(e) = o.send(&[datagram(data.as_bytes(), Some(r_addr))]) {
            println!("case send {i}: {}", e.name());
        }
    }
    let got = receive(&inc, 2);
    let texts: Vec<_> = got
        .iter()
        .map(|d| String::from_utf8_lossy(&d.data).into_owned())
        .collect();
    let from_good = got
        .iter()
        .all(|d| port_of(&d.remote_address) == port_of(&good_addr));
    println!("case received: ok {texts:?} from-allowed {from_good}");
    // Nothing more comes (the refused ones were dropped, not delayed).
    let timeout = monotonic_clock::subscribe_duration(300_000_000);
    poll(&[&inc.subscribe(), &timeout]);
    case("received-late", inc.receive(16).map(|v| v.len()));

    // A stream connected to the refused source: its one peer was judged
    // at `stream` (connect), its datagrams are not asked about again.
    let (inc, _out) = r.stream(Some(localhost(denied_receive))).expect("stream");
    let _ = bad_out.check_send();
    case(
        "connected-send",
        bad_out.send(&[datagram(b"bad connected", Some(r_addr))]),
    );
    let got = receive(&inc, 1);
    let texts: Vec<_> = got
        .iter()
        .map(|d| String::from_utf8_lossy(&d.data).into_owned())
        .collect();
    println!("case connected-received: ok {texts:?}");
}
