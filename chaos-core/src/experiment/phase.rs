//! One phase of an experiment: every call's outcome and latency, and the figures drawn from them.

use std::time::Duration;

use hdrhistogram::Histogram;

/// How one call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallOutcome {
    /// `Ok`.
    Success,
    /// `Err` carrying a [`Fault`](crate::Fault) somewhere in its chain: an injected failure.
    Injected,
    /// Any other `Err`: a real failure.
    Failed,
}

/// One call, for the timeline of a report.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub struct CallRecord {
    /// When the call started, from the start of its phase.
    pub started: Duration,
    /// How long it took.
    pub latency: Duration,
    /// How it ended.
    pub outcome: CallOutcome,
}

/// What one phase measured.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct PhaseReport {
    /// "steady state" or "under faults".
    pub name: &'static str,
    /// How long the phase ran.
    pub elapsed: Duration,
    /// Calls made.
    pub calls: u64,
    /// Calls that returned `Ok`.
    pub successes: u64,
    /// Calls that failed with an injected [`Fault`](crate::Fault).
    pub injected_errors: u64,
    /// Calls that failed otherwise.
    pub real_errors: u64,
    /// Successes that the experiment's `degraded` predicate marked (a fallback answer).
    pub degraded: u64,
    /// Faults injected per point during the phase (all kinds, latency included), from
    /// [`stats`](crate::stats).
    pub faults_by_point: Vec<(&'static str, u64)>,
    /// Every call, in the order they started (at most [`TIMELINE_LIMIT`]).
    pub timeline: Vec<CallRecord>,
    latencies: Histogram<u64>,
    timeline_limit: usize,
}

/// The most calls a phase keeps in its timeline; the figures count every call.
pub const TIMELINE_LIMIT: usize = 100_000;

/// Latencies are recorded in microseconds, up to an hour, to 3 significant digits.
pub(crate) fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("constant, valid bounds")
}

impl PhaseReport {
    pub(crate) fn new(name: &'static str, timeline_limit: usize) -> PhaseReport {
        PhaseReport {
            name,
            elapsed: Duration::ZERO,
            calls: 0,
            successes: 0,
            injected_errors: 0,
            real_errors: 0,
            degraded: 0,
            faults_by_point: Vec::new(),
            timeline: Vec::new(),
            latencies: new_histogram(),
            timeline_limit,
        }
    }

    pub(crate) fn record(&mut self, call: CallRecord, degraded: bool) {
        self.calls += 1;
        match call.outcome {
            CallOutcome::Success => self.successes += 1,
            CallOutcome::Injected => self.injected_errors += 1,
            CallOutcome::Failed => self.real_errors += 1,
        }
        self.degraded += u64::from(degraded);
        let micros = u64::try_from(call.latency.as_micros()).unwrap_or(u64::MAX);
        self.latencies.saturating_record(micros.max(1));
        if self.timeline.len() < self.timeline_limit {
            self.timeline.push(call);
        }
    }

    /// Adds another tally of the same phase (from another worker).
    pub(crate) fn merge(&mut self, other: PhaseReport) {
        self.calls += other.calls;
        self.successes += other.successes;
        self.injected_errors += other.injected_errors;
        self.real_errors += other.real_errors;
        self.degraded += other.degraded;
        // Same bounds on both sides, so adding cannot fail; were it to, the figures would only
        // lack that worker's latencies.
        let _ = self.latencies.add(&other.latencies);
        let room = self.timeline_limit.saturating_sub(self.timeline.len());
        self.timeline.extend(other.timeline.into_iter().take(room));
    }

    /// Degraded answers over calls; 0.0 for a phase without calls.
    pub fn degraded_ratio(&self) -> f64 {
        if self.calls == 0 {
            0.0
        } else {
            self.degraded as f64 / self.calls as f64
        }
    }

    /// Whether the latency at `quantile` is within `limit`, at the histogram's precision (a
    /// latency in the same bucket as the limit is within it).
    pub fn latency_within(&self, quantile: f64, limit: Duration) -> bool {
        let measured = self.latency_at(quantile);
        let as_micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
        measured <= limit
            || self
                .latencies
                .equivalent(as_micros(measured), as_micros(limit))
    }

    /// Successes over calls; 1.0 for a phase without calls.
    pub fn success_ratio(&self) -> f64 {
        if self.calls == 0 {
            1.0
        } else {
            self.successes as f64 / self.calls as f64
        }
    }

    /// The latency below which the fraction `quantile` of calls fell (HDR histogram, 3
    /// significant digits).
    pub fn latency_at(&self, quantile: f64) -> Duration {
        if self.calls == 0 {
            return Duration::ZERO;
        }
        Duration::from_micros(self.latencies.value_at_quantile(quantile.clamp(0.0, 1.0)))
    }

    /// The slowest call.
    pub fn max_latency(&self) -> Duration {
        if self.calls == 0 {
            return Duration::ZERO;
        }
        Duration::from_micros(self.latencies.max())
    }

    /// The latency histogram, in microseconds.
    pub fn histogram(&self) -> &Histogram<u64> {
        &self.latencies
    }
}
