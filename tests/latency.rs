//! Latency faults, measured on tokio's paused clock (no wall-clock timing in tests).
#![cfg(feature = "enabled")]

use std::time::Duration;

use chaos::chaos;
use tokio::time::Instant;

#[chaos(latency_ms = 300)]
async fn slow_lookup(x: u32) -> u32 {
    x + 1
}

#[chaos(latency_ms = 100..=500)]
async fn jittery() -> Instant {
    Instant::now()
}

#[chaos(latency_ms = 100..200)]
async fn jittery_exclusive() -> Instant {
    Instant::now()
}

#[chaos(latency_ms = 250, error = "late failure")]
async fn slow_then_failing() -> Result<u32, chaos::Fault> {
    Ok(1)
}

#[tokio::test(start_paused = true)]
async fn fixed_latency_delays_then_runs_the_body() {
    let started = Instant::now();
    assert_eq!(slow_lookup(1).await, 2);
    assert_eq!(started.elapsed(), Duration::from_millis(300));
}

#[tokio::test(start_paused = true)]
async fn range_latency_draws_inside_the_range() {
    let mut seen = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        let body_ran_at = jittery().await;
        seen.push(body_ran_at - started);
    }
    let (min, max) = (seen.iter().min().unwrap(), seen.iter().max().unwrap());
    assert!(
        *min >= Duration::from_millis(100) && *max <= Duration::from_millis(500),
        "{min:?}..{max:?}"
    );
    // 200 uniform draws from 401 values cannot plausibly all land in one half.
    assert!(
        *min < Duration::from_millis(300) && *max > Duration::from_millis(300),
        "{min:?}..{max:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn exclusive_range_excludes_its_end() {
    for _ in 0..200 {
        let started = Instant::now();
        let delay = jittery_exclusive().await - started;
        assert!(
            delay >= Duration::from_millis(100) && delay < Duration::from_millis(200),
            "{delay:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn latency_comes_before_the_outcome() {
    let started = Instant::now();
    let fault = slow_then_failing().await.unwrap_err();
    assert_eq!(fault.message(), Some("late failure"));
    assert_eq!(started.elapsed(), Duration::from_millis(250));
}

#[tokio::test(start_paused = true)]
async fn other_tasks_keep_running_during_the_delay() {
    let ticker = tokio::spawn(async {
        let mut ticks = 0;
        while ticks < 10 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            ticks += 1;
        }
        Instant::now()
    });
    let started = Instant::now();
    slow_lookup(1).await;
    let ticker_done = ticker.await.unwrap();
    // The ticker finished 100 ms in, while `slow_lookup` was still waiting its 300 ms.
    assert_eq!(ticker_done - started, Duration::from_millis(100));
}

#[test]
fn plain_fn_latency_blocks_the_thread() {
    #[chaos(latency_ms = 15)]
    fn blocking(x: u32) -> u32 {
        x * 2
    }
    let started = std::time::Instant::now();
    assert_eq!(blocking(4), 8);
    // Only a lower bound: a sleep never ends early, however loaded the machine is.
    assert!(started.elapsed() >= Duration::from_millis(15));
}

#[async_trait::async_trait]
trait Remote {
    async fn fetch(&self, id: u64) -> Result<u64, chaos::Fault>;
}

struct Client;

#[async_trait::async_trait]
impl Remote for Client {
    #[chaos(latency_ms = 300, error = "remote down")]
    async fn fetch(&self, id: u64) -> Result<u64, chaos::Fault> {
        Ok(id)
    }
}

#[tokio::test(start_paused = true)]
async fn async_trait_methods_delay_inside_the_future_and_fault_it() {
    let started = Instant::now();
    let future = Client.fetch(1);
    // Had the attribute treated the rewritten method as a plain `fn`, it would have slept the
    // thread here, which tokio's paused clock does not see, and the future would take no time.
    assert_eq!(started.elapsed(), Duration::ZERO);
    let fault = future.await.unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_millis(300));
    assert_eq!(fault.message(), Some("remote down"));
}

#[chaos(cold_start_ms = 2_000, name = "latency::cold")]
async fn cold_function(x: u32) -> u32 {
    x
}

#[tokio::test(start_paused = true)]
async fn cold_start_delays_the_first_call_only() {
    let started = Instant::now();
    assert_eq!(cold_function(1).await, 1);
    assert_eq!(started.elapsed(), Duration::from_millis(2_000));
    for _ in 0..10 {
        let started = Instant::now();
        cold_function(2).await;
        assert_eq!(started.elapsed(), Duration::ZERO);
    }
    let stats = chaos::stats()
        .into_iter()
        .find(|s| s.point == "latency::cold")
        .unwrap();
    assert_eq!(stats.cold_start, 1);
}

#[chaos(latency_ms = lognormal(100, 800))]
async fn long_tailed() -> Instant {
    Instant::now()
}

#[tokio::test(start_paused = true)]
async fn lognormal_latency_has_its_median_and_a_long_tail() {
    let mut delays = Vec::new();
    for _ in 0..4_000 {
        let started = Instant::now();
        delays.push(long_tailed().await - started);
    }
    delays.sort();
    let at = |q: f64| delays[((delays.len() - 1) as f64 * q) as usize].as_secs_f64() * 1000.0;
    // 4000 draws: the median within about 5%, the p99 within about 20%.
    assert!((at(0.5) - 100.0).abs() < 10.0, "median {}", at(0.5));
    assert!((at(0.99) - 800.0).abs() < 200.0, "p99 {}", at(0.99));
    assert!(at(0.01) > 5.0 && at(0.01) < 30.0, "p01 {}", at(0.01));
}

#[chaos(timeout_ms = 3_000, name = "latency::hangs")]
async fn hangs() -> Result<u32, chaos::Fault> {
    Ok(1)
}

#[tokio::test(start_paused = true)]
async fn timeout_hangs_then_fails_as_timed_out() {
    let started = Instant::now();
    let fault = hangs().await.unwrap_err();
    assert_eq!(started.elapsed(), Duration::from_millis(3_000));
    assert_eq!(fault.kind(), &chaos::FaultKind::Timeout { after_ms: 3_000 });
    assert_eq!(fault.status(), Some(504));
}
