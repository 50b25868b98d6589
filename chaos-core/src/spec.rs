//! The fault spec and its validation rules.
//!
//! One set of rules, one wording of errors: the `#[chaos]` attribute runs [`validate`] at compile
//! time on the literals it parsed, and a runtime configuration is to run it on the values it
//! reads, so both report a bad value in the same words.
//! Inputs are deliberately wide (`i128`, `f64`) so that a value out of range is reported with the
//! number the user wrote instead of failing earlier as an overflow.

use std::borrow::Cow;
use std::fmt;

pub use crate::hosts::HostPatterns;

/// A key of the fault spec, as written in `#[chaos(...)]` and in the runtime configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// `latency_ms`: a delay before the body runs.
    LatencyMs,
    /// `status`: answer with this HTTP status instead of running the body.
    Status,
    /// `error`: return an error instead of running the body.
    Error,
    /// `panic`: panic with this message.
    Panic,
    /// `rate`: the probability that a call is faulted.
    Rate,
    /// `one_in`: fault exactly every Nth call.
    OneIn,
    /// `name`: the injection point's name.
    Name,
    /// `cold_start_ms`: extra latency on the first call of the point in the process.
    ColdStartMs,
    /// `when`: `"before"` the body (the default) or `"after"` it.
    When,
    /// `max_concurrency`: calls beyond this many in flight are throttled.
    MaxConcurrency,
    /// `timeout_ms`: the call hangs this long, then fails as timed out.
    TimeoutMs,
    /// `timeout`: the call hangs until the invocation's deadline (less a buffer), then fails as
    /// timed out.
    Timeout,
    /// `timeout_buffer_ms`: how long before the deadline `timeout` gives up.
    TimeoutBufferMs,
    /// `disk_fill_mb`: fill this many MiB of the temp directory's file system.
    DiskFillMb,
    /// `deny_hosts`: requests to matching hosts fail as if the host were unreachable.
    DenyHosts,
}

impl Key {
    /// Every key, in the order the documentation lists them.
    pub const ALL: [Key; 15] = [
        Key::LatencyMs,
        Key::ColdStartMs,
        Key::Status,
        Key::Error,
        Key::Panic,
        Key::TimeoutMs,
        Key::Timeout,
        Key::TimeoutBufferMs,
        Key::DiskFillMb,
        Key::DenyHosts,
        Key::Rate,
        Key::OneIn,
        Key::MaxConcurrency,
        Key::When,
        Key::Name,
    ];

    /// The key as it is written.
    pub const fn as_str(self) -> &'static str {
        match self {
            Key::LatencyMs => "latency_ms",
            Key::Status => "status",
            Key::Error => "error",
            Key::Panic => "panic",
            Key::Rate => "rate",
            Key::OneIn => "one_in",
            Key::Name => "name",
            Key::ColdStartMs => "cold_start_ms",
            Key::When => "when",
            Key::MaxConcurrency => "max_concurrency",
            Key::TimeoutMs => "timeout_ms",
            Key::Timeout => "timeout",
            Key::TimeoutBufferMs => "timeout_buffer_ms",
            Key::DiskFillMb => "disk_fill_mb",
            Key::DenyHosts => "deny_hosts",
        }
    }

    /// The key written as `s`, if there is one.
    pub fn from_name(s: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether this key declares a fault (everything but the trigger, `when`, `name` and
    /// `timeout_buffer_ms`): a spec needs at least one.
    pub const fn declares_fault(self) -> bool {
        matches!(
            self,
            Key::LatencyMs
                | Key::ColdStartMs
                | Key::MaxConcurrency
                | Key::TimeoutMs
                | Key::Timeout
                | Key::DiskFillMb
                | Key::DenyHosts
                | Key::Status
                | Key::Error
                | Key::Panic
        )
    }

    /// What a value of this key must look like; used in "wrong kind of value" errors.
    pub const fn expects(self) -> &'static str {
        match self {
            Key::LatencyMs => {
                "an integer number of milliseconds, a range such as `100..=500`, or `lognormal(median, p99)`"
            }
            Key::ColdStartMs => "an integer number of milliseconds",
            Key::When => "\"before\" or \"after\"",
            Key::MaxConcurrency => "an integer >= 1",
            Key::TimeoutMs => "an integer number of milliseconds >= 1",
            Key::Timeout => {
                "no value in the attribute (`timeout` alone), `true` in a configuration"
            }
            Key::TimeoutBufferMs => "an integer number of milliseconds",
            Key::DiskFillMb => "an integer number of MiB >= 1",
            Key::DenyHosts => {
                "a list of host patterns, such as `[\"payments.internal\", \"*.example.com\"]`"
            }
            Key::Status => "an integer HTTP status code in 100..=599",
            Key::Error | Key::Panic => "a string literal message",
            Key::Rate => "a probability between 0.0 and 1.0, such as `0.1`",
            Key::OneIn => "an integer >= 1",
            Key::Name => "a non-empty string literal",
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `latency_ms` as written, before validation.
#[derive(Debug, Clone, Copy, PartialEq)]
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
}

impl SpecInput {
    /// `over` laid on top of `self`, by groups: the fault (`latency_ms` and the outcome keys
    /// `status`, `error`, `panic`, `timeout_ms`, `timeout` with `timeout_buffer_ms`,
    /// `deny_hosts`), the trigger (`rate`, `one_in`), and each of `cold_start_ms`,
    /// `max_concurrency`, `disk_fill_mb` and `when` alone. A group `over` says anything about replaces that whole group; a group
    /// it is silent on is kept. So `{rate: 0.5}` keeps the declared
    /// fault at a new rate, `{latency_ms: 300}` makes the point inject latency only (not latency
    /// and the declared `status`), and `rate` on a point declared `one_in = 4` is no conflict.
    ///
    /// ```
    /// use chaos_core::spec::{LatencyInput, SpecInput};
    ///
    /// let declared = SpecInput { status: Some(500), rate: Some(0.0), ..SpecInput::default() };
    /// let over = SpecInput { latency_ms: Some(LatencyInput::Fixed(300)), rate: Some(0.1), ..SpecInput::default() };
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
            || over.deny_hosts.is_some();
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
            merged.status = over.status;
            merged.error.clone_from(&over.error);
            merged.panic.clone_from(&over.panic);
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
        merged
    }
}

/// How long a faulted call is delayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Latency {
    /// Drawn uniformly from `min_ms..=max_ms` (equal bounds give a fixed delay).
    Uniform {
        /// The smallest delay.
        min_ms: u64,
        /// The largest delay.
        max_ms: u64,
    },
    /// Drawn from the log-normal distribution with this median and 99th percentile: most calls
    /// near the median, a long tail of slow ones, as real latency is.
    LogNormal {
        /// Half the delays are shorter.
        median_ms: u64,
        /// 99% of the delays are shorter.
        p99_ms: u64,
    },
}

impl Latency {
    /// A uniform range. Callers outside this module go through [`validate`]; the expansion of
    /// `#[chaos]` calls this with bounds that already passed it.
    #[doc(hidden)]
    pub const fn new(min_ms: u64, max_ms: u64) -> Latency {
        Latency::Uniform { min_ms, max_ms }
    }
}

/// What a faulted call does instead of running its body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// Answer with this HTTP status.
    Status(u16),
    /// Return an error with this message.
    Error(Cow<'static, str>),
    /// Panic with this message.
    Panic(Cow<'static, str>),
    /// Hang this many milliseconds, then fail as timed out.
    Timeout(u64),
    /// Hang until the invocation's deadline less `buffer_ms`, then fail as timed out.
    Deadline {
        /// How long before the deadline the call gives up.
        buffer_ms: u64,
    },
    /// Requests to a host matching one of these fail as if it were unreachable; others pass.
    Unreachable(HostPatterns),
}

impl Outcome {
    /// The key that declares this outcome.
    pub const fn key(&self) -> Key {
        match self {
            Outcome::Status(_) => Key::Status,
            Outcome::Error(_) => Key::Error,
            Outcome::Panic(_) => Key::Panic,
            Outcome::Timeout(_) => Key::TimeoutMs,
            Outcome::Deadline { .. } => Key::Timeout,
            Outcome::Unreachable(_) => Key::DenyHosts,
        }
    }
}

/// Which calls are faulted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Trigger {
    /// Each call independently with this probability.
    Rate(f64),
    /// Exactly every Nth call (the Nth, the 2Nth, ...).
    OneIn(u64),
}

/// A validated fault spec: what to inject, and how often.
#[derive(Debug, Clone, PartialEq)]
pub struct FaultSpec {
    latency: Option<Latency>,
    outcome: Option<Outcome>,
    trigger: Trigger,
    cold_start_ms: Option<u64>,
    after: bool,
    max_concurrency: Option<u64>,
    disk_fill_mb: Option<u64>,
}

impl FaultSpec {
    /// A spec from parts. Callers outside this module go through [`validate`]; the expansion of
    /// `#[chaos]` calls this with parts that already passed it.
    #[doc(hidden)]
    pub const fn from_parts(
        latency: Option<Latency>,
        outcome: Option<Outcome>,
        trigger: Trigger,
        cold_start_ms: Option<u64>,
        after: bool,
        max_concurrency: Option<u64>,
        disk_fill_mb: Option<u64>,
    ) -> FaultSpec {
        FaultSpec {
            latency,
            outcome,
            trigger,
            cold_start_ms,
            after,
            max_concurrency,
            disk_fill_mb,
        }
    }

    /// MiB of the temp directory's file system to hold while the fault is in force.
    pub const fn disk_fill_mb(&self) -> Option<u64> {
        self.disk_fill_mb
    }

    /// Calls beyond this many in flight are throttled (answered with 429, or a throttled
    /// [`Fault`](crate::Fault)), as when a Lambda function's reserved concurrency runs out.
    pub const fn max_concurrency(&self) -> Option<u64> {
        self.max_concurrency
    }

    /// `when = "after"`: the body runs, then its result is replaced by the outcome.
    pub const fn after(&self) -> bool {
        self.after
    }

    /// Extra delay on the first call of the point in the process, whatever the trigger says.
    pub const fn cold_start_ms(&self) -> Option<u64> {
        self.cold_start_ms
    }

    /// The delay added before the outcome (or before the body, without one).
    pub const fn latency(&self) -> Option<Latency> {
        self.latency
    }

    /// What replaces the body, if anything.
    pub const fn outcome(&self) -> Option<&Outcome> {
        self.outcome.as_ref()
    }

    /// Which calls are faulted.
    pub const fn trigger(&self) -> Trigger {
        self.trigger
    }

    /// The spec as input again, to lay run-time overrides on (see [`SpecInput::overlay`]).
    pub fn to_input(&self) -> SpecInput {
        let (rate, one_in) = match self.trigger {
            Trigger::Rate(rate) => (Some(rate), None),
            Trigger::OneIn(n) => (None, Some(i128::from(n))),
        };
        let mut input = SpecInput::default();
        match &self.outcome {
            Some(Outcome::Status(code)) => input.status = Some(i128::from(*code)),
            Some(Outcome::Error(message)) => input.error = Some(message.to_string()),
            Some(Outcome::Panic(message)) => input.panic = Some(message.to_string()),
            Some(Outcome::Timeout(ms)) => input.timeout_ms = Some(i128::from(*ms)),
            Some(Outcome::Deadline { buffer_ms }) => {
                input.timeout = Some(true);
                input.timeout_buffer_ms = Some(i128::from(*buffer_ms));
            }
            Some(Outcome::Unreachable(hosts)) => {
                input.deny_hosts = Some(hosts.iter().map(str::to_string).collect());
            }
            None => {}
        }
        SpecInput {
            latency_ms: self.latency.map(|l| match l {
                Latency::Uniform { min_ms, max_ms } => LatencyInput::Range {
                    start: i128::from(min_ms),
                    end: i128::from(max_ms),
                    inclusive: true,
                },
                Latency::LogNormal { median_ms, p99_ms } => LatencyInput::LogNormal {
                    median: i128::from(median_ms),
                    p99: i128::from(p99_ms),
                },
            }),
            cold_start_ms: self.cold_start_ms.map(i128::from),
            when: self.after.then(|| "after".to_string()),
            max_concurrency: self.max_concurrency.map(i128::from),
            disk_fill_mb: self.disk_fill_mb.map(i128::from),
            rate,
            one_in,
            ..input
        }
    }
}

/// One broken rule: which key (if the problem belongs to one) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    key: Option<Key>,
    message: String,
}

impl SpecError {
    /// An error about one key.
    pub fn new(key: Key, message: impl Into<String>) -> SpecError {
        SpecError {
            key: Some(key),
            message: message.into(),
        }
    }

    /// The key at fault; `None` when the spec as a whole is wrong (no fault at all).
    pub fn key(&self) -> Option<Key> {
        self.key
    }

    /// What is wrong and what would be right.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SpecError {}

/// The valid HTTP status codes for `status`.
pub const STATUS_RANGE: std::ops::RangeInclusive<i128> = 100..=599;

/// Checks every rule and returns the spec, or every broken rule at once.
///
/// ```
/// use chaos_core::spec::{validate, Key, SpecInput};
///
/// let spec = validate(&SpecInput { status: Some(503), rate: Some(0.1), ..SpecInput::default() });
/// assert!(spec.is_ok());
///
/// let errors = validate(&SpecInput { status: Some(600), ..SpecInput::default() }).unwrap_err();
/// assert_eq!(errors[0].key(), Some(Key::Status));
/// assert_eq!(errors[0].message(), "`status` must be an HTTP status code in 100..=599, found 600");
/// ```
pub fn validate(input: &SpecInput) -> Result<FaultSpec, Vec<SpecError>> {
    let mut errors = Vec::new();
    let latency = input
        .latency_ms
        .and_then(|l| record(&mut errors, validate_latency(l)));
    let cold_start_ms = input
        .cold_start_ms
        .and_then(|ms| record(&mut errors, milliseconds(Key::ColdStartMs, ms)));
    let outcome = validate_outcome(input, &mut errors);
    let trigger = validate_trigger(input, &mut errors);
    let after = match input.when.as_deref() {
        None | Some("before") => false,
        Some("after") => {
            if !input.names_outcome() {
                errors.push(SpecError::new(
                    Key::When,
                    "`when = \"after\"` replaces the body's result once it has run, so it needs an outcome: `status`, `error`, `panic`, `timeout_ms`, `timeout` or `deny_hosts`",
                ));
            }
            true
        }
        Some(other) => {
            errors.push(SpecError::new(
                Key::When,
                format!("`when` must be \"before\" or \"after\", found {other:?}"),
            ));
            false
        }
    };
    let max_concurrency = input.max_concurrency.and_then(|n| {
        if (1..=i128::from(u64::MAX)).contains(&n) {
            Some(n as u64)
        } else {
            errors.push(SpecError::new(
                Key::MaxConcurrency,
                format!("`max_concurrency` must be an integer >= 1 (the calls allowed in flight at once), found {n}"),
            ));
            None
        }
    });
    let disk_fill_mb = input.disk_fill_mb.and_then(|mb| {
        if (1..=MAX_DISK_FILL_MB).contains(&mb) {
            Some(mb as u64)
        } else {
            errors.push(SpecError::new(
                Key::DiskFillMb,
                format!("`disk_fill_mb` must be a number of MiB from 1 to {MAX_DISK_FILL_MB}, found {mb}"),
            ));
            None
        }
    });
    if input.latency_ms.is_none()
        && input.cold_start_ms.is_none()
        && input.max_concurrency.is_none()
        && input.disk_fill_mb.is_none()
        && !input.names_outcome()
    {
        errors.push(SpecError {
            key: None,
            message: "no fault to inject: give at least one of `latency_ms`, `cold_start_ms`, `max_concurrency`, `disk_fill_mb`, `status`, `error`, `panic`, `timeout_ms`, `timeout` or `deny_hosts`".into(),
        });
    }
    if errors.is_empty() {
        Ok(FaultSpec {
            latency,
            outcome,
            trigger: trigger.unwrap_or(Trigger::Rate(1.0)),
            cold_start_ms,
            after,
            max_concurrency,
            disk_fill_mb,
        })
    } else {
        Err(errors)
    }
}

/// The largest `disk_fill_mb`: 1 TiB. A larger fill is a typo, and the fill is capped by the free
/// space anyway.
pub const MAX_DISK_FILL_MB: i128 = 1 << 20;

/// How long before the deadline a `timeout` fault gives up, unless `timeout_buffer_ms` says: time
/// for the handler to send its timeout answer before the platform ends the invocation.
pub const DEFAULT_TIMEOUT_BUFFER_MS: u64 = 100;

impl SpecInput {
    /// Whether an outcome key is present (valid or not).
    fn names_outcome(&self) -> bool {
        self.status.is_some()
            || self.error.is_some()
            || self.panic.is_some()
            || self.timeout_ms.is_some()
            || self.timeout.is_some()
            || self.deny_hosts.is_some()
    }
}

/// Checks a point name (from `name = "..."` or a configuration).
pub fn validate_name(name: &str) -> Result<(), SpecError> {
    if name.trim().is_empty() {
        Err(SpecError::new(
            Key::Name,
            "`name` must not be empty: it identifies the injection point in configuration and logs",
        ))
    } else {
        Ok(())
    }
}

fn record<T>(errors: &mut Vec<SpecError>, result: Result<T, SpecError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

const MAX_LATENCY_MS: i128 = u64::MAX as i128;

/// A number of milliseconds for `key`: from 0 to `u64::MAX`.
fn milliseconds(key: Key, v: i128) -> Result<u64, SpecError> {
    if (0..=MAX_LATENCY_MS).contains(&v) {
        Ok(v as u64)
    } else if v < 0 {
        Err(SpecError::new(
            key,
            format!("`{key}` must be a non-negative number of milliseconds, found {v}"),
        ))
    } else {
        Err(SpecError::new(
            key,
            format!("`{key}` must be at most {MAX_LATENCY_MS} milliseconds, found {v}"),
        ))
    }
}

fn validate_latency(input: LatencyInput) -> Result<Latency, SpecError> {
    let bound = |v: i128| milliseconds(Key::LatencyMs, v);
    match input {
        LatencyInput::Fixed(ms) => bound(ms).map(|ms| Latency::new(ms, ms)),
        LatencyInput::Range {
            start,
            end,
            inclusive,
        } => {
            let (lo, hi) = (bound(start)?, bound(end)?);
            let op = if inclusive { "..=" } else { ".." };
            if lo > hi {
                return Err(SpecError::new(
                    Key::LatencyMs,
                    format!(
                        "`latency_ms` range {start}{op}{end} is inverted: write the smaller bound first, as in {end}{op}{start}"
                    ),
                ));
            }
            if inclusive {
                Ok(Latency::new(lo, hi))
            } else if lo == hi {
                Err(SpecError::new(
                    Key::LatencyMs,
                    format!(
                        "`latency_ms` range {start}..{end} is empty: an exclusive range needs its end above its start; write {start}..={end} or just {start}"
                    ),
                ))
            } else {
                Ok(Latency::new(lo, hi - 1))
            }
        }
        LatencyInput::LogNormal { median, p99 } => {
            let (median_ms, p99_ms) = (bound(median)?, bound(p99)?);
            if median_ms == 0 || p99_ms <= median_ms {
                return Err(SpecError::new(
                    Key::LatencyMs,
                    format!(
                        "`latency_ms` lognormal({median}, {p99}) needs a median above 0 and a p99 above the median, as in lognormal(100, 800)"
                    ),
                ));
            }
            Ok(Latency::LogNormal { median_ms, p99_ms })
        }
    }
}

fn validate_outcome(input: &SpecInput, errors: &mut Vec<SpecError>) -> Option<Outcome> {
    let mut declared: Vec<Outcome> = Vec::new();
    if let Some(status) = input.status {
        if STATUS_RANGE.contains(&status) {
            declared.push(Outcome::Status(status as u16));
        } else {
            errors.push(SpecError::new(
                Key::Status,
                format!("`status` must be an HTTP status code in 100..=599, found {status}"),
            ));
        }
    }
    if let Some(message) = &input.error {
        declared.push(Outcome::Error(Cow::Owned(message.clone())));
    }
    if let Some(message) = &input.panic {
        declared.push(Outcome::Panic(Cow::Owned(message.clone())));
    }
    if let Some(ms) = input.timeout_ms {
        if (1..=MAX_LATENCY_MS).contains(&ms) {
            declared.push(Outcome::Timeout(ms as u64));
        } else {
            errors.push(SpecError::new(
                Key::TimeoutMs,
                format!("`timeout_ms` must be a number of milliseconds from 1 to {MAX_LATENCY_MS}, found {ms}"),
            ));
        }
    }
    let buffer_ms = input
        .timeout_buffer_ms
        .and_then(|ms| record(errors, milliseconds(Key::TimeoutBufferMs, ms)));
    match input.timeout {
        Some(true) => declared.push(Outcome::Deadline {
            buffer_ms: buffer_ms.unwrap_or(DEFAULT_TIMEOUT_BUFFER_MS),
        }),
        Some(false) => errors.push(SpecError::new(
            Key::Timeout,
            "`timeout` is either `true` or left out; to stop the timeout, name another fault or set `enabled` to false",
        )),
        None => {
            if input.timeout_buffer_ms.is_some() {
                errors.push(SpecError::new(
                    Key::TimeoutBufferMs,
                    "`timeout_buffer_ms` says how long before the deadline `timeout` gives up, so it needs `timeout`",
                ));
            }
        }
    }
    if let Some(patterns) = &input.deny_hosts {
        if let Some(hosts) = record(errors, HostPatterns::parse(patterns)) {
            declared.push(Outcome::Unreachable(hosts));
        }
    }
    // Presence, not validity, decides a conflict: `status = 600, error = "x"` is two mistakes.
    let present: Vec<Key> = [
        (input.status.is_some(), Key::Status),
        (input.error.is_some(), Key::Error),
        (input.panic.is_some(), Key::Panic),
        (input.timeout_ms.is_some(), Key::TimeoutMs),
        (input.timeout.is_some(), Key::Timeout),
        (input.deny_hosts.is_some(), Key::DenyHosts),
    ]
    .into_iter()
    .filter_map(|(present, key)| present.then_some(key))
    .collect();
    if let [first, rest @ ..] = present.as_slice() {
        for extra in rest {
            errors.push(SpecError::new(
                *extra,
                format!("`{extra}` cannot be combined with `{first}`: a faulted call has one outcome, so keep one of `status`, `error`, `panic`, `timeout_ms`, `timeout` and `deny_hosts`"),
            ));
        }
    }
    if present.len() == 1 {
        declared.pop()
    } else {
        None
    }
}

fn validate_trigger(input: &SpecInput, errors: &mut Vec<SpecError>) -> Option<Trigger> {
    let rate = input.rate.and_then(|rate| {
        if (0.0..=1.0).contains(&rate) {
            Some(Trigger::Rate(rate))
        } else {
            errors.push(SpecError::new(
                Key::Rate,
                format!("`rate` must be a probability between 0.0 and 1.0, found {rate:?}"),
            ));
            None
        }
    });
    let one_in = input.one_in.and_then(|n| {
        if (1..=u64::MAX as i128).contains(&n) {
            Some(Trigger::OneIn(n as u64))
        } else {
            errors.push(SpecError::new(
                Key::OneIn,
                format!(
                    "`one_in` must be an integer >= 1 (`one_in = 1` faults every call), found {n}"
                ),
            ));
            None
        }
    });
    if input.rate.is_some() && input.one_in.is_some() {
        errors.push(SpecError::new(
            Key::OneIn,
            "`one_in` cannot be combined with `rate`: `rate` faults calls at random, `one_in` faults every Nth call; keep one",
        ));
        return None;
    }
    rate.or(one_in)
}

/// The candidates closest to `name`, best first (at most three, and only those nearly as close
/// as the best), for "did you mean" hints: by
/// Jaro-Winkler similarity, which favours a shared prefix, as point paths and keys share theirs.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.dedup_by(|a, b| a.1 == b.1);
    // Only those about as close as the best: names sharing a long prefix all score high.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .take_while(|(score, _)| best - score < 0.05)
        .take(3)
        .map(|(_, c)| c)
        .collect()
}
