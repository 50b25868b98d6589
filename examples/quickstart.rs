//! A small service with three annotated functions, called 1000 times concurrently.
//!
//! ```sh
//! cargo run --example quickstart --features enabled   # chaos compiled in
//! cargo run --example quickstart                      # compiled out: every call is clean
//! ```

use std::time::{Duration, Instant};

use chaos::{Fault, chaos};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// A downstream lookup: one call in ten takes 100 to 300 ms longer.
#[chaos(latency_ms = 100..=300, rate = 0.1)]
async fn load_profile(id: u64) -> Result<String, Error> {
    Ok(format!("profile-{id}"))
}

/// A dependency that fails outright one call in twenty.
#[chaos(error = "recommendations store unavailable", one_in = 20)]
async fn load_recommendations(id: u64) -> Result<Vec<u64>, Error> {
    Ok(vec![id + 1, id + 2])
}

/// The handler: answers 503 on 5% of calls without running, otherwise composes the two.
#[chaos(status = 503, rate = 0.05)]
async fn handler(id: u64) -> Result<http::Response<String>, Error> {
    let profile = load_profile(id).await?;
    let recommendations = load_recommendations(id).await?;
    Ok(http::Response::new(format!(
        "{profile}: {recommendations:?}"
    )))
}

#[derive(Default)]
struct Tally {
    ok: usize,
    injected_status: usize,
    injected_errors: usize,
    other_errors: usize,
    latencies: Vec<Duration>,
}

#[tokio::main]
async fn main() {
    let calls = 1000;
    let started = Instant::now();
    let tasks: Vec<_> = (0..calls)
        .map(|id| {
            tokio::spawn(async move {
                let began = Instant::now();
                let result = handler(id).await;
                (result, began.elapsed())
            })
        })
        .collect();
    let mut tally = Tally::default();
    for task in tasks {
        let (result, latency) = task.await.expect("handler task");
        tally.latencies.push(latency);
        match result {
            Ok(response) if response.status().is_success() => tally.ok += 1,
            Ok(_) => tally.injected_status += 1,
            Err(e) if e.downcast_ref::<Fault>().is_some() => tally.injected_errors += 1,
            Err(_) => tally.other_errors += 1,
        }
    }
    tally.latencies.sort();
    let percentile = |p: f64| tally.latencies[((calls as f64 - 1.0) * p) as usize];
    println!(
        "chaos compiled in: {}\n{calls} calls in {:?}",
        chaos::ENABLED,
        started.elapsed()
    );
    println!("  200 OK               {:>5}", tally.ok);
    println!("  injected 503         {:>5}", tally.injected_status);
    println!("  injected errors      {:>5}", tally.injected_errors);
    println!("  other errors         {:>5}", tally.other_errors);
    println!(
        "  latency p50 {:?}, p90 {:?}, p99 {:?}",
        percentile(0.5),
        percentile(0.9),
        percentile(0.99)
    );
}
