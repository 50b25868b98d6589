//! The run-time configuration: its typed form, its JSON form, and its validation against the
//! points compiled into the binary. Value rules are `spec`'s, so errors read as at compile time.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::{Map, Value};

use crate::registry;
use crate::spec::{self, Key, LatencyInput, Outcome, SpecInput};

/// A run-time configuration: global switches and per-point overrides.
///
/// Every field is optional; what is absent keeps its current meaning (the attribute's spec for
/// points, on for `enabled`, off for `dry_run`). Build one in code or read one from JSON:
///
/// ```json
/// { "enabled": true, "seed": 42, "dry_run": false,
///   "points": { "shop::orders::create": { "rate": 0.5, "latency_ms": [100, 400], "status": 503 },
///               "shop::payments::charge": { "enabled": false } } }
/// ```
///
/// ```
/// use chaos_core::{Config, PointConfig};
///
/// let config = Config::new()
///     .seed(42)
///     .point("shop::orders::create", PointConfig::new().rate(0.5).status(503));
/// let parsed = Config::from_json(r#"{"seed": 42, "points": {"shop::orders::create": {"rate": 0.5, "status": 503}}}"#)?;
/// assert_eq!(config, parsed);
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `false` turns every point off.
    pub enabled: Option<bool>,
    /// Makes each point's decisions reproducible run to run.
    pub seed: Option<u64>,
    /// Decide, log and count, but inject nothing.
    pub dry_run: Option<bool>,
    /// `true` skips the points this binary does not have instead of rejecting the
    /// configuration: for one document shared by several functions (`"unknown_points":
    /// "ignore"` in JSON). A misspelt name is then skipped too, so it is off by default.
    pub ignore_unknown_points: Option<bool>,
    /// Overrides by point name.
    pub points: BTreeMap<String, PointConfig>,
}

/// The override of one point: any attribute key, and `enabled`.
///
/// It replaces the attribute's keys by groups: any of `latency_ms` and the outcome keys replaces
/// the whole fault, any of `rate`, `one_in` the whole trigger, and a group it does not mention
/// keeps the attribute's (see [`SpecInput::overlay`](crate::spec::SpecInput::overlay)).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PointConfig {
    /// `false` turns this point off.
    pub enabled: Option<bool>,
    /// The attribute keys to override.
    pub spec: SpecInput,
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

    /// Throttles calls beyond `n` in flight.
    pub fn max_concurrency(mut self, n: u64) -> PointConfig {
        self.spec.max_concurrency = Some(i128::from(n));
        self
    }

    /// Holds this many MiB of the temp directory's file system while in force.
    pub fn disk_fill_mb(mut self, mb: u64) -> PointConfig {
        self.spec.disk_fill_mb = Some(i128::from(mb));
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
}

impl Config {
    /// A configuration that changes nothing yet.
    pub fn new() -> Config {
        Config::default()
    }

    /// Turns every point on or off.
    pub fn enabled(mut self, enabled: bool) -> Config {
        self.enabled = Some(enabled);
        self
    }

    /// Seeds every point's decisions.
    pub fn seed(mut self, seed: u64) -> Config {
        self.seed = Some(seed);
        self
    }

    /// Decide, log and count, but inject nothing.
    pub fn dry_run(mut self, dry_run: bool) -> Config {
        self.dry_run = Some(dry_run);
        self
    }

    /// Skips the points this binary does not have rather than rejecting the configuration.
    pub fn ignore_unknown_points(mut self, ignore: bool) -> Config {
        self.ignore_unknown_points = Some(ignore);
        self
    }

    /// Overrides the point named `name`.
    pub fn point(mut self, name: impl Into<String>, point: PointConfig) -> Config {
        self.points.insert(name.into(), point);
        self
    }

    /// Reads a configuration from JSON, reporting every problem with where it is.
    pub fn from_json(json: &str) -> Result<Config, ConfigError> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| ConfigError::one("", format!("malformed JSON: {e}")))?;
        let mut problems = Problems::default();
        let config = read_config(&value, &mut problems);
        problems.into_result(config)
    }

    /// Checks the configuration against the points compiled into this binary: every named point
    /// exists, every value is in range, and the result is a valid spec for each point.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Problems::default();
        for (name, point_config) in &self.points {
            let path = point_path(name);
            let mut points = registry::named(name).peekable();
            if points.peek().is_none() {
                if self.ignore_unknown_points != Some(true) {
                    problems.push(&path, registry::unknown_point(name));
                }
                continue;
            }
            for point in points {
                let over = &point_config.spec;
                if !point.carries_outcome() {
                    for (given, key) in [
                        (over.status.is_some(), Key::Status),
                        (over.error.is_some(), Key::Error),
                        (over.max_concurrency.is_some(), Key::MaxConcurrency),
                        (over.timeout_ms.is_some(), Key::TimeoutMs),
                    ] {
                        if given {
                            problems.push(
                                &format!("{path}.{key}"),
                                format!("`{key}` cannot be given to `{name}`: its attribute declares no `status`, `error`, `timeout_ms` or `max_concurrency`, so its return type was never checked to carry a fault (add one to the attribute, with `rate = 0.0` if it should not fire by default)"),
                            );
                        }
                    }
                }
                let merged = point.spec().to_input().overlay(over);
                // A layer can always wait for the inner service's answer before replacing it.
                if merged.when.as_deref() == Some("after")
                    && !point.spec().after()
                    && !point.is_layer()
                {
                    problems.push(
                        &format!("{path}.when"),
                        format!("`when = \"after\"` cannot be given to `{name}` at run time: only a point whose attribute says `when = \"after\"` runs its body before the outcome"),
                    );
                }
                if over.timeout == Some(true)
                    && !matches!(point.spec().outcome(), Some(Outcome::Deadline { .. }))
                {
                    problems.push(
                        &format!("{path}.timeout"),
                        format!("`timeout` cannot be given to `{name}` at run time: only a point whose attribute says `timeout` reads an invocation deadline; use `timeout_ms` for a fixed hang"),
                    );
                }
                if over.deny_hosts.is_some() && !point.is_layer() {
                    problems.push(
                        &format!("{path}.deny_hosts"),
                        format!("`deny_hosts` cannot be given to `{name}`: it is a function, which sees no request host; give it to a `ChaosLayer` point declared with `chaos::point!`"),
                    );
                }
                if let Err(errors) = spec::validate(&merged) {
                    for error in errors {
                        let at = error.key().map_or(path.clone(), |k| format!("{path}.{k}"));
                        problems.push(&at, error.message().to_string());
                    }
                }
            }
        }
        problems.into_result(())
    }
}

/// Why a configuration was rejected: every problem, each with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    problems: Vec<(String, String)>,
}

impl ConfigError {
    pub(crate) fn one(path: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            problems: vec![(path.to_string(), message.into())],
        }
    }

    /// Each problem as `(where, what)`; `where` is a path such as `points."a::b".rate`, or empty
    /// for the document as a whole.
    pub fn problems(&self) -> impl Iterator<Item = (&str, &str)> {
        self.problems.iter().map(|(p, m)| (p.as_str(), m.as_str()))
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (path, message)) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            if path.is_empty() {
                write!(f, "{message}")?;
            } else {
                write!(f, "at {path}: {message}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

#[derive(Default)]
struct Problems(Vec<(String, String)>);

impl Problems {
    fn push(&mut self, path: &str, message: String) {
        self.0.push((path.to_string(), message));
    }

    fn into_result<T>(self, value: T) -> Result<T, ConfigError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ConfigError { problems: self.0 })
        }
    }
}

fn point_path(name: &str) -> String {
    format!("points.{}", Value::String(name.to_string()))
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {}", Value::String(s.clone())),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn unknown_key(key: &str, valid: &[&str]) -> String {
    let list = valid.join(", ");
    match spec::closest(key, valid.iter().copied()).first() {
        Some(close) => {
            format!("unknown key `{key}`; did you mean `{close}`? valid keys are: {list}")
        }
        None => format!("unknown key `{key}`; valid keys are: {list}"),
    }
}

fn object<'a>(
    value: &'a Value,
    path: &str,
    what: &str,
    problems: &mut Problems,
) -> Option<&'a Map<String, Value>> {
    match value {
        Value::Object(map) => Some(map),
        other => {
            problems.push(path, format!("expected {what}, found {}", describe(other)));
            None
        }
    }
}

fn boolean(value: &Value, path: &str, key: &str, problems: &mut Problems) -> Option<bool> {
    match value {
        Value::Bool(b) => Some(*b),
        other => {
            problems.push(
                path,
                format!(
                    "`{key}` expects `true` or `false`, found {}",
                    describe(other)
                ),
            );
            None
        }
    }
}

fn integer(value: &Value) -> Option<i128> {
    value
        .as_i64()
        .map(i128::from)
        .or_else(|| value.as_u64().map(i128::from))
}

const TOP_KEYS: [&str; 5] = ["enabled", "seed", "dry_run", "unknown_points", "points"];
const POINT_KEYS: [&str; 15] = [
    "enabled",
    "latency_ms",
    "cold_start_ms",
    "status",
    "error",
    "panic",
    "timeout_ms",
    "timeout",
    "timeout_buffer_ms",
    "disk_fill_mb",
    "deny_hosts",
    "rate",
    "one_in",
    "max_concurrency",
    "when",
];

fn read_config(value: &Value, problems: &mut Problems) -> Config {
    let mut config = Config::default();
    let Some(top) = object(value, "", "a JSON object at the top level", problems) else {
        return config;
    };
    for (key, value) in top {
        let path = key.clone();
        match key.as_str() {
            "enabled" => config.enabled = boolean(value, &path, key, problems),
            "dry_run" => config.dry_run = boolean(value, &path, key, problems),
            "unknown_points" => match value.as_str() {
                Some("ignore") => config.ignore_unknown_points = Some(true),
                Some("reject") => config.ignore_unknown_points = Some(false),
                _ => problems.push(
                    &path,
                    format!(
                        "`unknown_points` expects \"reject\" (the default) or \"ignore\", found {}",
                        describe(value)
                    ),
                ),
            },
            "seed" => match value.as_u64() {
                Some(seed) => config.seed = Some(seed),
                None => problems.push(
                    &path,
                    format!(
                        "`seed` expects an integer from 0 to {}, found {}",
                        u64::MAX,
                        describe(value)
                    ),
                ),
            },
            "points" => {
                if let Some(points) = object(
                    value,
                    &path,
                    "an object of point names to overrides",
                    problems,
                ) {
                    for (name, value) in points {
                        let point = read_point(value, &point_path(name), problems);
                        config.points.insert(name.clone(), point);
                    }
                }
            }
            other => problems.push(&path, unknown_key(other, &TOP_KEYS)),
        }
    }
    config
}

fn read_point(value: &Value, path: &str, problems: &mut Problems) -> PointConfig {
    let mut point = PointConfig::default();
    let Some(map) = object(value, path, "an object of attribute keys", problems) else {
        return point;
    };
    for (key, value) in map {
        let at = format!("{path}.{key}");
        if key == "enabled" {
            point.enabled = boolean(value, &at, key, problems);
            continue;
        }
        let Some(spec_key) = Key::from_name(key).filter(|k| *k != Key::Name) else {
            problems.push(&at, unknown_key(key, &POINT_KEYS));
            continue;
        };
        let read = match spec_key {
            Key::Status => integer(value).map(|v| point.spec.status = Some(v)),
            Key::OneIn => integer(value).map(|v| point.spec.one_in = Some(v)),
            Key::Rate => value.as_f64().map(|v| point.spec.rate = Some(v)),
            Key::Error => value
                .as_str()
                .map(|v| point.spec.error = Some(v.to_string())),
            Key::Panic => value
                .as_str()
                .map(|v| point.spec.panic = Some(v.to_string())),
            Key::LatencyMs => latency(value).map(|v| point.spec.latency_ms = Some(v)),
            Key::ColdStartMs => integer(value).map(|v| point.spec.cold_start_ms = Some(v)),
            Key::When => value
                .as_str()
                .map(|v| point.spec.when = Some(v.to_string())),
            Key::MaxConcurrency => integer(value).map(|v| point.spec.max_concurrency = Some(v)),
            Key::TimeoutMs => integer(value).map(|v| point.spec.timeout_ms = Some(v)),
            Key::Timeout => value.as_bool().map(|v| point.spec.timeout = Some(v)),
            Key::TimeoutBufferMs => integer(value).map(|v| point.spec.timeout_buffer_ms = Some(v)),
            Key::DiskFillMb => integer(value).map(|v| point.spec.disk_fill_mb = Some(v)),
            Key::DenyHosts => value
                .as_array()
                .and_then(|hosts| {
                    hosts
                        .iter()
                        .map(|h| h.as_str().map(str::to_string))
                        .collect::<Option<Vec<_>>>()
                })
                .map(|v| point.spec.deny_hosts = Some(v)),
            Key::Name => None,
        };
        if read.is_none() {
            let expects = match spec_key {
                Key::LatencyMs => {
                    "an integer number of milliseconds, a range `[min, max]`, or `{\"median\": ms, \"p99\": ms}`"
                }
                other => other.expects(),
            };
            problems.push(
                &at,
                format!("`{spec_key}` expects {expects}, found {}", describe(value)),
            );
        }
    }
    point
}

fn latency(value: &Value) -> Option<LatencyInput> {
    match value {
        Value::Array(bounds) => match bounds.as_slice() {
            [start, end] => Some(LatencyInput::Range {
                start: integer(start)?,
                end: integer(end)?,
                inclusive: true,
            }),
            _ => None,
        },
        Value::Object(shape) if shape.len() == 2 => Some(LatencyInput::LogNormal {
            median: integer(shape.get("median")?)?,
            p99: integer(shape.get("p99")?)?,
        }),
        other => integer(other).map(LatencyInput::Fixed),
    }
}
