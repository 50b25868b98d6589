//! A spec as written, before validation, and how run-time overrides are laid on it.

use super::key::Key;

/// `latency_ms` as written, before validation.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum LatencyInput {
    /// `latency_ms = 300`
    Fixed(i128),
    /// `latency_ms = 100..=500` (`inclusive`) or `100..500`.
    Range {
        /// The lower bound.
        start: i128,
        /// The upper bound as written.
        end: i128,
        /// `..=` rather than `..`.
        inclusive: bool,
    },
    /// `latency_ms = lognormal(100, 800)`: long-tailed, with this median and 99th percentile.
    LogNormal {
        /// Half the delays are shorter than this.
        median: i128,
        /// 99% of the delays are shorter than this.
        p99: i128,
    },
}

/// The values of a spec as written, before validation. `None` means the key is absent.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct SpecInput {
    /// `latency_ms`
    pub latency_ms: Option<LatencyInput>,
    /// `status`
    pub status: Option<i128>,
    /// `error`
    pub error: Option<String>,
    /// `panic`
    pub panic: Option<String>,
    /// `rate`
    pub rate: Option<f64>,
    /// `one_in`
    pub one_in: Option<i128>,
    /// `cold_start_ms`
    pub cold_start_ms: Option<i128>,
    /// `when`
    pub when: Option<String>,
    /// `max_concurrency`
    pub max_concurrency: Option<i128>,
    /// `timeout_ms`
    pub timeout_ms: Option<i128>,
    /// `timeout` (`Some(true)` when given; `Some(false)` is rejected)
    pub timeout: Option<bool>,
    /// `timeout_buffer_ms`
    pub timeout_buffer_ms: Option<i128>,
    /// `disk_fill_mb`
    pub disk_fill_mb: Option<i128>,
    /// `deny_hosts`
    pub deny_hosts: Option<Vec<String>>,
    /// `aws_error`
    pub aws_error: Option<String>,
    /// `aws_service`
    pub aws_service: Option<String>,
    /// `aws_operations`
    pub aws_operations: Option<Vec<String>>,
    /// `aws_region`
    pub aws_region: Option<String>,
    /// `strip_cors` (`Some(true)` when given; `Some(false)` is rejected)
    pub strip_cors: Option<bool>,
    /// `value` (`Some(true)` when given; `Some(false)` is rejected): the expression itself is in
    /// the attribute's expansion, not here.
    pub value: Option<bool>,
}

impl SpecInput {
    /// `over` laid on top of `self`, by groups: the fault (`latency_ms` and the outcome keys
    /// `status`, `error`, `panic`, `value`, `timeout_ms`, `timeout` with `timeout_buffer_ms`,
    /// `deny_hosts`, `aws_error`, and `strip_cors`, which changes the inner answer), the trigger
    /// (`rate`, `one_in`), the AWS SDK calls (`aws_service`, `aws_operations`, `aws_region`), and
    /// each of `cold_start_ms`, `max_concurrency`, `disk_fill_mb` and `when` alone. A group `over` says anything about replaces that whole group; a group
    /// it is silent on is kept. So `{rate: 0.5}` keeps the declared
    /// fault at a new rate, `{latency_ms: 300}` makes the point inject latency only (not latency
    /// and the declared `status`), and `rate` on a point declared `one_in = 4` is no conflict.
    ///
    /// ```
    /// use chaos_core::spec::{LatencyInput, SpecInput};
    ///
    /// let mut declared = SpecInput::default();
    /// (declared.status, declared.rate) = (Some(500), Some(0.0));
    /// let mut over = SpecInput::default();
    /// (over.latency_ms, over.rate) = (Some(LatencyInput::Fixed(300)), Some(0.1));
    /// let merged = declared.overlay(&over);
    /// assert_eq!((merged.status, merged.rate), (None, Some(0.1)));
    /// assert_eq!(merged.latency_ms, Some(LatencyInput::Fixed(300)));
    /// ```
    pub fn overlay(&self, over: &SpecInput) -> SpecInput {
        let mut merged = self.clone();
        let names_other_fault_keys = over.latency_ms.is_some()
            || over.status.is_some()
            || over.error.is_some()
            || over.panic.is_some()
            || over.timeout_ms.is_some()
            || over.timeout.is_some()
            || over.deny_hosts.is_some()
            || over.aws_error.is_some()
            || over.strip_cors.is_some()
            || over.value.is_some();
        // A buffer alone tunes the timeout below and keeps the rest of the fault (with no
        // timeout below, the rules then say it needs one), so that layers of overrides compose
        // in any order.
        let buffer_only = !names_other_fault_keys && over.timeout_buffer_ms.is_some();
        let names_fault = names_other_fault_keys || over.timeout_buffer_ms.is_some();
        if buffer_only {
            merged.timeout_buffer_ms = over.timeout_buffer_ms;
        } else if names_fault {
            merged.latency_ms = over.latency_ms;
            merged.timeout_ms = over.timeout_ms;
            merged.timeout = over.timeout;
            // The buffer belongs to the timeout: naming `timeout` alone keeps the declared one.
            merged.timeout_buffer_ms = match (over.timeout_buffer_ms, self.timeout) {
                (None, Some(_)) if over.timeout.is_some() => self.timeout_buffer_ms,
                (buffer, _) => buffer,
            };
            merged.deny_hosts.clone_from(&over.deny_hosts);
            merged.aws_error.clone_from(&over.aws_error);
            merged.strip_cors = over.strip_cors;
            merged.status = over.status;
            merged.error.clone_from(&over.error);
            merged.panic.clone_from(&over.panic);
            merged.value = over.value;
        }
        if over.rate.is_some() || over.one_in.is_some() {
            merged.rate = over.rate;
            merged.one_in = over.one_in;
        }
        // Each of these is a group of its own: kept unless named.
        if over.cold_start_ms.is_some() {
            merged.cold_start_ms = over.cold_start_ms;
        }
        if over.max_concurrency.is_some() {
            merged.max_concurrency = over.max_concurrency;
        }
        if over.disk_fill_mb.is_some() {
            merged.disk_fill_mb = over.disk_fill_mb;
        }
        if over.when.is_some() {
            merged.when.clone_from(&over.when);
        }
        // Which SDK calls: one group, so that naming the service alone widens a point that was
        // declared for one operation of another.
        if over.aws_service.is_some() || over.aws_operations.is_some() || over.aws_region.is_some()
        {
            merged.aws_service.clone_from(&over.aws_service);
            merged.aws_operations.clone_from(&over.aws_operations);
            merged.aws_region.clone_from(&over.aws_region);
        }
        merged
    }
}

impl SpecInput {
    /// Whether an outcome key is present (valid or not).
    pub(crate) fn names_outcome(&self) -> bool {
        Key::ALL
            .into_iter()
            .any(|key| key.is_outcome() && self.names(key))
    }

    /// Whether `key` is present (valid or not).
    pub fn names(&self, key: Key) -> bool {
        match key {
            Key::LatencyMs => self.latency_ms.is_some(),
            Key::Status => self.status.is_some(),
            Key::Error => self.error.is_some(),
            Key::Panic => self.panic.is_some(),
            Key::Rate => self.rate.is_some(),
            Key::OneIn => self.one_in.is_some(),
            Key::ColdStartMs => self.cold_start_ms.is_some(),
            Key::When => self.when.is_some(),
            Key::MaxConcurrency => self.max_concurrency.is_some(),
            Key::TimeoutMs => self.timeout_ms.is_some(),
            Key::Timeout => self.timeout.is_some(),
            Key::TimeoutBufferMs => self.timeout_buffer_ms.is_some(),
            Key::DiskFillMb => self.disk_fill_mb.is_some(),
            Key::DenyHosts => self.deny_hosts.is_some(),
            Key::AwsError => self.aws_error.is_some(),
            Key::AwsService => self.aws_service.is_some(),
            Key::AwsOperations => self.aws_operations.is_some(),
            Key::AwsRegion => self.aws_region.is_some(),
            Key::StripCors => self.strip_cors.is_some(),
            Key::Value => self.value.is_some(),
            // A spec's input holds no name: the point's is its own.
            Key::Name => false,
        }
    }
}
