//! [`Faulted`]: what a call was given at its start (an injection, a place under
//! `max_concurrency`, or a throttled call's fault) in an allocation of its own, and the futures
//! of one pointer that wait for it: [`WaitBefore`], before the body of a `when = "after"` point
//! or of a `fn -> impl Future` (`Instrumented`), and [`FaultAfter`], after a `when = "after"`
//! body. Other async functions await `settle` (its own module), which waits through
//! [`wait_then_proceed`].
//!
//! A call with nothing to do allocates nothing and carries nothing, nor does a call admitted
//! under `max_concurrency` and not faulted (it carries its `Permit`), unless its point is
//! declared `when = "after"` (whose place is kept in the box kept for after the body); a faulted
//! or throttled call allocates once. What lives across the annotated function's `.await`s is therefore one
//! pointer, whatever the fault: the injection, and the timer once a delay starts, are behind it. (An `Option` of
//! the injection by value, and a tokio `Sleep` in the function's state, made every armed future
//! hundreds of bytes larger.)

use std::future::Future;
use std::mem::ManuallyDrop;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use super::delay::{Delay, delay_blocking};
use super::injection::Injection;
use super::permit::Permit;
use crate::fault::Fault;

/// What one faulted call gets, boxed: a delay, then possibly an outcome in place of the body.
#[derive(Debug)]
#[must_use]
pub struct Faulted(ManuallyDrop<Box<Faulting>>);

impl Drop for Faulted {
    /// One call, which does not unwind: whatever holds a `Faulted` (an `Option` in a future's
    /// state, an executor's task) stays small enough to be inlined, its drop a null check and
    /// this call, and its callers need no landing pad around it.
    #[inline]
    fn drop(&mut self) {
        // SAFETY: taken once, as the value is dropped.
        free(unsafe { ManuallyDrop::take(&mut self.0) });
    }
}

/// Frees a faulted call's box: out of line, because every drop of one is off the hot path (a
/// call's wait over, a cancelled or failed call), and `extern "C"`, so that it does not unwind:
/// a panic here aborts the process. What it drops is chaos's own data (the injection, a
/// throttled call's fault, a place under `max_concurrency`), a tokio `Sleep` or the helper
/// thread's alarm, and with the alarm's last reference the executor's `Waker`. None of these
/// panics on drop in chaos or in tokio; an executor whose waker panicked on drop would abort
/// here rather than unwind.
#[cold]
#[inline(never)]
#[allow(improper_ctypes_definitions)] // called only from Rust, with Rust's layout of the box.
extern "C" fn free(faulting: Box<Faulting>) {
    drop(faulting);
}

#[derive(Debug)]
struct Faulting {
    injection: Injection,
    /// The call's place under `max_concurrency`: handed to the function by
    /// [`proceed`](Faulted::proceed) after the wait (it keeps it until it returns), or released
    /// with the box (a fault, a cancelled wait; a `when = "after"` point keeps the box).
    permit: Permit,
    /// A throttled call's fault, returned at once.
    refused: Option<Fault>,
    /// The delay under way, while a [`WaitBefore`], a [`FaultAfter`] or a `Settle` runs.
    delay: Option<Delay>,
}

impl Faulted {
    pub(super) fn new(injection: Injection) -> Faulted {
        Faulted(ManuallyDrop::new(Box::new(Faulting {
            injection,
            permit: Permit::default(),
            refused: None,
            delay: None,
        })))
    }

    /// A call throttled by `max_concurrency`: `fault` at once, no delay.
    #[cold]
    pub(super) fn refused(point: &'static str, fault: Fault) -> Faulted {
        let mut faulted = Faulted::new(Injection::none(point));
        faulted.0.refused = Some(fault);
        faulted
    }

    /// `decided` (or nothing to inject) holding `permit` until the call ends.
    #[cold]
    pub(super) fn holding(
        point: &'static str,
        decided: Option<Faulted>,
        permit: Permit,
    ) -> Faulted {
        let mut faulted = decided.unwrap_or_else(|| Faulted::new(Injection::none(point)));
        faulted.0.permit = permit;
        faulted
    }

    /// After the wait before the body: `Err` with the fault that replaces the body, or `Ok` with
    /// the call's place under `max_concurrency` (held until the call ends; one that holds none
    /// without a limit), and the allocation freed.
    ///
    /// The function keeps the permit, not this box, across its body: the box is freed as soon as
    /// the wait is over, and what is dropped at the end of the body is inline (one atomic
    /// decrement for a held place, nothing otherwise), not a call.
    #[inline]
    pub fn proceed(mut self) -> Result<Permit, Fault> {
        match self.take_fault() {
            Some(fault) => Err(fault),
            None => Ok(std::mem::take(&mut self.0.permit)),
        }
    }

    /// [`proceed`](Self::proceed) for a `when = "after"` point, which keeps its box across the
    /// body anyway: `Ok` with what the call must keep until it ends (its place under
    /// `max_concurrency`; `None` when it holds none, and the allocation is freed at once).
    #[inline]
    pub fn proceed_after(mut self) -> Result<Option<Faulted>, Fault> {
        match self.take_fault() {
            Some(fault) => Err(fault),
            None => Ok(self.0.permit.holds().then_some(self)),
        }
    }

    /// Whether this is kept for after a `when = "after"` body: its outcome comes after the body.
    #[inline]
    pub fn kept_for_after(&self) -> bool {
        self.0.refused.is_none() && self.after()
    }

    /// The injection changed by `change`, in the same allocation.
    fn map(mut self, change: impl FnOnce(Injection) -> Injection) -> Faulted {
        self.0.injection = change(self.take());
        self
    }

    /// The injection, leaving one that does nothing in its place.
    fn take(&mut self) -> Injection {
        let point = self.0.injection.point();
        std::mem::replace(&mut self.0.injection, Injection::none(point))
    }

    /// The same injection, with a cold start's delay first.
    pub(super) fn with_cold_start(self, cold_start: Duration) -> Faulted {
        self.map(|i| i.with_cold_start(cold_start))
    }

    /// The delay to wait before the outcome or the body (a cold start's included); zero for none.
    #[inline]
    pub fn latency(&self) -> Duration {
        self.0.injection.latency()
    }

    /// Whether the outcome comes after the body (`when = "after"`) rather than instead of it.
    #[inline]
    pub fn after(&self) -> bool {
        self.0.injection.after()
    }

    /// The invocation's deadline, read before the body: a `timeout` resolves against it now, or,
    /// for a `when = "after"` injection, once the body has run.
    #[inline]
    pub fn with_deadline(self, deadline: Option<SystemTime>) -> Faulted {
        if self.after() {
            self.map(|i| i.keep_deadline(deadline))
        } else {
            self.map(|i| i.until_deadline(deadline))
        }
    }

    /// What comes before the body, blocking the thread: the whole delay, or only the cold start
    /// of a `when = "after"` injection.
    #[inline]
    pub fn wait_before_blocking(mut self) -> Faulted {
        delay_blocking(before_body_duration(&self.0.injection));
        let waited = waited_before(self.take());
        self.0.injection = waited;
        self
    }

    /// What comes after a `when = "after"` body, blocking the thread: the delay (a `timeout`
    /// resolved against the deadline kept before the body), then the fault.
    pub fn fault_after_blocking(kept: Option<Faulted>) -> Fault {
        let Some(mut kept) = kept else {
            return Injection::none("chaos").into_fault_after();
        };
        let injection = kept.take().resolve_kept_deadline();
        delay_blocking(injection.latency());
        injection.into_fault_after()
    }

    /// The fault that replaces the body, if any.
    pub fn into_fault(mut self) -> Option<Fault> {
        self.take_fault()
    }

    /// The fault that replaces the body (a throttled call's, or the injection's), if any,
    /// leaving the rest (the permit) in place.
    fn take_fault(&mut self) -> Option<Fault> {
        self.0.refused.take().or_else(|| self.take().into_fault())
    }

    /// Whether a layer takes the CORS headers off the inner service's answer (`strip_cors`).
    #[cfg(feature = "tower")]
    pub(crate) fn strip_cors(&self) -> bool {
        self.0.injection.strip_cors()
    }

    /// The fault for a request to `host` that a `deny_hosts` point faulted.
    #[cfg(any(feature = "tower", feature = "aws-sdk"))]
    pub(crate) fn into_fault_for_host(mut self, host: Option<&str>) -> Option<Fault> {
        self.take().into_fault_for_host(host)
    }

    /// Polls the delay of `duration` (started at the first poll) to its end.
    fn poll_delay(
        &mut self,
        duration: impl FnOnce(&Injection) -> Duration,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        let faulting = &mut *self.0;
        let injection = &faulting.injection;
        let delay = faulting
            .delay
            .get_or_insert_with(|| Delay::new(injection.point(), duration(injection)));
        if Pin::new(delay).poll(cx).is_pending() {
            return Poll::Pending;
        }
        faulting.delay = None;
        Poll::Ready(())
    }
}

/// The injection once what comes before the body ([`before_body_duration`]) has been waited.
fn waited_before(injection: Injection) -> Injection {
    if injection.after() {
        injection.without_cold_start()
    } else {
        injection.waited()
    }
}

/// What comes before the body of an async function, as a future of one pointer whose timer is
/// allocated (with the injection) only when a call is faulted: the whole delay, or only the cold
/// start of a `when = "after"` injection. A call with nothing decided is ready at once.
#[inline]
pub fn wait_before(decided: Option<Faulted>) -> WaitBefore {
    WaitBefore(decided)
}

/// See [`wait_before`].
#[derive(Debug)]
#[must_use = "a delay does nothing unless awaited"]
pub struct WaitBefore(Option<Faulted>);

impl Future for WaitBefore {
    type Output = Option<Faulted>;

    /// Inlined into the annotated function (a `when = "after"` point's): a call with nothing
    /// decided is one null check (the attribute's expansion does not even await it then;
    /// `Instrumented` does, out of line, for a call whose budget ran out and that was not
    /// faulted after all). The faulted
    /// call's box goes to the wait by value and comes back, so that no pointer into the
    /// annotated function's future reaches code out of line: a future whose address escapes
    /// cannot be built in place, and is copied after it is built (see `benches/async_path.rs`).
    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Faulted>> {
        match self.0.take() {
            None => Poll::Ready(None),
            Some(faulted) => match wait_faulted(faulted, cx) {
                (faulted, Poll::Ready(())) => Poll::Ready(Some(faulted)),
                (faulted, Poll::Pending) => {
                    self.0 = Some(faulted);
                    Poll::Pending
                }
            },
        }
    }
}

/// The wait of a call with something decided, out of line.
#[cold]
#[inline(never)]
fn wait_faulted(mut faulted: Faulted, cx: &mut Context<'_>) -> (Faulted, Poll<()>) {
    if faulted.poll_delay(before_body_duration, cx).is_pending() {
        return (faulted, Poll::Pending);
    }
    let waited = waited_before(faulted.take());
    faulted.0.injection = waited;
    (faulted, Poll::Ready(()))
}

/// Where a faulted call stands after a poll of its wait ([`wait_then_proceed`]).
#[derive(Debug)]
pub(super) enum Waited {
    /// The delay runs: the box, to be polled again.
    Pending(Faulted),
    /// Over, and the body runs, keeping this place until the call ends.
    Proceed(Permit),
    /// Over, and this fault replaces the body.
    Fault(Fault),
}

/// The wait of a call with something decided, then what it does next ([`Faulted::proceed`]), out
/// of line: `settle`'s poll, whatever the function returns.
#[cold]
#[inline(never)]
pub(super) fn wait_then_proceed(faulted: Faulted, cx: &mut Context<'_>) -> Waited {
    match wait_faulted(faulted, cx) {
        (faulted, Poll::Pending) => Waited::Pending(faulted),
        (faulted, Poll::Ready(())) => match faulted.proceed() {
            Ok(permit) => Waited::Proceed(permit),
            Err(fault) => Waited::Fault(fault),
        },
    }
}

/// A `when = "after"` body's fault, from what the call kept before the body (which
/// [`Faulted::kept_for_after`] said was for after it).
pub fn fault_after(kept: Option<Faulted>) -> FaultAfter {
    FaultAfter(kept)
}

/// What comes before the body: the whole delay, or only the cold start of a `when = "after"`
/// injection.
fn before_body_duration(injection: &Injection) -> Duration {
    if injection.after() {
        injection.cold_start()
    } else {
        injection.latency()
    }
}

/// See [`fault_after`].
#[derive(Debug)]
#[must_use = "a delay does nothing unless awaited"]
pub struct FaultAfter(Option<Faulted>);

impl Future for FaultAfter {
    type Output = Fault;

    /// As [`WaitBefore`]'s: the box goes out of line by value, so that no pointer into the
    /// annotated function's future escapes.
    #[inline]
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Fault> {
        let Some(faulted) = self.0.take() else {
            // Only what `kept_for_after` kept comes here; nothing kept still fails the call.
            return Poll::Ready(Injection::none("chaos").into_fault_after());
        };
        match wait_after(faulted, cx) {
            Ok(fault) => Poll::Ready(fault),
            Err(faulted) => {
                self.0 = Some(faulted);
                Poll::Pending
            }
        }
    }
}

/// The wait after a `when = "after"` body, out of line: the fault once the delay is over, or the
/// box back while it runs.
#[cold]
#[inline(never)]
fn wait_after(mut faulted: Faulted, cx: &mut Context<'_>) -> Result<Fault, Faulted> {
    if faulted.0.delay.is_none() {
        let resolved = faulted.take().resolve_kept_deadline();
        faulted.0.injection = resolved;
    }
    if faulted.poll_delay(Injection::latency, cx).is_pending() {
        return Err(faulted);
    }
    Ok(faulted.take().into_fault_after())
}
