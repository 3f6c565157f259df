//! [`AccessLog`]: the audit view of the call events: every path opened,
//! created, removed or renamed, every socket bound or connected, every
//! connection accepted and every name looked up, with whether the sandbox
//! allowed it and, if not, why.
//!
//! It is a [`CallObserver`] that picks those calls out of the event stream
//! (preview 1, 0.2 and 0.3 names alike) and hands each to a function as an
//! [`AccessEvent`]. Paths are as the guest wrote them, relative to the
//! directory descriptor they were resolved from (`fd`).

use super::{CallEvent, CallObserver, Outcome, Value};

/// What a call did to the sandbox's contents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// A file or directory opened (without creating it).
    Open,
    /// A file, directory or link created (an open that may create
    /// counts here).
    Create,
    /// A file or directory removed.
    Remove,
    /// An entry renamed (`path` to `to`).
    Rename,
    /// A connection accepted on a listening socket (preview 1 and 0.2;
    /// 0.3 accepts in `listen`'s stream, which is no call and not
    /// logged).
    Accept,
    /// A socket bound to a local address (`path` is the address).
    Bind,
    /// A socket connected to a remote address (`path` is the address).
    Connect,
    /// A host name looked up (`path` is the name).
    Lookup,
}

/// Whether the sandbox let a call through.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It was allowed and succeeded.
    Allowed,
    /// The sandbox refused it (no right or permission for it): the error
    /// code says which (preview 1: `notcapable`, `acces`, `perm`, `rofs`;
    /// 0.2 and 0.3: `access`, `not-permitted`, `read-only`, `access-denied`).
    Refused(String),
    /// It was allowed but failed (`noent`, `exist`, ...).
    Failed(String),
}

/// One access, for the audit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessEvent {
    /// What was done.
    pub access: Access,
    /// The function that did it (`path_open`, ...).
    pub function: &'static str,
    /// The directory (or listening socket) descriptor it went through.
    pub fd: u32,
    /// The guest path of the mount of the call's first descriptor (for a
    /// link, the old path's directory); `None` for sockets and lookups.
    pub mount: Option<String>,
    /// The path, as the guest wrote it; the address of a bind or
    /// connect; the name looked up (empty for an accept).
    pub path: String,
    /// A rename's new path, or a link's target.
    pub to: Option<String>,
    /// Allowed, refused or failed.
    pub verdict: Verdict,
}

/// The access log: an observer that calls `log` with each access (see
/// the module docs). Install it with
/// [`WasiCtxBuilder::call_observer`](crate::WasiCtxBuilder::call_observer).
pub struct AccessLog<F: Fn(&AccessEvent) + Send + Sync> {
    log: F,
}

impl<F: Fn(&AccessEvent) + Send + Sync> AccessLog<F> {
    /// A log handing every access to `log`.
    pub fn new(log: F) -> Self {
        AccessLog { log }
    }
}

impl<F: Fn(&AccessEvent) + Send + Sync> CallObserver for AccessLog<F> {
    fn on_call(&self, event: &CallEvent) {
        if let Some(access) = access_of(event) {
            (self.log)(&access);
        }
    }
}

/// The access a call event is, if it is one.
pub(crate) fn access_of(event: &CallEvent) -> Option<AccessEvent> {
    let arg = |name: &str| event.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v);
    let text = |name: &str| match arg(name) {
        Some(Value::Path(p) | Value::Text(p)) => p.clone(),
        _ => String::new(),
    };
    let fd = |name: &str| match arg(name) {
        Some(Value::Fd(fd)) => *fd,
        _ => 0,
    };
    // `oflags`: `creat` (preview 1) and `create` (0.2) are both bit 0;
    // 0.3 names the argument `open_flags`.
    let creates =
        matches!(arg("oflags").or(arg("open_flags")), Some(Value::Flags(f)) if f & 1 != 0);
    let function = event.function;
    // A 0.2 or 0.3 method's name after its resource: `open-at`,
    // `start-bind` (0.2), `bind` (0.3).
    let method = function.rsplit('.').next().unwrap_or(function);
    let on_socket =
        function.starts_with("[method]tcp-socket.") || function.starts_with("[method]udp-socket.");
    let (access, fd, path, to) = match function {
        "path_open" if creates => (Access::Create, fd("fd"), text("path"), None),
        "path_open" => (Access::Open, fd("fd"), text("path"), None),
        "[method]descriptor.open-at" if creates => (Access::Create, fd("self"), text("path"), None),
        "[method]descriptor.open-at" => (Access::Open, fd("self"), text("path"), None),
        "path_create_directory" => (Access::Create, fd("fd"), text("path"), None),
        "[method]descriptor.create-directory-at" => {
            (Access::Create, fd("self"), text("path"), None)
        }
        "path_remove_directory" | "path_unlink_file" => {
            (Access::Remove, fd("fd"), text("path"), None)
        }
        "[method]descriptor.remove-directory-at" | "[method]descriptor.unlink-file-at" => {
            (Access::Remove, fd("self"), text("path"), None)
        }
        "path_rename" => (
            Access::Rename,
            fd("fd"),
            text("old_path"),
            Some(text("new_path")),
        ),
        "[method]descriptor.rename-at" => (
            Access::Rename,
            fd("self"),
            text("old_path"),
            Some(text("new_path")),
        ),
        "path_link" | "[method]descriptor.link-at" => (
            Access::Create,
            // 0.3 names the directory `new_descriptor`.
            fd(if arg("new_fd").is_some() {
                "new_fd"
            } else {
                "new_descriptor"
            }),
            text("new_path"),
            Some(text("old_path")),
        ),
        "path_symlink" => (
            Access::Create,
            fd("fd"),
            text("new_path"),
            Some(text("old_path")),
        ),
        "[method]descriptor.symlink-at" => (
            Access::Create,
            fd("self"),
            text("new_path"),
            Some(text("old_path")),
        ),
        "sock_accept" => (Access::Accept, fd("fd"), String::new(), None),
        "[method]tcp-socket.accept" | "[stream-item]tcp-socket.listen" => {
            (Access::Accept, fd("self"), String::new(), None)
        }
        _ if on_socket && matches!(method, "start-bind" | "bind") => {
            (Access::Bind, fd("self"), text("local_address"), None)
        }
        _ if on_socket && matches!(method, "start-connect" | "connect") => {
            (Access::Connect, fd("self"), text("remote_address"), None)
        }
        "[method]udp-socket.stream" if text("remote_address") != "none" => {
            (Access::Connect, fd("self"), text("remote_address"), None)
        }
        "resolve-addresses" => (Access::Lookup, fd("network"), text("name"), None),
        _ => return None,
    };
    let verdict = match &event.outcome {
        Outcome::Ok(_) => Verdict::Allowed,
        Outcome::Err(code) if refusal(code) => Verdict::Refused(code.clone()),
        Outcome::Err(code) => Verdict::Failed(code.clone()),
        Outcome::Trap(msg) => Verdict::Failed(msg.clone()),
    };
    let mount = match arg("mount") {
        Some(Value::Path(p)) => Some(p.clone()),
        _ => None,
    };
    Some(AccessEvent {
        access,
        function: event.function,
        fd,
        mount,
        path,
        to,
        verdict,
    })
}

/// Whether an error code is the sandbox's refusal (a missing right or
/// permission, a read-only mount, the network policy), as opposed to a
/// failure of an allowed call.
fn refusal(code: &str) -> bool {
    matches!(
        code,
        "notcapable"
            | "acces"
            | "perm"
            | "rofs"
            | "access"
            | "not-permitted"
            | "read-only"
            | "access-denied"
    )
}
