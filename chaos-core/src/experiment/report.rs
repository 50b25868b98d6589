//! The report of an experiment: both phases, the verdict, as a table or as JSON.

use std::fmt;
use std::time::Duration;

use serde_json::{Value, json};

use super::phase::PhaseReport;

/// What the experiment concluded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Verdict {
    /// The hypothesis held in steady state and under faults: the system tolerates the faults.
    Held,
    /// It held in steady state and broke under faults; the tolerances that failed.
    Rejected(Vec<String>),
    /// It did not even hold in steady state, so the faults prove nothing; what failed.
    Inconclusive(Vec<String>),
}

/// Everything an experiment measured and concluded.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Report {
    /// The experiment's name.
    pub name: String,
    /// The hypothesis, as text.
    pub hypothesis: String,
    /// The injected faults, as text (one `point: override` per entry).
    pub faults: Vec<String>,
    /// Measured before any fault was injected.
    pub steady_state: PhaseReport,
    /// Measured with the faults injected.
    pub under_faults: PhaseReport,
    /// The conclusion.
    pub verdict: Verdict,
}

impl Report {
    /// Whether the hypothesis held under faults.
    pub fn held(&self) -> bool {
        self.verdict == Verdict::Held
    }

    /// The report as JSON, for tools and dashboards.
    pub fn to_json(&self) -> Value {
        let (verdict, failed) = match &self.verdict {
            Verdict::Held => ("held", Vec::new()),
            Verdict::Rejected(v) => ("rejected", v.clone()),
            Verdict::Inconclusive(v) => ("inconclusive", v.clone()),
        };
        json!({
            "name": self.name,
            "hypothesis": self.hypothesis,
            "faults": self.faults,
            "phases": [phase_json(&self.steady_state), phase_json(&self.under_faults)],
            "verdict": verdict,
            "failed_tolerances": failed,
        })
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn phase_json(phase: &PhaseReport) -> Value {
    let faults: serde_json::Map<String, Value> = phase
        .faults_by_point
        .iter()
        .map(|(point, n)| ((*point).to_string(), json!(n)))
        .collect();
    json!({
        "phase": phase.name,
        "elapsed_ms": ms(phase.elapsed),
        "calls": phase.calls,
        "successes": phase.successes,
        "injected_errors": phase.injected_errors,
        "real_errors": phase.real_errors,
        "degraded": phase.degraded,
        "success_ratio": phase.success_ratio(),
        "latency_ms": {
            "p50": ms(phase.latency_at(0.5)),
            "p90": ms(phase.latency_at(0.9)),
            "p99": ms(phase.latency_at(0.99)),
            "max": ms(phase.max_latency()),
        },
        "faults_injected": faults,
    })
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "experiment: {}", self.name)?;
        writeln!(f, "hypothesis: {}", self.hypothesis)?;
        if !self.faults.is_empty() {
            writeln!(f, "faults:     {}", self.faults.join("; "))?;
        }
        writeln!(
            f,
            "  {:<13} {:>7} {:>7} {:>9} {:>9} {:>6} {:>9} {:>9} {:>9} {:>9}",
            "phase",
            "calls",
            "ok",
            "degraded",
            "injected",
            "real",
            "p50 ms",
            "p90 ms",
            "p99 ms",
            "max ms"
        )?;
        for phase in [&self.steady_state, &self.under_faults] {
            writeln!(
                f,
                "  {:<13} {:>7} {:>7} {:>9} {:>9} {:>6} {:>9.1} {:>9.1} {:>9.1} {:>9.1}",
                phase.name,
                phase.calls,
                phase.successes,
                phase.degraded,
                phase.injected_errors,
                phase.real_errors,
                ms(phase.latency_at(0.5)),
                ms(phase.latency_at(0.9)),
                ms(phase.latency_at(0.99)),
                ms(phase.max_latency()),
            )?;
        }
        for (point, n) in &self.under_faults.faults_by_point {
            writeln!(f, "  injected at {point}: {n}")?;
        }
        match &self.verdict {
            Verdict::Held => write!(f, "verdict: HELD"),
            Verdict::Rejected(v) => write!(f, "verdict: REJECTED under faults: {}", v.join("; ")),
            Verdict::Inconclusive(v) => {
                write!(
                    f,
                    "verdict: INCONCLUSIVE, steady state not met: {}",
                    v.join("; ")
                )
            }
        }
    }
}
