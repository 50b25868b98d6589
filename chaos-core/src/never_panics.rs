//! Arbitrary input thrown at the parsers and the spec rules: they must answer, never panic. A unit
//! test, because it reads a spec back as input (`FaultSpec::to_input`, not public).

use crate::spec::{Key, Latency, LatencyInput, SpecInput, validate};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

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

/// Any values at all, mostly out of range: what the rules must answer without panicking.
fn wild_spec() -> impl Strategy<Value = SpecInput> {
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
        (
            proptest::option::of(latency),
            proptest::option::of(any_int()),
            proptest::option::of(".*"),
            proptest::option::of(".*"),
            proptest::option::of(any_number()),
            proptest::option::of(any_int()),
            proptest::option::of(any_int()),
        ),
        (
            proptest::option::of(prop_oneof![
                Just("before".to_string()),
                Just("after".to_string()),
                ".*"
            ]),
            proptest::option::of(any_int()),
            proptest::option::of(any_int()),
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
            proptest::option::of(any::<bool>()),
        ),
        (
            proptest::option::of(prop_oneof![Just("throttling".to_string()), ".*"]),
            proptest::option::of(prop_oneof![
                Just("dynamodb".to_string()),
                "[a-zA-Z_-]{0,10}",
                ".*"
            ]),
            proptest::option::of(proptest::collection::vec(
                prop_oneof![Just("PutItem".to_string()), "[a-zA-Z_]{0,10}", ".*"],
                0..3,
            )),
            proptest::option::of(prop_oneof![
                Just("eu-west-1".to_string()),
                "[a-zA-Z0-9-]{0,12}",
                ".*"
            ]),
        ),
        proptest::option::of(any::<bool>()),
    )
        .prop_map(assemble)
}

/// The values of every key, in groups of seven, eight and four, and `value` (proptest's tuples
/// stop at twelve), made into a spec.
type Groups = (
    (
        Option<LatencyInput>,
        Option<i128>,
        Option<String>,
        Option<String>,
        Option<f64>,
        Option<i128>,
        Option<i128>,
    ),
    (
        Option<String>,
        Option<i128>,
        Option<i128>,
        Option<bool>,
        Option<i128>,
        Option<i128>,
        Option<Vec<String>>,
        Option<bool>,
    ),
    (
        Option<String>,
        Option<String>,
        Option<Vec<String>>,
        Option<String>,
    ),
    Option<bool>,
);

fn assemble(
    (
        (latency_ms, status, error, panic, rate, one_in, cold_start_ms),
        (
            when,
            max_concurrency,
            timeout_ms,
            timeout,
            timeout_buffer_ms,
            disk_fill_mb,
            deny_hosts,
            strip_cors,
        ),
        (aws_error, aws_service, aws_operations, aws_region),
        value,
    ): Groups,
) -> SpecInput {
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
        aws_error,
        aws_service,
        aws_operations,
        aws_region,
        strip_cors,
        value,
    }
}

/// A few keys each, with values mostly in range: specs that pass, often enough for what passes
/// to be checked (see `the_generator_makes_specs_that_pass`).
fn sane_spec() -> impl Strategy<Value = SpecInput> {
    use proptest::option::weighted;
    let latency = prop_oneof![
        (0i128..1_000).prop_map(LatencyInput::Fixed),
        (0i128..500, 0i128..1_000, any::<bool>()).prop_map(|(start, end, inclusive)| {
            LatencyInput::Range {
                start,
                end,
                inclusive,
            }
        }),
        (1i128..100, 50i128..1_000)
            .prop_map(|(median, p99)| LatencyInput::LogNormal { median, p99 }),
    ];
    let hosts = proptest::collection::vec(
        prop_oneof![Just("*"), Just("*.example.com"), Just("api.internal")].prop_map(String::from),
        1..3,
    );
    let p = 0.15;
    (
        (
            weighted(p, latency),
            weighted(p, 100i128..600),
            weighted(p, "[a-z ]{0,8}"),
            weighted(p, "[a-z ]{0,8}"),
            weighted(p, 0.0..=1.0f64),
            weighted(p, 1i128..100),
            weighted(p, 0i128..1_000),
        ),
        (
            weighted(
                p,
                prop_oneof![Just("before".to_string()), Just("after".to_string())],
            ),
            weighted(p, 1i128..10),
            weighted(p, 1i128..1_000),
            weighted(p, Just(true)),
            weighted(p, 0i128..1_000),
            weighted(p, 1i128..100),
            weighted(p, hosts),
            weighted(p, Just(true)),
        ),
        (
            weighted(
                p,
                prop_oneof![Just("throttling"), Just("access_denied"), Just("timeout")]
                    .prop_map(String::from),
            ),
            weighted(
                p,
                prop_oneof![Just("dynamodb"), Just("s3")].prop_map(String::from),
            ),
            weighted(
                p,
                proptest::collection::vec(
                    prop_oneof![Just("PutItem"), Just("GetItem")].prop_map(String::from),
                    1..3,
                ),
            ),
            weighted(p, Just("eu-west-1".to_string())),
        ),
        weighted(p, Just(true)),
    )
        .prop_map(assemble)
}

fn any_spec() -> BoxedStrategy<SpecInput> {
    // Boxed: the nested strategy types are deep enough to overflow a test thread's stack.
    prop_oneof![wild_spec().boxed(), sane_spec().boxed()].boxed()
}

/// The checks of what passes hold of rules that reject everything unless specs pass: half the
/// generated specs are sane, and many of those pass.
#[test]
fn the_generator_makes_specs_that_pass() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let strategy = sane_spec();
    let passed = (0..400)
        .filter(|_| validate(&strategy.new_tree(&mut runner).unwrap().current()).is_ok())
        .count();
    assert!(passed >= 100, "{passed} of 400 passed");
}

/// Whether `input` gives `key` (valid or not).
fn gives(input: &SpecInput, key: Key) -> bool {
    match key {
        Key::LatencyMs => input.latency_ms.is_some(),
        Key::Status => input.status.is_some(),
        Key::Error => input.error.is_some(),
        Key::Panic => input.panic.is_some(),
        Key::Rate => input.rate.is_some(),
        Key::OneIn => input.one_in.is_some(),
        Key::Name => false,
        Key::ColdStartMs => input.cold_start_ms.is_some(),
        Key::When => input.when.is_some(),
        Key::MaxConcurrency => input.max_concurrency.is_some(),
        Key::TimeoutMs => input.timeout_ms.is_some(),
        Key::Timeout => input.timeout.is_some(),
        Key::TimeoutBufferMs => input.timeout_buffer_ms.is_some(),
        Key::DiskFillMb => input.disk_fill_mb.is_some(),
        Key::DenyHosts => input.deny_hosts.is_some(),
        Key::AwsError => input.aws_error.is_some(),
        Key::AwsService => input.aws_service.is_some(),
        Key::AwsOperations => input.aws_operations.is_some(),
        Key::AwsRegion => input.aws_region.is_some(),
        Key::StripCors => input.strip_cors.is_some(),
        Key::Value => input.value.is_some(),
    }
}

/// Whether `message` names `key` as code: `` `rate` `` or `` `when = "after"` ``.
fn names(message: &str, key: Key) -> bool {
    let quoted = format!("`{key}");
    message.match_indices(&quoted).any(|(at, _)| {
        message[at + quoted.len()..]
            .chars()
            .next()
            .is_some_and(|c| !(c.is_alphanumeric() || c == '_'))
    })
}

/// What `validate` must answer for any input: a spec that is valid by the same rules when read
/// back as input, or errors that each name a key the input gives (in the key's own words), or
/// no key only when no fault at all is given.
fn check_answer(input: &SpecInput) -> Result<(), TestCaseError> {
    match validate(input) {
        Ok(spec) => {
            match spec.latency() {
                Some(Latency::Uniform { min_ms, max_ms }) => prop_assert!(min_ms <= max_ms),
                Some(Latency::LogNormal { median_ms, p99_ms }) => {
                    prop_assert!(0 < median_ms && median_ms < p99_ms)
                }
                None => {}
            }
            // What passed passes again, unchanged, read back as input (as a run-time override
            // is laid on it).
            prop_assert_eq!(validate(&spec.to_input()), Ok(spec));
        }
        Err(errors) => {
            prop_assert!(!errors.is_empty());
            for error in &errors {
                prop_assert!(!error.message().is_empty());
                match error.key() {
                    Some(key) => {
                        prop_assert!(gives(input, key), "{key} is not given: {error}");
                        prop_assert!(
                            names(error.message(), key),
                            "the message does not name `{key}`: {error}"
                        );
                    }
                    None => prop_assert!(
                        !Key::all()
                            .iter()
                            .any(|&k| k.declares_fault() && gives(input, k)),
                        "an error of no key, but a fault is given: {error}"
                    ),
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #[test]
    fn spec_rules_answer_every_input(input in any_spec()) {
        check_answer(&input)?;
    }

    #[test]
    fn overlay_then_validate_answers_every_input(base in any_spec(), over in any_spec()) {
        let merged = base.overlay(&over);
        // Whatever the override gives wins.
        macro_rules! given_wins {
            ($($field:ident),*) => {$(
                // Compared as printed: a NaN rate is the same NaN.
                if over.$field.is_some() {
                    prop_assert_eq!(
                        format!("{:?}", merged.$field),
                        format!("{:?}", over.$field),
                        "{}",
                        stringify!($field)
                    );
                }
            )*};
        }
        given_wins!(
            latency_ms, status, error, panic, rate, one_in, cold_start_ms, when, max_concurrency,
            timeout_ms, timeout, timeout_buffer_ms, disk_fill_mb, deny_hosts, aws_error, strip_cors,
            value
        );
        // The AWS selection is one group: naming any part replaces all three.
        if over.aws_service.is_some() || over.aws_operations.is_some() || over.aws_region.is_some() {
            prop_assert_eq!(&merged.aws_service, &over.aws_service);
            prop_assert_eq!(&merged.aws_operations, &over.aws_operations);
            prop_assert_eq!(&merged.aws_region, &over.aws_region);
        }
        // An override that gives nothing changes nothing.
        prop_assert_eq!(
            format!("{:?}", base.overlay(&SpecInput::default())),
            format!("{base:?}")
        );
        check_answer(&merged)?;
    }
}

#[cfg(feature = "runtime")]
mod json {
    use crate::Config;
    use proptest::prelude::*;
    use proptest::test_runner::TestCaseError;
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
                Just("strip_cors".to_string()),
                Just("value".to_string()),
                Just("aws_error".to_string()),
                Just("aws_service".to_string()),
                Just("aws_operations".to_string()),
                Just("aws_region".to_string()),
                ".*"
            ];
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                proptest::collection::btree_map(key, inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    /// A rejection lists at least one problem, each with a message.
    fn check_rejection(error: &crate::ConfigError) -> Result<(), TestCaseError> {
        prop_assert!(error.problems().next().is_some(), "{error}");
        for (path, message) in error.problems() {
            prop_assert!(!message.is_empty(), "at {path:?}");
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn arbitrary_text_is_answered(text in ".*") {
            match Config::from_json(&text) {
                // Only JSON text is read.
                Ok(_) => prop_assert!(serde_json::from_str::<Value>(&text).is_ok(), "{text:?}"),
                Err(error) => check_rejection(&error)?,
            }
        }

        #[test]
        fn arbitrary_json_is_answered_and_validated(value in any_json()) {
            match Config::from_json(&value.to_string()) {
                Ok(config) => {
                    // No point is compiled into this test: every named point is unknown, and the
                    // error must say so rather than panic.
                    let named = value["points"].as_object().map_or(0, |points| points.len());
                    let ignored = value["unknown_points"] == "ignore";
                    match config.validate() {
                        Ok(()) => prop_assert!(named == 0 || ignored),
                        Err(error) => {
                            check_rejection(&error)?;
                            prop_assert_eq!(error.problems().count(), named);
                        }
                    }
                }
                Err(error) => check_rejection(&error)?,
            }
        }
    }
}
