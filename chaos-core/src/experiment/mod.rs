//! Experiments (feature `experiment`): state a steady-state hypothesis, measure it, inject
//! faults, measure again, roll the faults back, and conclude.
//!
//! ```
//! use std::time::Duration;
//! use chaos_core::experiment::{Experiment, Hypothesis};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! // A system under test that fails one call in a hundred on its own.
//! let report = Experiment::new("tolerates its own failures")
//!     .hypothesis(Hypothesis::new().min_success_ratio(0.95).max_p99(Duration::from_millis(50)))
//!     .calls(200)
//!     .concurrency(4)
//!     .run(|i| async move { if i % 100 == 0 { Err("real failure") } else { Ok(i) } })
//!     .await?;
//! assert!(report.held(), "{report}");
//! assert_eq!(report.under_faults.real_errors, 2);
//! # Ok::<(), chaos_core::ConfigError>(()) }).unwrap();
//! ```

mod hypothesis;
mod phase;
mod report;

use std::error::Error;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::time::Instant;

pub use hypothesis::Hypothesis;
pub use phase::{CallOutcome, CallRecord, PhaseReport, TIMELINE_LIMIT};
pub use report::{Report, Verdict};

use crate::config::{Config, ConfigError, PointConfig};
use crate::fault::Fault;

/// How much load each phase applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Load {
    /// This many calls per phase.
    Calls(u64),
    /// Calls for this long per phase.
    For(Duration),
}

type Progress = Arc<dyn Fn(&str, u64) + Send + Sync>;

/// An experiment: a name, a hypothesis, the faults, and the load.
#[derive(Clone)]
pub struct Experiment {
    name: String,
    hypothesis: Hypothesis,
    faults: Vec<(String, PointConfig)>,
    load: Load,
    concurrency: usize,
    progress: Option<Progress>,
}

impl std::fmt::Debug for Experiment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Experiment")
            .field("name", &self.name)
            .field("hypothesis", &self.hypothesis)
            .field("faults", &self.faults)
            .field("load", &self.load)
            .field("concurrency", &self.concurrency)
            .finish_non_exhaustive()
    }
}

impl Experiment {
    /// An experiment with no tolerance, no fault, 100 calls per phase, one at a time.
    pub fn new(name: impl Into<String>) -> Experiment {
        Experiment {
            name: name.into(),
            hypothesis: Hypothesis::new(),
            faults: Vec::new(),
            load: Load::Calls(100),
            concurrency: 1,
            progress: None,
        }
    }

    /// The steady-state hypothesis.
    pub fn hypothesis(mut self, hypothesis: Hypothesis) -> Experiment {
        self.hypothesis = hypothesis;
        self
    }

    /// A fault to inject: an override of the point named `point`, in force for the second phase
    /// only, process-wide (so that it reaches servers and spawned tasks too).
    pub fn fault(mut self, point: impl Into<String>, fault: PointConfig) -> Experiment {
        self.faults.push((point.into(), fault));
        self
    }

    /// `n` calls per phase.
    pub fn calls(mut self, n: u64) -> Experiment {
        self.load = Load::Calls(n);
        self
    }

    /// Calls for `duration` per phase.
    pub fn duration(mut self, duration: Duration) -> Experiment {
        self.load = Load::For(duration);
        self
    }

    /// How many calls are in flight at once (at least 1).
    pub fn concurrency(mut self, n: usize) -> Experiment {
        self.concurrency = n.max(1);
        self
    }

    /// Called now and then with the phase's name and the calls made so far in it.
    pub fn on_progress(
        mut self,
        progress: impl Fn(&str, u64) + Send + Sync + 'static,
    ) -> Experiment {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Runs the experiment: the steady-state phase, then the faults and the phase under them.
    /// The faults are rolled back when the second phase ends, also when a call panics or the
    /// returned future is dropped. An invalid fault is an error before anything runs.
    pub async fn run<F, Fut, T, E>(&self, call: F) -> Result<Report, ConfigError>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Into<Box<dyn Error + Send + Sync>>,
    {
        let mut config = Config::new();
        for (point, fault) in &self.faults {
            config = config.point(point.clone(), fault.clone());
        }
        config.validate()?;
        let steady_state = self.measure("steady state", &call).await;
        let under_faults = {
            // Held for the phase only: dropped at its end, on a panic, or on cancellation.
            let mut guards = Vec::new();
            for (point, fault) in &self.faults {
                guards.push(crate::control::override_point(point, fault.clone())?);
            }
            let before = crate::stats::stats();
            let mut phase = self.measure("under faults", &call).await;
            phase.faults_by_point = injected_since(&before);
            drop(guards);
            phase
        };
        let verdict = match self.hypothesis.violations(&steady_state) {
            steady if !steady.is_empty() => Verdict::Inconclusive(steady),
            _ => match self.hypothesis.violations(&under_faults) {
                broken if broken.is_empty() => Verdict::Held,
                broken => Verdict::Rejected(broken),
            },
        };
        Ok(Report {
            name: self.name.clone(),
            hypothesis: self.hypothesis.to_string(),
            faults: self
                .faults
                .iter()
                .map(|(p, f)| format!("{p}: {}", describe(f)))
                .collect(),
            steady_state,
            under_faults,
            verdict,
        })
    }

    async fn measure<F, Fut, T, E>(&self, name: &'static str, call: &F) -> PhaseReport
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Into<Box<dyn Error + Send + Sync>>,
    {
        let started = Instant::now();
        let next = AtomicU64::new(0);
        let more = |i: u64| match self.load {
            Load::Calls(n) => i < n,
            Load::For(d) => started.elapsed() < d,
        };
        let worker = || async {
            let mut records = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if !more(i) {
                    break;
                }
                if let Some(progress) = &self.progress {
                    if i % 50 == 0 {
                        progress(name, i);
                    }
                }
                let began = Instant::now();
                let outcome = match call(i).await {
                    Ok(_) => CallOutcome::Success,
                    Err(e) => {
                        let error: Box<dyn Error + Send + Sync> = e.into();
                        if is_injected(&*error) {
                            CallOutcome::Injected
                        } else {
                            CallOutcome::Failed
                        }
                    }
                };
                records.push(CallRecord {
                    started: began - started,
                    latency: began.elapsed(),
                    outcome,
                });
            }
            records
        };
        let workers = futures_util::future::join_all((0..self.concurrency).map(|_| worker())).await;
        let mut phase = PhaseReport::new(name);
        let mut all: Vec<CallRecord> = workers.into_iter().flatten().collect();
        all.sort_by_key(|r| r.started);
        for record in all {
            phase.record(record);
        }
        phase.elapsed = started.elapsed();
        phase
    }
}

/// Whether an error is, or was caused by, an injected [`Fault`].
fn is_injected(error: &(dyn Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(e) = current {
        if e.downcast_ref::<Fault>().is_some() {
            return true;
        }
        current = e.source();
    }
    false
}

fn injected_since(before: &[crate::stats::PointStats]) -> Vec<(&'static str, u64)> {
    crate::stats::stats()
        .into_iter()
        .filter_map(|now| {
            let was = before
                .iter()
                .find(|b| b.point == now.point)
                .map_or(0, |b| b.injected());
            let n = now.injected().saturating_sub(was);
            (n > 0).then_some((now.point, n))
        })
        .collect()
}

fn describe(fault: &PointConfig) -> String {
    let s = &fault.spec;
    let mut parts = Vec::new();
    if fault.enabled == Some(false) {
        parts.push("off".to_string());
    }
    if let Some(l) = s.latency_ms {
        parts.push(match l {
            crate::spec::LatencyInput::Fixed(ms) => format!("latency {ms} ms"),
            crate::spec::LatencyInput::Range { start, end, .. } => {
                format!("latency {start}..={end} ms")
            }
        });
    }
    if let Some(code) = s.status {
        parts.push(format!("status {code}"));
    }
    if let Some(m) = &s.error {
        parts.push(format!("error {m:?}"));
    }
    if let Some(m) = &s.panic {
        parts.push(format!("panic {m:?}"));
    }
    if let Some(r) = s.rate {
        parts.push(format!("rate {r}"));
    }
    if let Some(n) = s.one_in {
        parts.push(format!("one in {n}"));
    }
    parts.join(", ")
}
