//! Following a remote source (feature `aws`), against the loopback stand-ins of the AppConfig and
//! SSM extensions that the tests use:
//! - `armed_not_faulted`, `armed_not_faulted_following_appconfig` and
//!   `armed_not_faulted_following_ssm`: one call of an armed point that does not fire, without a
//!   source and then with a follower of each kind polling every 100 ms, to show that a call never
//!   waits on the source;
//! - `propagation_ttl_100ms` / `propagation_ttl_1s` (AppConfig) and their `_ssm` twins: from the
//!   moment the extension serves a new document to the moment a call sees it, per change (the
//!   document alternates between two).
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
use extension::{APP, Behaviour, Extension, PARAMETER, Protocol};

/// The token the SSM stand-in requires, as the real extension requires `AWS_SESSION_TOKEN`.
const SSM: Protocol = Protocol::Ssm {
    token: "bench-token",
};

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

/// Follows `extension`, which speaks `protocol`, asking it again every `ttl`.
fn follow(extension: &Extension, protocol: Protocol, ttl: Duration) {
    let source = match protocol {
        Protocol::AppConfig => {
            let (app, env, profile) = APP;
            RemoteSource::appconfig(app, env, profile)
        }
        Protocol::Ssm { token } => RemoteSource::ssm_parameter(PARAMETER).token(token),
    };
    chaos::follow_remote(source.port(extension.port).ttl(ttl)).unwrap();
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

fn propagation(c: &mut Criterion, protocol: Protocol, ttl: Duration, name: &str) {
    let extension = Extension::start(protocol, Behaviour::Serve(document("a", 1.0)));
    follow(&extension, protocol, ttl);
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
    for (protocol, name) in [
        (Protocol::AppConfig, "armed_not_faulted_following_appconfig"),
        (SSM, "armed_not_faulted_following_ssm"),
    ] {
        // Armed at a rate that never fires, the document re-served (unchanged) every 100 ms.
        let extension =
            Extension::start(protocol, Behaviour::Serve(document("never", 0.000_000_001)));
        follow(&extension, protocol, Duration::from_millis(100));
        let since = extension.requests();
        extension.wait_for_requests(since, 1);
        group.bench_function(name, |b| b.iter(|| f(black_box(7))));
        println!(
            "{name}: the follower asked the extension {} times meanwhile",
            extension.requests() - since
        );
        chaos::reset();
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    hot_path(c);
    let (fast, slow) = (Duration::from_millis(100), Duration::from_secs(1));
    propagation(c, Protocol::AppConfig, fast, "propagation_ttl_100ms");
    propagation(c, Protocol::AppConfig, slow, "propagation_ttl_1s");
    propagation(c, SSM, fast, "propagation_ttl_100ms_ssm");
    propagation(c, SSM, slow, "propagation_ttl_1s_ssm");
}

criterion_group!(remote, benches);
criterion_main!(remote);
