//! The runtime of [`chaos`](https://docs.rs/chaos): fault specs and their validation rules,
//! the decision made at each injection point, the run-time configuration, and the faults.
//!
//! Depend on `chaos`, not on this crate: `chaos` re-exports what is public here and documents it.
//! The `runtime` feature (turned on by `chaos/enabled`) adds the decision engine and the run-time
//! control; without it this crate holds only the spec rules, which the `#[chaos]` proc-macro runs
//! at compile time, and the public fault types.

#![warn(missing_docs)]

#[cfg(feature = "axum")]
mod axum;
mod deadline;
mod dispatch;
mod fault;
mod fault_return;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "lambda")]
mod lambda;
#[cfg(feature = "tower")]
pub mod layer;
mod layer_point;
#[cfg(feature = "http")]
pub use http::FAULT_HEADER;
mod hosts;
pub mod spec;

#[cfg(feature = "runtime")]
mod config;
#[cfg(feature = "runtime")]
mod control;
#[cfg(feature = "runtime")]
mod delay;
#[cfg(feature = "runtime")]
mod disk;
#[cfg(feature = "runtime")]
mod divisor;
#[cfg(feature = "runtime")]
mod effective;
#[cfg(feature = "runtime")]
mod env;
#[cfg(feature = "runtime")]
mod events;
#[cfg(feature = "runtime")]
mod point;
#[cfg(feature = "runtime")]
mod registry;
#[cfg(feature = "runtime")]
mod remote;
#[cfg(feature = "runtime")]
mod rng;
#[cfg(feature = "runtime")]
mod scope;
#[cfg(feature = "runtime")]
mod stats;
#[cfg(feature = "runtime")]
mod watch;

#[cfg(feature = "experiment")]
pub mod experiment;

pub use deadline::InvocationDeadline;
pub use fault::{Fault, FaultKind};
pub use fault_return::FaultReturn;
pub use layer_point::LayerPoint;

#[cfg(feature = "runtime")]
pub use config::{Config, ConfigError, PointConfig};
#[cfg(feature = "runtime")]
pub use control::{
    OverrideGuard, configure, configure_file, configure_json, init, override_point, reset,
    set_enabled,
};
#[cfg(feature = "runtime")]
pub use disk::disk_fills;
#[cfg(feature = "runtime")]
pub use point::Point;
#[cfg(feature = "runtime")]
pub use registry::points;
#[cfg(feature = "aws")]
pub use remote::{RemoteSource, follow_remote};
#[cfg(feature = "runtime")]
pub use scope::Scope;
#[cfg(feature = "runtime")]
pub use stats::{PointStats, stats};
#[cfg(feature = "runtime")]
pub use watch::watch_file;

/// What only the expansion of `#[chaos]` uses; not a public API.
#[doc(hidden)]
pub mod __private {
    pub mod dispatch {
        pub use crate::dispatch::*;
    }
    pub use crate::deadline::deadline_of;
    #[cfg(feature = "runtime")]
    pub use crate::delay::{call_once, delay_async, delay_blocking, raise};
    pub use crate::layer_point::LayerPoint;
    #[cfg(feature = "runtime")]
    pub use crate::point::{Injection, Permit, Point};
    #[cfg(feature = "runtime")]
    pub use crate::registry::POINTS;
    pub use crate::spec::{FaultSpec, HostPatterns, Latency, Outcome, Trigger};
    #[cfg(feature = "runtime")]
    pub use linkme;
    pub use std::borrow::Cow;
}
