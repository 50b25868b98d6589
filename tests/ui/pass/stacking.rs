//! `#[chaos]` next to `#[tokio::main]`, `#[tokio::test]`, `#[tracing::instrument]` and another
//! `#[chaos]`, in either order.
#![deny(warnings)]

use chaos::chaos;

type Error = Box<dyn std::error::Error + Send + Sync>;

#[chaos(error = "chaos above instrument", rate = 0.0)]
#[tracing::instrument]
async fn chaos_then_instrument(id: u64) -> Result<u64, Error> {
    Ok(id)
}

#[tracing::instrument]
#[chaos(error = "instrument above chaos", rate = 0.0)]
async fn instrument_then_chaos(id: u64) -> Result<u64, Error> {
    Ok(id)
}

#[tracing::instrument(err)]
#[chaos(error = "instrument with err", rate = 0.0)]
fn instrument_err_sync(id: u64) -> Result<u64, Error> {
    Ok(id)
}

#[chaos(latency_ms = 1, rate = 0.0)]
#[chaos(error = "second point", rate = 0.0)]
async fn two_points(id: u64) -> Result<u64, Error> {
    Ok(id)
}

#[chaos(latency_ms = 1, rate = 0.0)]
#[tokio::test]
async fn chaos_above_tokio_test() {}

#[tokio::test]
#[chaos(latency_ms = 1, rate = 0.0)]
async fn tokio_test_above_chaos() {}

#[chaos(latency_ms = 1, rate = 0.0)]
#[tokio::main(flavor = "current_thread")]
async fn main() {
    inner().await;
}

#[tokio::main(flavor = "current_thread")]
#[chaos(latency_ms = 1, rate = 0.0)]
async fn inner_main() {}

async fn inner() {
    assert_eq!(chaos_then_instrument(1).await.unwrap(), 1);
    assert_eq!(instrument_then_chaos(2).await.unwrap(), 2);
    assert_eq!(instrument_err_sync(3).unwrap(), 3);
    assert_eq!(two_points(4).await.unwrap(), 4);
    // `inner_main` builds a runtime of its own, so run it on a plain thread.
    std::thread::spawn(inner_main).join().unwrap();
}
