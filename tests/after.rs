//! `when = "after"`: the body runs to completion, then the fault replaces its result (the work
//! happened, the answer is lost), which is how idempotency and retries get tested.
#![cfg(feature = "enabled")]

use std::sync::atomic::{AtomicU32, Ordering};

use chaos::{Config, Fault, PointConfig, chaos};

static CHARGES: AtomicU32 = AtomicU32::new(0);

#[chaos(error = "answer lost", when = "after", name = "after::charge")]
fn charge(amount: u32) -> Result<u32, Fault> {
    CHARGES.fetch_add(1, Ordering::SeqCst);
    Ok(amount)
}

#[test]
fn the_body_runs_then_its_result_is_replaced() {
    let before = CHARGES.load(Ordering::SeqCst);
    let fault = charge(5).unwrap_err();
    assert_eq!(fault.message(), Some("answer lost"));
    assert_eq!(
        CHARGES.load(Ordering::SeqCst),
        before + 1,
        "the charge happened"
    );
}

static WRITES: AtomicU32 = AtomicU32::new(0);

#[chaos(status = 503, when = "after", rate = 1.0)]
async fn write(input: &str) -> Result<u32, Fault> {
    if input.is_empty() {
        return Ok(0);
    }
    let parsed: u32 = input
        .parse()
        .map_err(|_| Fault::new("parse", chaos::FaultKind::Status(400)))?;
    WRITES.fetch_add(parsed, Ordering::SeqCst);
    Ok(parsed)
}

#[tokio::test]
async fn early_return_and_question_mark_inside_the_body_still_end_in_the_fault() {
    let before = WRITES.load(Ordering::SeqCst);
    assert_eq!(write("7").await.unwrap_err().status(), Some(503));
    assert_eq!(WRITES.load(Ordering::SeqCst), before + 7);
    // The body's own error and early return are replaced too: the answer is lost either way.
    assert_eq!(write("x").await.unwrap_err().status(), Some(503));
    assert_eq!(write("").await.unwrap_err().status(), Some(503));
}

#[chaos(error = "never", when = "after", rate = 0.0)]
fn untouched(x: u32) -> Result<u32, Fault> {
    Ok(x * 2)
}

#[test]
fn a_call_not_faulted_returns_the_bodys_result() {
    assert_eq!(untouched(4), Ok(8));
}

static PANICS: AtomicU32 = AtomicU32::new(0);

#[chaos(panic = "crashed after the work", when = "after")]
fn crash_after() -> u32 {
    PANICS.fetch_add(1, Ordering::SeqCst);
    1
}

#[test]
fn panic_after_the_body() {
    let before = PANICS.load(Ordering::SeqCst);
    assert!(std::panic::catch_unwind(crash_after).is_err());
    assert_eq!(PANICS.load(Ordering::SeqCst), before + 1);
}

#[chaos(
    error = "lost",
    when = "after",
    rate = 0.0,
    name = "after::configurable"
)]
fn configurable() -> Result<u32, Fault> {
    CONFIGURABLE_RUNS.fetch_add(1, Ordering::SeqCst);
    Ok(1)
}

static CONFIGURABLE_RUNS: AtomicU32 = AtomicU32::new(0);

#[chaos(error = "before", rate = 0.0, name = "after::before_only")]
fn before_only() -> Result<u32, Fault> {
    Ok(1)
}

#[test]
fn run_time_configuration_of_when() {
    // Scopes (not process-wide): the other tests of this file run in parallel.
    let scope_with = |point: PointConfig| {
        chaos::Scope::new(Config::new().point("after::configurable", point)).unwrap()
    };
    // Naming a new outcome keeps the declared `when = "after"`: the body still runs.
    let runs = CONFIGURABLE_RUNS.load(Ordering::SeqCst);
    let fault = scope_with(PointConfig::new().rate(1.0).error("still after"))
        .run_sync(configurable)
        .unwrap_err();
    assert_eq!(fault.message(), Some("still after"));
    assert_eq!(CONFIGURABLE_RUNS.load(Ordering::SeqCst), runs + 1);
    // `when = "before"` at run time: the fault comes instead of the body.
    let before = PointConfig::new()
        .rate(1.0)
        .error("before now")
        .when_after(false);
    let fault = scope_with(before).run_sync(configurable).unwrap_err();
    assert_eq!(fault.message(), Some("before now"));
    assert_eq!(
        CONFIGURABLE_RUNS.load(Ordering::SeqCst),
        runs + 1,
        "the body did not run"
    );
    // Only a point declared `when = "after"` can be made one at run time.
    let after = PointConfig::new().rate(1.0).error("x").when_after(true);
    let error = Config::new()
        .point("after::before_only", after)
        .validate()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`when = \"after\"` cannot be given to `after::before_only` at run time"),
        "{error}"
    );
    assert_eq!(before_only(), Ok(1));
}

/// When the body started, measured from the call (on tokio's paused clock).
static BODY_STARTED_MS: AtomicU32 = AtomicU32::new(u32::MAX);

#[chaos(
    error = "lost",
    when = "after",
    latency_ms = 200,
    cold_start_ms = 1_000,
    name = "after::cold_then_slow"
)]
async fn cold_then_slow(called: tokio::time::Instant) -> Result<u32, Fault> {
    let started = u32::try_from(called.elapsed().as_millis()).unwrap_or(u32::MAX);
    BODY_STARTED_MS.store(started, Ordering::SeqCst);
    Ok(1)
}

#[tokio::test(start_paused = true)]
async fn a_cold_start_comes_before_the_body_and_the_fault_s_latency_after_it() {
    let called = tokio::time::Instant::now();
    let fault = cold_then_slow(called).await.unwrap_err();
    assert_eq!(fault.message(), Some("lost"));
    // The cold start delayed the body; the fault's latency came after it.
    assert_eq!(BODY_STARTED_MS.load(Ordering::SeqCst), 1_000);
    assert_eq!(called.elapsed().as_millis(), 1_200);
}
