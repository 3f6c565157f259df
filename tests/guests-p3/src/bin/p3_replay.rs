//! Record and replay for WASI 0.3 (tests/replay.rs): reads stdin to its
//! end, both clocks, waits 30 ms, draws random values and the insecure
//! seed, and prints all of it. With `net HOST:PORT` as arguments, it then
//! looks the host up, connects to the first address that takes the
//! connection, sends a line, ends its side and prints what comes back;
//! with `udp IP:PORT`, it sends a datagram there and prints the answer.
use std::future::IntoFuture;
use wasi_guests_p3::exports::wasi::cli::run::Guest;
use wasi_guests_p3::wasi::cli::{environment, stdin};
use wasi_guests_p3::wasi::clocks::{monotonic_clock, system_clock};
use wasi_guests_p3::wasi::random::{insecure_seed, random};
use wasi_guests_p3::wasi::sockets::ip_name_lookup::resolve_addresses;
use wasi_guests_p3::wasi::sockets::types::{
    IpAddress, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Ipv6SocketAddress, TcpSocket,
    UdpSocket,
};
use wasi_guests_p3::{export, line, wit_stream};
use wit_bindgen::StreamResult;

struct Component;
export!(Component);

impl Guest for Component {
    async fn run() -> Result<(), ()> {
        let (mut input, done) = stdin::read_via_stream();
        let mut all = Vec::new();
        loop {
            let (result, chunk) = input.read(Vec::with_capacity(4096)).await;
            all.extend_from_slice(&chunk);
            match result {
                StreamResult::Complete(_) => {}
                StreamResult::Dropped | StreamResult::Cancelled => break,
            }
        }
        done.await.expect("stdin ended without error");
        line(format!("stdin {:?}", String::from_utf8_lossy(&all))).await;
        let wall = system_clock::now();
        line(format!("wall {} {}", wall.seconds, wall.nanoseconds)).await;
        let start = monotonic_clock::now();
        monotonic_clock::wait_for(30_000_000).await;
        let slept = monotonic_clock::now() - start;
        assert!(slept >= 30_000_000, "slept {slept}");
        line(format!("slept {slept}")).await;
        line(format!("random {:?}", random::get_random_bytes(8))).await;
        line(format!("random u64 {}", random::get_random_u64())).await;
        line(format!("seed {:?}", insecure_seed::get_insecure_seed())).await;
        let args = environment::get_arguments();
        match &args[..] {
            [_, mode, addr] if mode == "net" => net(addr).await,
            [_, mode, addr] if mode == "udp" => udp(addr).await,
            _ => {}
        }
        Ok(())
    }
}

/// Talks to the echo server at `addr` (`HOST:PORT`).
async fn net(addr: &str) {
    let (host, port) = addr.rsplit_once(':').expect("HOST:PORT");
    let port: u16 = port.parse().expect("a port");
    let ips = resolve_addresses(host.into()).await.expect("lookup");
    let mut connected = None;
    for ip in ips {
        let (family, remote) = match ip {
            IpAddress::Ipv4(address) => (
                IpAddressFamily::Ipv4,
                IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address }),
            ),
            IpAddress::Ipv6(address) => (
                IpAddressFamily::Ipv6,
                IpSocketAddress::Ipv6(Ipv6SocketAddress {
                    port,
                    address,
                    flow_info: 0,
                    scope_id: 0,
                }),
            ),
        };
        let sock = TcpSocket::create(family).expect("create");
        match sock.connect(remote).await {
            Ok(()) => {
                connected = Some(sock);
                break;
            }
            Err(e) => line(format!("connect {e:?}")).await,
        }
    }
    let sock = connected.expect("a connection");
    line(format!(
        "peer {:?}",
        sock.get_remote_address().expect("peer")
    ))
    .await;
    let (mut tx, out) = wit_stream::new();
    let sent = sock.send(out);
    let (mut rx, received) = sock.receive();
    let write = async {
        let rest = tx.write_all(b"hello from 0.3\n".to_vec()).await;
        assert!(rest.is_empty(), "the send stream closed early");
        drop(tx);
    };
    let read = async {
        let mut all = Vec::new();
        loop {
            let (status, got) = rx.read(Vec::with_capacity(4096)).await;
            all.extend_from_slice(&got);
            if !matches!(status, StreamResult::Complete(_)) {
                break;
            }
        }
        all
    };
    let ((), echoed, s, r) =
        futures::join!(write, read, sent.into_future(), received.into_future());
    s.expect("send");
    r.expect("receive");
    line(format!("echo {:?}", String::from_utf8_lossy(&echoed))).await;
}

/// Sends a datagram to the echo server at `addr` (`IPV4:PORT`) and prints
/// the answer.
async fn udp(addr: &str) {
    let addr: std::net::SocketAddrV4 = addr.parse().expect("IPV4:PORT");
    let [a, b, c, d] = addr.ip().octets();
    let remote = IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port: addr.port(),
        address: (a, b, c, d),
    });
    let sock = UdpSocket::create(IpAddressFamily::Ipv4).expect("create");
    sock.send(b"ping from 0.3".to_vec(), Some(remote))
        .await
        .expect("send");
    let (data, from) = sock.receive().await.expect("receive");
    line(format!(
        "udp {:?} from {from:?}",
        String::from_utf8_lossy(&data)
    ))
    .await;
}

fn main() {
    unreachable!("the 0.3 `run` export is the entry point")
}
