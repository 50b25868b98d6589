//! The demo's experiments: a baseline, three faults the resilient client should absorb, one with
//! its resilience switched off, where the hypothesis should visibly fail, and wrong answers from
//! the store, which the client's checks catch.

use std::io::{IsTerminal, Write};
use std::net::SocketAddr;
use std::time::Duration;

use chaos::PointConfig;
use chaos::experiment::{Experiment, Hypothesis, Report, Verdict};

use crate::client::{Client, Resilience};

/// One experiment of the demo and the verdict the demo expects of it.
pub struct Case {
    /// What to run.
    pub experiment: Experiment,
    /// How the client protects itself.
    pub resilience: Resilience,
    /// Whether the hypothesis should hold (`true`) or be rejected under the faults (`false`).
    pub expect_held: bool,
}

/// "99% of page loads succeed (a fallback answer counts), at most 20% of them degraded, and p99
/// stays under 1000 ms". The degraded tolerance keeps the fallback from hiding an outage: with the
/// API unreachable every answer is degraded and even the baseline fails.
pub fn hypothesis() -> Hypothesis {
    Hypothesis::new()
        .min_success_ratio(0.99)
        .max_degraded_ratio(0.2)
        .max_p99(Duration::from_millis(1000))
}

/// The demo's experiments, each with `calls` calls per phase at `concurrency`.
pub fn cases(calls: u64, concurrency: usize) -> Vec<Case> {
    let experiment = |name: &str| {
        Experiment::new(name)
            .hypothesis(hypothesis())
            .calls(calls)
            .concurrency(concurrency)
    };
    vec![
        Case {
            experiment: experiment("baseline: no fault"),
            resilience: Resilience::ON,
            expect_held: true,
        },
        Case {
            experiment: experiment("300 ms latency on one call in ten").fault(
                "demo::api::get_product",
                PointConfig::new().one_in(10).latency_ms(300),
            ),
            resilience: Resilience::ON,
            expect_held: true,
        },
        Case {
            experiment: experiment("status 500 on 5% of calls")
                .fault(
                    "demo::api::get_product",
                    PointConfig::new().rate(0.05).status(500),
                )
                .fault(
                    "demo::api::get_stock",
                    PointConfig::new().rate(0.05).status(500),
                ),
            resilience: Resilience::ON,
            expect_held: true,
        },
        Case {
            experiment: experiment("downstream store errors on 30% of calls")
                .fault("demo::store::get", PointConfig::new().rate(0.3)),
            resilience: Resilience::ON,
            expect_held: true,
        },
        Case {
            experiment: experiment("store errors, client resilience switched off")
                .fault("demo::store::get", PointConfig::new().rate(0.3)),
            resilience: Resilience::OFF,
            expect_held: false,
        },
        Case {
            experiment: experiment("the store answers another product's record on 10% of calls")
                .fault(
                    "demo::store::wrong_record",
                    PointConfig::new().rate(0.1).value(),
                ),
            resilience: Resilience::ON,
            expect_held: true,
        },
    ]
}

/// A finished case: its report and whether it ended as the demo expects.
pub struct Outcome {
    /// What the experiment measured and concluded.
    pub report: Report,
    /// The verdict the demo expected.
    pub expect_held: bool,
}

impl Outcome {
    /// The verdict is the expected one: held, or rejected under the faults (an inconclusive
    /// verdict, where even the steady state failed, is never what the demo expects).
    pub fn as_expected(&self) -> bool {
        match self.report.verdict {
            Verdict::Held => self.expect_held,
            Verdict::Rejected(_) => !self.expect_held,
            // Inconclusive, or a verdict this demo does not know: not what it expected.
            _ => false,
        }
    }
}

/// Runs every case against the API at `address`, showing progress on stderr.
pub async fn run_all(
    address: SocketAddr,
    cases: Vec<Case>,
) -> Result<Vec<Outcome>, chaos::ConfigError> {
    let mut outcomes = Vec::new();
    let total = cases.len();
    for (n, case) in cases.into_iter().enumerate() {
        let client = Client::new(address, case.resilience);
        let label = format!("[{}/{total}]", n + 1);
        // On a terminal one line that updates in place; in a log, a line per phase.
        let live = std::io::stderr().is_terminal();
        let experiment = case.experiment.on_progress(move |phase, done, total| {
            let total = total.map_or_else(String::new, |t| format!("/{t}"));
            let mut err = std::io::stderr().lock();
            if live {
                let _ = write!(err, "\r{label} {phase:<13} {done:>6}{total} calls");
                let _ = err.flush();
            } else if done == 0 {
                let _ = writeln!(err, "{label} {phase}");
            }
        });
        let report = experiment.run_judged(
            |i| {
                let client = client.clone();
                async move { client.page(i % 1000).await }
            },
            |page| page.degraded,
        );
        let report = report.await?;
        if live {
            eprint!("\r{}\r", " ".repeat(40));
        }
        outcomes.push(Outcome {
            report,
            expect_held: case.expect_held,
        });
    }
    Ok(outcomes)
}
