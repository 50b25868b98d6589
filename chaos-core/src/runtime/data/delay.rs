//! The delays and the panic a faulted call goes through.
//!
//! An async delay is a [`Delay`]: tokio's timer when the call runs inside a tokio runtime, else
//! one helper thread that keeps the time of every such delay and wakes its task (said once per
//! process), so that a delay never fails for want of a runtime or of its time driver. (Without
//! the driver tokio panics when the timer is made; chaos catches it, so its message still
//! reaches the panic hook once, unless the profile aborts on panic.) Its state exists only while
//! a delay is under way: the expansion keeps it in the faulted call's own allocation, not in the
//! annotated function's future.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use super::alarms::{self, Alarm};
use crate::fault::Fault;
use crate::runtime::events;

/// A wait of `duration` for the point `point`, started at its first poll.
#[derive(Debug)]
pub(crate) struct Delay {
    point: &'static str,
    duration: Duration,
    timer: Option<Timer>,
}

/// What keeps the time of a started delay.
#[derive(Debug)]
enum Timer {
    /// tokio's timer: the executor runs other tasks meanwhile.
    Tokio(Pin<Box<tokio::time::Sleep>>),
    /// Outside a tokio runtime: the helper thread of [`alarms`] wakes the task.
    Thread(Arc<Alarm>),
}

impl Delay {
    pub(crate) fn new(point: &'static str, duration: Duration) -> Delay {
        Delay {
            point,
            duration,
            timer: None,
        }
    }

    fn start(&self) -> Timer {
        if tokio::runtime::Handle::try_current().is_ok() {
            // A runtime built without its time driver makes tokio panic here, and tokio has no
            // way to ask beforehand. Caught (this is the faulted path only), the delay then runs
            // on a helper thread, and chaos says which point and what the runtime lacks.
            let duration = self.duration;
            match std::panic::catch_unwind(move || tokio::time::sleep(duration)) {
                Ok(sleep) => return Timer::Tokio(Box::pin(sleep)),
                Err(_) => events::tokio_without_timer(self.point),
            }
        } else {
            events::no_tokio_runtime(self.point);
        }
        Timer::Thread(alarms::set(self.duration))
    }
}

impl Future for Delay {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.duration.is_zero() {
            return Poll::Ready(());
        }
        if self.timer.is_none() {
            self.timer = Some(self.start());
        }
        match self.timer.as_mut() {
            Some(Timer::Tokio(sleep)) => sleep.as_mut().poll(cx),
            Some(Timer::Thread(alarm)) => {
                if alarm.rung_or_wake(cx.waker()) {
                    Poll::Ready(())
                } else {
                    Poll::Pending
                }
            }
            None => Poll::Ready(()),
        }
    }
}

/// Blocks the calling thread for `latency`: what a plain (non-async) function gets.
pub fn delay_blocking(latency: Duration) {
    if !latency.is_zero() {
        std::thread::sleep(latency);
    }
}

/// Panics with the fault's description: the `panic` fault, and the fallback for a fault kind
/// the return type cannot carry.
#[cold]
#[track_caller]
pub fn raise(fault: Fault) -> ! {
    panic!("{fault}")
}

/// Calls `f` once: the body of a `when = "after"` point runs in a closure called through this
/// `FnOnce` bound, so that it may move out of what it captured, as the function body could.
#[inline(always)]
pub fn call_once<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;
    use std::time::Instant;

    /// Polls `future` to completion on this thread, with no runtime at all.
    fn block_on<F: Future>(future: F) -> F::Output {
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut cx = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
                return output;
            }
            std::thread::park();
        }
    }

    #[test]
    fn outside_any_runtime_a_helper_thread_keeps_the_time() {
        let started = Instant::now();
        block_on(Delay::new("unit::delay", Duration::from_millis(30)));
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn a_zero_delay_is_ready_at_once_without_a_timer() {
        let mut delay = Delay::new("unit::delay", Duration::ZERO);
        let waker = Waker::noop();
        let poll = Pin::new(&mut delay).poll(&mut Context::from_waker(waker));
        assert!(poll.is_ready());
        assert!(delay.timer.is_none());
    }

    #[test]
    fn inside_tokio_the_timer_is_tokio_s() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        runtime.block_on(async {
            let started = Instant::now();
            let mut delay = std::pin::pin!(Delay::new("unit::delay", Duration::from_millis(30)));
            std::future::poll_fn(|cx| {
                let poll = delay.as_mut().poll(cx);
                assert!(matches!(delay.timer, Some(Timer::Tokio(_))));
                poll
            })
            .await;
            assert!(started.elapsed() >= Duration::from_millis(30));
        });
    }
}
