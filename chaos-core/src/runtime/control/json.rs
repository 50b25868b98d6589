//! The JSON form of a [`Config`]: every problem reported with where it is, in the words of
//! `spec` for the values.

use serde_json::{Map, Value};

use super::error::{key_path, point_path};
use super::strict;
use crate::config::{Config, ConfigError, PointConfig, Problems};
use crate::spec::{self, Key, LatencyInput};

/// The largest configuration document read, from a file or a remote source: a configuration is a
/// few kilobytes, and a path that names something else (a device, a log) must not stall anything.
pub(crate) const MAX_DOCUMENT_BYTES: u64 = 1 << 20;

impl Config {
    /// Reads a configuration from JSON, reporting every problem with where it is.
    pub fn from_json(json: &str) -> Result<Config, ConfigError> {
        let (value, duplicates) = strict::from_str(json)
            .map_err(|e| ConfigError::one("", format!("malformed JSON: {e}")))?;
        let mut problems = Problems::default();
        for (path, message) in duplicates {
            problems.push(&path, message);
        }
        let config = read_config(&value, &mut problems);
        problems.into_result(config)
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("`{b}`"),
        // `-0` is read as the float -0.0; it means 0.
        Value::Number(_) if negative_zero(value) => "the number 0".into(),
        Value::Number(n) => format!("the number {n}"),
        // Quoted as JSON quotes it, and cut: a string value can be as long as the document.
        Value::String(s) => {
            let (head, whole) = spec::cut(s);
            let more = if whole { "" } else { "…" };
            format!("the string {}{more}", Value::String(head.to_string()))
        }
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
        .or_else(|| negative_zero(value).then_some(0))
}

/// `-0` (or `-0.0`): serde_json reads it as a float, and it means 0, so an integer key takes it
/// as 0, and a key that refuses 0 says "found 0".
fn negative_zero(value: &Value) -> bool {
    value
        .as_f64()
        .is_some_and(|n| n == 0.0 && n.is_sign_negative())
}

/// A probability as a number, `-0` as 0.
fn float(value: &Value) -> Option<f64> {
    // -0.0 + 0.0 is 0.0: a rate of -0 is a rate of 0, and is shown so.
    value.as_f64().map(|n| n + 0.0)
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
        let path = key_path("", key);
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
            "seed" => match integer(value).and_then(|seed| u64::try_from(seed).ok()) {
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

/// An array of strings (`deny_hosts`, `aws_operations`), or `None` for anything else.
fn strings(value: &Value) -> Option<Vec<String>> {
    value
        .as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn read_point(value: &Value, path: &str, problems: &mut Problems) -> PointConfig {
    let mut point = PointConfig::default();
    let Some(map) = object(value, path, "an object of attribute keys", problems) else {
        return point;
    };
    for (key, value) in map {
        let at = key_path(path, key);
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
            Key::Rate => float(value).map(|v| point.spec.rate = Some(v)),
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
            Key::StripCors => value.as_bool().map(|v| point.spec.strip_cors = Some(v)),
            Key::Value => value.as_bool().map(|v| point.spec.value = Some(v)),
            Key::TimeoutBufferMs => integer(value).map(|v| point.spec.timeout_buffer_ms = Some(v)),
            Key::DiskFillMb => integer(value).map(|v| point.spec.disk_fill_mb = Some(v)),
            Key::DenyHosts => strings(value).map(|v| point.spec.deny_hosts = Some(v)),
            Key::AwsError => value
                .as_str()
                .map(|v| point.spec.aws_error = Some(v.to_string())),
            Key::AwsService => value
                .as_str()
                .map(|v| point.spec.aws_service = Some(v.to_string())),
            Key::AwsRegion => value
                .as_str()
                .map(|v| point.spec.aws_region = Some(v.to_string())),
            Key::AwsOperations => strings(value).map(|v| point.spec.aws_operations = Some(v)),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(json: &str) -> Vec<(String, String)> {
        Config::from_json(json)
            .unwrap_err()
            .problems()
            .map(|(p, m)| (p.to_string(), m.to_string()))
            .collect()
    }

    #[test]
    fn a_duplicate_key_is_a_problem_at_any_level() {
        let found = problems(r#"{"enabled": false, "enabled": true}"#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "enabled");
        assert!(
            found[0].1.starts_with("duplicate key `enabled`"),
            "{found:?}"
        );
        let found = problems(r#"{"points": {"a": {"rate": 1, "rate": 0}}}"#);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, r#"points."a".rate"#);
        assert!(found[0].1.starts_with("duplicate key `rate`"), "{found:?}");
        // Reported beside the document's other problems.
        let found = problems(r#"{"seed": 1, "seed": 2, "sede": 3}"#);
        assert_eq!(found.len(), 2, "{found:?}");
    }

    #[test]
    fn negative_zero_is_zero() {
        let config = Config::from_json(
            r#"{"seed": -0, "points": {"a": {"latency_ms": -0, "rate": -0.0, "status": -0}}}"#,
        )
        .unwrap();
        assert_eq!(config.seed, Some(0));
        let spec = &config.points["a"].spec;
        assert_eq!(spec.latency_ms, Some(LatencyInput::Fixed(0)));
        assert_eq!(
            spec.status,
            Some(0),
            "read as 0: the spec's rule then says `found 0`"
        );
        assert!(spec.rate.is_some_and(|r| r == 0.0 && r.is_sign_positive()));
        let found = problems(r#"{"enabled": -0}"#);
        assert_eq!(
            found[0].1,
            "`enabled` expects `true` or `false`, found the number 0"
        );
    }

    #[test]
    fn input_in_messages_is_escaped_and_cut() {
        let found =
            problems("{\"en\\nabled\": true, \"points\": {\"a\\u0000\": {\"ra\\u001bte\": 1}}}");
        let paths: Vec<&str> = found.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, [r"en\nabled", r#"points."a\u0000".ra\u{1b}te"#]);
        assert!(
            found[0].1.starts_with(r"unknown key `en\nabled`"),
            "{found:?}"
        );
        assert!(
            found[1].1.starts_with(r"unknown key `ra\u{1b}te`"),
            "{found:?}"
        );
        let long = "k".repeat(10_000);
        let found = problems(&format!(r#"{{"{long}": 1, "seed": "{long}"}}"#));
        for (path, message) in &found {
            assert!(path.len() < 200 && message.len() < 600, "{path}: {message}");
        }
    }
}
