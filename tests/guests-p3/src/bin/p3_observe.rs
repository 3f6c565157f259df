//! Calls for the call observer's 0.3 tests (tests/observe.rs), through
//! direct 0.3 calls so the host knows each one: opens on `/rw` (one
//! missing, one creating), a write through `write-via-stream`, the new
//! file dropped, a refused create on the read-only `/ro`, a rename, random
//! bytes, a clock reading, a TCP bind (refused unless the host allows it)
//! and a name lookup; then exits with code 3.

use wasi_guests_p3::exports::wasi::cli::run::Guest;
use wasi_guests_p3::wasi::cli::exit;
use wasi_guests_p3::wasi::clocks::monotonic_clock;
use wasi_guests_p3::wasi::filesystem::preopens;
use wasi_guests_p3::wasi::filesystem::types::{
    Descriptor, DescriptorFlags as DF, OpenFlags as OF, PathFlags as PF,
};
use wasi_guests_p3::wasi::random::random;
use wasi_guests_p3::wasi::sockets::ip_name_lookup::resolve_addresses;
use wasi_guests_p3::wasi::sockets::types::{
    IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, TcpSocket,
};
use wasi_guests_p3::{export, wit_stream};

struct Component;
export!(Component);

/// The directory mounted at `path`.
fn preopen(path: &str) -> Descriptor {
    preopens::get_directories()
        .into_iter()
        .find(|(_, p)| p == path)
        .map(|(d, _)| d)
        .unwrap_or_else(|| panic!("{path} is mounted"))
}

impl Guest for Component {
    async fn run() -> Result<(), ()> {
        let rw = preopen("/rw");
        let ro = preopen("/ro");
        let missing = rw
            .open_at(PF::empty(), "missing".into(), OF::empty(), DF::READ)
            .await;
        assert!(missing.is_err());
        let made = rw
            .open_at(PF::empty(), "made.txt".into(), OF::CREATE, DF::WRITE)
            .await
            .expect("create made.txt");
        let (mut tx, rx) = wit_stream::new();
        let (written, ()) = futures::join!(async { made.write_via_stream(rx, 0).await }, async {
            let rest = tx.write_all(b"abc".to_vec()).await;
            assert!(rest.is_empty());
            drop(tx);
        });
        written.expect("write made.txt");
        drop(made);
        let refused = ro
            .open_at(PF::empty(), "made.txt".into(), OF::CREATE, DF::WRITE)
            .await;
        assert!(refused.is_err());
        rw.rename_at("made.txt".into(), &rw, "moved.txt".into())
            .await
            .expect("rename");
        assert_eq!(random::get_random_bytes(8).len(), 8);
        let _ = monotonic_clock::now();
        let socket = TcpSocket::create(IpAddressFamily::Ipv4).expect("tcp socket");
        let local = IpSocketAddress::Ipv4(Ipv4SocketAddress {
            port: 0,
            address: (127, 0, 0, 1),
        });
        let _ = socket.bind(local);
        let _ = resolve_addresses("localhost".into()).await;
        exit::exit_with_code(3);
        unreachable!("exit-with-code returned")
    }
}

fn main() {
    unreachable!("the 0.3 `run` export is the entry point")
}
