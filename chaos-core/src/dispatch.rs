//! Picks how a fault becomes the declared return type, for the expansion of `#[chaos]` only.
//!
//! Rust has no specialization, so the choice between the three rules of [`FaultReturn`] is made
//! by method resolution on references ("autoref specialization"): the expansion calls
//! `(&&&Slot::<R>::new()).__chaos_return(fault)`, and the compiler takes the impl that needs the
//! fewest dereferences among those whose bounds hold for the concrete `R`.

use std::marker::PhantomData;

use crate::fault::{Fault, FaultKind};
use crate::fault_return::FaultReturn;

/// A stand-in for the return type `R`; holds nothing.
pub struct Slot<R>(PhantomData<fn() -> R>);

impl<R> Slot<R> {
    /// The slot for `R`.
    #[allow(clippy::new_without_default)]
    pub const fn new() -> Slot<R> {
        Slot(PhantomData)
    }
}

/// Rule 1: `Result<T, E>` whose `T` can carry a status.
pub trait ViaResultOk<R> {
    /// The return value for `fault`.
    fn __chaos_return(&self, fault: Fault) -> R;
}

impl<T: FaultReturn, E: From<Fault>> ViaResultOk<Result<T, E>> for &&Slot<Result<T, E>> {
    fn __chaos_return(&self, fault: Fault) -> Result<T, E> {
        match fault.kind() {
            FaultKind::Status(_) => Ok(T::from_fault(fault)),
            _ => Err(E::from(fault)),
        }
    }
}

/// Rule 2: any `Result<T, E>` whose `E` can hold a [`Fault`].
pub trait ViaResultErr<R> {
    /// The return value for `fault`.
    fn __chaos_return(&self, fault: Fault) -> R;
}

impl<T, E: From<Fault>> ViaResultErr<Result<T, E>> for &Slot<Result<T, E>> {
    fn __chaos_return(&self, fault: Fault) -> Result<T, E> {
        Err(E::from(fault))
    }
}

/// Rule 3: a type that implements [`FaultReturn`]. It matches every `R`, so that a type that fits
/// no rule fails on the `FaultReturn` bound and the user reads that trait's diagnostic.
pub trait ViaValue<R> {
    /// The return value for `fault`.
    fn __chaos_return(&self, fault: Fault) -> R
    where
        R: FaultReturn;
}

impl<R> ViaValue<R> for Slot<R> {
    fn __chaos_return(&self, fault: Fault) -> R
    where
        R: FaultReturn,
    {
        R::from_fault(fault)
    }
}
