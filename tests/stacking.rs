//! `#[chaos]` stacked with `#[tokio::test]` and `#[tracing::instrument]`, in both orders, in real
//! test builds (trybuild compiles its cases as plain binaries, where `#[test]` functions vanish).
#![cfg(feature = "enabled")]

use chaos::{Fault, chaos};

// `#[chaos]` above `#[tokio::test]`: it instruments the `async fn` before tokio wraps it.
#[chaos(panic = "injected above tokio::test")]
#[tokio::test]
#[should_panic(expected = "injected above tokio::test")]
async fn chaos_above_tokio_test() {}

// `#[tokio::test]` above `#[chaos]`: tokio turns the test into a plain `fn` that blocks on the
// body, and `#[chaos]` instruments that `fn`.
#[tokio::test]
#[chaos(panic = "injected below tokio::test")]
#[should_panic(expected = "injected below tokio::test")]
async fn tokio_test_above_chaos() {}

#[chaos(error = "chaos above instrument")]
#[tracing::instrument(err)]
async fn chaos_above_instrument(id: u64) -> Result<u64, Fault> {
    Ok(id)
}

#[tracing::instrument(err)]
#[chaos(error = "instrument above chaos")]
async fn instrument_above_chaos(id: u64) -> Result<u64, Fault> {
    Ok(id)
}

#[tracing::instrument(err)]
#[chaos(status = 503)]
fn instrument_above_chaos_sync(id: u64) -> Result<u64, Fault> {
    Ok(id)
}

#[tokio::test]
async fn faults_come_through_instrument_in_either_order() {
    assert_eq!(
        chaos_above_instrument(1).await.unwrap_err().message(),
        Some("chaos above instrument")
    );
    assert_eq!(
        instrument_above_chaos(2).await.unwrap_err().message(),
        Some("instrument above chaos")
    );
    assert_eq!(
        instrument_above_chaos_sync(3).unwrap_err().status(),
        Some(503)
    );
}

/// What a test thread's `tracing` subscriber saw: each event with its target, level, `kind`
/// field (chaos's events have one) and the span it was recorded in.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    target: String,
    level: tracing::Level,
    kind: Option<String>,
    span: Option<String>,
}

#[derive(Clone, Default)]
struct Recorder(std::sync::Arc<std::sync::Mutex<Vec<Seen>>>);

impl<S> tracing_subscriber::Layer<S> for Recorder
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        struct Kind(Option<String>);
        impl tracing::field::Visit for Kind {
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                if field.name() == "kind" {
                    self.0 = Some(value.to_string());
                }
            }
            fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
        }
        let mut kind = Kind(None);
        event.record(&mut kind);
        self.0.lock().unwrap().push(Seen {
            target: event.metadata().target().to_string(),
            level: *event.metadata().level(),
            kind: kind.0,
            span: ctx.event_span(event).map(|span| span.name().to_string()),
        });
    }
}

impl Recorder {
    /// What was seen since the last call, but chaos's once-per-process banner (it has no
    /// `kind`), which comes at whichever decision is first.
    fn take(&self) -> Vec<Seen> {
        let mut seen = std::mem::take(&mut *self.0.lock().unwrap());
        seen.retain(|s| s.target != "chaos" || s.kind.is_some());
        seen
    }
}

/// README: "with `#[chaos]` above `#[tracing::instrument(err)]` the injected fault happens inside
/// the span and is logged as the function's error; below it, before the span is entered."
#[tokio::test]
async fn the_fault_is_inside_the_span_when_chaos_is_above_instrument_and_before_it_below() {
    use tracing_subscriber::layer::SubscriberExt;

    let recorder = Recorder::default();
    // This thread only: the runtime of `#[tokio::test]` polls on it.
    let _default =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(recorder.clone()));
    let fault = |kind: &str, span: Option<&str>| Seen {
        target: "chaos".into(),
        level: tracing::Level::INFO,
        kind: Some(kind.into()),
        span: span.map(str::to_string),
    };
    // `instrument(err)` logs the function's error as an ERROR event in its span.
    let logged_error = |span: &str| Seen {
        target: module_path!().into(),
        level: tracing::Level::ERROR,
        kind: None,
        span: Some(span.into()),
    };

    chaos_above_instrument(1).await.unwrap_err();
    assert_eq!(
        recorder.take(),
        vec![
            fault("error", Some("chaos_above_instrument")),
            logged_error("chaos_above_instrument")
        ]
    );

    instrument_above_chaos(2).await.unwrap_err();
    assert_eq!(recorder.take(), vec![fault("error", None)]);

    instrument_above_chaos_sync(3).unwrap_err();
    assert_eq!(recorder.take(), vec![fault("status", None)]);
}

// Two stacked points: the one nearest the function decides first, so a call it faults never
// reaches the one above it.
#[chaos(error = "from the outer point", name = "stacking::outer")]
#[chaos(error = "from the inner point", name = "stacking::inner")]
fn stacked() -> Result<u32, Fault> {
    Ok(1)
}

#[test]
fn the_attribute_nearest_the_function_decides_first() {
    let fault = stacked().unwrap_err();
    assert_eq!(fault.point(), "stacking::inner");
    assert_eq!(fault.message(), Some("from the inner point"));
    let decided = |name: &str| {
        chaos::stats()
            .into_iter()
            .find(|s| s.point == name)
            .map(|s| s.injected())
    };
    assert_eq!(decided("stacking::inner"), Some(1));
    assert_eq!(decided("stacking::outer"), Some(0));
}
