//! Arbitrary input thrown at the parsers and the spec rules: they must answer, never panic.

use chaos_core::spec::{LatencyInput, SpecInput, validate};
use proptest::prelude::*;

fn any_number() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-0.0),
        -2.0..2.0f64
    ]
}

fn any_int() -> impl Strategy<Value = i128> {
    prop_oneof![
        any::<i128>(),
        -10i128..1_000,
        Just(i128::MAX),
        Just(i128::MIN)
    ]
}

fn any_spec() -> impl Strategy<Value = SpecInput> {
    let latency = prop_oneof![
        any_int().prop_map(LatencyInput::Fixed),
        (any_int(), any_int(), any::<bool>()).prop_map(|(start, end, inclusive)| {
            LatencyInput::Range {
                start,
                end,
                inclusive,
            }
        }),
        (any_int(), any_int()).prop_map(|(median, p99)| LatencyInput::LogNormal { median, p99 }),
    ];
    (
        proptest::option::of(latency),
        proptest::option::of(any_int()),
        proptest::option::of(".*"),
        proptest::option::of(".*"),
        proptest::option::of(any_number()),
        proptest::option::of(any_int()),
        proptest::option::of(any_int()),
        proptest::option::of(prop_oneof![
            Just("before".to_string()),
            Just("after".to_string()),
            ".*"
        ]),
        proptest::option::of(any_int()),
        proptest::option::of(any_int()),
        (
            proptest::option::of(any::<bool>()),
            proptest::option::of(any_int()),
            proptest::option::of(any_int()),
            proptest::option::of(proptest::collection::vec(
                prop_oneof![
                    Just("*".to_string()),
                    Just("*.example.com".to_string()),
                    "[a-z*.:/\\[\\] -]{0,12}",
                    ".*"
                ],
                0..4,
            )),
        ),
    )
        .prop_map(
            |(
                latency_ms,
                status,
                error,
                panic,
                rate,
                one_in,
                cold_start_ms,
                when,
                max_concurrency,
                timeout_ms,
                (timeout, timeout_buffer_ms, disk_fill_mb, deny_hosts),
            )| {
                SpecInput {
                    latency_ms,
                    status,
                    error,
                    panic,
                    rate,
                    one_in,
                    cold_start_ms,
                    when,
                    max_concurrency,
                    timeout_ms,
                    timeout,
                    timeout_buffer_ms,
                    disk_fill_mb,
                    deny_hosts,
                }
            },
        )
}

proptest! {
    #[test]
    fn spec_rules_answer_every_input(input in any_spec()) {
        match validate(&input) {
            Ok(spec) => {
                // What passes is what the rules promise.
                match spec.latency() {
                    Some(chaos_core::spec::Latency::Uniform { min_ms, max_ms }) => prop_assert!(min_ms <= max_ms),
                    Some(chaos_core::spec::Latency::LogNormal { median_ms, p99_ms }) => {
                        prop_assert!(0 < median_ms && median_ms < p99_ms)
                    }
                    None => {}
                }
            }
            Err(errors) => prop_assert!(!errors.is_empty()),
        }
    }

    #[test]
    fn overlay_then_validate_answers_every_input(base in any_spec(), over in any_spec()) {
        let _ = validate(&base.overlay(&over));
    }
}

#[cfg(feature = "runtime")]
mod json {
    use chaos_core::Config;
    use proptest::prelude::*;
    use serde_json::Value;

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_filter("JSON has no NaN", |f| f.is_finite())
                .prop_map(Value::from),
            prop_oneof![
                Just("enabled"),
                Just("seed"),
                Just("dry_run"),
                Just("points"),
                Just("rate"),
                Just("status"),
                Just("latency_ms"),
                Just("one_in"),
                Just("error"),
                Just("panic")
            ]
            .prop_map(|s| Value::String(s.to_string())),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            let key = prop_oneof![
                Just("enabled".to_string()),
                Just("seed".to_string()),
                Just("dry_run".to_string()),
                Just("points".to_string()),
                Just("rate".to_string()),
                Just("status".to_string()),
                Just("latency_ms".to_string()),
                Just("one_in".to_string()),
                Just("error".to_string()),
                Just("panic".to_string()),
                Just("timeout".to_string()),
                Just("timeout_buffer_ms".to_string()),
                Just("disk_fill_mb".to_string()),
                Just("deny_hosts".to_string()),
                ".*"
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(key, inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_text_is_answered(text in ".*") {
            let _ = Config::from_json(&text);
        }

        #[test]
        fn arbitrary_json_is_answered_and_validated(value in any_json()) {
            if let Ok(config) = Config::from_json(&value.to_string()) {
                // No point is compiled into this test: every named point is unknown, and the
                // error must say so rather than panic.
                let validated = config.validate();
                prop_assert_eq!(validated.is_ok(), config.points.is_empty());
            }
        }
    }
}
