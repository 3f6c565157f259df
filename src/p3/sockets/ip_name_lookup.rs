//! `wasi:sockets/ip-name-lookup@0.3.0`: `resolve-addresses` checks the
//! name's syntax (`invalid-argument`), then the context's policy, and
//! awaits the backend's lookup (`crate::sockets`' `lookup.rs`, on the
//! blocking pool) outside the store; all its addresses come back at once.
//! A lookup the context does not allow answers
//! `permanent-resolver-failure`, as in 0.2. Observed when the context has
//! an observer, from the name's check to the lookup's answer.

use super::convert::lookup_error_code;
use crate::io::Subscribe;
use crate::p3::bindings::sockets::ip_name_lookup::{self as b, ErrorCode};
use crate::p3::bindings::sockets::types::IpAddress;
use crate::p3::observe::observed;
use crate::sockets::{self, WasiSockets, WasiSocketsCtxView, parse_host_name};
use wasmtime::component::Accessor;

impl b::Host for WasiSocketsCtxView<'_> {}

impl<T: Send + 'static> b::HostWithStore<T> for WasiSockets {
    async fn resolve_addresses(
        accessor: &Accessor<T, Self>,
        name: String,
    ) -> wasmtime::Result<Result<Vec<IpAddress>, ErrorCode>> {
        let observer = accessor.with(|mut access| access.get().ctx.observer.clone());
        observed!(&observer, "wasi:sockets/ip-name-lookup", "resolve-addresses", [name], async -> wasmtime::Result<Result<Vec<IpAddress>, ErrorCode>> {
            let name = match parse_host_name(&name) {
                Ok(name) => name,
                Err(code) => return Ok(Err(lookup_error_code(code))),
            };
            let started = accessor.with(|mut access| access.get().ctx.resolve_addresses(name));
            let mut lookup = match started {
                Ok(lookup) => lookup,
                Err(e) => return failure(e),
            };
            lookup.ready().await;
            let mut addresses = Vec::new();
            loop {
                match lookup.next_address() {
                    Ok(Some(ip)) => addresses.push(ip.into()),
                    Ok(None) => return Ok(Ok(addresses)),
                    Err(e) => return failure(e),
                }
            }
        })
    }
}

/// A failed lookup's code for the guest, or its trap.
fn failure(err: sockets::SocketError) -> wasmtime::Result<Result<Vec<IpAddress>, ErrorCode>> {
    Ok(Err(lookup_error_code(err.downcast()?)))
}
