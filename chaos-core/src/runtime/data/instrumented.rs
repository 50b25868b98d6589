//! [`Instrumented`]: the future a plain `fn … -> impl Future` returns once annotated. The
//! decision and the wait happen at its first poll, as in an `async fn`; then it polls the future
//! the body built. A named type rather than an `async` block, so that it is `Unpin`, `Send` and
//! `Sync` exactly when the body's future is, as the unannotated function's callers may rely on.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::delay::raise;
use super::faulted::{Faulted, WaitBefore, wait_before};
use super::point::Point;

pin_project_lite::pin_project! {
    /// See the module documentation.
    #[must_use = "futures do nothing unless polled"]
    pub struct Instrumented<P, F> {
        point: P,
        stage: Stage,
        #[pin]
        inner: F,
    }
}

/// Where an [`Instrumented`] future is.
enum Stage {
    /// Not polled yet: nothing decided.
    Start,
    /// Waiting what the decision gave before the body's future runs.
    Waiting(WaitBefore),
    /// The body's future runs. (Such a function holds no place under `max_concurrency`: that
    /// needs the attribute to declare one, and so a return type that carries a fault, which
    /// `impl Future` hides.) Also what the stage holds while a poll decides and waits out of
    /// line, so after a `panic` fault too: polled again, the future runs the body.
    Running,
}

impl<P, F> Instrumented<P, F>
where
    P: Fn() -> &'static Point,
    F: Future,
{
    /// `inner`, the future the body built, behind the decision of the point `point` gives.
    ///
    /// `point` is a closure that names the point's `static` (`|| &__CHAOS_POINT`): it takes no
    /// room in the future, and the poll reads the point at an address known when linking
    /// rather than through a pointer kept in the future.
    pub fn new(point: P, inner: F) -> Instrumented<P, F> {
        Instrumented {
            point,
            stage: Stage::Start,
            inner,
        }
    }
}

/// The decision and the wait, out of line, given nothing of the future's but its stage, by value:
/// `Some` with the wait still under way (the poll is pending), `None` once the body's future may
/// run. At the first poll (`stage` is `Start`) the call is decided first: its thread's budget did
/// not hold its point's hazard (`overdrawn` is the shortcut `Point::spend_shortcut` gave).
#[cold]
#[inline(never)]
fn decided(
    point: &'static Point,
    stage: Stage,
    overdrawn: u64,
    cx: &mut Context<'_>,
) -> Option<WaitBefore> {
    let mut wait = match stage {
        Stage::Waiting(wait) => wait,
        Stage::Start => {
            debug_assert_ne!(overdrawn, 0, "a first poll comes here only overdrawn");
            wait_before(point.decide_overdrawn(overdrawn))
        }
        // Not given (`poll` checks); nothing to decide or wait, and no budget spent.
        Stage::Running => return None,
    };
    let Poll::Ready(decided) = Pin::new(&mut wait).poll(cx) else {
        return Some(wait);
    };
    // Only `latency_ms`, `cold_start_ms`, `disk_fill_mb` and `panic` can be given to such a
    // function: a fault here is a panic.
    if let Some(Err(fault)) = decided.map(Faulted::proceed) {
        raise(fault);
    }
    None
}

impl<P, F> Future for Instrumented<P, F>
where
    P: Fn() -> &'static Point,
    F: Future,
{
    type Output = F::Output;

    /// Polls the body's future once the call's decision and wait are over. The first poll of a
    /// call with nothing to do is the point's shortcut and the thread's budget, inlined; the rest
    /// is one call out of line ([`decided`]), given the stage by value and no pointer into the
    /// future, so that a caller that inlines this poll can still build the future in place.
    /// (When every first poll went through `Waiting`, an annotated poll cost about 90
    /// instructions more than the body's own: `benches/async_path.rs`, the `impl_future` rows.)
    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        if !matches!(this.stage, Stage::Running) {
            // Taken by value, `Running` left in its place: a stage that goes on is the only one
            // written back, and only when the wait is still under way.
            let stage = std::mem::replace(this.stage, Stage::Running);
            let overdrawn = match stage {
                Stage::Start => (this.point)().spend_shortcut(),
                Stage::Waiting(_) | Stage::Running => 0,
            };
            if overdrawn != 0 || !matches!(stage, Stage::Start) {
                if let Some(wait) = decided((this.point)(), stage, overdrawn, cx) {
                    *this.stage = Stage::Waiting(wait);
                    return Poll::Pending;
                }
            }
        }
        this.inner.poll(cx)
    }
}
