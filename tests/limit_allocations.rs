//! A call admitted under `max_concurrency` and not faulted allocates nothing: its place is a
//! permit returned by value, not a box (the box is for a call that waits or is refused). Counted
//! by a global allocator, on this thread only.
//! A binary of its own: the allocator counts every allocation of the process.
#![cfg(feature = "enabled")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use chaos::{Fault, chaos};

struct Counting;

thread_local! {
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
}

// SAFETY: every call is passed to the system allocator unchanged; the counter is a const
// thread-local without drop glue, which never allocates.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: a thread being torn down has no counter left, and its allocations are not
        // the test's.
        let _ = ALLOCATIONS.try_with(|count| count.set(count.get() + 1));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

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
