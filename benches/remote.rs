//! Following a remote source (feature `aws`), against the loopback stand-in of the AppConfig
//! extension that the tests use:
//! - `propagation_ttl_100ms` / `propagation_ttl_1s`: from the moment the extension serves a new
//!   document to the moment a call sees it, per change (the document alternates between two);
//! - `armed_not_faulted` and `armed_not_faulted_following_appconfig`: one call of an armed point
//!   that does not fire, without and then with a follower polling every 100 ms, to show that a
//!   call never waits on the source.
//!
//! ```sh
//! cargo bench --bench remote --features aws
//! ```

#[path = "../tests/remote/extension.rs"]
#[allow(dead_code)]
mod extension;

use std::hint::black_box;
use std::time::{Duration, Instant};

use chaos::{Fault, RemoteSource, chaos};
use criterion::{Criterion, criterion_group, criterion_main};
use extension::{APP, Behaviour, Extension, Protocol};

#[inline(never)]
#[chaos(error = "declared", rate = 0.0, name = "bench::remote")]
fn handler(x: u64) -> Result<u64, Fault> {
    Ok(x.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

/// Faults `bench::remote` with `message` at `rate`.
fn document(message: &str, rate: f64) -> String {
    format!(r#"{{"points": {{"bench::remote": {{"rate": {rate}, "error": "{message}"}}}}}}"#)
}

fn in_force() -> Option<String> {
    handler(1)
        .err()
        .and_then(|f| f.message().map(str::to_string))
}

fn follow(extension: &Extension, ttl: Duration) {
    let (app, env, profile) = APP;
    chaos::follow_remote(
        RemoteSource::appconfig(app, env, profile)
            .port(extension.port)
            .ttl(ttl),
    )
    .unwrap();
}

/// Serves a new document and waits until a call sees it; returns how long that took.
fn change(extension: &Extension, to: &str) -> Duration {
    extension.set(Behaviour::Serve(document(to, 1.0)));
    let served = Instant::now();
    while in_force().as_deref() != Some(to) {
        assert!(served.elapsed() < Duration::from_secs(30), "never arrived");
        std::hint::spin_loop();
    }
    served.elapsed()
}

fn propagation(c: &mut Criterion, ttl: Duration, name: &str) {
    let extension = Extension::start(Protocol::AppConfig, Behaviour::Serve(document("a", 1.0)));
    follow(&extension, ttl);
    change(&extension, "a");
    let mut group = c.benchmark_group("remote");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(ttl * 25);
    let mut flip = false;
    let mut seen = Vec::new();
    group.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                flip = !flip;
                let took = change(&extension, if flip { "b" } else { "a" });
                seen.push(took);
                total += took;
            }
            total
        })
    });
    group.finish();
    seen.sort();
    let at = |q: f64| seen[((seen.len() - 1) as f64 * q) as usize];
    println!(
        "{name}: {} changes, min {:?}, median {:?}, max {:?}",
        seen.len(),
        seen[0],
        at(0.5),
        at(1.0)
    );
    chaos::reset();
}

fn hot_path(c: &mut Criterion) {
    let mut group = c.benchmark_group("remote");
    let f = black_box(handler as fn(u64) -> Result<u64, Fault>);
    group.bench_function("armed_not_faulted", |b| b.iter(|| f(black_box(7))));
    // Armed at a rate that never fires, the document re-served (unchanged) every 100 ms.
    let extension = Extension::start(
        Protocol::AppConfig,
        Behaviour::Serve(document("never", 0.000_000_001)),
    );
    follow(&extension, Duration::from_millis(100));
    let since = extension.requests();
    extension.wait_for_requests(since, 1);
    group.bench_function("armed_not_faulted_following_appconfig", |b| {
        b.iter(|| f(black_box(7)))
    });
    println!(
        "the follower asked the extension {} times meanwhile",
        extension.requests() - since
    );
    group.finish();
    chaos::reset();
}

fn benches(c: &mut Criterion) {
    hot_path(c);
    propagation(c, Duration::from_millis(100), "propagation_ttl_100ms");
    propagation(c, Duration::from_secs(1), "propagation_ttl_1s");
}

criterion_group!(remote, benches);
criterion_main!(remote);
