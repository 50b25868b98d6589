//! The published snapshot: every layer of the configuration folded into one immutable value,
//! with an epoch that moves on every change. The control plane publishes; the data plane only
//! compares the epoch with the one it cached, and reads the snapshot when it moved.
//!
//! The first reader of a process finds nothing published and starts the runtime through the one
//! hook, [`super::start`], which reads the environment and publishes the first snapshot.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use super::effective::{Effective, Globals};
use crate::config::PointConfig;
use crate::spec::FaultSpec;

/// Bumped on every publication; 0 until the first.
static EPOCH: AtomicU64 = AtomicU64::new(0);
static SNAPSHOT: RwLock<Option<Arc<Snapshot>>> = RwLock::new(None);

/// What the points read.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) epoch: u64,
    pub(crate) globals: Globals,
    /// Counts loads: a seeded point restarts its stream when this changes.
    pub(crate) loads: u64,
    pub(crate) points: HashMap<String, PointConfig>,
}

impl Snapshot {
    /// The effective spec of the point `name`, declared `declared`.
    pub(crate) fn effective_for(&self, name: &str, declared: &FaultSpec) -> Effective {
        Effective::of(declared, self.points.get(name), self.globals)
    }
}

/// The current configuration epoch.
#[inline(always)]
pub(crate) fn epoch() -> u64 {
    EPOCH.load(Ordering::Acquire)
}

/// The snapshot in force, starting the runtime first if nothing was published yet.
pub(crate) fn load() -> Arc<Snapshot> {
    published().unwrap_or_else(super::start)
}

/// The snapshot in force, if any was published.
pub(crate) fn published() -> Option<Arc<Snapshot>> {
    SNAPSHOT
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .map(Arc::clone)
}

/// Publishes the snapshot `build` makes for the next epoch. Callers serialise (the control
/// plane's lock), so epochs only move forward.
pub(crate) fn publish(build: impl FnOnce(u64) -> Snapshot) -> Arc<Snapshot> {
    let mut slot = SNAPSHOT.write().unwrap_or_else(|p| p.into_inner());
    let epoch = EPOCH.load(Ordering::Relaxed) + 1;
    let snapshot = Arc::new(build(epoch));
    *slot = Some(Arc::clone(&snapshot));
    // Published after the snapshot, so a point that sees the new epoch reads the new snapshot.
    EPOCH.store(epoch, Ordering::Release);
    snapshot
}
