//! A call admitted under `max_concurrency` and not faulted allocates nothing: its place is a
//! permit returned by value, not a box (the box is for a call that waits or is refused). Counted
//! by a global allocator, on this thread only.
//! A binary of its own: the allocator counts every allocation of the process.
#![cfg(feature = "enabled")]

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use chaos::{Fault, chaos};

#[path = "support/counting_allocator.rs"]
mod counting_allocator;

use counting_allocator::{Counting, allocations};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

#[chaos(error = "limited", rate = 0.000_000_000_001, max_concurrency = 8)]
fn limited(x: u64) -> Result<u64, Fault> {
    Ok(x + 1)
}

#[chaos(status = 503, rate = 0.000_000_000_001, max_concurrency = 8)]
async fn limited_async(x: u64) -> Result<u64, Fault> {
    Ok(x + 2)
}

/// Polls `future` once: these functions never wait when not faulted.
fn ready<F: Future>(future: F) -> F::Output {
    match pin!(future).poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("a call that is not faulted waited"),
    }
}

/// Allocations made by `calls` calls of each function, after ten each: the first calls register,
/// start cold and offer shortcuts, which may allocate (as does a point's first call after any
/// change, which rebuilds its words).
fn allocations_by(calls: u64) -> u64 {
    for x in 0..10 {
        limited(x).unwrap();
        ready(limited_async(x)).unwrap();
    }
    let before = allocations();
    for x in 0..calls {
        assert_eq!(limited(x).unwrap(), x + 1);
        assert_eq!(ready(limited_async(x)).unwrap(), x + 2);
    }
    allocations() - before
}

#[test]
fn an_admitted_call_that_is_not_faulted_allocates_nothing() {
    chaos::set_enabled(true);
    assert_eq!(
        allocations_by(1_000),
        0,
        "allocations by 2,000 admitted calls"
    );
    // Switched off, the limit still counts its calls, still without allocating.
    chaos::set_enabled(false);
    assert_eq!(
        allocations_by(1_000),
        0,
        "allocations by 2,000 calls switched off"
    );
    chaos::set_enabled(true);
}
