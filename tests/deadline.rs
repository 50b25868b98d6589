//! `timeout`: a faulted call hangs until the invocation deadline less the buffer, then times out.
//! The deadline comes from an argument's `InvocationDeadline` (lambda_runtime's types with the
//! `lambda` feature; here a context type of the test's own, named as the attribute looks for).
#![cfg(feature = "enabled")]

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use chaos::{Fault, FaultKind, chaos};

/// Configuration is process-wide: the tests that change it take turns.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub struct Context {
    deadline: Option<SystemTime>,
}

/// How many times a deadline was read from a `Context`: shows which argument a point read
/// without timing it.
static DEADLINE_READS: AtomicUsize = AtomicUsize::new(0);

impl chaos::InvocationDeadline for Context {
    fn invocation_deadline(&self) -> Option<SystemTime> {
        DEADLINE_READS.fetch_add(1, Ordering::SeqCst);
        self.deadline
    }
}

fn context_in(after: Duration) -> Context {
    Context {
        deadline: Some(SystemTime::now() + after),
    }
}

#[chaos(timeout, timeout_buffer_ms = 500, name = "deadline::handler")]
async fn handler(context: Context) -> Result<&'static str, Fault> {
    let _ = context.deadline;
    Ok("done")
}

#[chaos(timeout, latency_ms = 5_000, name = "deadline::slow")]
async fn slow(context: &Context) -> Result<&'static str, Fault> {
    let _ = context.deadline;
    Ok("done")
}

#[chaos(timeout, name = "deadline::blocking")]
fn blocking(context: Context) -> Result<&'static str, Fault> {
    let _ = context.deadline;
    Ok("done")
}

/// The work happens (it takes 300 ms), then the call hangs until the deadline and times out.
#[chaos(
    timeout,
    timeout_buffer_ms = 300,
    when = "after",
    name = "deadline::after_work"
)]
fn after_work(context: Context, done: &AtomicBool) -> Result<&'static str, Fault> {
    let _ = context.deadline;
    std::thread::sleep(Duration::from_millis(300));
    done.store(true, Ordering::SeqCst);
    Ok("done")
}

/// A type of the user's own, not named as lambda_runtime's, next to a real deadline: the
/// attribute prefers `Context` to `Request`.
pub struct Request;

#[chaos(timeout, name = "deadline::prefers_context")]
fn prefers_context(request: Request, context: &Context) -> Result<&'static str, Fault> {
    let (_, _) = (request, context.deadline);
    Ok("done")
}

/// An application's own `Context` (no deadline), as web frameworks and template engines have:
/// `timeout = job` names the argument to read instead.
mod app {
    pub struct Context;
}

#[chaos(timeout = job, name = "deadline::named")]
fn named(context: app::Context, job: Context) -> Result<&'static str, Fault> {
    let (app::Context, _) = (context, job.deadline);
    Ok("done")
}

#[chaos(status = 503, rate = 0.0, name = "deadline::no_deadline_declared")]
async fn no_deadline_declared(context: Context) -> Result<&'static str, Fault> {
    let _ = context.deadline;
    Ok("done")
}

fn timed_out_after(result: Result<&str, Fault>) -> u64 {
    match result.expect_err("the call should time out").kind() {
        FaultKind::Timeout { after_ms } => *after_ms,
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn hangs_until_the_deadline_less_the_buffer() {
    let _serial = SERIAL.lock().await;
    chaos::reset();
    let started = tokio::time::Instant::now();
    let after_ms = timed_out_after(handler(context_in(Duration::from_secs(3))).await);
    // 3000 ms to the deadline, less the 500 ms buffer, less the real time that passed (the
    // deadline is wall-clock time; generous, for a loaded machine).
    assert!((2_000..=2_500).contains(&after_ms), "{after_ms}");
    assert!(started.elapsed() >= Duration::from_millis(after_ms));
    let fault = handler(context_in(Duration::from_secs(1)))
        .await
        .unwrap_err();
    assert_eq!(fault.status(), Some(504));
}

/// A point that also declares `max_concurrency` enters (its place and its injection in one
/// decision) and reads the deadline for a faulted call in the same way.
#[chaos(
    timeout,
    timeout_buffer_ms = 500,
    max_concurrency = 4,
    name = "deadline::limited"
)]
async fn limited(context: Context) -> Result<&'static str, Fault> {
    let _ = context.deadline;
    Ok("done")
}

#[tokio::test(start_paused = true)]
async fn a_point_with_a_limit_hangs_until_the_deadline_less_the_buffer_too() {
    let _serial = SERIAL.lock().await;
    chaos::reset();
    // Five at once under a limit of four: four hang, each holding its place, and one is
    // throttled.
    let calls: Vec<_> = (0..5)
        .map(|_| tokio::spawn(limited(context_in(Duration::from_secs(3)))))
        .collect();
    let (mut timed_out, mut throttled) = (0, 0);
    for call in calls {
        match call.await.unwrap().unwrap_err().kind() {
            FaultKind::Timeout { .. } => timed_out += 1,
            FaultKind::Throttled { limit: 4 } => throttled += 1,
            other => panic!("expected a timeout or a throttled call, got {other:?}"),
        }
    }
    assert_eq!((timed_out, throttled), (4, 1));
    // Their places were given back: the next call hangs too.
    let after_ms = timed_out_after(limited(context_in(Duration::from_secs(3))).await);
    assert!((2_000..=2_500).contains(&after_ms), "{after_ms}");
}

#[tokio::test(start_paused = true)]
async fn a_passed_or_unknown_deadline_times_out_at_once() {
    let _serial = SERIAL.lock().await;
    chaos::reset();
    let past = Context {
        deadline: Some(SystemTime::now() - Duration::from_secs(1)),
    };
    assert_eq!(timed_out_after(handler(past).await), 0);
    // Within the buffer counts as passed.
    assert_eq!(
        timed_out_after(handler(context_in(Duration::from_millis(300))).await),
        0
    );
    assert_eq!(
        timed_out_after(handler(Context { deadline: None }).await),
        0
    );
}

#[tokio::test(start_paused = true)]
async fn a_longer_latency_wins() {
    let _serial = SERIAL.lock().await;
    chaos::reset();
    let context = context_in(Duration::from_secs(1));
    assert_eq!(timed_out_after(slow(&context).await), 5_000);
}

// A plain `fn` blocks its thread in `std::thread::sleep`, which tokio's paused clock cannot
// skip: the bounds below are ones that time passing can only help (a hang of `after_ms` can only
// shrink as the deadline nears), or wide enough to catch only a real hang.
#[test]
fn after_the_work_the_hang_ends_before_the_deadline() {
    let _serial = SERIAL.blocking_lock();
    chaos::reset();
    let done = AtomicBool::new(false);
    let started = std::time::Instant::now();
    let after_ms = timed_out_after(after_work(context_in(Duration::from_millis(1_000)), &done));
    assert!(done.load(Ordering::SeqCst), "the work happened");
    // The hang is measured after the work: it ends at the deadline less the buffer (700 ms), so
    // at most 700 - 300 ms are left to hang and the answer goes out before the deadline;
    // measured before the work, it would be 700.
    assert!(after_ms <= 400, "{after_ms}");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(300 + after_ms),
        "the work, then the hang: {elapsed:?}"
    );
    assert!(elapsed < Duration::from_secs(30), "{elapsed:?}");
    let reads = DEADLINE_READS.load(Ordering::SeqCst);
    assert_eq!(
        timed_out_after(prefers_context(Request, &context_in(Duration::ZERO))),
        0
    );
    assert_eq!(DEADLINE_READS.load(Ordering::SeqCst), reads + 1);
}

#[test]
fn timeout_names_the_argument_to_read() {
    let _serial = SERIAL.blocking_lock();
    chaos::reset();
    let reads = DEADLINE_READS.load(Ordering::SeqCst);
    let after_ms = timed_out_after(named(app::Context, context_in(Duration::from_millis(400))));
    assert_eq!(
        DEADLINE_READS.load(Ordering::SeqCst),
        reads + 1,
        "`job`'s deadline was read, once"
    );
    // 400 ms to the deadline less the default buffer of 100 ms.
    assert!(after_ms <= 300, "{after_ms}");
}

#[test]
fn a_blocking_handler_waits_on_its_thread() {
    let _serial = SERIAL.blocking_lock();
    chaos::reset();
    let started = std::time::Instant::now();
    let after_ms = timed_out_after(blocking(context_in(Duration::from_millis(1_100))));
    // At most the deadline less the buffer; more than nothing unless a second went by before the
    // call read its deadline.
    assert!((1..=1_000).contains(&after_ms), "{after_ms}");
    assert!(started.elapsed() >= Duration::from_millis(after_ms));
}

#[tokio::test(start_paused = true)]
async fn run_time_configuration_tunes_the_buffer_and_checks_the_point() {
    let _serial = SERIAL.lock().await;
    chaos::reset();
    chaos::configure_json(
        r#"{"points": {"deadline::handler": {"timeout": true, "timeout_buffer_ms": 2000}}}"#,
    )
    .unwrap();
    let after_ms = timed_out_after(handler(context_in(Duration::from_secs(3))).await);
    assert!((500..=1_000).contains(&after_ms), "{after_ms}");

    // `timeout` alone keeps the declared buffer (500 ms), typed or in JSON.
    chaos::configure(chaos::Config::new().point(
        "deadline::handler",
        chaos::PointConfig::new().timeout().rate(1.0),
    ))
    .unwrap();
    let after_ms = timed_out_after(handler(context_in(Duration::from_secs(3))).await);
    assert!((2_000..=2_500).contains(&after_ms), "{after_ms}");

    // The buffer alone tunes the declared timeout.
    chaos::configure_json(r#"{"points": {"deadline::handler": {"timeout_buffer_ms": 2000}}}"#)
        .unwrap();
    let after_ms = timed_out_after(handler(context_in(Duration::from_secs(3))).await);
    assert!((500..=1_000).contains(&after_ms), "{after_ms}");

    // Another fault in its place.
    chaos::configure_json(r#"{"points": {"deadline::handler": {"status": 503}}}"#).unwrap();
    let fault = handler(context_in(Duration::from_secs(3)))
        .await
        .unwrap_err();
    assert_eq!(fault.kind(), &FaultKind::Status(503));

    // Only a point whose attribute reads a deadline can be given one, and `timeout` is a flag.
    for (json, expected) in [
        (
            r#"{"points": {"deadline::no_deadline_declared": {"timeout": true}}}"#,
            "at points.\"deadline::no_deadline_declared\".timeout: `timeout` cannot be given to `deadline::no_deadline_declared` at run time",
        ),
        (
            r#"{"points": {"deadline::handler": {"timeout": false}}}"#,
            "`timeout` is either `true` or left out",
        ),
        (
            r#"{"points": {"deadline::handler": {"timeout": 3000}}}"#,
            "`timeout` expects no value in the attribute (`timeout` alone), `true` in a configuration, found the number 3000",
        ),
        (
            r#"{"points": {"deadline::handler": {"timeout_buffer_ms": -1}}}"#,
            "`timeout_buffer_ms` must be a non-negative number of milliseconds, found -1",
        ),
        (
            r#"{"points": {"deadline::no_deadline_declared": {"timeout_buffer_ms": 10}}}"#,
            "`timeout_buffer_ms` says how long before the deadline `timeout` gives up, so it needs `timeout`",
        ),
    ] {
        let error = chaos::configure_json(json).unwrap_err().to_string();
        assert!(error.contains(expected), "{json}: {error}");
    }
    chaos::reset();
}
