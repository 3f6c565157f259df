//! The `run` example with the network: no network unless a flag grants
//! it, and, with `--net` (or `--inherit-network --allow-tcp`), a std HTTP/1.1
//! client and a std echo server (the `tcp_std` guest) against peers on the
//! loopback interface, through the sync and the async linker.

use crate::common;
use common::{guests, run_example};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output, Stdio};
use std::thread;
use std::time::Duration;

fn run(args: &[&str]) -> Output {
    Command::new(run_example())
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[track_caller]
fn assert_ok(out: &Output) -> String {
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout:\n{stdout}\nstderr:\n{}",
        text(&out.stderr)
    );
    stdout
}

const MODES: [&[&str]; 2] = [&[], &["--async"]];

#[test]
fn no_network_unless_granted() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    // Nothing, or TCP without any address, or addresses without TCP.
    for flags in [&[][..], &["--allow-tcp"], &["--inherit-network"]] {
        let mut args = flags.to_vec();
        args.extend([guests::TCP_STD, "connect", &addr]);
        let stdout = assert_ok(&run(&args));
        assert!(
            stdout.contains(&format!("case connect {addr}: PermissionDenied")),
            "{flags:?}: {stdout}"
        );
    }
}

#[test]
fn http_client_with_net() {
    for mode in MODES {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let server = thread::spawn(move || {
            let (mut s, _) = listener.accept().unwrap();
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.ends_with(b"\r\n\r\n") {
                let n = s.read(&mut buf).unwrap();
                assert!(n > 0, "request cut short");
                request.extend_from_slice(&buf[..n]);
            }
            s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi")
                .unwrap();
            text(&request)
        });
        let mut args = mode.to_vec();
        args.extend(["--net", guests::TCP_STD, "http", &addr, "/path"]);
        let stdout = assert_ok(&run(&args));
        assert!(stdout.contains("status: HTTP/1.1 200 OK\n"), "{stdout}");
        assert!(stdout.contains("body: hi\n"), "{stdout}");
        let request = server.join().unwrap();
        assert!(request.starts_with("GET /path HTTP/1.1\r\n"), "{request}");
        assert!(request.contains(&format!("Host: {addr}\r\n")), "{request}");
    }
}

#[test]
fn echo_server_with_tcp_and_any_address() {
    for mode in MODES {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port()
            .to_string();
        let mut args: Vec<String> = mode.iter().map(|s| s.to_string()).collect();
        args.extend(
            [
                "--inherit-network",
                "--allow-tcp",
                guests::TCP_STD,
                "serve",
                &port,
                "1",
            ]
            .map(String::from),
        );
        let guest = thread::spawn(move || {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            run(&args)
        });
        let addr = format!("127.0.0.1:{port}");
        // The guest needs a moment to start: retry, boundedly.
        let mut s = (0..3000)
            .find_map(|_| {
                TcpStream::connect(&addr)
                    .map_err(|_| thread::sleep(Duration::from_millis(20)))
                    .ok()
            })
            .expect("the guest never listened");
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(b"echo me").unwrap();
        let mut back = [0u8; 7];
        s.read_exact(&mut back).unwrap();
        assert_eq!(&back, b"echo me");
        drop(s);
        let stdout = assert_ok(&guest.join().unwrap());
        assert!(stdout.contains("served 1"), "{stdout}");
    }
}

#[test]
fn help_documents_the_network_flags() {
    let stdout = assert_ok(&run(&["--help"]));
    for flag in [
        "--net",
        "--inherit-network",
        "--allow-tcp",
        "--allow-udp",
        "--allow-ip-name-lookup",
    ] {
        assert!(stdout.contains(flag), "{flag} missing from --help");
    }
}
