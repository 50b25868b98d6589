//! What chaos did, per point: counters written only when a call is faulted, never on the path
//! of a call that is not (so they cost nothing there and are never contended by it).

use std::sync::atomic::{AtomicU64, Ordering};

use crate::PointStats;
use crate::spec::Outcome;

/// Counters of one point.
#[derive(Debug)]
pub(crate) struct Counters {
    latency_only: AtomicU64,
    status: AtomicU64,
    error: AtomicU64,
    panic: AtomicU64,
    dry_run: AtomicU64,
    cold_start: AtomicU64,
    throttled: AtomicU64,
    timeout: AtomicU64,
    unreachable: AtomicU64,
    aws_error: AtomicU64,
    cors_stripped: AtomicU64,
    disk_fill: AtomicU64,
    disk_fill_failed: AtomicU64,
    value: AtomicU64,
}

impl Counters {
    pub(crate) const fn new() -> Counters {
        Counters {
            latency_only: AtomicU64::new(0),
            status: AtomicU64::new(0),
            error: AtomicU64::new(0),
            panic: AtomicU64::new(0),
            dry_run: AtomicU64::new(0),
            cold_start: AtomicU64::new(0),
            throttled: AtomicU64::new(0),
            timeout: AtomicU64::new(0),
            unreachable: AtomicU64::new(0),
            aws_error: AtomicU64::new(0),
            cors_stripped: AtomicU64::new(0),
            disk_fill: AtomicU64::new(0),
            disk_fill_failed: AtomicU64::new(0),
            value: AtomicU64::new(0),
        }
    }

    /// A faulted call, by its outcome (`strip_cors`: the inner answer loses its CORS headers).
    pub(crate) fn record(&self, outcome: Option<&Outcome>, strip_cors: bool, dry_run: bool) {
        let counter = if dry_run {
            &self.dry_run
        } else {
            match outcome {
                None if strip_cors => &self.cors_stripped,
                None => &self.latency_only,
                Some(Outcome::Status(_)) => &self.status,
                Some(Outcome::Error(_)) => &self.error,
                Some(Outcome::Panic(_)) => &self.panic,
                Some(Outcome::Timeout(_) | Outcome::Deadline { .. }) => &self.timeout,
                Some(Outcome::Unreachable(_)) => &self.unreachable,
                Some(Outcome::Aws(_)) => &self.aws_error,
                Some(Outcome::Value) => &self.value,
            }
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A cold start: counted apart, since it comes on top of a call's regular decision.
    pub(crate) fn record_cold_start(&self, dry_run: bool) {
        let counter = if dry_run {
            &self.dry_run
        } else {
            &self.cold_start
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A call turned away by `max_concurrency`.
    pub(crate) fn record_throttled(&self, dry_run: bool) {
        let counter = if dry_run {
            &self.dry_run
        } else {
            &self.throttled
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// A disk fill made (the bytes held now are in `disk_fills()`).
    pub(crate) fn record_disk_fill(&self) {
        self.disk_fill.fetch_add(1, Ordering::Relaxed);
    }

    /// A disk fill that could not be made.
    pub(crate) fn record_disk_fill_failed(&self) {
        self.disk_fill_failed.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn snapshot(&self, point: &'static str) -> PointStats {
        PointStats {
            point,
            latency_only: self.latency_only.load(Ordering::Relaxed),
            status: self.status.load(Ordering::Relaxed),
            error: self.error.load(Ordering::Relaxed),
            panic: self.panic.load(Ordering::Relaxed),
            dry_run: self.dry_run.load(Ordering::Relaxed),
            cold_start: self.cold_start.load(Ordering::Relaxed),
            throttled: self.throttled.load(Ordering::Relaxed),
            timeout: self.timeout.load(Ordering::Relaxed),
            unreachable: self.unreachable.load(Ordering::Relaxed),
            aws_error: self.aws_error.load(Ordering::Relaxed),
            cors_stripped: self.cors_stripped.load(Ordering::Relaxed),
            disk_fill: self.disk_fill.load(Ordering::Relaxed),
            disk_fill_failed: self.disk_fill_failed.load(Ordering::Relaxed),
            value: self.value.load(Ordering::Relaxed),
        }
    }
}
