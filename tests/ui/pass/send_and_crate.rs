//! Futures that were `Send` stay `Send`, and `crate = path` finds a re-exported `chaos`.
#![deny(warnings)]

mod reexport {
    pub use ::chaos;
}

type Error = Box<dyn std::error::Error + Send + Sync>;

#[reexport::chaos::chaos(crate = crate::reexport::chaos, error = "renamed", rate = 0.0, latency_ms = 1)]
async fn through_reexport(id: u64) -> Result<u64, Error> {
    Ok(id)
}

#[chaos::chaos(crate = "::chaos", status = 503, rate = 0.0, latency_ms = 1..=2)]
async fn send_across_await(id: u64) -> Result<u64, Error> {
    let shared = std::sync::Arc::new(id);
    tokio::task::yield_now().await;
    Ok(*shared)
}

#[chaos::chaos(error = "after", when = "after", max_concurrency = 4, rate = 0.0)]
async fn after_and_throttled(id: u64) -> Result<u64, Error> {
    let shared = std::sync::Arc::new(id);
    tokio::task::yield_now().await;
    Ok(*shared)
}

// A `!Send` result: the future is still `Send`, since the value is not held across the wait
// that comes after the body.
#[chaos::chaos(error = "after", when = "after", latency_ms = 1, rate = 0.0)]
async fn not_send_result(id: u64) -> Result<std::rc::Rc<u64>, chaos::Fault> {
    tokio::task::yield_now().await;
    Ok(std::rc::Rc::new(id))
}

async fn unwrap_rc(id: u64) -> u64 {
    *not_send_result(id).await.unwrap()
}

fn assert_send<T: Send + 'static>(value: T) -> T {
    value
}

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
    let handle = runtime.spawn(assert_send(send_across_await(5)));
    assert_eq!(runtime.block_on(handle).unwrap().unwrap(), 5);
    assert_eq!(runtime.block_on(assert_send(through_reexport(6))).unwrap(), 6);
    assert_eq!(runtime.block_on(assert_send(after_and_throttled(7))).unwrap(), 7);
    assert_eq!(runtime.block_on(assert_send(unwrap_rc(8))), 8);
}
