//! What a follower says about its source's availability: its changes of state, not its
//! attempts. One line when the source starts failing (with the first reason), one when it answers
//! again, and while it stays broken at most one reminder per [`QUIET_PERIOD`]. A source that
//! flaps (down and up again within the period) is not reported again until the period is over,
//! and then with the number of failures not reported. Within the period a changed reason is not
//! a new line either: an error answer's body (a request id) may change on every attempt.

use std::time::{Duration, Instant};

use super::fetch::Unreachable;

/// The least time between two lines about one source's failures.
pub(crate) const QUIET_PERIOD: Duration = Duration::from_secs(60);

/// What to report after an attempt.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Report {
    /// Nothing.
    Nothing,
    /// The source fails: this message; whether a line already said that it was failing (a
    /// reminder); and how many failures since the last line went unreported (a flapping source).
    Failing {
        message: String,
        still: bool,
        unreported: u32,
    },
    /// The source answers again after a reported failure.
    Recovered,
}

#[derive(Debug, Default)]
pub(crate) struct Health {
    /// A failure is under way; `Some(true)` once a line said so.
    failing: Option<bool>,
    /// When the last line about a failure was written.
    reported_at: Option<Instant>,
    /// Failures that started since then without a line of their own.
    unreported: u32,
}

impl Health {
    /// An attempt failed with `failure` at `now`.
    pub(crate) fn failed(&mut self, failure: &Unreachable, now: Instant) -> Report {
        let quiet_over = self
            .reported_at
            .is_none_or(|at| now.duration_since(at) >= QUIET_PERIOD);
        if !quiet_over {
            // Too soon after the last line, whatever the reason says (an error answer's body
            // may change on every attempt). A failure that starts now, after an answer, is a
            // source that flaps: counted for the next line.
            if self.failing.is_none() {
                self.unreported += 1;
                self.failing = Some(false);
            }
            return Report::Nothing;
        }
        let still = self.failing == Some(true);
        self.failing = Some(true);
        self.reported_at = Some(now);
        Report::Failing {
            message: failure.message.clone(),
            still,
            unreported: std::mem::take(&mut self.unreported),
        }
    }

    /// An attempt reached the source.
    pub(crate) fn answered(&mut self) -> Report {
        match self.failing.take() {
            Some(true) => Report::Recovered,
            _ => Report::Nothing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(message: &str) -> Unreachable {
        Unreachable {
            message: message.to_string(),
        }
    }

    fn lines(reports: &[Report]) -> usize {
        reports.iter().filter(|r| **r != Report::Nothing).count()
    }

    #[test]
    fn a_failure_is_said_once_then_reminded_once_a_period_and_its_end_is_said() {
        let start = Instant::now();
        let mut health = Health::default();
        let refused = failure("connection refused");
        let mut reports = Vec::new();
        // Every 200 ms for 150 s.
        for step in 0..750 {
            reports.push(health.failed(&refused, start + Duration::from_millis(200 * step)));
        }
        assert_eq!(
            reports[0],
            Report::Failing {
                message: "connection refused".into(),
                still: false,
                unreported: 0
            }
        );
        assert_eq!(lines(&reports), 3, "at 0, 60 and 120 s");
        assert!(matches!(reports[300], Report::Failing { still: true, .. }));
        assert_eq!(health.answered(), Report::Recovered);
        assert_eq!(health.answered(), Report::Nothing, "said once");
    }

    #[test]
    fn a_reason_that_differs_only_in_volatile_parts_is_not_a_change() {
        let start = Instant::now();
        let mut health = Health::default();
        let reports: Vec<Report> = (0..100)
            .map(|i| {
                let answer = failure(&format!("answered 500: request {i}"));
                health.failed(&answer, start + Duration::from_millis(100 * i))
            })
            .collect();
        assert_eq!(lines(&reports), 1);
    }

    #[test]
    fn a_flapping_source_is_said_once_a_period_with_the_failures_not_said() {
        let start = Instant::now();
        let mut health = Health::default();
        let down = failure("connection refused");
        let mut reports = Vec::new();
        // Down and up every 200 ms for 90 s.
        for step in 0..450 {
            let now = start + Duration::from_millis(200 * step);
            if step % 2 == 0 {
                reports.push(health.failed(&down, now));
            } else {
                reports.push(health.answered());
            }
        }
        // 0 s: failing; 0.2 s: answers again; then quiet until 60 s: failing, with the count.
        assert_eq!(lines(&reports), 4, "{reports:?}");
        let flapped = reports.iter().find_map(|r| match r {
            Report::Failing { unreported, .. } if *unreported > 0 => Some(*unreported),
            _ => None,
        });
        assert_eq!(flapped, Some(149), "the failures between 0.4 s and 59.8 s");
    }
}
