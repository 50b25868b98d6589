//! [`PointConfig`]: the run-time override of one point, as the configuration, a scope and an
//! override give it, and as the published snapshot keeps it. Its builders are the only way in,
//! so that the shape of the spec underneath can change without breaking anyone.

use crate::spec::{LatencyInput, SpecInput};

/// The override of one point: any attribute key, and `enabled`.
///
/// It replaces the attribute's keys by groups: any of `latency_ms`, `strip_cors` and the outcome
/// keys replaces the whole fault, any of `rate`, `one_in` the whole trigger, any of
/// `aws_service`, `aws_operations`, `aws_region` the whole selection of SDK calls, and a group it
/// does not mention keeps the attribute's (the overlay rules of [`Config`](crate::Config)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointConfig {
    /// `false` turns this point off.
    pub(crate) enabled: Option<bool>,
    /// The attribute keys to override, as wide as the spec rules read them.
    pub(crate) spec: SpecInput,
}

impl PointConfig {
    /// An override that changes nothing yet.
    pub fn new() -> PointConfig {
        PointConfig::default()
    }

    /// Turns the point on or off.
    pub fn enabled(mut self, enabled: bool) -> PointConfig {
        self.enabled = Some(enabled);
        self
    }

    /// Faults each call with this probability.
    pub fn rate(mut self, rate: f64) -> PointConfig {
        self.spec.rate = Some(rate);
        self
    }

    /// Faults exactly every `n`th call.
    pub fn one_in(mut self, n: u64) -> PointConfig {
        self.spec.one_in = Some(i128::from(n));
        self
    }

    /// A fixed delay.
    pub fn latency_ms(mut self, ms: u64) -> PointConfig {
        self.spec.latency_ms = Some(LatencyInput::Fixed(i128::from(ms)));
        self
    }

    /// A delay drawn uniformly from `min..=max` milliseconds.
    pub fn latency_range_ms(mut self, min: u64, max: u64) -> PointConfig {
        self.spec.latency_ms = Some(LatencyInput::Range {
            start: i128::from(min),
            end: i128::from(max),
            inclusive: true,
        });
        self
    }

    /// Answers with this HTTP status.
    pub fn status(mut self, status: u16) -> PointConfig {
        self.spec.status = Some(i128::from(status));
        self
    }

    /// Returns an error with this message.
    pub fn error(mut self, message: impl Into<String>) -> PointConfig {
        self.spec.error = Some(message.into());
        self
    }

    /// Panics with this message.
    pub fn panic(mut self, message: impl Into<String>) -> PointConfig {
        self.spec.panic = Some(message.into());
        self
    }

    /// Returns the attribute's `value` expression instead of running the body (or, for a point
    /// declared `when = "after"`, instead of the body's result): for a point whose attribute says
    /// `value = ...`, to switch it back on after another fault or with a new rate. The value
    /// itself cannot change at run time: it is Rust code in the attribute, type-checked against
    /// the function's return type when it is compiled, which a configuration cannot carry. A
    /// point whose attribute has no `value` refuses it.
    ///
    /// ```
    /// // `#[chaos(value = String::from("no-such-table"), rate = 0.0, name = "config::table")]`
    /// // on a function, fired on one call in four.
    /// let config = chaos_core::Config::new()
    ///     .point("config::table", chaos_core::PointConfig::new().value().one_in(4));
    /// # let _ = config;
    /// ```
    pub fn value(mut self) -> PointConfig {
        self.spec.value = Some(true);
        self
    }

    /// A delay drawn from the log-normal distribution with this median and 99th percentile.
    pub fn latency_lognormal_ms(mut self, median: u64, p99: u64) -> PointConfig {
        self.spec.latency_ms = Some(LatencyInput::LogNormal {
            median: i128::from(median),
            p99: i128::from(p99),
        });
        self
    }

    /// Extra delay on the point's first call in the process.
    pub fn cold_start_ms(mut self, ms: u64) -> PointConfig {
        self.spec.cold_start_ms = Some(i128::from(ms));
        self
    }

    /// Hangs this long, then fails as timed out.
    pub fn timeout_ms(mut self, ms: u64) -> PointConfig {
        self.spec.timeout_ms = Some(i128::from(ms));
        self
    }

    /// Hangs until the invocation deadline less the buffer (for a point whose attribute says
    /// `timeout`), then fails as timed out.
    pub fn timeout(mut self) -> PointConfig {
        self.spec.timeout = Some(true);
        self
    }

    /// With [`timeout`](Self::timeout): how long before the deadline the call gives up (without
    /// it, the default of 100 ms).
    pub fn timeout_buffer_ms(mut self, ms: u64) -> PointConfig {
        self.spec.timeout_buffer_ms = Some(i128::from(ms));
        self
    }

    /// Throttles calls beyond `n` in flight: a layer's point, or a function whose attribute
    /// declares `max_concurrency` (only such a function holds a place through its body).
    pub fn max_concurrency(mut self, n: u64) -> PointConfig {
        self.spec.max_concurrency = Some(i128::from(n));
        self
    }

    /// Holds this many MiB of the temp directory's file system while in force.
    pub fn disk_fill_mb(mut self, mb: u64) -> PointConfig {
        self.spec.disk_fill_mb = Some(i128::from(mb));
        self
    }

    /// `when = "after"` (`true`) or `"before"` (`false`): whether the body runs to completion
    /// before the outcome replaces its result. `after` needs an outcome: `status`, `error`,
    /// `panic`, `value`, `timeout_ms` or `timeout` (or `deny_hosts` or `aws_error`, on a layer's
    /// point), given here or by the attribute.
    ///
    /// ```
    /// let lost_answer = chaos_core::PointConfig::new().status(503).when_after(true);
    /// # let _ = lost_answer;
    /// ```
    pub fn when_after(mut self, after: bool) -> PointConfig {
        self.spec.when = Some(if after { "after" } else { "before" }.to_string());
        self
    }

    /// Fails requests to hosts matching these patterns as unreachable (a layer's point).
    pub fn deny_hosts<S: Into<String>>(
        mut self,
        hosts: impl IntoIterator<Item = S>,
    ) -> PointConfig {
        self.spec.deny_hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Answers faulted AWS SDK calls with this error (`"throttling"`, `"access_denied"`,
    /// `"internal_error"`, `"service_unavailable"`, `"connection_refused"`, `"timeout"`): a
    /// point given to `chaos::aws_sdk::http_client`.
    ///
    /// ```
    /// let outage = chaos_core::PointConfig::new().aws_error("connection_refused").aws_region("eu-west-1");
    /// # let _ = outage;
    /// ```
    pub fn aws_error(mut self, kind: impl Into<String>) -> PointConfig {
        self.spec.aws_error = Some(kind.into());
        self
    }

    /// Faults only AWS SDK calls to this service (its signing name: `"dynamodb"`, `"s3"`).
    /// The service, the operations and the region are one group: naming any of them replaces
    /// the point's selection as a whole.
    pub fn aws_service(mut self, service: impl Into<String>) -> PointConfig {
        self.spec.aws_service = Some(service.into());
        self
    }

    /// Faults only AWS SDK calls of these operations (`"PutItem"`).
    pub fn aws_operations<S: Into<String>>(
        mut self,
        operations: impl IntoIterator<Item = S>,
    ) -> PointConfig {
        self.spec.aws_operations = Some(operations.into_iter().map(Into::into).collect());
        self
    }

    /// Faults only AWS SDK calls to this region (`"eu-west-1"`): a regional outage.
    pub fn aws_region(mut self, region: impl Into<String>) -> PointConfig {
        self.spec.aws_region = Some(region.into());
        self
    }

    /// Takes the CORS headers (`access-control-*`) off the answers of faulted requests, a
    /// preflight's included, as after a CORS misconfiguration (a layer's point). A fault key like
    /// the others: on its own it replaces the declared fault.
    ///
    /// ```
    /// let broken_cors = chaos_core::PointConfig::new().strip_cors().rate(1.0);
    /// # let _ = broken_cors;
    /// ```
    pub fn strip_cors(mut self) -> PointConfig {
        self.spec.strip_cors = Some(true);
        self
    }
}
