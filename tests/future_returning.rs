//! A plain `fn` that returns `impl Future` (as trait methods do since async fn in traits): its
//! delay happens inside the future it returns, on tokio's timer, so the executor keeps running
//! other tasks meanwhile, exactly as for an `async fn`.
#![cfg(feature = "enabled")]

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chaos::chaos;

struct Store {
    value: u64,
}

impl Store {
    #[chaos(latency_ms = 300, name = "future_returning::load")]
    fn load(&self) -> impl Future<Output = u64> + Send + '_ {
        async move { self.value }
    }
}

#[chaos(latency_ms = 300, name = "future_returning::early")]
fn early(skip: bool) -> impl Future<Output = &'static str> {
    if skip {
        // `return` in the body returns its future, as written.
        return std::future::ready("skipped");
    }
    std::future::ready("built")
}

/// A future that is `Unpin` stays `Unpin` (and `Send`) once annotated: callers may poll it
/// through `Pin::new(&mut future)` as they could before.
#[chaos(latency_ms = 50, name = "future_returning::unpin")]
fn unpin_value() -> impl Future<Output = u8> + Send {
    std::future::ready(9)
}

#[chaos(latency_ms = 50, name = "future_returning::declared_unpin")]
fn declared_unpin() -> impl Future<Output = u8> + Unpin {
    Box::pin(async { 3 })
}

/// Ticks of a 10 ms ticker while `work` runs on the same current-thread runtime (paused clock:
/// time moves only when every task waits, so a delay that blocked the thread would let the
/// ticker tick at most once).
async fn ticks_during<F: Future>(work: F) -> (F::Output, u32) {
    let ticks = Arc::new(AtomicU32::new(0));
    let counter = Arc::clone(&ticks);
    let ticker = tokio::spawn(async move {
        let mut interval = tokio::time::interval(Duration::from_millis(10));
        loop {
            interval.tick().await;
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    tokio::task::yield_now().await;
    let before = ticks.load(Ordering::SeqCst);
    let output = work.await;
    let during = ticks.load(Ordering::SeqCst) - before;
    ticker.abort();
    (output, during)
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn the_delay_of_a_future_returning_fn_lets_other_tasks_run() {
    let store = Store { value: 7 };
    let started = tokio::time::Instant::now();
    let (value, ticks) = ticks_during(store.load()).await;
    assert_eq!(value, 7);
    assert_eq!(started.elapsed(), Duration::from_millis(300));
    // About 30 ticks of 10 ms in 300 ms; a blocked thread would give at most one.
    assert!(ticks >= 25, "{ticks} ticks during the delay");
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn calling_it_does_not_wait_polling_does() {
    let started = tokio::time::Instant::now();
    let future = early(false);
    assert_eq!(
        started.elapsed(),
        Duration::ZERO,
        "nothing waited at the call"
    );
    assert_eq!(future.await, "built");
    assert_eq!(started.elapsed(), Duration::from_millis(300));
    assert_eq!(early(true).await, "skipped");
}

#[tokio::test(flavor = "current_thread", start_paused = true)]
async fn an_unpin_future_stays_unpin_and_still_waits() {
    fn assert_unpin_send<T: Unpin + Send>(_: &T) {}
    let mut future = unpin_value();
    assert_unpin_send(&future);
    let started = tokio::time::Instant::now();
    let value = std::future::poll_fn(|cx| std::pin::Pin::new(&mut future).poll(cx)).await;
    assert_eq!(value, 9);
    assert_eq!(started.elapsed(), Duration::from_millis(50));
    assert_eq!(declared_unpin().await, 3);
    assert_eq!(started.elapsed(), Duration::from_millis(100));
}
