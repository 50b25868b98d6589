//! An async call dropped while it waits frees what it was given (its box, its timer), whichever
//! way it came to wait: decided in its future's first poll (a `rate` point), or before it (a
//! `one_in` point). Counted by a global allocator as the allocations alive on this thread.
//! A binary of its own: the allocator sees every allocation of the process.
#![cfg(feature = "enabled")]

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::task::Poll;

use chaos::chaos;

#[path = "support/counting_allocator.rs"]
mod counting_allocator;

use counting_allocator::{Counting, alive};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[chaos(latency_ms = 60_000, rate = 1.0)]
async fn slow_by_rate(x: u64) -> u64 {
    x + 1
}

#[chaos(latency_ms = 60_000, one_in = 1)]
async fn slow_every_call(x: u64) -> u64 {
    x + 2
}

/// Polls `call` once, sees it wait, and drops it.
async fn start_then_drop<F: Future<Output = u64>>(call: F) {
    let mut call = pin!(call);
    let first = poll_fn(|cx| Poll::Ready(call.as_mut().poll(cx))).await;
    assert!(
        first.is_pending(),
        "a call with 60 s of latency did not wait"
    );
}

/// What `calls` calls, each dropped while it waits, leave allocated on this thread, after one
/// call that may allocate for good (the point's first call, the runtime's timer).
async fn left_allocated<F: Future<Output = u64>>(call: impl Fn() -> F, calls: usize) -> i64 {
    start_then_drop(call()).await;
    let before = alive();
    for _ in 0..calls {
        start_then_drop(call()).await;
    }
    alive() - before
}

#[tokio::test(flavor = "current_thread")]
async fn a_call_decided_in_its_first_poll_and_dropped_while_it_waits_frees_its_wait() {
    assert_eq!(left_allocated(|| slow_by_rate(1), 200).await, 0);
}

#[tokio::test(flavor = "current_thread")]
async fn a_call_decided_before_its_wait_and_dropped_while_it_waits_frees_its_wait() {
    assert_eq!(left_allocated(|| slow_every_call(1), 200).await, 0);
}
