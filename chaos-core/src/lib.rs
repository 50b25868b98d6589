//! The runtime of [`chaos`](https://docs.rs/chaos-inject) (the package `chaos-inject`): fault
//! specs and their validation rules, the decision made at each injection point, the run-time
//! configuration, and the faults.
//!
//! Depend on `chaos-inject`, not on this crate: its library `chaos` re-exports what is public
//! here and documents it. `chaos-inject` pins this crate with an `=` requirement and promises
//! (0.x semver) only what it re-exports; what else is public here (the spec rules the proc-macro
//! runs) is not covered. The `runtime` feature (turned on by `chaos-inject/enabled`) adds the
//! decision engine and the run-time control; without it this crate holds the spec rules, the
//! public fault types, and the run-time API in its compiled-out form, which does nothing.
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
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(not(feature = "runtime"))]
mod compiled_out;
mod config;
mod fault;
mod integrations;
#[cfg(test)]
mod never_panics;
mod point_stats;
#[cfg(feature = "runtime")]
mod runtime;
pub mod spec;

#[cfg(feature = "experiment")]
#[cfg_attr(docsrs, doc(cfg(feature = "experiment")))]
pub mod experiment;

#[cfg(not(feature = "runtime"))]
pub use compiled_out::*;
pub use config::{Config, ConfigError, PointConfig};
pub use fault::{Fault, FaultKind, FaultReturn, InvocationDeadline};
pub use integrations::*;
pub use point_stats::PointStats;
#[cfg(feature = "runtime")]
pub use runtime::*;

/// What only the expansion of `#[chaos]` uses; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use crate::fault::{deadline_of, dispatch};
    pub use crate::integrations::LayerPoint;
    #[cfg(feature = "runtime")]
    pub use crate::runtime::__private::*;
    pub use crate::spec::{
        AwsError, FaultSpec, HostPatterns, Latency, Outcome, Trigger, aws_target, fault_spec,
        host_patterns,
    };
    pub use std::borrow::Cow;
}
