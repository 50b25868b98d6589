//! A global allocator that counts, on each thread, the allocations made and those still alive:
//! for the test binaries that check what a call allocates or leaves allocated. Each binary
//! declares it as its own `#[global_allocator]` (it sees every allocation of the process), and
//! reads the count it needs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Passes every call to the system allocator, counting it on the calling thread.
pub struct Counting;

thread_local! {
    static MADE: Cell<u64> = const { Cell::new(0) };
    static ALIVE: Cell<i64> = const { Cell::new(0) };
}

// SAFETY: every call is passed to the system allocator unchanged; the counters are const
// thread-locals without drop glue, which never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // `try_with`: a thread being torn down has no counter left, and its allocations are not
        // the test's.
        let _ = MADE.try_with(|made| made.set(made.get() + 1));
        let _ = ALIVE.try_with(|alive| alive.set(alive.get() + 1));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = ALIVE.try_with(|alive| alive.set(alive.get() - 1));
        // SAFETY: the caller's contract, passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

/// The allocations made on this thread so far.
#[allow(dead_code)] // each binary reads the count it needs
pub fn allocations() -> u64 {
    MADE.with(Cell::get)
}

/// The allocations made on this thread, less those freed on it.
#[allow(dead_code)] // each binary reads the count it needs
pub fn alive() -> i64 {
    ALIVE.with(Cell::get)
}
