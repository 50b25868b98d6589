//! The steady-state hypothesis: tolerances on what a phase measured.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::phase::PhaseReport;

type Predicate = Arc<dyn Fn(&PhaseReport) -> bool + Send + Sync>;

/// What "the system is fine" means, as tolerances on a phase's figures. Each tolerance that fails
/// is named in the verdict.
///
/// ```
/// use std::time::Duration;
/// use chaos_core::experiment::Hypothesis;
///
/// let hypothesis = Hypothesis::new()
///     .min_success_ratio(0.99)
///     .max_p99(Duration::from_millis(800))
///     .holds_when("no real errors", |phase| phase.real_errors == 0);
/// assert_eq!(hypothesis.to_string(), "success ratio >= 0.99, p99 <= 800ms, no real errors");
/// ```
#[derive(Clone, Default)]
pub struct Hypothesis {
    min_success_ratio: Option<f64>,
    max_p50: Option<Duration>,
    max_p99: Option<Duration>,
    max_degraded_ratio: Option<f64>,
    predicates: Vec<(String, Predicate)>,
}

impl Hypothesis {
    /// A hypothesis with no tolerance yet (it always holds).
    pub fn new() -> Hypothesis {
        Hypothesis::default()
    }

    /// At least this fraction of calls succeed.
    pub fn min_success_ratio(mut self, ratio: f64) -> Hypothesis {
        self.min_success_ratio = Some(ratio);
        self
    }

    /// Half the calls take at most this long.
    pub fn max_p50(mut self, latency: Duration) -> Hypothesis {
        self.max_p50 = Some(latency);
        self
    }

    /// 99% of the calls take at most this long.
    pub fn max_p99(mut self, latency: Duration) -> Hypothesis {
        self.max_p99 = Some(latency);
        self
    }

    /// At most this fraction of calls are degraded answers (see
    /// [`Experiment::run_judged`](super::Experiment::run_judged)).
    pub fn max_degraded_ratio(mut self, ratio: f64) -> Hypothesis {
        self.max_degraded_ratio = Some(ratio);
        self
    }

    /// A rule of your own on the phase's figures, named for the verdict.
    pub fn holds_when(
        mut self,
        name: impl Into<String>,
        predicate: impl Fn(&PhaseReport) -> bool + Send + Sync + 'static,
    ) -> Hypothesis {
        self.predicates.push((name.into(), Arc::new(predicate)));
        self
    }

    /// The tolerances `phase` breaks, each saying what was measured against what was allowed.
    pub fn violations(&self, phase: &PhaseReport) -> Vec<String> {
        let mut broken = Vec::new();
        if let Some(min) = self.min_success_ratio {
            let ratio = phase.success_ratio();
            if ratio < min {
                broken.push(format!("success ratio {ratio:.4} is below {min}"));
            }
        }
        if let Some(max) = self.max_degraded_ratio {
            let ratio = phase.degraded_ratio();
            if ratio > max {
                broken.push(format!("degraded ratio {ratio:.4} is above {max}"));
            }
        }
        for (label, quantile, limit) in [("p50", 0.5, self.max_p50), ("p99", 0.99, self.max_p99)] {
            if let Some(limit) = limit {
                if !phase.latency_within(quantile, limit) {
                    let measured = phase.latency_at(quantile);
                    broken.push(format!("{label} {measured:?} is above {limit:?}"));
                }
            }
        }
        for (name, predicate) in &self.predicates {
            if !predicate(phase) {
                broken.push(format!("`{name}` does not hold"));
            }
        }
        broken
    }
}

impl fmt::Display for Hypothesis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(min) = self.min_success_ratio {
            parts.push(format!("success ratio >= {min}"));
        }
        if let Some(max) = self.max_p50 {
            parts.push(format!("p50 <= {max:?}"));
        }
        if let Some(max) = self.max_p99 {
            parts.push(format!("p99 <= {max:?}"));
        }
        if let Some(max) = self.max_degraded_ratio {
            parts.push(format!("degraded ratio <= {max}"));
        }
        parts.extend(self.predicates.iter().map(|(name, _)| name.clone()));
        if parts.is_empty() {
            f.write_str("(no tolerance)")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

impl fmt::Debug for Hypothesis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hypothesis({self})")
    }
}
