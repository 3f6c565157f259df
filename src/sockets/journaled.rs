//! [`journaled_calls!`]: the forwarding of a journaled socket's calls.
//!
//! A socket resource (`tcp_socket.rs`, `udp_socket.rs`) holds its OS
//! socket in a `kind` field of an enum with the variants `Live(os)` (nothing
//! journaled), `Recorded(os, track)` and `Replayed(track)`, where `track`
//! has the socket's journal place as `tap`. Each call whose outcome is a
//! plain value goes to the OS socket, recorded when recording, or is
//! answered from the journal in a replay.

/// Defines methods that forward to the OS socket's method of the same
/// name and journal its outcome as the call given after `=`. One arm per
/// receiver: `&self`, `&mut self`, and `async &mut self`.
macro_rules! journaled_calls {
    ($($(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty = $call:literal;)*) => {$(
        $(#[$doc])*
        pub(crate) fn $name(&self $(, $arg: $ty)*) -> $crate::sockets::SocketResult<$ret> {
            match &self.kind {
                Kind::Live(s) => s.$name($($arg),*),
                Kind::Recorded(s, t) => t.tap.record($call, s.$name($($arg),*)),
                Kind::Replayed(t) => t.tap.replay($call),
            }
        }
    )*};
    ($($(#[$doc:meta])* fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty = $call:literal;)*) => {$(
        $(#[$doc])*
        pub(crate) fn $name(&mut self $(, $arg: $ty)*) -> $crate::sockets::SocketResult<$ret> {
            match &mut self.kind {
                Kind::Live(s) => s.$name($($arg),*),
                Kind::Recorded(s, t) => t.tap.record($call, s.$name($($arg),*)),
                Kind::Replayed(t) => t.tap.replay($call),
            }
        }
    )*};
    ($($(#[$doc:meta])* async fn $name:ident(&mut self $(, $arg:ident: $ty:ty)*) -> $ret:ty = $call:literal;)*) => {$(
        $(#[$doc])*
        pub(crate) async fn $name(&mut self $(, $arg: $ty)*) -> $crate::sockets::SocketResult<$ret> {
            match &mut self.kind {
                Kind::Live(s) => s.$name($($arg),*).await,
                Kind::Recorded(s, t) => {
                    let outcome = s.$name($($arg),*).await;
                    t.tap.record($call, outcome)
                }
                Kind::Replayed(t) => t.tap.replay($call),
            }
        }
    )*};
}
