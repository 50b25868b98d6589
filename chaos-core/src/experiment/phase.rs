//! One phase of an experiment: every call's outcome and latency, and the figures drawn from them.

use std::time::Duration;

use hdrhistogram::Histogram;

/// How one call ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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
    /// Faults injected per point during the phase (all kinds, latency included), from
    /// [`stats`](crate::stats).
    pub faults_by_point: Vec<(&'static str, u64)>,
    /// Every call, in the order they started (at most [`TIMELINE_LIMIT`]).
    pub timeline: Vec<CallRecord>,
    latencies: Histogram<u64>,
}

/// The most calls a phase keeps in its timeline; the figures count every call.
pub const TIMELINE_LIMIT: usize = 100_000;

/// Latencies are recorded in microseconds, up to an hour, to 3 significant digits.
pub(crate) fn new_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 3_600_000_000, 3).expect("constant, valid bounds")
}

impl PhaseReport {
    pub(crate) fn new(name: &'static str) -> PhaseReport {
        PhaseReport {
            name,
            elapsed: Duration::ZERO,
            calls: 0,
            successes: 0,
            injected_errors: 0,
            real_errors: 0,
            faults_by_point: Vec::new(),
            timeline: Vec::new(),
            latencies: new_histogram(),
        }
    }

    pub(crate) fn record(&mut self, call: CallRecord) {
        self.calls += 1;
        match call.outcome {
            CallOutcome::Success => self.successes += 1,
            CallOutcome::Injected => self.injected_errors += 1,
            CallOutcome::Failed => self.real_errors += 1,
        }
        let micros = u64::try_from(call.latency.as_micros()).unwrap_or(u64::MAX);
        self.latencies.saturating_record(micros.max(1));
        if self.timeline.len() < TIMELINE_LIMIT {
            self.timeline.push(call);
        }
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
