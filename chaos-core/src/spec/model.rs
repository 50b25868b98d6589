//! The validated fault spec: what a point injects, and how often.

use std::borrow::Cow;

use super::aws::{AwsError, AwsTarget};
use super::hosts::HostPatterns;
use super::input::{LatencyInput, SpecInput};
use super::key::Key;

/// How long a faulted call is delayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
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
    /// A uniform range, from bounds that passed validation.
    pub(crate) const fn new(min_ms: u64, max_ms: u64) -> Latency {
        Latency::Uniform { min_ms, max_ms }
    }
}

/// What a faulted call does instead of running its body.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// Answer with this HTTP status.
    Status(u16),
    /// Return an error with this message.
    Error(Cow<'static, str>),
    /// Panic with this message.
    Panic(Cow<'static, str>),
    /// Return the expression the attribute gave `value` (`#[chaos(value = ...)]`). The expression
    /// is Rust code, compiled into the function and type-checked against its return type, so the
    /// spec only says that it is returned: a configuration can switch it on and off and change
    /// its rate, never change the value.
    Value,
    /// Hang this many milliseconds, then fail as timed out.
    Timeout(u64),
    /// Hang until the invocation's deadline less `buffer_ms`, then fail as timed out.
    Deadline {
        /// How long before the deadline the call gives up.
        buffer_ms: u64,
    },
    /// Requests to a host matching one of these fail as if it were unreachable; others pass.
    Unreachable(HostPatterns),
    /// An AWS SDK call gets this error instead of the service's answer.
    Aws(AwsError),
}

impl Outcome {
    /// The key that declares this outcome.
    pub const fn key(&self) -> Key {
        match self {
            Outcome::Status(_) => Key::Status,
            Outcome::Error(_) => Key::Error,
            Outcome::Panic(_) => Key::Panic,
            Outcome::Value => Key::Value,
            Outcome::Timeout(_) => Key::TimeoutMs,
            Outcome::Deadline { .. } => Key::Timeout,
            Outcome::Unreachable(_) => Key::DenyHosts,
            Outcome::Aws(_) => Key::AwsError,
        }
    }
}

/// A spec from parts that passed validation: what [`validate`](super::validate) builds, and what
/// the expansion of `#[chaos]` builds (through `__private`) in a constant. Not a method, so that
/// `chaos::spec::FaultSpec` carries no constructor.
// One argument per part of the spec: the expansion writes them in order, and a struct of
// parameters would only move the list.
#[allow(clippy::too_many_arguments)]
pub const fn fault_spec(
    latency: Option<Latency>,
    outcome: Option<Outcome>,
    trigger: Trigger,
    cold_start_ms: Option<u64>,
    after: bool,
    max_concurrency: Option<u64>,
    disk_fill_mb: Option<u64>,
    aws: AwsTarget,
    strip_cors: bool,
) -> FaultSpec {
    FaultSpec {
        latency,
        outcome,
        trigger,
        cold_start_ms,
        after,
        max_concurrency,
        disk_fill_mb,
        aws,
        strip_cors,
    }
}

/// Which calls are faulted.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
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
    aws: AwsTarget,
    strip_cors: bool,
}

impl FaultSpec {
    /// Which AWS SDK calls the point faults (every call through the client, when it names no
    /// part).
    pub const fn aws(&self) -> &AwsTarget {
        &self.aws
    }

    /// `strip_cors`: a faulted request of a layer gets the inner service's answer without its
    /// `access-control-*` headers (a preflight's included), as a browser front end sees a CORS
    /// misconfiguration. Not an outcome: it changes the inner answer rather than replacing it,
    /// so it combines with `latency_ms` (a slow answer the browser then refuses).
    ///
    /// ```
    /// use chaos_core::spec::{validate, LatencyInput, SpecInput};
    ///
    /// let mut input = SpecInput::default();
    /// (input.strip_cors, input.latency_ms) = (Some(true), Some(LatencyInput::Fixed(200)));
    /// let spec = validate(&input).unwrap();
    /// assert!(spec.strip_cors() && spec.outcome().is_none());
    /// assert_eq!(spec.to_string(), "latency 200 ms, CORS headers stripped, rate 1");
    /// ```
    pub const fn strip_cors(&self) -> bool {
        self.strip_cors
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
    pub(crate) fn to_input(&self) -> SpecInput {
        let (rate, one_in) = match self.trigger {
            Trigger::Rate(rate) => (Some(rate), None),
            Trigger::OneIn(n) => (None, Some(i128::from(n))),
        };
        let mut input = SpecInput::default();
        match &self.outcome {
            Some(Outcome::Status(code)) => input.status = Some(i128::from(*code)),
            Some(Outcome::Error(message)) => input.error = Some(message.to_string()),
            Some(Outcome::Panic(message)) => input.panic = Some(message.to_string()),
            Some(Outcome::Value) => input.value = Some(true),
            Some(Outcome::Timeout(ms)) => input.timeout_ms = Some(i128::from(*ms)),
            Some(Outcome::Deadline { buffer_ms }) => {
                input.timeout = Some(true);
                input.timeout_buffer_ms = Some(i128::from(*buffer_ms));
            }
            Some(Outcome::Unreachable(hosts)) => {
                input.deny_hosts = Some(hosts.iter().map(str::to_string).collect());
            }
            Some(Outcome::Aws(error)) => input.aws_error = Some(error.as_str().to_string()),
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
            aws_service: self.aws.service().map(str::to_string),
            aws_operations: self
                .aws
                .operations()
                .map(|ops| ops.map(str::to_string).collect()),
            aws_region: self.aws.region().map(str::to_string),
            strip_cors: self.strip_cors.then_some(true),
            rate,
            one_in,
            ..input
        }
    }
}
