//! The functions the async benches measure (`async_path.rs` with criterion, `async_paired.rs`
//! block against block): each annotated function beside its plain twin; and how both benches
//! poll them.

use std::future::Future;
use std::hint::black_box;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use chaos::chaos;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

#[inline(always)]
pub fn work(x: u64) -> u64 {
    x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17)
}

#[inline(never)]
pub async fn plain_result(x: u64) -> Result<u64, Error> {
    Ok(work(x))
}

#[inline(never)]
#[chaos(error = "bench", rate = 0.000_000_000_001)]
pub async fn armed_error(x: u64) -> Result<u64, Error> {
    Ok(work(x))
}

#[inline(never)]
#[chaos(latency_ms = 300, rate = 0.000_000_000_001)]
pub async fn armed_latency(x: u64) -> Result<u64, Error> {
    Ok(work(x))
}

#[inline(never)]
pub async fn plain_response(x: u64) -> http::Response<String> {
    let _ = work(x);
    http::Response::new(String::new())
}

#[inline(never)]
#[chaos(status = 503, rate = 0.000_000_000_001)]
pub async fn armed_status(x: u64) -> http::Response<String> {
    let _ = work(x);
    http::Response::new(String::new())
}

/// The response rows again, each function holding a `String` to its end, as a handler holding
/// its request's body or id does. Any value with drop glue alive at the end of an `async fn`'s
/// body costs one copy of the return value (it is built in a temporary, then moved past the
/// drops), in the plain function as in the annotated one, whose `Permit` is such a value.
#[inline(never)]
pub async fn plain_response_owning(x: u64) -> http::Response<String> {
    // Dropped at the end, after the tail expression.
    let _held = black_box(String::new());
    let _ = work(x);
    http::Response::new(String::new())
}

#[inline(never)]
#[chaos(status = 503, rate = 0.000_000_000_001)]
pub async fn armed_status_owning(x: u64) -> http::Response<String> {
    // Dropped at the end, after the tail expression.
    let _held = black_box(String::new());
    let _ = work(x);
    http::Response::new(String::new())
}

#[inline(never)]
pub async fn plain_string(x: u64) -> Result<u64, String> {
    Ok(work(x))
}

#[inline(never)]
pub async fn fail_rs_unconfigured(x: u64) -> Result<u64, String> {
    fail::fail_point!("async::unconfigured", |_| Err("fail-rs".to_string()));
    Ok(work(x))
}

/// A handler's shape: the body awaits another `async fn` once (a database call, say), so the
/// plain future has a suspension point of its own, as most `async fn`s do. (The rows above await
/// nothing: there the attribute's wait is the future's only suspension point, and rustc's state
/// machine grows from three states to four for it alone.)
#[inline(never)]
pub async fn lookup(x: u64) -> u64 {
    work(x)
}

#[inline(never)]
pub async fn plain_awaiting(x: u64) -> Result<u64, Error> {
    Ok(lookup(x).await)
}

#[inline(never)]
#[chaos(error = "bench", rate = 0.000_000_000_001)]
pub async fn armed_awaiting(x: u64) -> Result<u64, Error> {
    Ok(lookup(x).await)
}

/// A plain `fn` returning `impl Future`, as trait methods are often written: annotated, its
/// decision and wait run in the future it returns (`Instrumented`), which polls the body's
/// future after them. Such a function can be given a delay, not an outcome that replaces its
/// value. (Written out, not as `async fn`, because that shape is what the rows measure.)
#[inline(never)]
#[allow(clippy::manual_async_fn)]
pub fn plain_impl_future(x: u64) -> impl Future<Output = Result<u64, Error>> {
    async move { Ok(work(x)) }
}

#[inline(never)]
#[allow(clippy::manual_async_fn)]
#[chaos(latency_ms = 300, rate = 0.000_000_000_001)]
pub fn impl_future(x: u64) -> impl Future<Output = Result<u64, Error>> {
    async move { Ok(work(x)) }
}

/// Points that never take the shortcut: every call reads the process-wide state word and the
/// point's own words out of line. `one_in` counts its calls (never firing within a run at
/// 10^12); `max_concurrency` takes and releases a place per call (never throttling at 10^6).
#[inline(never)]
#[chaos(error = "bench", one_in = 1_000_000_000_000)]
pub async fn counted(x: u64) -> Result<u64, Error> {
    Ok(work(x))
}

#[inline(never)]
#[chaos(error = "bench", rate = 0.000_000_000_001, max_concurrency = 1_000_000)]
pub async fn limited(x: u64) -> Result<u64, Error> {
    Ok(work(x))
}

/// Three annotated layers, each awaiting the next.
#[inline(never)]
#[chaos(latency_ms = 5, rate = 0.000_000_000_001, name = "bench::outer")]
pub async fn outer(x: u64) -> Result<u64, Error> {
    middle(x).await
}

#[inline(never)]
#[chaos(error = "x", rate = 0.000_000_000_001, name = "bench::middle")]
pub async fn middle(x: u64) -> Result<u64, Error> {
    inner(x).await
}

#[inline(never)]
#[chaos(status = 503, rate = 0.000_000_000_001, name = "bench::inner")]
pub async fn inner(x: u64) -> Result<u64, Error> {
    Ok(work(x))
}

#[inline(never)]
pub async fn plain_outer(x: u64) -> Result<u64, Error> {
    plain_middle(x).await
}

#[inline(never)]
pub async fn plain_middle(x: u64) -> Result<u64, Error> {
    plain_inner(x).await
}

#[inline(never)]
pub async fn plain_inner(x: u64) -> Result<u64, Error> {
    Ok(work(x))
}

/// The chains again, each level holding a `String` across its `.await`, as a handler holding a
/// request id or a body does: then the plain futures have drop glue too.
#[inline(never)]
#[chaos(latency_ms = 5, rate = 0.000_000_000_001, name = "bench::outer_owning")]
pub async fn outer_owning(x: u64) -> Result<u64, Error> {
    let held = String::new();
    let value = middle_owning(x).await;
    drop(black_box(held));
    value
}

#[inline(never)]
#[chaos(error = "x", rate = 0.000_000_000_001, name = "bench::middle_owning")]
pub async fn middle_owning(x: u64) -> Result<u64, Error> {
    let held = String::new();
    let value = inner_owning(x).await;
    drop(black_box(held));
    value
}

#[inline(never)]
#[chaos(status = 503, rate = 0.000_000_000_001, name = "bench::inner_owning")]
pub async fn inner_owning(x: u64) -> Result<u64, Error> {
    Ok(work(x))
}

#[inline(never)]
pub async fn plain_outer_owning(x: u64) -> Result<u64, Error> {
    let held = String::new();
    let value = plain_middle_owning(x).await;
    drop(black_box(held));
    value
}

#[inline(never)]
pub async fn plain_middle_owning(x: u64) -> Result<u64, Error> {
    let held = String::new();
    let value = plain_inner(x).await;
    drop(black_box(held));
    value
}

/// Polls `future` to completion with a no-op waker (every future here is ready at once).
pub fn complete<F: Future>(future: F) -> F::Output {
    complete_in(future, &mut Context::from_waker(Waker::noop()))
}

/// Polls `future` to completion with `cx`.
#[inline(always)]
pub fn complete_in<F: Future>(future: F, cx: &mut Context<'_>) -> F::Output {
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return output;
        }
    }
}

/// Calls every annotated function once, so that every point has had its first call (a cold
/// start) before any row is measured: switched off, the shortest path is taken only once no point
/// waits for its first call, and a filtered run (`cargo bench -- async_off/error`) would
/// otherwise measure the path of a process with cold points.
pub fn warm_every_point() {
    complete(armed_error(1)).ok();
    complete(armed_latency(1)).ok();
    complete(armed_awaiting(1)).ok();
    complete(impl_future(1)).ok();
    complete(counted(1)).ok();
    complete(limited(1)).ok();
    complete(armed_status(1));
    complete(armed_status_owning(1));
    complete(outer(1)).ok();
    complete(outer_owning(1)).ok();
}
