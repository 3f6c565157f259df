//! Call events of the 0.2 front-end: [`observed!`], the crate's
//! [`observed!`](crate::observe::observed) with the front-end filled in,
//! and the compact forms of the 0.2 bindings' types that have no number
//! or string form (shown as their `Debug` text).

/// Runs a 0.2 host method's body, observed when the context has an
/// observer: `observed!(observer, interface, function, [args], body)`
/// (see [`crate::observe::observed`], which this is with the front-end
/// filled in).
macro_rules! observed {
    ($observer:expr, $interface:literal, $function:literal, $($rest:tt)*) => {
        $crate::observe::observed!(
            $observer,
            $crate::observe::FrontEnd::Preview2,
            $interface,
            $function,
            $($rest)*
        )
    };
}
pub(crate) use observed;

use crate::observe::{Shown, Value, code_names, shown_as_debug};
use crate::p2::bindings::filesystem::types as fs;
use crate::p2::bindings::sockets::network::{self, IpAddress, IpAddressFamily, IpSocketAddress};
use crate::p2::bindings::sockets::tcp::ShutdownType;

shown_as_debug!(IpAddressFamily, ShutdownType);
code_names!(network::ErrorCode, fs::ErrorCode);

/// A socket address as the host writes it: `127.0.0.1:80`, `[::1]:80`.
impl Shown for IpSocketAddress {
    fn value(&self) -> Value {
        Value::Text(std::net::SocketAddr::from(*self).to_string())
    }
}

/// An address as the host writes it: `127.0.0.1`, `::1`.
impl Shown for IpAddress {
    fn value(&self) -> Value {
        Value::Text(std::net::IpAddr::from(*self).to_string())
    }
}

impl<T: 'static> Shown for Vec<(wasmtime::component::Resource<T>, String)> {
    fn value(&self) -> Value {
        Value::Len(self.len() as u64)
    }
}
