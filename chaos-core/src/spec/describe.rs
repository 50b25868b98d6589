//! The one description of a spec, in words (`Display`): what the experiment report says a fault
//! does.

use std::fmt;

use super::model::{FaultSpec, Latency, Outcome, Trigger};

impl fmt::Display for Latency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Latency::Uniform { min_ms, max_ms } if min_ms == max_ms => write!(f, "{min_ms} ms"),
            Latency::Uniform { min_ms, max_ms } => write!(f, "{min_ms}..={max_ms} ms"),
            Latency::LogNormal { median_ms, p99_ms } => {
                write!(f, "lognormal(median {median_ms} ms, p99 {p99_ms} ms)")
            }
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Status(code) => write!(f, "status {code}"),
            Outcome::Error(message) => write!(f, "error {message:?}"),
            Outcome::Panic(message) => write!(f, "panic {message:?}"),
            Outcome::Value => f.write_str("the attribute's value"),
            Outcome::Timeout(ms) => write!(f, "timeout after {ms} ms"),
            Outcome::Deadline { buffer_ms } => {
                write!(f, "timeout {buffer_ms} ms before the invocation deadline")
            }
            Outcome::Unreachable(hosts) => {
                let hosts: Vec<&str> = hosts.iter().collect();
                write!(f, "unreachable hosts {}", hosts.join(", "))
            }
            Outcome::Aws(error) => write!(f, "AWS error {}", error.as_str()),
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Trigger::Rate(rate) => write!(f, "rate {rate}"),
            Trigger::OneIn(n) => write!(f, "one call in {n}"),
        }
    }
}

/// Every part of the fault, then the trigger: `latency 300 ms, status 503, rate 0.1`.
///
/// ```
/// use chaos_core::spec::{validate, LatencyInput, SpecInput};
///
/// let mut input = SpecInput::default();
/// input.latency_ms = Some(LatencyInput::Fixed(300));
/// input.status = Some(503);
/// input.rate = Some(0.1);
/// let spec = validate(&input).unwrap();
/// assert_eq!(spec.to_string(), "latency 300 ms, status 503, rate 0.1");
/// ```
impl fmt::Display for FaultSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<String> = Vec::new();
        if let Some(latency) = self.latency() {
            parts.push(format!("latency {latency}"));
        }
        if let Some(ms) = self.cold_start_ms() {
            parts.push(format!("cold start {ms} ms"));
        }
        if let Some(outcome) = self.outcome() {
            parts.push(outcome.to_string());
        }
        if self.strip_cors() {
            parts.push("CORS headers stripped".to_string());
        }
        if let Some(n) = self.max_concurrency() {
            parts.push(format!("at most {n} in flight"));
        }
        if let Some(mb) = self.disk_fill_mb() {
            parts.push(format!("disk fill {mb} MiB (held while in force)"));
        }
        if self.after() {
            parts.push("after the body".to_string());
        }
        let aws = self.aws();
        if aws.is_any() {
            let mut calls = aws.service().unwrap_or("any service").to_string();
            if let Some(ops) = aws.operations() {
                calls = format!("{calls} {}", ops.collect::<Vec<_>>().join("/"));
            }
            if let Some(region) = aws.region() {
                calls = format!("{calls} in {region}");
            }
            parts.push(format!("on AWS calls to {calls}"));
        }
        parts.push(self.trigger().to_string());
        f.write_str(&parts.join(", "))
    }
}
