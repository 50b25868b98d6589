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

use crate::spec;
use crate::{Config, ConfigError, Fault, PointConfig, PointStats};

/// How much load each phase applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Load {
    /// This many calls per phase.
    Calls(u64),
    /// Calls for this long per phase.
    For(Duration),
}

type Progress = Arc<dyn Fn(&str, u64, Option<u64>) + Send + Sync>;

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

    /// Called as a phase starts, every hundredth of its calls (every 50 calls for a duration),
    /// and as it ends, with the phase's name, the calls finished so far and the total, if known.
    pub fn on_progress(
        mut self,
        progress: impl Fn(&str, u64, Option<u64>) + Send + Sync + 'static,
    ) -> Experiment {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Runs the experiment: the steady-state phase, then the faults and the phase under them.
    /// The faults are rolled back when the second phase ends, also when a call panics or the
    /// returned future is dropped. An invalid fault is an error before anything runs. Experiments
    /// in one process run one at a time, since faults and counters are process-wide.
    pub async fn run<F, Fut, T, E>(&self, call: F) -> Result<Report, ConfigError>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Into<Box<dyn Error + Send + Sync>>,
    {
        self.run_judged(call, |_| false).await
    }

    /// [`run`](Self::run), with a predicate on each `Ok` result: `degraded(&value)` marks an
    /// answer that succeeded only thanks to a fallback. It still counts as a success, and also as
    /// degraded (see [`Hypothesis::max_degraded_ratio`]), so that a fallback cannot hide an
    /// outage.
    pub async fn run_judged<F, Fut, T, E, D>(
        &self,
        call: F,
        degraded: D,
    ) -> Result<Report, ConfigError>
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Into<Box<dyn Error + Send + Sync>>,
        D: Fn(&T) -> bool,
    {
        let mut config = Config::new();
        for (point, fault) in &self.faults {
            config = config.point(point.clone(), fault.clone());
        }
        config.validate()?;
        static RUNNING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
        let _one_at_a_time = RUNNING.lock().await;
        let before = crate::stats();
        let mut steady_state = self.measure("steady state", &call, &degraded).await;
        steady_state.faults_by_point = injected_since(&before);
        let under_faults = {
            // Held for the phase only: dropped at its end, on a panic, or on cancellation.
            let mut guards = Vec::new();
            for (point, fault) in &self.faults {
                guards.push(crate::override_point(point, fault.clone())?);
            }
            let before = crate::stats();
            let mut phase = self.measure("under faults", &call, &degraded).await;
            phase.faults_by_point = injected_since(&before);
            drop(guards);
            phase
        };
        let verdict = match self.hypothesis.violations(&steady_state) {
            steady if !steady.is_empty() => Verdict::Inconclusive(steady),
            _ if !self.faults.is_empty() && under_faults.faults_by_point.is_empty() => {
                Verdict::Inconclusive(vec![
                    "no fault was injected under faults (chaos switched off, a dry run, or a load that never reaches the points)".to_string(),
                ])
            }
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
                .map(|(p, f)| format!("{p}: {}", describe(p, f)))
                .collect(),
            steady_state,
            under_faults,
            verdict,
        })
    }

    async fn measure<F, Fut, T, E, D>(
        &self,
        name: &'static str,
        call: &F,
        degraded: &D,
    ) -> PhaseReport
    where
        F: Fn(u64) -> Fut,
        Fut: Future<Output = Result<T, E>>,
        E: Into<Box<dyn Error + Send + Sync>>,
        D: Fn(&T) -> bool,
    {
        let started = Instant::now();
        let next = AtomicU64::new(0);
        let done = AtomicU64::new(0);
        let (total, step) = match self.load {
            Load::Calls(n) => (Some(n), (n / 100).max(1)),
            Load::For(_) => (None, 50),
        };
        let more = |i: u64| match self.load {
            Load::Calls(n) => i < n,
            Load::For(d) => started.elapsed() < d,
        };
        let report = |count: u64| {
            if let Some(progress) = &self.progress {
                progress(name, count, total);
            }
        };
        report(0);
        // Each worker keeps its own tally (no lock between them), merged at the end; each keeps
        // its share of the timeline, so memory stays bounded however long the phase runs.
        let timeline_share = TIMELINE_LIMIT / self.concurrency;
        let worker = || async {
            let mut tally = PhaseReport::new(name, timeline_share);
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if !more(i) {
                    break;
                }
                let began = Instant::now();
                let (outcome, was_degraded) = match call(i).await {
                    Ok(value) => (CallOutcome::Success, degraded(&value)),
                    Err(e) => {
                        let error: Box<dyn Error + Send + Sync> = e.into();
                        let outcome = if is_injected(&*error) {
                            CallOutcome::Injected
                        } else {
                            CallOutcome::Failed
                        };
                        (outcome, false)
                    }
                };
                tally.record(
                    CallRecord {
                        started: began - started,
                        latency: began.elapsed(),
                        outcome,
                    },
                    was_degraded,
                );
                let count = done.fetch_add(1, Ordering::Relaxed) + 1;
                if count % step == 0 {
                    report(count);
                }
            }
            tally
        };
        let tallies = futures_util::future::join_all((0..self.concurrency).map(|_| worker())).await;
        let mut phase = PhaseReport::new(name, TIMELINE_LIMIT);
        for tally in tallies {
            phase.merge(tally);
        }
        phase.timeline.sort_by_key(|r| r.started);
        phase.elapsed = started.elapsed();
        report(phase.calls);
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

fn injected_since(before: &[PointStats]) -> Vec<(&'static str, u64)> {
    crate::stats()
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

/// The fault as it acts: the point's declared spec with the override laid on it, in the spec's
/// own words.
fn describe(point: &str, fault: &PointConfig) -> String {
    let off = if fault.enabled == Some(false) {
        "off, "
    } else {
        ""
    };
    let declared = crate::points()
        .iter()
        .find(|p| p.name() == point)
        .map(|p| p.spec().to_input())
        .unwrap_or_default();
    match spec::validate(&declared.overlay(&fault.spec)) {
        Ok(spec) => format!("{off}{spec}"),
        // Checked before the experiment runs; a fault that no longer passes is said as such.
        Err(errors) => {
            let why: Vec<String> = errors.iter().map(ToString::to_string).collect();
            format!("{off}invalid: {}", why.join("; "))
        }
    }
}
