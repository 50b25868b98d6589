//! `max_concurrency`: calls beyond the limit in flight are throttled, as when a Lambda
//! function's reserved concurrency runs out.
#![cfg(feature = "enabled")]

use std::time::Duration;

use chaos::{Fault, FaultKind, chaos};

#[chaos(max_concurrency = 2, name = "throttle::slow")]
async fn slow(x: u32) -> Result<u32, Fault> {
    tokio::time::sleep(Duration::from_millis(100)).await;
    Ok(x)
}

#[tokio::test(start_paused = true)]
async fn calls_beyond_the_limit_in_flight_are_throttled() {
    let calls: Vec<_> = (0..5).map(|i| tokio::spawn(slow(i))).collect();
    let mut admitted = 0;
    let mut throttled = 0;
    for call in calls {
        match call.await.unwrap() {
            Ok(_) => admitted += 1,
            Err(fault) => {
                assert_eq!(fault.kind(), &FaultKind::Throttled { limit: 2 });
                assert_eq!(fault.status(), Some(429));
                throttled += 1;
            }
        }
    }
    assert_eq!((admitted, throttled), (2, 3));
    // Once they are done, there is room again.
    assert_eq!(slow(9).await, Ok(9));
    let stats = chaos::stats()
        .into_iter()
        .find(|s| s.point == "throttle::slow")
        .unwrap();
    assert_eq!(stats.throttled, 3);
}

/// Cancelled while it waits its injected delay (inside `settle`, before its body), a call gives
/// its place back with the future it was waiting in.
#[tokio::test(start_paused = true)]
async fn a_call_cancelled_during_its_delay_gives_its_place_back() {
    #[chaos(
        latency_ms = 60_000,
        rate = 1.0,
        max_concurrency = 1,
        name = "throttle::delayed"
    )]
    async fn delayed() -> Result<(), Fault> {
        Ok(())
    }
    let first = tokio::time::timeout(Duration::from_millis(10), delayed()).await;
    assert!(first.is_err(), "still waiting its delay when cancelled");
    // Admitted again, and waiting its own delay: not throttled at once.
    let second = tokio::time::timeout(Duration::from_millis(10), delayed()).await;
    assert!(
        second.is_err(),
        "admitted and waiting, not throttled: {second:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_cancelled_call_gives_its_place_back() {
    #[chaos(max_concurrency = 1, name = "throttle::single")]
    async fn single() -> Result<(), Fault> {
        tokio::time::sleep(Duration::from_secs(60)).await;
        Ok(())
    }
    let _ = tokio::time::timeout(Duration::from_millis(10), single()).await;
    // The timed-out call's permit was dropped with its future: the next call is admitted.
    let second = tokio::time::timeout(Duration::from_millis(10), single()).await;
    assert!(
        second.is_err(),
        "admitted and still running, not throttled at once"
    );
}

#[cfg(feature = "http")]
#[test]
fn a_throttled_response_is_a_429() {
    #[chaos(max_concurrency = 1, name = "throttle::response")]
    fn nested(depth: u32) -> http::Response<String> {
        if depth == 0 {
            return http::Response::new("inner".into());
        }
        // The inner call runs while this one is in flight: it is the second.
        let inner = nested(depth - 1);
        assert_eq!(inner.status(), 429);
        assert_eq!(inner.headers()[chaos::FAULT_HEADER], "throttle::response");
        inner
    }
    assert_eq!(nested(1).status(), 429);
}

/// A point that faults after its body keeps its place in the box it keeps for after the body
/// (`enter_kept`): held through the body, so a call made meanwhile is throttled.
#[test]
fn a_point_faulting_after_its_body_holds_its_place_through_the_body() {
    #[chaos(
        error = "late",
        when = "after",
        rate = 0.0,
        max_concurrency = 1,
        name = "throttle::after"
    )]
    fn nested(depth: u32) -> Result<u32, Fault> {
        if depth == 0 {
            return Ok(0);
        }
        // The inner call runs while this one is in flight: it is the second.
        let inner = nested(depth - 1).unwrap_err();
        assert_eq!(inner.kind(), &FaultKind::Throttled { limit: 1 });
        Ok(depth)
    }
    assert_eq!(nested(1), Ok(1));
    // Its place was given back when it returned.
    assert_eq!(nested(0), Ok(0));
}
