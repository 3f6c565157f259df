//! `Host` traits of `wasi:sockets/ip-name-lookup` for [`crate::sockets::WasiSocketsCtxView`].
//!
//! `resolve-addresses` checks the name's syntax (`invalid-argument`), then
//! the context's policy, then starts the lookup (`lookup.rs`); the stream
//! gives the addresses once they are known. A lookup the policy refuses
//! gives a stream that answers `permanent-resolver-failure`, the answer
//! programs written for wasmtime check for.

use super::SocketResult;
use crate::io::Pollable;
use crate::p2::bindings::sockets::ip_name_lookup;
use crate::p2::bindings::sockets::network::IpAddress;
use crate::p2::observe::observed;
use crate::sockets::WasiSocketsCtxView;
use crate::sockets::{Network, ResolveAddressStream, parse_host_name};
use wasmtime::component::Resource;

impl ip_name_lookup::Host for WasiSocketsCtxView<'_> {
    fn resolve_addresses(
        &mut self,
        network: Resource<Network>,
        name: String,
    ) -> SocketResult<Resource<ResolveAddressStream>> {
        observed!(&self.ctx.observer, "wasi:sockets/ip-name-lookup", "resolve-addresses", [network, name], -> SocketResult<Resource<ResolveAddressStream>> {
            self.table.get(&network)?;
            let name = parse_host_name(&name)?;
            let stream = self.ctx.resolve_addresses(name)?;
            Ok(self.table.push(stream)?)
        })
    }
}

impl ip_name_lookup::HostResolveAddressStream for WasiSocketsCtxView<'_> {
    fn resolve_next_address(
        &mut self,
        self_: Resource<ResolveAddressStream>,
    ) -> SocketResult<Option<IpAddress>> {
        observed!(&self.ctx.observer, "wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.resolve-next-address", [self_], -> SocketResult<Option<IpAddress>> {
            let next = self.table.get_mut(&self_)?.next_address()?;
            Ok(next.map(Into::into))
        })
    }

    fn subscribe(
        &mut self,
        self_: Resource<ResolveAddressStream>,
    ) -> wasmtime::Result<Resource<Pollable>> {
        observed!(&self.ctx.observer, "wasi:sockets/ip-name-lookup", "[method]resolve-address-stream.subscribe", [self_], -> wasmtime::Result<Resource<Pollable>> {
            crate::io::subscribe(self.table, self_)
        })
    }

    fn drop(&mut self, rep: Resource<ResolveAddressStream>) -> wasmtime::Result<()> {
        observed!(&self.ctx.observer, "wasi:sockets/ip-name-lookup", "[resource-drop]resolve-address-stream", [rep], -> wasmtime::Result<()> {
            self.table.delete(rep)?;
            Ok(())
        })
    }
}
