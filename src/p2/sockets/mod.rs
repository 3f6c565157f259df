//! `wasi:sockets` for components: `network`, `instance-network`, `tcp`,
//! `tcp-create-socket`, `udp` (async, with `udp_sync` for the calls that
//! ask the socket policy), `udp-create-socket` and `ip-name-lookup`.

mod ip_name_lookup;
mod network;
mod tcp;
mod udp;
mod udp_sync;
