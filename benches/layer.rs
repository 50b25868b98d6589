//! The cost of a `ChaosLayer` on a request that is not faulted, beside the bare service.
//!
//! ```sh
//! cargo bench --bench layer --features tower           # compiled out: the layer is the identity
//! cargo bench --bench layer --features tower,enabled   # armed, not faulted; and a denylist miss
//! ```
//! Each iteration calls a `service_fn` that answers at once and polls its future once, so the
//! figure is the layer's own work (decision, permit, the future's extra state), not a network.

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use chaos::layer::ChaosLayer;
use criterion::{Criterion, criterion_group, criterion_main};
use tower::{Layer, Service, service_fn};

type Request = http::Request<()>;

fn answer(request: Request) -> std::future::Ready<Result<http::Response<()>, Infallible>> {
    black_box(request);
    std::future::ready(Ok(http::Response::new(())))
}

/// One request through `service`, its future polled to completion (the first poll, here).
fn call_once<S>(service: &mut S, request: Request) -> u16
where
    S: Service<Request, Response = http::Response<()>, Error = Infallible>,
{
    let mut context = Context::from_waker(Waker::noop());
    let future = pin!(service.call(request));
    match future.poll(&mut context) {
        Poll::Ready(Ok(response)) => response.status().as_u16(),
        _ => unreachable!("the inner service answers at once, and nothing is faulted"),
    }
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("layer");
    let request = || {
        http::Request::get("http://inventory.internal/items")
            .body(())
            .unwrap()
    };

    let mut bare = service_fn(answer);
    group.bench_function("bare_service", |b| {
        b.iter(|| call_once(&mut bare, request()))
    });

    // An armed point whose rate never fires (1 in 1e9).
    let armed = chaos::point!(name = "bench::layer", status = 503, rate = 0.000_000_001);
    let mut layered = ChaosLayer::new(armed).layer(service_fn(answer));
    let name = if chaos::ENABLED {
        "armed_not_faulted"
    } else {
        "compiled_out"
    };
    group.bench_function(name, |b| b.iter(|| call_once(&mut layered, request())));

    // A denylist for another host: the host is compared, nothing is decided.
    let denylist = chaos::point!(name = "bench::denylist", deny_hosts = ["payments.internal"]);
    let mut client = ChaosLayer::new(denylist).layer(service_fn(answer));
    if chaos::ENABLED {
        group.bench_function("deny_hosts_other_host", |b| {
            b.iter(|| call_once(&mut client, request()))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
