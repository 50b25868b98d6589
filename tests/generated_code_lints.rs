//! The expansion must not trip the lints a careful user turns on: every kind of expansion below
//! is compiled under `deny` of rustc's and clippy's pedantic sets (`cargo clippy --all-targets
//! -- -D warnings` runs clippy on this file in CI, with and without the feature). rustc and
//! clippy skip many lints on tokens a proc-macro made up, so what this guards is the code spanned
//! at the user's own tokens (the conversion at the `status`/`error` key, the kept body and
//! signature) and the lints that do look into expansions (unused, unreachable, unsafe).
#![deny(
    warnings,
    unused,
    rust_2018_idioms,
    unused_qualifications,
    unreachable_pub
)]
#![deny(clippy::all, clippy::pedantic)]
#![forbid(unsafe_code)]

use chaos::{Fault, chaos};

#[chaos(latency_ms = 1, rate = 0.0)]
fn latency_only(x: u32) -> u32 {
    x + 1
}

// The bodies below use what their signatures promise (a fallible result, an `.await`), so that
// the pedantic lints have nothing to say about them when chaos is compiled out.
fn checked(x: u32) -> Result<u32, Fault> {
    x.checked_add(0)
        .ok_or_else(|| Fault::new("lints", chaos::FaultKind::Status(500)))
}

#[chaos(error = "e", rate = 0.0, latency_ms = 1..=2)]
fn error_outcome(x: u32) -> Result<u32, Fault> {
    checked(x)
}

#[chaos(status = 503, one_in = 1_000_000)]
fn status_outcome(x: u32) -> Result<u32, Fault> {
    checked(x)
}

#[chaos(panic = "p", rate = 0.0)]
fn panic_outcome(x: u32) -> u32 {
    x
}

#[chaos(error = "e", rate = 0.0, latency_ms = 1)]
async fn async_error_outcome(x: u32) -> Result<u32, Fault> {
    tokio::task::yield_now().await;
    checked(x)
}

#[chaos(latency_ms = 1, rate = 0.0)]
#[chaos(panic = "p", rate = 0.0)]
async fn async_stacked(x: u32) -> u32 {
    tokio::task::yield_now().await;
    x
}

/// A context with an invocation deadline, named as `timeout` looks for.
struct Context {
    deadline: std::time::SystemTime,
}

impl chaos::InvocationDeadline for Context {
    fn invocation_deadline(&self) -> Option<std::time::SystemTime> {
        Some(self.deadline)
    }
}

#[chaos(timeout, timeout_buffer_ms = 5, rate = 0.0)]
async fn deadline_timeout(x: u32, context: &Context) -> Result<u32, Fault> {
    tokio::task::yield_now().await;
    let _ = context.deadline;
    checked(x)
}

// `max_concurrency`: the place is entered (`enter`), or kept with what comes after the body.
#[chaos(status = 503, rate = 0.0, max_concurrency = 8)]
fn limited(x: u32) -> Result<u32, Fault> {
    checked(x)
}

#[chaos(rate = 0.0, max_concurrency = 8, timeout, timeout_buffer_ms = 5)]
async fn async_limited_deadline(x: u32, context: &Context) -> Result<u32, Fault> {
    tokio::task::yield_now().await;
    let _ = context.deadline;
    checked(x)
}

#[chaos(value = Ok(0), rate = 0.0, max_concurrency = 8)]
async fn async_limited_value(x: u32) -> Result<u32, Fault> {
    tokio::task::yield_now().await;
    checked(x)
}

#[chaos(error = "e", when = "after", rate = 0.0, max_concurrency = 8)]
fn limited_after(x: u32) -> Result<u32, Fault> {
    checked(x)
}

#[chaos(disk_fill_mb = 1, rate = 0.0)]
fn disk_fill(x: u32) -> u32 {
    x
}

// `value`: the expression is spanned at the user's tokens, bound to the return type (`()` too).
#[chaos(value = 0, rate = 0.0)]
fn value_outcome(x: u32) -> u32 {
    x
}

#[chaos(value = (), rate = 0.0)]
fn value_unit(log: &mut Vec<u32>) {
    log.push(1);
}

#[chaos(value = Ok(0), when = "after", rate = 0.0)]
async fn async_value_after(x: u32) -> Result<u32, Fault> {
    tokio::task::yield_now().await;
    checked(x)
}

// One-line bodies: the braces the body keeps must not read as unnecessary.
#[rustfmt::skip]
#[chaos(latency_ms = 1, rate = 0.0)]
fn one_line() -> u32 { 7 }

#[rustfmt::skip]
#[chaos(error = "e", rate = 0.0, when = "after")]
fn one_line_after() -> Result<u32, Fault> { checked(8) }

#[tokio::test]
async fn every_expansion_runs_its_body_when_not_faulted() {
    assert_eq!(latency_only(1), 2);
    assert_eq!(error_outcome(2), Ok(2));
    assert_eq!(status_outcome(3), Ok(3));
    assert_eq!(panic_outcome(4), 4);
    assert_eq!(async_error_outcome(5).await, Ok(5));
    assert_eq!(async_stacked(6).await, 6);
    let context = Context {
        deadline: std::time::SystemTime::now(),
    };
    assert_eq!(deadline_timeout(7, &context).await, Ok(7));
    assert_eq!(disk_fill(8), 8);
    assert_eq!(limited(11), Ok(11));
    assert_eq!(async_limited_deadline(12, &context).await, Ok(12));
    assert_eq!(async_limited_value(13).await, Ok(13));
    assert_eq!(limited_after(14), Ok(14));
    assert_eq!(one_line(), 7);
    assert_eq!(one_line_after(), Ok(8));
    assert_eq!(value_outcome(9), 9);
    let mut log = Vec::new();
    value_unit(&mut log);
    assert_eq!(log, [1]);
    assert_eq!(async_value_after(10).await, Ok(10));
    let point = chaos::point!(name = "lints::layer", status = 503, rate = 0.0);
    assert_eq!(point.name().is_some(), chaos::ENABLED);
}
