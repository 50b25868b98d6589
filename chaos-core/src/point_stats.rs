//! [`PointStats`]: what a point injected, as `stats()` reports it (in every build, so that code
//! reading it compiles with chaos compiled out too).

/// How many calls of one point were faulted, by kind, since the process started.
///
/// Calls that were decided and not faulted are not counted: counting them would put a write to
/// memory shared between threads on every call, which the hot path does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PointStats {
    /// The point's name.
    pub point: &'static str,
    /// Faulted with latency and no outcome (the body then ran).
    pub latency_only: u64,
    /// Answered with a status.
    pub status: u64,
    /// Returned an error.
    pub error: u64,
    /// Panicked.
    pub panic: u64,
    /// Returned the attribute's `value` expression in place of the body's result.
    pub value: u64,
    /// Would have been faulted, in dry-run mode (nothing was injected).
    pub dry_run: u64,
    /// Cold starts injected (at most one per process).
    pub cold_start: u64,
    /// Calls throttled by `max_concurrency`.
    pub throttled: u64,
    /// Calls that hung and timed out (`timeout_ms` or `timeout`).
    pub timeout: u64,
    /// Requests failed as if their host were unreachable (`deny_hosts`).
    pub unreachable: u64,
    /// Answered with an injected AWS error (`aws_error`): an SDK client's attempts, in the
    /// service's own words, or a `ChaosLayer`'s requests, with the nearest status.
    pub aws_error: u64,
    /// Requests answered by the inner service without their CORS headers (`strip_cors`, with no
    /// outcome: with one, the outcome's counter counts the request).
    pub cors_stripped: u64,
    /// Disk fills made (`disk_fill_mb`; one per change of the configuration, not per call).
    pub disk_fill: u64,
    /// Disk fills that could not be made (no room, no permission); nothing was injected.
    pub disk_fill_failed: u64,
}

impl PointStats {
    /// Faults injected into calls, of every kind (dry-run decisions not included; disk fills,
    /// which are made once per configuration rather than per call, are in `disk_fill`).
    pub fn injected(&self) -> u64 {
        self.latency_only
            + self.status
            + self.error
            + self.panic
            + self.cold_start
            + self.throttled
            + self.timeout
            + self.unreachable
            + self.aws_error
            + self.cors_stripped
            + self.value
    }
}
