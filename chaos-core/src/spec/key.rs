//! The keys of a fault spec, as written in `#[chaos(...)]` and in a run-time configuration.

use std::fmt;

/// A key of the fault spec, as written in `#[chaos(...)]` and in the runtime configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Key {
    /// `latency_ms`: a delay before the body runs.
    LatencyMs,
    /// `status`: answer with this HTTP status instead of running the body.
    Status,
    /// `error`: return an error instead of running the body.
    Error,
    /// `panic`: panic with this message.
    Panic,
    /// `value`: return this expression instead of running the body (in the attribute,
    /// `value = <expression>`, type-checked against the function's return type; in a
    /// configuration, `true`, since the expression is Rust code fixed at compile time).
    Value,
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
    /// `aws_error`: an AWS SDK call gets this error instead of the service's answer.
    AwsError,
    /// `aws_service`: only calls to this AWS service (its signing name) are faulted.
    AwsService,
    /// `aws_operations`: only calls of these operations are faulted.
    AwsOperations,
    /// `aws_region`: only calls to this region are faulted.
    AwsRegion,
    /// `strip_cors`: a layer's faulted requests get the inner service's answer without its CORS
    /// headers, as after a CORS misconfiguration.
    StripCors,
}

impl Key {
    /// Every key, in the order the documentation lists them.
    ///
    /// ```
    /// use chaos_core::spec::Key;
    ///
    /// assert!(Key::all().iter().any(|key| key.as_str() == "latency_ms"));
    /// ```
    pub const fn all() -> &'static [Key] {
        &Key::ALL
    }

    /// Every key; its length is not part of the public type, [`all`](Key::all) is.
    pub(crate) const ALL: [Key; 21] = [
        Key::LatencyMs,
        Key::ColdStartMs,
        Key::Status,
        Key::Error,
        Key::Panic,
        Key::Value,
        Key::TimeoutMs,
        Key::Timeout,
        Key::TimeoutBufferMs,
        Key::DiskFillMb,
        Key::DenyHosts,
        Key::AwsError,
        Key::AwsService,
        Key::AwsOperations,
        Key::AwsRegion,
        Key::StripCors,
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
            Key::Value => "value",
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
            Key::AwsError => "aws_error",
            Key::AwsService => "aws_service",
            Key::AwsOperations => "aws_operations",
            Key::AwsRegion => "aws_region",
            Key::StripCors => "strip_cors",
        }
    }

    /// The key written as `s`, if there is one.
    pub fn from_name(s: &str) -> Option<Key> {
        Key::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether this key declares a fault (everything but the trigger, `when`, `name`,
    /// `timeout_buffer_ms` and the AWS selection): a spec needs at least one.
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
                | Key::AwsError
                | Key::StripCors
                | Key::Status
                | Key::Error
                | Key::Panic
                | Key::Value
        )
    }

    /// Whether this key declares an outcome, what a faulted call does instead of returning its
    /// body's value: a spec has at most one.
    pub const fn is_outcome(self) -> bool {
        matches!(
            self,
            Key::Status
                | Key::Error
                | Key::Panic
                | Key::Value
                | Key::TimeoutMs
                | Key::Timeout
                | Key::DenyHosts
                | Key::AwsError
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
            Key::StripCors => {
                "no value in `chaos::point!` (`strip_cors` alone), `true` in a configuration"
            }
            Key::TimeoutBufferMs => "an integer number of milliseconds",
            Key::DiskFillMb => "an integer number of MiB >= 1",
            Key::DenyHosts => {
                "a list of host patterns, such as `[\"payments.internal\", \"*.example.com\"]`"
            }
            Key::Status => "an integer HTTP status code in 100..=599",
            Key::Error | Key::Panic => "a string literal message",
            Key::Value => {
                "an expression of the function's return type in the attribute (`value = ...`), `true` in a configuration"
            }
            Key::Rate => "a probability between 0.0 and 1.0, such as `0.1`",
            Key::OneIn => "an integer >= 1",
            Key::Name => "a non-empty string literal",
            Key::AwsError => {
                "a kind of AWS error: \"throttling\", \"access_denied\", \"internal_error\", \"service_unavailable\", \"connection_refused\" or \"timeout\""
            }
            Key::AwsService => "a service's signing name, such as `\"dynamodb\"`",
            Key::AwsOperations => "a list of operations, such as `[\"PutItem\", \"UpdateItem\"]`",
            Key::AwsRegion => "a region code, such as `\"eu-west-1\"`",
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
