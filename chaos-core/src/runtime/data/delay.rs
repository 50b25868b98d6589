//! The delays and the panic a faulted call goes through.

use std::time::Duration;

use crate::fault::Fault;

/// Waits `latency` on the tokio timer, so the executor keeps running other tasks meanwhile.
///
/// # Panics
/// Outside a tokio runtime with the time driver enabled, as `tokio::time::sleep` does.
pub async fn delay_async(latency: Duration) {
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
}

/// Blocks the calling thread for `latency`: what a plain (non-async) function gets.
pub fn delay_blocking(latency: Duration) {
    if !latency.is_zero() {
        std::thread::sleep(latency);
    }
}

/// Panics with the fault's description: the `panic` fault, and the fallback for a fault kind
/// the return type cannot carry.
#[cold]
#[track_caller]
pub fn raise(fault: Fault) -> ! {
    panic!("{fault}")
}

/// Calls `f` once: the body of a `when = "after"` point runs in a closure called through this
/// `FnOnce` bound, so that it may move out of what it captured, as the function body could.
#[inline(always)]
pub fn call_once<R>(f: impl FnOnce() -> R) -> R {
    f()
}
