//! The runtime of [`chaos`](https://docs.rs/chaos-inject) (the package `chaos-inject`): fault specs and their validation rules,
//! the decision made at each injection point, the run-time configuration, and the faults.
//!
//! Depend on `chaos-inject`, not on this crate: `chaos` re-exports what is public here and documents it.
//! The `runtime` feature (turned on by `chaos/enabled`) adds the decision engine and the run-time
//! control; without it this crate holds only the spec rules, which the `#[chaos]` proc-macro runs
//! at compile time, and the public fault types.
//!
//! # Layers
//!
//! Each layer imports only the layers below it (ARCHITECTURE.md at the repository's root has the
//! whole picture):
//!
//! ```text
//! experiment      the experiment runner: the public runtime API only        (feature experiment)
//! integrations    http, axum, lambda, the tower layer: each behind its own feature
//! runtime         sources -> control plane -> data plane -> snapshot -> leaves  (feature runtime)
//! fault           Fault, FaultKind, FaultReturn, dispatch into a return value, deadlines
//! spec            keys, input, the validated spec, every rule and message: imports nothing
//! ```

#![warn(missing_docs)]

mod fault;
mod integrations;
#[cfg(feature = "runtime")]
mod runtime;
pub mod spec;

#[cfg(feature = "experiment")]
pub mod experiment;

pub use fault::{Fault, FaultKind, FaultReturn, InvocationDeadline};
pub use integrations::*;
#[cfg(feature = "runtime")]
pub use runtime::*;

/// What only the expansion of `#[chaos]` uses; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::fault::{deadline_of, dispatch};
    pub use crate::integrations::LayerPoint;
    #[cfg(feature = "runtime")]
    pub use crate::runtime::__private::*;
    pub use crate::spec::{FaultSpec, HostPatterns, Latency, Outcome, Trigger};
    pub use std::borrow::Cow;
}
