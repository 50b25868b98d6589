//! [`settle`] and [`decide_then_settle`]: everything an annotated `async fn` does for a call
//! that its point's shortcut did not pass, as one future whose poll is out of line: the
//! decision (unless the function made it already), the wait before the body, then the call's
//! place to go on with, or the fault already converted to the function's return type.
//!
//! What an `async fn`'s poll contains decides whether a caller can inline it. With the wait, the
//! fault's conversion, their drops and their unwinding written into the annotated function, its
//! poll weighed more than twice what LLVM inlines at a plain call site (`benches/async_paired.rs`:
//! a cost of 1,155 against a threshold of 525, where the plain twin's is 60): a caller that
//! inlined the plain poll called the annotated one, and paid about 23 ns a call for it there,
//! faulted or not. With the faulted path behind one call, the annotated poll is the check, the
//! body, and one call that a call with nothing decided never makes (315; a body that awaits,
//! 485 against its twin's 240).

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::faulted::{Faulted, Waited, wait_then_proceed};
use super::permit::Permit;
use crate::fault::Fault;

/// The faulted path of an async function's call decided before the future is built (faulted,
/// or throttled): `faulted`'s wait, then [`Settled::Proceed`] with what the call keeps until it
/// ends (its place under `max_concurrency`, a [`Permit`], or `()` for a point that declares
/// none), or [`Settled::Return`] with what `convert` made of the fault: the function's return
/// value, or the fault itself for a `value` point, which the function converts.
#[inline]
pub fn settle<R, K: Keep, C: Fn(Fault) -> R + Copy>(
    faulted: Faulted,
    convert: C,
) -> Settle<impl Fn() -> Option<Faulted> + Copy, C, K> {
    Settle::new(
        Some(faulted),
        // Called only for a place found empty, which this future's is once it is ready.
        || -> Option<Faulted> {
            panic!("chaos: a faulted call's wait was polled after it completed")
        },
        convert,
    )
}

/// As [`settle`], for a call whose decision is still to be made, by `decide` (the call's
/// shortcut was not enough to say it has nothing decided): the decision is the first thing its
/// first poll does, out of line, and a call with nothing decided is ready at once, going on with
/// `()`.
#[inline]
pub fn decide_then_settle<R, D: Fn() -> Option<Faulted> + Copy, C: Fn(Fault) -> R + Copy>(
    decide: D,
    convert: C,
) -> Settle<D, C, ()> {
    Settle::new(None, decide, convert)
}

/// See [`settle`]. One pointer (the decision and the conversion are closures that capture
/// nothing): the box while its wait runs, null before the decision and once ready.
#[derive(Debug)]
#[must_use = "a delay does nothing unless awaited"]
pub struct Settle<D, C, K> {
    faulted: Option<Faulted>,
    decide: D,
    convert: C,
    keep: PhantomData<fn() -> K>,
}

impl<D, C, K> Settle<D, C, K> {
    #[inline(always)]
    fn new(faulted: Option<Faulted>, decide: D, convert: C) -> Settle<D, C, K> {
        Settle {
            faulted,
            decide,
            convert,
            keep: PhantomData,
        }
    }
}

// Nothing in it is ever pinned: the box moves out to the wait and back, and the closures are
// only called by value (they are `Copy`).
impl<D, C, K> Unpin for Settle<D, C, K> {}

/// What a faulted call does once its wait is over.
#[derive(Debug)]
pub enum Settled<R, K> {
    /// Run the body, keeping this until the call ends.
    Proceed(K),
    /// Return this instead of running the body.
    Return(R),
}

/// What a call keeps through its body once its wait is over: its [`Permit`] (a point that
/// declares `max_concurrency`), or nothing, `()`, whose call never holds a place, so that the
/// function has no permit to drop.
pub trait Keep {
    /// What is kept of `permit`.
    fn keep(permit: Permit) -> Self;
}

impl Keep for Permit {
    #[inline]
    fn keep(permit: Permit) -> Permit {
        permit
    }
}

impl Keep for () {
    #[inline]
    fn keep(_: Permit) {}
}

impl<R, K: Keep, D: Fn() -> Option<Faulted> + Copy, C: Fn(Fault) -> R + Copy> Future
    for Settle<D, C, K>
{
    type Output = Settled<R, K>;

    /// Inlined into the annotated function, and only a call: the box goes out of line by value
    /// and comes back while the delay runs, so that no pointer into the function's future
    /// reaches code out of line (a future whose address escapes is built elsewhere and copied,
    /// on every call, faulted or not). Always: LLVM left it out of line in some callers.
    #[inline(always)]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Settled<R, K>> {
        let this = self.get_mut();
        match settle_step(this.faulted.take(), this.decide, this.convert, cx) {
            Ok(settled) => {
                // SAFETY: the place was emptied before the step, which never sees it. Said so
                // that the drop of this future, which follows at once, folds away (its check
                // for a box would otherwise stay, with the call behind it).
                unsafe { std::hint::assert_unchecked(this.faulted.is_none()) };
                Poll::Ready(settled)
            }
            Err(faulted) => {
                // In the place just emptied: forgetting the `None` it held saves its drop.
                let emptied = this.faulted.replace(faulted);
                debug_assert!(emptied.is_none(), "the box was taken before the step");
                std::mem::forget(emptied);
                Poll::Pending
            }
        }
    }
}

/// One poll of a faulted call's wait, out of line: the decision first where it is still to be
/// made (no box yet), then what the call does once the wait is over, or the box back while it
/// runs. The part that does not depend on the return type (the wait and what follows it) is out
/// of line again, in chaos-core, compiled once.
#[cold]
#[inline(never)]
fn settle_step<R, K: Keep, D: Fn() -> Option<Faulted>, C: Fn(Fault) -> R>(
    faulted: Option<Faulted>,
    decide: D,
    convert: C,
    cx: &mut Context<'_>,
) -> Result<Settled<R, K>, Faulted> {
    let Some(faulted) = faulted.or_else(decide) else {
        return Ok(Settled::Proceed(K::keep(Permit::none())));
    };
    match wait_then_proceed(faulted, cx) {
        Waited::Pending(faulted) => Err(faulted),
        Waited::Proceed(permit) => Ok(Settled::Proceed(K::keep(permit))),
        Waited::Fault(fault) => Ok(Settled::Return(convert(fault))),
    }
}
