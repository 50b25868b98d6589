//! Picks how a fault becomes the declared return type, for the expansion of `#[chaos]` only.
//!
//! Rust has no specialization, so the choice between the three rules of [`FaultReturn`] is made
//! by method resolution on references ("autoref specialization"): the expansion calls
//! `(&&&Slot::<R>::new()).__chaos_status(fault)` (or `__chaos_error`), and the compiler takes the
//! impl that needs the fewest dereferences among those whose bounds hold for the concrete `R`.
//! There is one method per key so that a return type fitting no rule gets an error naming the key.

use std::marker::PhantomData;

use super::{Fault, FaultKind, FaultReturn};

/// A stand-in for the return type `R`; holds nothing.
pub struct Slot<R>(PhantomData<fn() -> R>);

impl<R> Slot<R> {
    /// The slot for `R`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Slot<R> {
        Slot(PhantomData)
    }
}

/// Rule 1: `Result<T, E>` whose `T` can carry a status: a status fault is `Ok`, others `Err`.
pub trait ViaResultOk<R> {
    /// The return value for a point declared with `status`.
    fn __chaos_status(&self, fault: Fault) -> R;
    /// The return value for a point declared with `error`.
    fn __chaos_error(&self, fault: Fault) -> R;
}

impl<T: FaultReturn, E: From<Fault>> ViaResultOk<Result<T, E>> for &&Slot<Result<T, E>> {
    fn __chaos_status(&self, fault: Fault) -> Result<T, E> {
        ok_or_err(fault)
    }
    fn __chaos_error(&self, fault: Fault) -> Result<T, E> {
        ok_or_err(fault)
    }
}

/// A `panic` fault reaching a point that also returns faults (one that declares
/// `max_concurrency`, say) panics rather than becoming a value.
pub(crate) fn panic_if_panic(fault: &Fault) {
    if let FaultKind::Panic(_) = fault.kind() {
        panic!("{fault}");
    }
}

/// Whether `fault` is a `value` fault: the expansion of a point declared `value = ...` then returns
/// the attribute's expression instead of converting the fault.
#[inline]
pub fn is_value(fault: &Fault) -> bool {
    matches!(fault.kind(), FaultKind::Value)
}

/// Moves the value a fault returns into `out`, out of line.
///
/// The expansion returns that value from `out` rather than straight from the call that makes it.
/// A call writing its result into the function's return place takes the address of that place,
/// and in an `async fn` the compiler then keeps the return value in memory and copies it once
/// more on every call, faulted or not; moved out of a local of its own, the value costs that
/// copy only on the faulted path (`benches/async_path.rs`, the `error` and `chain_3`
/// rows).
///
/// ```
/// let mut out = None;
/// chaos_core::__private::dispatch::stage(7, &mut out);
/// assert_eq!(out, Some(7));
/// ```
#[cold]
#[inline(never)]
pub fn stage<R>(value: R, out: &mut Option<R>) {
    *out = Some(value);
}

fn ok_or_err<T: FaultReturn, E: From<Fault>>(fault: Fault) -> Result<T, E> {
    panic_if_panic(&fault);
    // A status, or a throttle (429), is an answer the response type can give.
    if fault.status().is_some() {
        Ok(T::from_fault(fault))
    } else {
        Err(E::from(fault))
    }
}

/// Rule 2: any `Result<T, E>` whose `E` can hold a [`Fault`].
pub trait ViaResultErr<R> {
    /// The return value for a point declared with `status`.
    fn __chaos_status(&self, fault: Fault) -> R;
    /// The return value for a point declared with `error`.
    fn __chaos_error(&self, fault: Fault) -> R;
}

impl<T, E: From<Fault>> ViaResultErr<Result<T, E>> for &Slot<Result<T, E>> {
    fn __chaos_status(&self, fault: Fault) -> Result<T, E> {
        panic_if_panic(&fault);
        Err(E::from(fault))
    }
    fn __chaos_error(&self, fault: Fault) -> Result<T, E> {
        panic_if_panic(&fault);
        Err(E::from(fault))
    }
}

/// Rule 3: a type that implements [`FaultReturn`]. It matches every `R`, so that a type that fits
/// no rule fails on the key's bound below and the user reads that key's diagnostic.
pub trait ViaValue<R> {
    /// The return value for a point declared with `status`.
    fn __chaos_status(&self, fault: Fault) -> R
    where
        R: StatusReturn;
    /// The return value for a point declared with `error`.
    fn __chaos_error(&self, fault: Fault) -> R
    where
        R: ErrorReturn;
}

impl<R> ViaValue<R> for Slot<R> {
    fn __chaos_status(&self, fault: Fault) -> R
    where
        R: StatusReturn,
    {
        panic_if_panic(&fault);
        R::from_fault(fault)
    }
    fn __chaos_error(&self, fault: Fault) -> R
    where
        R: ErrorReturn,
    {
        panic_if_panic(&fault);
        R::from_fault(fault)
    }
}

/// [`FaultReturn`] as required by a `status` point: the same trait, with an error message that
/// names the key (rustc reports the diagnostic of the bound the expansion asked for).
#[diagnostic::on_unimplemented(
    message = "`#[chaos(status = ...)]` cannot answer with a status as `{Self}`",
    label = "the function returns `{Self}`, which cannot carry a status",
    note = "return `http::Response<B>` or `http::StatusCode` (feature `http`), a `Result` of one of them, or `Result<T, E>` with `E: From<chaos::Fault>` (the status then arrives as an `Err`)",
    note = "or return a type of your own that implements `chaos::FaultReturn` (or a `Result` of one); `latency_ms` and `panic` work with any return type"
)]
pub trait StatusReturn: FaultReturn {}

impl<R: FaultReturn> StatusReturn for R {}

/// [`FaultReturn`] as required by an `error` point; see [`StatusReturn`].
#[diagnostic::on_unimplemented(
    message = "`#[chaos(error = ...)]` cannot return its error as `{Self}`",
    label = "the function returns `{Self}`, which cannot carry an error",
    note = "return `Result<T, E>` with `E: From<chaos::Fault>`, such as `Box<dyn Error + Send + Sync>` (lambda_runtime's `Error`), `anyhow::Error` or `chaos::Fault`",
    note = "or return a type of your own that implements `chaos::FaultReturn`; `latency_ms` and `panic` work with any return type"
)]
pub trait ErrorReturn: FaultReturn {}

impl<R: FaultReturn> ErrorReturn for R {}
