//! A Lambda function (JSON in, JSON out) with two `#[chaos]` points on its handler:
//!
//! - `orders::handler`: three calls in ten fail with "inventory service unavailable", as
//!   failure-lambda's exception fault does. The error is a `chaos::Fault` boxed into
//!   `lambda_runtime::Error`, so the invocation fails the way a real error would, and
//!   `error.downcast_ref::<chaos::Fault>()` tells the two apart.
//! - `orders::deadline`: off (rate 0) until configured; then the call hangs until 200 ms before the
//!   invocation's deadline (from the `Context` in the `LambdaEvent`) and fails as timed out, as a
//!   function stuck on a slow dependency does. The 200 ms are left to send the error before Lambda
//!   ends the invocation itself.
//!
//! ```sh
//! cargo lambda watch                   # in examples/serverless; then, in another shell:
//! cargo lambda invoke lambda_function --data-ascii '{"item": "widget", "quantity": 2}'
//! cargo lambda watch --env-file chaos.env  # a file with CHAOS_CONFIG='{...}', CHAOS_SEED=42, ...
//! cargo lambda watch --no-default-features  # chaos compiled out: never a fault
//! ```
//!
//! `tests/cargo_lambda.sh` does this 200 times and counts the faults, then turns the timeout on.

use chaos::chaos;
use lambda_runtime::{Error, LambdaEvent, service_fn};
use serde::{Deserialize, Serialize};

/// The event: an order to place.
#[derive(Debug, Deserialize)]
struct OrderRequest {
    item: String,
    quantity: u32,
}

/// The answer: the order as accepted.
#[derive(Debug, Serialize)]
struct OrderReply {
    order_id: String,
    item: String,
    quantity: u32,
    status: &'static str,
}

// The attribute nearest the function decides first: a call it fails never reaches the timeout
// above it.
#[chaos(
    timeout,
    timeout_buffer_ms = 200,
    rate = 0.0,
    name = "orders::deadline"
)]
#[chaos(
    error = "inventory service unavailable",
    rate = 0.3,
    name = "orders::handler"
)]
async fn handler(event: LambdaEvent<OrderRequest>) -> Result<OrderReply, Error> {
    let (order, context) = event.into_parts();
    // A real failure, for comparison with the injected one: both are `Err`, only one is a Fault.
    if order.quantity == 0 {
        return Err(format!("cannot order 0 of {:?}", order.item).into());
    }
    Ok(OrderReply {
        order_id: context.request_id,
        item: order.item,
        quantity: order.quantity,
        status: "accepted",
    })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    // Reads CHAOS_* now (compiled out, there is nothing to read): a bad variable fails the start
    // rather than turning chaos off unnoticed at the first call.
    chaos::init()?;
    lambda_runtime::run(service_fn(handler)).await
}

// Scopes are task-local, so these tests run in parallel with each other and the crate's others.
#[cfg(all(test, feature = "chaos"))]
mod tests {
    use super::*;
    use chaos::{Config, Fault, FaultKind, PointConfig, Scope};
    use lambda_runtime::Context;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    use tokio::time::Instant;

    fn order(quantity: u32) -> OrderRequest {
        OrderRequest {
            item: "widget".into(),
            quantity,
        }
    }

    /// An event with no deadline (a default `Context`), so `orders::deadline` has nothing to wait
    /// for.
    fn event(quantity: u32) -> LambdaEvent<OrderRequest> {
        LambdaEvent::new(order(quantity), Context::default())
    }

    /// An event whose invocation must end `ms` from now, with the deadline where the runtime API
    /// puts it: `Context::deadline`, in milliseconds since the Unix epoch.
    fn event_due_in(ms: u64) -> LambdaEvent<OrderRequest> {
        let due = SystemTime::now() + Duration::from_millis(ms);
        let since_epoch = due.duration_since(UNIX_EPOCH).expect("after 1970");
        let mut context = Context::default();
        context.deadline =
            u64::try_from(since_epoch.as_millis()).expect("before the year 500 million");
        LambdaEvent::new(order(2), context)
    }

    fn at_rate(rate: f64) -> Scope {
        Scope::new(Config::new().point("orders::handler", PointConfig::new().rate(rate)))
            .expect("the point exists")
    }

    /// `orders::deadline` at `rate`, and the inner `orders::handler` quiet, so that an error can
    /// only be the timeout.
    fn deadline_at_rate(rate: f64) -> Scope {
        let config = Config::new()
            .point("orders::deadline", PointConfig::new().rate(rate))
            .point("orders::handler", PointConfig::new().rate(0.0));
        Scope::new(config).expect("the points exist")
    }

    #[tokio::test]
    async fn a_faulted_call_fails_with_the_declared_error_as_a_fault() {
        let error = at_rate(1.0).run(handler(event(2))).await.unwrap_err();
        let fault = error.downcast_ref::<Fault>().expect("an injected fault");
        assert_eq!(fault.point(), "orders::handler");
        assert_eq!(fault.message(), Some("inventory service unavailable"));
    }

    #[tokio::test]
    async fn a_call_not_faulted_runs_the_handler() {
        let reply = at_rate(0.0).run(handler(event(2))).await.unwrap();
        assert_eq!((reply.item.as_str(), reply.quantity), ("widget", 2));
        // A real error is not mistaken for an injected one.
        let error = at_rate(0.0).run(handler(event(0))).await.unwrap_err();
        assert!(error.downcast_ref::<Fault>().is_none(), "{error}");
    }

    // On tokio's paused clock: the wait is a tokio sleep, so the test takes no real time and the
    // time it measures is exactly the wait. The deadline itself is wall-clock time, which pausing
    // does not stop, so the wait is computed from it as in production.
    #[tokio::test(start_paused = true)]
    async fn a_timed_out_call_hangs_until_200_ms_before_the_deadline_then_fails() {
        let started = Instant::now();
        let error = deadline_at_rate(1.0)
            .run(handler(event_due_in(1_500)))
            .await
            .unwrap_err();
        let elapsed = started.elapsed();

        let fault = error.downcast_ref::<Fault>().expect("an injected fault");
        assert_eq!(fault.point(), "orders::deadline");
        let FaultKind::Timeout { after_ms } = *fault.kind() else {
            panic!("a timeout, not {fault}");
        };
        // 1500 ms to the deadline less the 200 ms buffer, or less by the real time between
        // building the event and the call (wide: a loaded machine); far less (0 ms) would mean
        // the deadline was not read.
        assert!((800..=1_300).contains(&after_ms), "after {after_ms} ms");
        // It did wait that long (tokio's timer rounds up to the millisecond), no longer.
        assert!(
            elapsed >= Duration::from_millis(after_ms)
                && elapsed <= Duration::from_millis(after_ms + 2),
            "answered after {elapsed:?}, the fault says {after_ms} ms"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn at_rate_0_a_call_with_a_deadline_answers_at_once() {
        let started = Instant::now();
        let reply = deadline_at_rate(0.0)
            .run(handler(event_due_in(1_500)))
            .await
            .unwrap();
        assert_eq!(reply.status, "accepted");
        // On the paused clock any wait at all would show (a faulted call waits 1300 ms).
        assert_eq!(started.elapsed(), Duration::ZERO);
    }
}
