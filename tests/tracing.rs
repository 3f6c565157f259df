//! Observability: every host call shows up as a `tracing` span at trace
//! level (interface and function), with a "call" event carrying its
//! arguments and a "return" event carrying its result, in both linkers.

use crate::common;
use common::{Mode, Run, guests};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// What the subscriber saw: every span's `module.function` and every
/// event's fields as text.
struct Recorded {
    spans: Mutex<Vec<String>>,
    events: Mutex<Vec<String>>,
    next_id: AtomicU64,
}

static RECORDED: Recorded = Recorded {
    spans: Mutex::new(Vec::new()),
    events: Mutex::new(Vec::new()),
    next_id: AtomicU64::new(1),
};

/// The process's tracing subscriber, writing into [`RECORDED`].
struct Recorder;

#[derive(Default)]
struct Fields(Vec<(String, String)>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

impl Fields {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim_matches('"'))
    }
}

impl Subscriber for Recorder {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        *metadata.level() == tracing::Level::TRACE
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut fields = Fields::default();
        span.record(&mut fields);
        if let (Some(module), Some(function)) = (fields.get("module"), fields.get("function")) {
            RECORDED
                .spans
                .lock()
                .unwrap()
                .push(format!("{module}.{function}"));
        }
        Id::from_u64(RECORDED.next_id.fetch_add(1, Ordering::Relaxed))
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let text = fields
            .0
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join(" ");
        RECORDED.events.lock().unwrap().push(text);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn host_calls_are_traced_with_arguments_and_results() {
    tracing::subscriber::set_global_default(Recorder).unwrap();
    let recorder = &RECORDED;
    for mode in Mode::ALL {
        recorder.spans.lock().unwrap().clear();
        recorder.events.lock().unwrap().clear();
        let out = Run::new(guests::CLOCKS).arg("print").run(mode);
        out.assert_success();

        let spans = recorder.spans.lock().unwrap().clone();
        for expected in [
            "environment.get-arguments",
            "wall-clock.now",
            "monotonic-clock.now",
            "monotonic-clock.resolution",
        ] {
            assert!(
                spans.iter().any(|s| s == expected),
                "{mode:?}: no span for {expected} in {spans:?}"
            );
        }
        let events = recorder.events.lock().unwrap().clone();
        assert!(
            events.iter().any(|e| e.contains("message=call")),
            "{mode:?}: no call event in {events:?}"
        );
        // The result of a call is in its "return" event.
        assert!(
            events
                .iter()
                .any(|e| e.contains("message=return") && e.contains("seconds")),
            "{mode:?}: no return event with a datetime in {events:?}"
        );
    }
}
