//! The cost of an injection point on the hot path, beside a plain call and fail-rs.
//!
//! Run both feature states (BENCHMARKS.md has the table and the machine):
//! ```sh
//! cargo bench --bench hot_path                     # plain, compiled out, fail-rs
//! cargo bench --bench hot_path --features enabled  # plain, armed, faulted, threads, fail-rs
//! ```
//! A build has chaos compiled in or not, so the "annotated, feature off" row can only come from
//! the first run; `plain` and the fail-rs rows are in both, to tie the two runs together.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chaos::{Fault, chaos};
use criterion::{Criterion, criterion_group, criterion_main};

/// The work every variant does: small, so the point's own cost is what shows.
#[inline(always)]
fn work(x: u64) -> u64 {
    x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17)
}

#[inline(never)]
fn plain(x: u64) -> Result<u64, Fault> {
    Ok(work(x))
}

/// With the feature: an armed point whose `rate` is so small that it never fires (in 1e-9).
/// Without: the compiled-out twin of `plain`.
#[inline(never)]
#[chaos(error = "bench", rate = 0.000_000_001)]
fn annotated(x: u64) -> Result<u64, Fault> {
    Ok(work(x))
}

#[cfg(feature = "enabled")]
#[inline(never)]
#[chaos(error = "bench", one_in = 18_446_744_073_709_551_615)]
fn annotated_one_in(x: u64) -> Result<u64, Fault> {
    Ok(work(x))
}

#[cfg(feature = "enabled")]
#[inline(never)]
#[chaos(error = "bench", rate = 1.0)]
fn always_faulted(x: u64) -> Result<u64, Fault> {
    Ok(work(x))
}

#[inline(never)]
fn fail_rs_unconfigured(x: u64) -> Result<u64, String> {
    fail::fail_point!("bench::unconfigured", |_| Err("fail-rs".to_string()));
    Ok(work(x))
}

#[inline(never)]
fn fail_rs_configured(x: u64) -> Result<u64, String> {
    fail::fail_point!("bench::configured", |_| Err("fail-rs".to_string()));
    Ok(work(x))
}

/// Runs `f` `iters` times on each of `threads` threads at once and returns the wall time, so
/// that with no contention the figure per call stays what it is on one thread.
fn on_threads(threads: usize, iters: u64, f: fn(u64) -> Result<u64, Fault>) -> Duration {
    let start = std::sync::Barrier::new(threads + 1);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    start.wait();
                    for i in 0..iters {
                        let _ = black_box(f(black_box(i)));
                    }
                })
            })
            .collect();
        start.wait();
        let began = Instant::now();
        for w in workers {
            w.join().unwrap();
        }
        began.elapsed()
    })
}

fn hot_path(c: &mut Criterion) {
    fail::cfg("bench::configured", "off").unwrap();
    let mut group = c.benchmark_group("hot_path");
    group.bench_function("plain", |b| b.iter(|| plain(black_box(7))));
    let annotated_row = if chaos::ENABLED {
        "armed_not_faulted"
    } else {
        "annotated_feature_off"
    };
    group.bench_function(annotated_row, |b| b.iter(|| annotated(black_box(7))));
    #[cfg(feature = "enabled")]
    {
        group.bench_function("armed_one_in_not_faulted", |b| {
            b.iter(|| annotated_one_in(black_box(7)))
        });
        group.bench_function("faulted_error_no_latency", |b| {
            b.iter(|| always_faulted(black_box(7)))
        });
        group.bench_function("armed_not_faulted_1_thread", |b| {
            b.iter_custom(|iters| on_threads(1, iters, annotated))
        });
        group.bench_function("armed_not_faulted_2_threads", |b| {
            b.iter_custom(|iters| on_threads(2, iters, annotated))
        });
        group.bench_function("armed_one_in_not_faulted_2_threads", |b| {
            b.iter_custom(|iters| on_threads(2, iters, annotated_one_in))
        });
    }
    group.bench_function("fail_rs_unconfigured", |b| {
        b.iter(|| fail_rs_unconfigured(black_box(7)))
    });
    group.bench_function("fail_rs_configured_off", |b| {
        b.iter(|| fail_rs_configured(black_box(7)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = hot_path
}
criterion_main!(benches);
