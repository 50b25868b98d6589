//! `#[chaos]` stacked with `#[tokio::test]` and `#[tracing::instrument]`, in both orders, in real
//! test builds (trybuild compiles its cases as plain binaries, where `#[test]` functions vanish).
#![cfg(feature = "enabled")]

use chaos::{Fault, chaos};

// `#[chaos]` above `#[tokio::test]`: it instruments the `async fn` before tokio wraps it.
#[chaos(panic = "injected above tokio::test")]
#[tokio::test]
#[should_panic(expected = "injected above tokio::test")]
async fn chaos_above_tokio_test() {}

// `#[tokio::test]` above `#[chaos]`: tokio turns the test into a plain `fn` that blocks on the
// body, and `#[chaos]` instruments that `fn`.
#[tokio::test]
#[chaos(panic = "injected below tokio::test")]
#[should_panic(expected = "injected below tokio::test")]
async fn tokio_test_above_chaos() {}

#[chaos(error = "chaos above instrument")]
#[tracing::instrument(err)]
async fn chaos_above_instrument(id: u64) -> Result<u64, Fault> {
    Ok(id)
}

#[tracing::instrument(err)]
#[chaos(error = "instrument above chaos")]
async fn instrument_above_chaos(id: u64) -> Result<u64, Fault> {
    Ok(id)
}

#[tracing::instrument(err)]
#[chaos(status = 503)]
fn instrument_above_chaos_sync(id: u64) -> Result<u64, Fault> {
    Ok(id)
}

#[tokio::test]
async fn faults_come_through_instrument_in_either_order() {
    assert_eq!(
        chaos_above_instrument(1).await.unwrap_err().message(),
        Some("chaos above instrument")
    );
    assert_eq!(
        instrument_above_chaos(2).await.unwrap_err().message(),
        Some("instrument above chaos")
    );
    assert_eq!(
        instrument_above_chaos_sync(3).unwrap_err().status(),
        Some(503)
    );
}
