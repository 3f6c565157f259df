//! Calls for the call observer's tests (tests/observe.rs), through direct
//! 0.2 calls so the host knows each one: opens on `/rw` (one missing, one
//! creating), a write, a refused create on the read-only `/ro`, a rename,
//! random bytes, a clock reading, a TCP bind (refused unless the host
//! allows it) and a name lookup; then exits with code 3.
use wasip2::filesystem::types::{DescriptorFlags as DF, OpenFlags as OF, PathFlags as PF};
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::network::{IpAddressFamily, IpSocketAddress, Ipv4SocketAddress};
use wasip2::sockets::tcp_create_socket::create_tcp_socket;

fn main() {
    let rw = wasi_guests::preopen("/rw");
    let ro = wasi_guests::preopen("/ro");
    let missing = rw.open_at(PF::empty(), "missing", OF::empty(), DF::READ);
    assert!(missing.is_err());
    let made = rw
        .open_at(PF::empty(), "made.txt", OF::CREATE, DF::WRITE)
        .expect("create made.txt");
    assert_eq!(made.write(b"abc", 0), Ok(3));
    drop(made);
    assert!(
        ro.open_at(PF::empty(), "made.txt", OF::CREATE, DF::WRITE)
            .is_err()
    );
    rw.rename_at("made.txt", &rw, "moved.txt").expect("rename");
    assert_eq!(wasip2::random::random::get_random_bytes(8).len(), 8);
    let _ = wasip2::clocks::monotonic_clock::now();
    let network = instance_network();
    let socket = create_tcp_socket(IpAddressFamily::Ipv4).expect("tcp socket");
    let local = IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port: 0,
        address: (127, 0, 0, 1),
    });
    let _ = socket.start_bind(&network, local);
    let _ = wasip2::sockets::ip_name_lookup::resolve_addresses(&network, "localhost");
    wasip2::cli::exit::exit_with_code(3);
}
