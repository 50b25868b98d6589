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
    pub struct Instrumented<F> {
        point: &'static Point,
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
    /// `impl Future` hides.)
    Running,
}

impl<F: Future> Instrumented<F> {
    /// `inner`, the future the body built, behind `point`'s decision.
    pub fn new(point: &'static Point, inner: F) -> Instrumented<F> {
        Instrumented {
            point,
            stage: Stage::Start,
            inner,
        }
    }
}

impl<F: Future> Future for Instrumented<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let this = self.project();
        loop {
            match this.stage {
                Stage::Start => *this.stage = Stage::Waiting(wait_before(this.point.decide())),
                Stage::Waiting(wait) => {
                    let Poll::Ready(decided) = Pin::new(wait).poll(cx) else {
                        return Poll::Pending;
                    };
                    // Only `latency_ms`, `cold_start_ms`, `disk_fill_mb` and `panic` can be given
                    // to such a function: a fault here is a panic.
                    if let Some(Err(fault)) = decided.map(Faulted::proceed) {
                        raise(fault);
                    }
                    *this.stage = Stage::Running;
                }
                Stage::Running => return this.inner.poll(cx),
            }
        }
    }
}
