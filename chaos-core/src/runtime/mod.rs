//! The runtime (feature `runtime`): everything that happens after compilation, in layers whose
//! imports point one way, down this list:
//!
//! ```text
//! sources      environment, file, remote (AppConfig, SSM) under one supervisor: one source
//!              at a time; they read, then hand checked documents to the control plane
//! control      the state and its one commit, the registry of compiled points, the
//!              configuration checked against them, scopes: publishes snapshots
//! data         the point and its decision (the hot path), injections, permits, delays, disk
//!              fills as the point sees them, the scope lookup: reads snapshots only
//! snapshot     the published snapshot and its epoch
//! leaves       effective (spec + override -> what a point does), stats, events,
//!              rng, hazard (how a rate decides), divisor
//! ```
//!
//! One arrow goes up, by design: the first reader of a process finds no snapshot and calls
//! [`start`], the one hook through which the data plane wakes the sources.

mod control;
pub(crate) mod data;
mod divisor;
mod effective;
mod events;
mod hazard;
mod rng;
mod snapshot;
mod sources;
mod stats;

use std::sync::Arc;

pub use control::{
    OverrideGuard, PointInfo, Scope, configure, configure_json, override_point, points,
    set_enabled, stats,
};
pub(crate) use data::Point;
pub use data::disk::disk_fills;
#[cfg(feature = "aws")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws")))]
pub use sources::{RemoteSource, follow_remote};
pub use sources::{configure_file, init, reset, watch_file};

/// The lazy start: the first decision (or the first use of the API) finds nothing published and
/// comes here, once per process, to read the environment and publish the first snapshot.
fn start() -> Arc<snapshot::Snapshot> {
    sources::start()
}

/// What only the expansion of `#[chaos]` uses; not a public API.
pub mod __private {
    pub use super::control::POINTS;
    pub use super::data::delay::{call_once, delay_blocking, raise};
    pub use super::data::{
        FaultAfter, Faulted, Instrumented, Keep, Permit, Point, Settle, Settled, Site, WaitBefore,
        decide_then_settle, fault_after, settle, wait_before,
    };
    pub use linkme;
}
