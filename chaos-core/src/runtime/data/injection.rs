//! [`Injection`]: what one faulted call gets, and how the expansion turns it into a wait and a
//! fault.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use crate::fault::{Fault, FaultKind};
use crate::runtime::events;
use crate::spec::Outcome;

/// What one faulted call gets: a delay, then possibly an outcome in place of the body.
#[derive(Debug)]
pub(crate) struct Injection {
    point: &'static str,
    /// The fault's own delay.
    latency: Duration,
    /// A cold start's delay: always before the body, even for a `when = "after"` fault.
    cold_start: Duration,
    outcome: Option<Outcome>,
    after: bool,
    /// For a `when = "after"` timeout: the deadline read before the body ran.
    deadline: Option<SystemTime>,
    /// A layer takes the CORS headers off the inner service's answer (`strip_cors`).
    strip_cors: bool,
}

impl Injection {
    /// A fault's delay, then its outcome (after the body, for `after`).
    pub(super) fn new(
        point: &'static str,
        latency: Duration,
        outcome: Option<Outcome>,
        after: bool,
    ) -> Injection {
        Injection {
            point,
            latency,
            cold_start: Duration::ZERO,
            outcome,
            after,
            deadline: None,
            strip_cors: false,
        }
    }

    /// The same injection, taking the CORS headers off the inner answer (a layer's `strip_cors`).
    pub(super) fn with_strip_cors(mut self, strip_cors: bool) -> Injection {
        self.strip_cors = strip_cors;
        self
    }

    /// Whether a layer takes the CORS headers off the inner service's answer.
    #[cfg(feature = "tower")]
    pub(crate) fn strip_cors(&self) -> bool {
        self.strip_cors
    }

    /// An injection that does nothing: what stands in while one is changed in place.
    pub(super) fn none(point: &'static str) -> Injection {
        Injection::new(point, Duration::ZERO, None, false)
    }

    /// The point that decided it.
    pub(crate) fn point(&self) -> &'static str {
        self.point
    }

    /// The injection once its whole delay (cold start included) has been waited.
    pub(super) fn waited(mut self) -> Injection {
        self.latency = Duration::ZERO;
        self.cold_start = Duration::ZERO;
        self
    }

    /// The same injection, with a cold start's delay first.
    pub(super) fn with_cold_start(mut self, cold_start: Duration) -> Injection {
        self.cold_start = cold_start;
        self
    }

    /// The delay to wait before the outcome or the body (a cold start's included); zero for none.
    pub(crate) fn latency(&self) -> Duration {
        self.latency + self.cold_start
    }

    /// A cold start's delay, which comes before the body even when the outcome comes after it.
    pub(crate) fn cold_start(&self) -> Duration {
        self.cold_start
    }

    /// The injection once its cold start has been waited (before a `when = "after"` body).
    pub(crate) fn without_cold_start(mut self) -> Injection {
        self.cold_start = Duration::ZERO;
        self
    }

    /// Whether the outcome comes after the body (`when = "after"`) rather than instead of it:
    /// only an injection with an outcome does (the spec rules require one).
    pub(crate) fn after(&self) -> bool {
        self.after && self.outcome.is_some()
    }

    /// The fault of a `when = "after"` injection (which has an outcome: see
    /// [`after`](Self::after)).
    pub(crate) fn into_fault_after(self) -> Fault {
        let point = self.point;
        self.into_fault().unwrap_or_else(|| {
            Fault::new(
                point,
                FaultKind::Error(Cow::Borrowed("injected after the body")),
            )
        })
    }

    /// A `timeout` fault resolved against the invocation's deadline: the call hangs until
    /// `deadline` less the buffer (at once when it is past or unknown), or for its latency if that
    /// is longer, then times out. Other injections are returned as they are.
    pub(crate) fn until_deadline(mut self, deadline: Option<SystemTime>) -> Injection {
        if let Some(Outcome::Deadline { buffer_ms }) = self.outcome {
            let until = deadline.map(|d| d.duration_since(SystemTime::now()));
            if !matches!(until, Some(Ok(_))) {
                events::deadline_unusable(self.point, deadline);
            }
            let remaining = until.and_then(Result::ok).map_or(Duration::ZERO, |r| {
                r.saturating_sub(Duration::from_millis(buffer_ms))
            });
            // A cold start is waited first: the hang ends at the deadline all the same.
            self.latency = self.latency.max(remaining.saturating_sub(self.cold_start));
            let after_ms = u64::try_from(self.latency().as_millis()).unwrap_or(u64::MAX);
            self.outcome = Some(Outcome::Timeout(after_ms));
        }
        self
    }

    /// Keeps `deadline` for [`resolve_kept_deadline`](Self::resolve_kept_deadline): a
    /// `when = "after"` point reads it before its body runs (and may move the argument it comes
    /// from), and waits for it after.
    pub(crate) fn keep_deadline(mut self, deadline: Option<SystemTime>) -> Injection {
        self.deadline = deadline;
        self
    }

    /// [`until_deadline`](Self::until_deadline) with the deadline kept before the body.
    pub(crate) fn resolve_kept_deadline(self) -> Injection {
        let deadline = self.deadline;
        self.until_deadline(deadline)
    }

    /// The fault for a request to `host` that a `deny_hosts` point faulted.
    #[cfg(any(feature = "tower", feature = "aws-sdk"))]
    pub(crate) fn into_fault_for_host(self, host: Option<&str>) -> Option<Fault> {
        let point = self.point;
        match self.outcome {
            // Checked again against the patterns decided with: the configuration may have
            // changed since the layer looked, and another host must never be failed.
            Some(Outcome::Unreachable(hosts)) => {
                let host = host.filter(|h| hosts.matches(h))?;
                Some(Fault::new(
                    point,
                    FaultKind::Unreachable {
                        host: Cow::Owned(host.to_string()),
                    },
                ))
            }
            _ => self.into_fault(),
        }
    }

    /// The fault that replaces the body, if any.
    pub(crate) fn into_fault(self) -> Option<Fault> {
        let point = self.point;
        self.outcome.map(|o| Fault::new(point, o.into()))
    }
}
