//! Configurations of the right shape with values right and wrong (proptest): the JSON reader
//! takes exactly the values of the right kind, into the fields they name, and rejects each wrong
//! one where it is, in words that name its key; what it takes is then judged by the spec's rules
//! (`never_panics.rs` checks those). Text near a valid document, a character off, is
//! answered too. A unit test, because it compares with the fields the builders hide.

use std::collections::BTreeMap;

use crate::spec::{LatencyInput, SpecInput, validate};
use crate::{Config, ConfigError, PointConfig};
use proptest::prelude::*;
use serde_json::{Value, json};

/// A value of the right kind for its key, with what the reader must make of it.
#[derive(Debug, Clone)]
enum Typed {
    Bool(bool),
    Int(i128),
    Float(f64),
    Text(String),
    Latency(LatencyInput),
    Hosts(Vec<String>),
    Points(BTreeMap<String, Given>),
}

/// A value as the document gives it.
#[derive(Debug, Clone)]
enum Given {
    Right(Value, Typed),
    Wrong(Value),
}

impl Given {
    fn value(&self) -> Value {
        match self {
            Given::Right(value, _) | Given::Wrong(value) => value.clone(),
        }
    }
}

/// What a key's value must be.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Bool,
    Integer,
    Number,
    Text,
    Latency,
    Hosts,
    UnknownPoints,
    Object,
}

/// The keys of a point, each with its kind.
const POINT_KEYS: [(&str, Kind); 21] = [
    ("enabled", Kind::Bool),
    ("latency_ms", Kind::Latency),
    ("cold_start_ms", Kind::Integer),
    ("status", Kind::Integer),
    ("error", Kind::Text),
    ("panic", Kind::Text),
    ("value", Kind::Bool),
    ("timeout_ms", Kind::Integer),
    ("timeout", Kind::Bool),
    ("timeout_buffer_ms", Kind::Integer),
    ("disk_fill_mb", Kind::Integer),
    ("deny_hosts", Kind::Hosts),
    ("aws_error", Kind::Text),
    ("aws_service", Kind::Text),
    ("aws_operations", Kind::Hosts),
    ("aws_region", Kind::Text),
    ("strip_cors", Kind::Bool),
    ("rate", Kind::Number),
    ("one_in", Kind::Integer),
    ("max_concurrency", Kind::Integer),
    ("when", Kind::Text),
];

const TOP_KEYS: [&str; 5] = ["enabled", "seed", "dry_run", "unknown_points", "points"];

fn integer() -> impl Strategy<Value = i128> {
    prop_oneof![
        -10i128..1_000,
        any::<i64>().prop_map(i128::from),
        any::<u64>().prop_map(i128::from),
    ]
}

fn int_value(n: i128) -> Value {
    match i64::try_from(n) {
        Ok(n) => Value::from(n),
        Err(_) => Value::from(u64::try_from(n).expect("generated within i64 or u64")),
    }
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![Just("before".into()), Just("after".into()), ".{0,8}"]
}

/// A value of any kind but `kind`.
fn wrong(kind: Kind) -> BoxedStrategy<Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        // Not an integer, in JSON as in Rust.
        (-1e6..1e6f64)
            .prop_filter("a fraction", |f| f.fract() != 0.0)
            .prop_map(Value::from),
        ".{0,8}".prop_map(Value::String),
        // Never a pair (a latency range) nor strings (hosts).
        any::<i64>().prop_map(|n| json!([n])),
        (any::<i64>(), any::<i64>(), any::<i64>()).prop_map(|(a, b, c)| json!([a, b, c])),
        // Never `{"median", "p99"}`.
        any::<i64>().prop_map(|n| json!({ "x": n })),
    ]
    .prop_filter("of another kind", move |value| {
        let right = match kind {
            Kind::Bool => value.is_boolean(),
            Kind::Integer | Kind::Latency => value.is_i64() || value.is_u64(),
            Kind::Number => value.is_number(),
            Kind::Text => value.is_string(),
            Kind::Hosts => false,
            Kind::UnknownPoints => value == "ignore" || value == "reject",
            Kind::Object => value.is_object(),
        };
        !right
    })
    .boxed()
}

/// A value of the right kind for `kind`, or (`wrongs`) now and then a wrong one.
fn given(kind: Kind, wrongs: bool) -> BoxedStrategy<Given> {
    let right: BoxedStrategy<Given> = match kind {
        Kind::Bool => any::<bool>()
            .prop_map(|b| Given::Right(Value::Bool(b), Typed::Bool(b)))
            .boxed(),
        Kind::Integer => integer()
            .prop_map(|n| Given::Right(int_value(n), Typed::Int(n)))
            .boxed(),
        // Exact in binary and in decimal, so the value read is the value written.
        Kind::Number => prop_oneof![
            (-2_048i32..6_144).prop_map(|n| f64::from(n) / 4_096.0),
            (-10i32..10).prop_map(f64::from),
        ]
        .prop_map(|f| {
            let value = if f.fract() == 0.0 {
                Value::from(f as i64)
            } else {
                Value::from(f)
            };
            Given::Right(value, Typed::Float(f))
        })
        .boxed(),
        Kind::Text => text()
            .prop_map(|s| Given::Right(Value::String(s.clone()), Typed::Text(s)))
            .boxed(),
        Kind::Latency => prop_oneof![
            integer().prop_map(|n| (int_value(n), LatencyInput::Fixed(n))),
            (integer(), integer()).prop_map(|(start, end)| (
                json!([int_value(start), int_value(end)]),
                LatencyInput::Range {
                    start,
                    end,
                    inclusive: true
                }
            )),
            (integer(), integer()).prop_map(|(median, p99)| (
                json!({ "median": int_value(median), "p99": int_value(p99) }),
                LatencyInput::LogNormal { median, p99 }
            )),
        ]
        .prop_map(|(value, latency)| match latency {
            // Refused by the reader, in JSON's words (`[min, max]`), before the spec rules.
            LatencyInput::Range { start, end, .. } if start > end => Given::Wrong(value),
            LatencyInput::LogNormal { median, p99 } if median <= 0 || p99 <= median => {
                Given::Wrong(value)
            }
            _ => Given::Right(value, Typed::Latency(latency)),
        })
        .boxed(),
        Kind::Hosts => proptest::collection::vec(
            prop_oneof![Just("*.example.com".to_string()), "[a-z*.:-]{0,10}"],
            0..4,
        )
        .prop_map(|hosts| Given::Right(json!(hosts), Typed::Hosts(hosts)))
        .boxed(),
        Kind::UnknownPoints => prop_oneof![Just("ignore"), Just("reject")]
            .prop_map(|s| Given::Right(Value::from(s), Typed::Text(s.into())))
            .boxed(),
        Kind::Object => points(wrongs).boxed(),
    };
    if wrongs {
        prop_oneof![4 => right, 1 => wrong(kind).prop_map(Given::Wrong)].boxed()
    } else {
        right
    }
}

/// A key that is none of `known`.
fn unknown_key(known: &'static [&'static str]) -> impl Strategy<Value = String> {
    prop_oneof![
        Just("rat".to_string()),
        Just("latency".to_string()),
        Just("Status".to_string()),
        "[a-z_]{1,12}",
    ]
    .prop_filter("unknown", move |key| !known.contains(&key.as_str()))
}

/// A point's object: some of its keys, and (`wrongs`) now and then one it does not have, or
/// something else than an object.
fn point(wrongs: bool) -> BoxedStrategy<Given> {
    let keys: Vec<BoxedStrategy<Option<(String, Given)>>> = POINT_KEYS
        .iter()
        .map(|&(key, kind)| {
            proptest::option::weighted(0.25, given(kind, wrongs))
                .prop_map(move |g| g.map(|g| (key.to_string(), g)))
                .boxed()
        })
        .collect();
    const NAMES: [&str; 21] = [
        "enabled",
        "latency_ms",
        "cold_start_ms",
        "status",
        "error",
        "panic",
        "value",
        "timeout_ms",
        "timeout",
        "timeout_buffer_ms",
        "disk_fill_mb",
        "deny_hosts",
        "aws_error",
        "aws_service",
        "aws_operations",
        "aws_region",
        "strip_cors",
        "rate",
        "one_in",
        "max_concurrency",
        "when",
    ];
    let unknown = proptest::collection::vec(
        (unknown_key(&NAMES), wrong(Kind::Object)),
        0..if wrongs { 2 } else { 1 },
    );
    let object = (keys, unknown).prop_map(|(keys, unknown)| {
        let mut entries: BTreeMap<String, Given> = keys.into_iter().flatten().collect();
        for (key, value) in unknown {
            entries.insert(key, Given::Wrong(value));
        }
        let value = Value::Object(
            entries
                .iter()
                .map(|(k, g)| (k.clone(), g.value()))
                .collect(),
        );
        Given::Right(value, Typed::Points(entries))
    });
    if wrongs {
        prop_oneof![6 => object, 1 => wrong(Kind::Object).prop_map(Given::Wrong)].boxed()
    } else {
        object.boxed()
    }
}

/// `"points"`: point names to points.
fn points(wrongs: bool) -> impl Strategy<Value = Given> {
    let name = prop_oneof![
        Just("a::b".to_string()),
        Just("shop::orders::create".to_string()),
        ".{0,10}",
    ];
    proptest::collection::btree_map(name, point(wrongs), 0..4).prop_map(|points| {
        let value = Value::Object(points.iter().map(|(k, g)| (k.clone(), g.value())).collect());
        Given::Right(value, Typed::Points(points))
    })
}

/// A whole document: some top-level keys; half the documents have wrong values here and there
/// (and keys that do not exist), the others none.
fn document() -> impl Strategy<Value = BTreeMap<String, Given>> {
    any::<bool>().prop_flat_map(document_with)
}

fn document_with(wrongs: bool) -> impl Strategy<Value = BTreeMap<String, Given>> {
    let kinds = [
        Kind::Bool,
        Kind::Integer,
        Kind::Bool,
        Kind::UnknownPoints,
        Kind::Object,
    ];
    let keys: Vec<BoxedStrategy<Option<(String, Given)>>> = TOP_KEYS
        .iter()
        .zip(kinds)
        .map(|(&key, kind)| {
            let value = if key == "seed" && wrongs {
                // A seed is a u64: a negative integer is of the wrong kind.
                prop_oneof![
                    4 => any::<u64>().prop_map(|n| Given::Right(Value::from(n), Typed::Int(n.into()))),
                    1 => (i64::MIN..0).prop_map(|n| Given::Wrong(Value::from(n))),
                    1 => wrong(Kind::Integer).prop_map(Given::Wrong),
                ]
                .boxed()
            } else if key == "seed" {
                any::<u64>()
                    .prop_map(|n| Given::Right(Value::from(n), Typed::Int(n.into())))
                    .boxed()
            } else {
                given(kind, wrongs)
            };
            proptest::option::weighted(0.6, value)
                .prop_map(move |g| g.map(|g| (key.to_string(), g)))
                .boxed()
        })
        .collect();
    let unknown = proptest::collection::vec(
        (unknown_key(&TOP_KEYS), wrong(Kind::Object)),
        0..if wrongs { 2 } else { 1 },
    );
    (keys, unknown).prop_map(|(keys, unknown)| {
        let mut entries: BTreeMap<String, Given> = keys.into_iter().flatten().collect();
        for (key, value) in unknown {
            entries.insert(key, Given::Wrong(value));
        }
        entries
    })
}

fn to_json(document: &BTreeMap<String, Given>) -> String {
    Value::Object(
        document
            .iter()
            .map(|(k, g)| (k.clone(), g.value()))
            .collect(),
    )
    .to_string()
}

/// A point's path in a problem, as `ConfigError::problems` documents it: `points."a::b"`.
fn point_path(name: &str) -> String {
    format!("points.{}", Value::String(name.to_string()))
}

/// What the reader must answer for `document`: the configuration, or the paths of the wrong
/// values (sorted).
fn expected(document: &BTreeMap<String, Given>) -> Result<Config, Vec<String>> {
    let mut config = Config::new();
    let mut wrong = Vec::new();
    for (key, given) in document {
        match (key.as_str(), given) {
            (_, Given::Wrong(_)) => wrong.push(key.clone()),
            ("enabled", Given::Right(_, Typed::Bool(b))) => config.enabled = Some(*b),
            ("dry_run", Given::Right(_, Typed::Bool(b))) => config.dry_run = Some(*b),
            ("seed", Given::Right(_, Typed::Int(n))) => config.seed = Some(*n as u64),
            ("unknown_points", Given::Right(_, Typed::Text(s))) => {
                config.ignore_unknown_points = Some(s == "ignore")
            }
            ("points", Given::Right(_, Typed::Points(points))) => {
                for (name, point) in points {
                    let path = point_path(name);
                    match point {
                        Given::Wrong(_) => wrong.push(path),
                        Given::Right(_, Typed::Points(entries)) => {
                            let mut read = PointConfig::new();
                            for (key, given) in entries {
                                match given {
                                    Given::Wrong(_) => wrong.push(format!("{path}.{key}")),
                                    Given::Right(_, typed) => set(&mut read, key, typed),
                                }
                            }
                            config.points.insert(name.clone(), read);
                        }
                        other => unreachable!("{other:?}"),
                    }
                }
            }
            other => unreachable!("{other:?}"),
        }
    }
    wrong.sort();
    if wrong.is_empty() {
        Ok(config)
    } else {
        Err(wrong)
    }
}

/// Sets the field `key` names, as the reader must.
fn set(point: &mut PointConfig, key: &str, typed: &Typed) {
    let spec: &mut SpecInput = &mut point.spec;
    match (key, typed.clone()) {
        ("enabled", Typed::Bool(b)) => point.enabled = Some(b),
        ("timeout", Typed::Bool(b)) => spec.timeout = Some(b),
        ("strip_cors", Typed::Bool(b)) => spec.strip_cors = Some(b),
        ("value", Typed::Bool(b)) => spec.value = Some(b),
        ("latency_ms", Typed::Latency(l)) => spec.latency_ms = Some(l),
        ("cold_start_ms", Typed::Int(n)) => spec.cold_start_ms = Some(n),
        ("status", Typed::Int(n)) => spec.status = Some(n),
        ("timeout_ms", Typed::Int(n)) => spec.timeout_ms = Some(n),
        ("timeout_buffer_ms", Typed::Int(n)) => spec.timeout_buffer_ms = Some(n),
        ("disk_fill_mb", Typed::Int(n)) => spec.disk_fill_mb = Some(n),
        ("one_in", Typed::Int(n)) => spec.one_in = Some(n),
        ("max_concurrency", Typed::Int(n)) => spec.max_concurrency = Some(n),
        ("error", Typed::Text(s)) => spec.error = Some(s),
        ("panic", Typed::Text(s)) => spec.panic = Some(s),
        ("when", Typed::Text(s)) => spec.when = Some(s),
        ("rate", Typed::Float(f)) => spec.rate = Some(f),
        ("deny_hosts", Typed::Hosts(h)) => spec.deny_hosts = Some(h),
        ("aws_operations", Typed::Hosts(h)) => spec.aws_operations = Some(h),
        ("aws_error", Typed::Text(s)) => spec.aws_error = Some(s),
        ("aws_service", Typed::Text(s)) => spec.aws_service = Some(s),
        ("aws_region", Typed::Text(s)) => spec.aws_region = Some(s),
        other => unreachable!("{other:?}"),
    }
}

fn problems(error: &ConfigError) -> Vec<(String, String)> {
    error
        .problems()
        .map(|(path, message)| (path.to_string(), message.to_string()))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn right_values_are_read_and_wrong_ones_rejected_where_they_are(document in document()) {
        let json = to_json(&document);
        match (Config::from_json(&json), expected(&document)) {
            (Ok(config), Ok(expected)) => {
                prop_assert_eq!(&config, &expected, "{}", json);
                // What was read is judged by the spec's rules: each point's values alone are a
                // spec input like any other (`never_panics.rs` checks what `validate` answers).
                for point in config.points.values() {
                    if let Ok(spec) = validate(&point.spec) {
                        prop_assert_eq!(validate(&spec.to_input()), Ok(spec));
                    }
                }
                // No point is compiled into this test: each named point is rejected by its
                // name, at its path, unless unknown points are to be ignored.
                match config.validate() {
                    Ok(()) => prop_assert!(
                        config.points.is_empty() || config.ignore_unknown_points == Some(true)
                    ),
                    Err(error) => {
                        prop_assert_ne!(config.ignore_unknown_points, Some(true));
                        let found = problems(&error);
                        prop_assert_eq!(found.len(), config.points.len(), "{}", error);
                        for ((path, message), name) in found.iter().zip(config.points.keys()) {
                            prop_assert_eq!(path, &point_path(name));
                            prop_assert!(
                                message.contains(&format!("no injection point is named `{}`", crate::spec::shown(name))),
                                "{}", message
                            );
                        }
                    }
                }
            }
            (Err(error), Err(wrong)) => {
                let mut found = problems(&error);
                found.sort();
                let paths: Vec<&String> = found.iter().map(|(path, _)| path).collect();
                prop_assert_eq!(paths, wrong.iter().collect::<Vec<_>>(), "{}", json);
                for (path, message) in &found {
                    prop_assert!(!message.is_empty(), "at {}", path);
                    // A problem with a key's value names the key; a misplaced object or
                    // non-object says what was expected at its path.
                    let key = path.rsplit('.').next().unwrap();
                    if !path.ends_with('"') && key != "points" {
                        prop_assert!(message.contains(&format!("`{key}`")), "at {}: {}", path, message);
                    }
                }
            }
            (read, expected) => prop_assert!(
                false,
                "{}: read {:?}, expected {:?}",
                json,
                read,
                expected
            ),
        }
    }

    #[test]
    fn a_document_a_character_off_is_answered(
        document in document(),
        at in any::<prop::sample::Index>(),
        edit in prop_oneof![Just(None), any::<char>().prop_map(Some)],
    ) {
        let json = to_json(&document);
        let mut chars: Vec<char> = json.chars().collect();
        let at = at.index(chars.len());
        match edit {
            None => { chars.remove(at); }
            Some(c) => chars.insert(at, c),
        }
        let text: String = chars.into_iter().collect();
        let read = Config::from_json(&text);
        if serde_json::from_str::<Value>(&text).is_err() {
            let error = read.expect_err("not JSON");
            let found = problems(&error);
            prop_assert_eq!(found.len(), 1, "{}", error);
            prop_assert_eq!(found[0].0.as_str(), "");
            prop_assert!(found[0].1.starts_with("malformed JSON"), "{}", found[0].1);
        } else if let Err(error) = read {
            prop_assert!(error.problems().all(|(_, message)| !message.is_empty()));
        }
    }
}

/// The property above holds of a reader that rejects everything only if the generator never
/// makes a valid document: it makes both, often.
#[test]
fn the_generator_makes_documents_both_read_and_rejected() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = document();
    let (mut read, mut rejected) = (0, 0);
    for _ in 0..400 {
        let document = strategy.new_tree(&mut runner).unwrap().current();
        match expected(&document) {
            Ok(config) if !config.points.is_empty() => read += 1,
            Ok(_) => {}
            Err(_) => rejected += 1,
        }
    }
    assert!(
        read >= 40 && rejected >= 40,
        "{read} read, {rejected} rejected"
    );
}
