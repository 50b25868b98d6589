//! The JSON form of a [`Config`]: every problem reported with where it is, in the words of
//! `spec` for the values.

use serde_json::{Map, Value};

use super::error::point_path;
use crate::config::{Config, ConfigError, PointConfig, Problems};
use crate::spec::{self, Key, LatencyInput};

/// The largest configuration document read, from a file or a remote source: a configuration is a
/// few kilobytes, and a path that names something else (a device, a log) must not stall anything.
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 1 << 20;

impl Config {
    /// Reads a configuration from JSON, reporting every problem with where it is.
    pub fn from_json(json: &str) -> Result<Config, ConfigError> {
        let value: Value = serde_json::from_str(json)
            .map_err(|e| ConfigError::one("", format!("malformed JSON: {e}")))?;
        let mut problems = Problems::default();
        let config = read_config(&value, &mut problems);
        problems.into_result(config)
    }
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
/// A point's keys: `enabled`, and every attribute key but `name` (a point's name is its own).
fn point_keys() -> Vec<&'static str> {
    std::iter::once("enabled")
        .chain(
            Key::ALL
                .into_iter()
                .filter(|key| *key != Key::Name)
                .map(Key::as_str),
        )
        .collect()
}

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
            other => problems.push(&path, spec::unknown_key(other, &TOP_KEYS)),
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
            problems.push(&at, spec::unknown_key(key, &point_keys()));
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
            Key::LatencyMs => match latency(value) {
                // Said here, in the document's own syntax; the spec rules would say `500..=100`.
                Some(LatencyInput::Range { start, end, .. }) if start > end => {
                    problems.push(
                        &at,
                        format!("`latency_ms` range [{start}, {end}] is inverted: write the smaller bound first, as in [{end}, {start}]"),
                    );
                    continue;
                }
                Some(LatencyInput::LogNormal { median, p99 }) if median <= 0 || p99 <= median => {
                    problems.push(
                        &at,
                        format!("`latency_ms` {{\"median\": {median}, \"p99\": {p99}}} needs a median above 0 and a p99 above the median, as in {{\"median\": 100, \"p99\": 800}}"),
                    );
                    continue;
                }
                read => read.map(|v| point.spec.latency_ms = Some(v)),
            },
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
