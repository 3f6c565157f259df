//! [`Call`]: one call being observed, from its start to the event handed
//! to the observer. Every front-end builds its events through it; the
//! component front-ends through the [`observed!`](crate::observe::observed)
//! macro, which turns a host method's arguments and result into their
//! compact forms ([`Shown`](super::Shown), [`Report`](super::Report)).

use super::{CallEvent, CallObserver, FrontEnd, Observer, Outcome, Value};
use std::sync::Arc;
use std::time::{Instant, SystemTime};

/// A call in progress: who to tell, what was called with what, and when
/// it started.
pub(crate) struct Call {
    observer: Arc<dyn CallObserver>,
    front_end: FrontEnd,
    interface: &'static str,
    function: &'static str,
    args: Vec<(&'static str, Value)>,
    start: SystemTime,
    clock: Instant,
}

impl Call {
    /// Starts observing a call of `function` of `interface`, with the
    /// arguments `args` makes; `None` (and `args` is not run) when there
    /// is no observer. Boxed: an async host function holds it across the
    /// call, and its future stays small for the calls that are not
    /// observed.
    #[inline]
    pub(crate) fn begin(
        observer: &Observer,
        front_end: FrontEnd,
        interface: &'static str,
        function: &'static str,
        args: impl FnOnce() -> Vec<(&'static str, Value)>,
    ) -> Option<Box<Call>> {
        let observer = observer.as_ref()?;
        Some(Self::start(
            Arc::clone(observer),
            front_end,
            interface,
            function,
            args(),
        ))
    }

    /// [`Call::begin`] with the observer and the arguments in hand.
    #[cold]
    pub(crate) fn start(
        observer: Arc<dyn CallObserver>,
        front_end: FrontEnd,
        interface: &'static str,
        function: &'static str,
        args: Vec<(&'static str, Value)>,
    ) -> Box<Call> {
        Box::new(Call {
            observer,
            front_end,
            interface,
            function,
            args,
            start: SystemTime::now(),
            clock: Instant::now(),
        })
    }

    /// Ends the call with `outcome` and hands its event to the observer.
    #[cold]
    pub(crate) fn end(self, outcome: Outcome) {
        let duration = self.clock.elapsed();
        let Call {
            observer,
            front_end,
            interface,
            function,
            args,
            start,
            ..
        } = self;
        observer.on_call(&CallEvent {
            front_end,
            interface,
            function,
            args,
            outcome,
            start,
            duration,
        });
    }
}

/// Runs a component host method's body, observed when the context has an
/// observer:
///
/// ```ignore
/// observed!(observer, FrontEnd::Preview2, "wasi:io/streams",
///     "[method]output-stream.write", [self_ = s, contents], body)
/// ```
///
/// Each argument is `name` (the variable of that name) or `name = expr`;
/// its event form is [`Shown::value`](crate::observe::Shown::value), taken
/// before the body runs. The body's result is reported through
/// [`Report`](crate::observe::Report) and returned. With no observer the
/// body runs alone, after one test. A body that returns early (with `?`)
/// is written as a block with its type, `-> T { ... }` (or
/// `async -> T { ... }` where it awaits), and runs as a closure.
macro_rules! observed {
    ($observer:expr, $front_end:expr, $interface:expr, $function:expr, [$($args:tt)*],
     -> $ret:ty { $($body:tt)* }) => {
        $crate::observe::observed!($observer, $front_end, $interface, $function, [$($args)*], {
            #[allow(clippy::redundant_closure_call)]
            let result = (|| -> $ret { $($body)* })();
            result
        })
    };
    ($observer:expr, $front_end:expr, $interface:expr, $function:expr, [$($args:tt)*],
     async -> $ret:ty { $($body:tt)* }) => {
        $crate::observe::observed!($observer, $front_end, $interface, $function, [$($args)*], {
            #[allow(clippy::redundant_closure_call)]
            let result = (async || -> $ret { $($body)* })().await;
            result
        })
    };
    ($observer:expr, $front_end:expr, $interface:expr, $function:expr,
     [$($name:ident $(= $value:expr)?),* $(,)?], $body:expr) => {
        match $crate::observe::Call::begin($observer, $front_end, $interface, $function, || {
            vec![$((
                $crate::observe::arg_name(stringify!($name)),
                $crate::observe::Shown::value(&$crate::observe::observed!(@pick $name $(, $value)?)),
            )),*]
        }) {
            None => $body,
            Some(call) => {
                let result = $body;
                call.end($crate::observe::Report::outcome(&result));
                result
            }
        }
    };
    (@pick $name:ident) => { $name };
    (@pick $name:ident, $value:expr) => { $value };
}
pub(crate) use observed;
