//! The cost of an injection point on an `async fn` (and on a plain `fn` returning `impl Future`)
//! polled to completion, beside its plain twin and fail-rs, in one run; and the futures' sizes. The point is armed and does not fire
//! (`rate = 1e-12`: about one chance in a hundred that any call of a whole run fires; a rate
//! below 5.7e-14 would never fire at all and take the switched-off path), then, in a second
//! group, chaos is switched off at run time (`set_enabled(false)`).
//!
//! ```sh
//! cargo bench --bench async_path --features enabled
//! ```

use std::future::Future;
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

#[path = "support/async_fns.rs"]
mod async_fns;
use async_fns::*;

/// How a row polls its future; the rows of one function each are measured both ways.
trait Harness {
    /// The row `name`: `f`'s future built and polled to completion, with the `Context` already
    /// in memory, as an executor has it for the task it polls. (Built for each call instead, it
    /// would be dropped by the compiler for a plain future, which never reads it, but built on
    /// every call of an annotated one, whose wait reads it on its cold path.)
    fn row<F: Future>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, f: fn(u64) -> F);
}

/// The poll inlined into the measuring loop, as a caller's poll inlines a child future's.
struct Inline;

impl Harness for Inline {
    fn row<F: Future>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, f: fn(u64) -> F) {
        let f = black_box(f);
        group.bench_function(name, |b| {
            let mut cx = Context::from_waker(Waker::noop());
            let cx = black_box(&mut cx);
            b.iter(|| complete_in(f(black_box(7)), cx))
        });
    }
}

/// The poll called as an executor polls a task: through the future's `poll` as a function
/// pointer (tokio's task vtable), so that the poll is a function of its own and not inlined into
/// the measuring loop. Inlined, an annotated poll competes with the loop for registers (its
/// counter, a constant, an address), which costs a few instructions that are not the poll's; on
/// its own, a poll pays for every register it saves.
struct AsTask;

impl Harness for AsTask {
    fn row<F: Future>(group: &mut BenchmarkGroup<'_, WallTime>, name: &str, f: fn(u64) -> F) {
        let f = black_box(f);
        let poll: fn(Pin<&mut F>, &mut Context<'_>) -> Poll<F::Output> = black_box(F::poll);
        group.bench_function(name, |b| {
            let mut cx = Context::from_waker(Waker::noop());
            let cx = black_box(&mut cx);
            b.iter(|| {
                let mut future = pin!(f(black_box(7)));
                loop {
                    if let Poll::Ready(output) = poll(future.as_mut(), cx) {
                        return output;
                    }
                }
            })
        });
    }
}

/// The rows of one function each (and the chains of three), beside their plain twins.
fn single_rows<H: Harness>(group: &mut BenchmarkGroup<'_, WallTime>) {
    H::row(group, "plain_result", plain_result);
    H::row(group, "error", armed_error);
    H::row(group, "latency", armed_latency);
    H::row(group, "plain_awaiting", plain_awaiting);
    H::row(group, "error_awaiting", armed_awaiting);
    H::row(group, "plain_response", plain_response);
    H::row(group, "status_response", armed_status);
    H::row(group, "plain_impl_future", plain_impl_future);
    H::row(group, "impl_future", impl_future);
    H::row(group, "plain_chain_3", plain_outer);
    H::row(group, "chain_3", outer);
    H::row(group, "plain_chain_3_owning", plain_outer_owning);
    H::row(group, "chain_3_owning", outer_owning);
}

/// Every row, inlined: the single functions and the chains, then those holding a value to their
/// end, and the points that never take the shortcut.
fn rows(group: &mut BenchmarkGroup<'_, WallTime>) {
    single_rows::<Inline>(group);
    Inline::row(group, "plain_response_owning", plain_response_owning);
    Inline::row(group, "status_response_owning", armed_status_owning);
    Inline::row(group, "one_in", counted);
    Inline::row(group, "max_concurrency", limited);
}

fn async_path(c: &mut Criterion) {
    eprintln!(
        "sizes: plain_result {} error {} latency {} | plain_awaiting {} error_awaiting {} | plain_response {} status {} | plain_chain_3 {} chain_3 {} | plain_impl_future {} impl_future {} | max_concurrency {}",
        size_of_val(&plain_result(1)),
        size_of_val(&armed_error(1)),
        size_of_val(&armed_latency(1)),
        size_of_val(&plain_awaiting(1)),
        size_of_val(&armed_awaiting(1)),
        size_of_val(&plain_response(1)),
        size_of_val(&armed_status(1)),
        size_of_val(&plain_outer(1)),
        size_of_val(&outer(1)),
        size_of_val(&plain_impl_future(1)),
        size_of_val(&impl_future(1)),
        size_of_val(&limited(1)),
    );
    chaos::set_enabled(true);
    warm_every_point();
    let mut armed = c.benchmark_group("async_armed");
    rows(&mut armed);
    Inline::row(&mut armed, "plain_string", plain_string);
    Inline::row(&mut armed, "fail_rs_unconfigured", fail_rs_unconfigured);
    armed.finish();
    let mut armed = c.benchmark_group("async_task_armed");
    single_rows::<AsTask>(&mut armed);
    armed.finish();
    chaos::set_enabled(false);
    let mut off = c.benchmark_group("async_off");
    rows(&mut off);
    off.finish();
    let mut off = c.benchmark_group("async_task_off");
    single_rows::<AsTask>(&mut off);
    off.finish();
    chaos::set_enabled(true);
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = async_path
}
criterion_main!(benches);
