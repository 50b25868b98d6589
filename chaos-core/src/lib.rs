//! The runtime of [`chaos`](https://docs.rs/chaos): fault specs and their validation rules,
//! the decision made at each injection point, and the faults it produces.
//!
//! Depend on `chaos`, not on this crate: `chaos` re-exports what is public here and documents it.
//! The `runtime` feature (turned on by `chaos/enabled`) adds the decision engine; without it this
//! crate holds only the spec rules, which the `#[chaos]` proc-macro runs at compile time, and the
//! public fault types.

#![warn(missing_docs)]

mod fault;
mod fault_return;
#[cfg(feature = "http")]
mod http;
pub mod spec;

#[cfg(feature = "runtime")]
mod delay;
#[cfg(feature = "runtime")]
mod point;
#[cfg(feature = "runtime")]
mod rng;

pub use fault::{Fault, FaultKind};
pub use fault_return::FaultReturn;

/// What only the expansion of `#[chaos]` uses; not a public API.
#[doc(hidden)]
pub mod __private {
    pub mod dispatch {
        pub use crate::dispatch::*;
    }
    #[cfg(feature = "runtime")]
    pub use crate::delay::{delay_async, delay_blocking, raise};
    #[cfg(feature = "runtime")]
    pub use crate::point::{Injection, Point};
    pub use crate::spec::{FaultSpec, Latency, Outcome, Trigger};
    pub use std::borrow::Cow;
}

mod dispatch;
