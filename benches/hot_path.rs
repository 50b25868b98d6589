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
use std::time::Duration;

use chaos::{Fault, chaos};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

/// The work every variant does: small, so the point's own cost is what shows.
#[inline(always)]
fn work(x: u64) -> u64 {
    x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17)
}

#[inline(never)]
fn plain(x: u64) -> Result<u64, Fault> {
    Ok(work(x))
}

/// The same two without the 48-byte `Result<u64, Fault>`: what a bare call costs here.
#[inline(never)]
fn plain_u64(x: u64) -> u64 {
    work(x)
}

#[inline(never)]
#[chaos(latency_ms = 1, rate = 0.000_000_001)]
fn annotated_u64(x: u64) -> u64 {
    work(x)
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

/// The baseline for the fail-rs rows, which return `Result<u64, String>`.
#[inline(never)]
fn plain_string(x: u64) -> Result<u64, String> {
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

#[cfg(feature = "enabled")]
/// Runs `f` `iters` times on each of `threads` threads at once and returns the wall time, so
/// that with no contention the figure per call stays what it is on one thread.
fn on_threads(threads: usize, iters: u64, f: fn(u64) -> Result<u64, Fault>) -> Duration {
    let start = std::sync::Barrier::new(threads + 1);
    let f = black_box(f);
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
        let began = std::time::Instant::now();
        for w in workers {
            w.join().unwrap();
        }
        began.elapsed()
    })
}

/// Measures `f` called through a function pointer the optimizer cannot see through, so that no
/// row gains from what the compiler can prove about one callee (such as "always returns `Ok`").
fn row<R>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, f: fn(u64) -> R) {
    let f = black_box(f);
    group.bench_function(name, |b| b.iter(|| f(black_box(7))));
}

fn hot_path(c: &mut Criterion) {
    fail::cfg("bench::configured", "off").unwrap();
    let mut group = c.benchmark_group("hot_path");
    row(&mut group, "plain_u64", plain_u64);
    let u64_row = if chaos::ENABLED {
        "armed_not_faulted_u64"
    } else {
        "annotated_feature_off_u64"
    };
    row(&mut group, u64_row, annotated_u64);
    row(&mut group, "plain", plain);
    let annotated_row = if chaos::ENABLED {
        "armed_not_faulted"
    } else {
        "annotated_feature_off"
    };
    row(&mut group, annotated_row, annotated);
    #[cfg(feature = "enabled")]
    {
        row(&mut group, "armed_one_in_not_faulted", annotated_one_in);
        row(&mut group, "faulted_error_no_latency", always_faulted);
        run_time_control_rows(&mut group);
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
    row(&mut group, "plain_string", plain_string);
    row(&mut group, "fail_rs_unconfigured", fail_rs_unconfigured);
    row(&mut group, "fail_rs_configured_off", fail_rs_configured);
    group.finish();
}

/// The rows of the run-time control: the kill switch, a task scope running on another thread,
/// and configuration reloads happening meanwhile (their rate is printed, to quote beside the row).
#[cfg(feature = "enabled")]
fn run_time_control_rows(group: &mut BenchmarkGroup<'_, WallTime>) {
    use std::sync::atomic::{AtomicBool, Ordering};

    chaos::set_enabled(false);
    row(group, "switched_off_at_run_time", annotated);
    chaos::set_enabled(true);

    let stop = AtomicBool::new(false);
    std::thread::scope(|s| {
        let scope = chaos::Scope::new(chaos::Config::new()).unwrap();
        let stop = &stop;
        s.spawn(move || {
            scope.run_sync(|| {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(1));
                }
            });
        });
        std::thread::sleep(Duration::from_millis(10));
        row(group, "armed_not_faulted_scope_active_elsewhere", annotated);
        stop.store(true, Ordering::Relaxed);
    });

    stop.store(false, Ordering::Relaxed);
    // A configuration with point overrides, loaded again and again (each load is a new epoch,
    // so every point rebuilds its effective spec once after it).
    let config = chaos::Config::new()
        .point(
            "hot_path::always_faulted",
            chaos::PointConfig::new().rate(0.5),
        )
        .point(
            "hot_path::annotated",
            chaos::PointConfig::new()
                .rate(0.000_000_001)
                .error("reloaded"),
        );
    let reloads = std::sync::atomic::AtomicU64::new(0);
    let started = std::time::Instant::now();
    std::thread::scope(|s| {
        let (stop, reloads, config) = (&stop, &reloads, &config);
        s.spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                chaos::configure(config.clone()).unwrap();
                reloads.fetch_add(1, Ordering::Relaxed);
                std::thread::sleep(Duration::from_micros(500));
            }
        });
        row(group, "armed_not_faulted_during_reloads", annotated);
        stop.store(true, Ordering::Relaxed);
    });
    let rate = reloads.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64();
    eprintln!("hot_path/armed_not_faulted_during_reloads: {rate:.0} reloads per second");
    chaos::reset();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = hot_path
}
criterion_main!(benches);
