//! Run-time control through the API: switching, loading, overriding, dry runs, stats, events.
//! These tests change process-wide state, so they run one at a time (see `exclusive`).
#![cfg(feature = "enabled")]

mod captured;

use std::sync::{Mutex, MutexGuard};

use captured::logged;
use chaos::{Config, Fault, PointConfig, chaos};

type Error = Box<dyn std::error::Error + Send + Sync>;

fn exclusive() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let inherited: Vec<String> = std::env::vars()
        .map(|(name, _)| name)
        .filter(|name| name.starts_with("CHAOS_"))
        .collect();
    assert!(
        inherited.is_empty(),
        "these tests set chaos up through the API; unset {inherited:?} to run them"
    );
    chaos::reset();
    guard
}

#[chaos(error = "declared", rate = 1.0, name = "control::always")]
fn always() -> Result<u32, Error> {
    Ok(1)
}

#[chaos(status = 503, rate = 0.0, name = "control::never")]
fn never() -> Result<u32, Error> {
    Ok(1)
}

#[chaos(latency_ms = 1, rate = 0.0, name = "control::latency_only")]
fn latency_only() -> u32 {
    3
}

#[chaos(error = "seeded", rate = 0.5, name = "control::coin")]
fn coin() -> Result<u32, Error> {
    Ok(1)
}

#[chaos(error = "seeded", rate = 0.5, name = "control::other_coin")]
fn other_coin() -> Result<u32, Error> {
    Ok(1)
}

fn fault_of(result: Result<u32, Error>) -> Option<Fault> {
    result
        .err()
        .map(|e| *e.downcast::<Fault>().expect("an injected fault"))
}

fn faulted(result: Result<u32, Error>) -> bool {
    fault_of(result).is_some()
}

#[test]
fn set_enabled_switches_every_point() {
    let _serial = exclusive();
    assert!(faulted(always()));
    chaos::set_enabled(false);
    assert!((0..100).all(|_| !faulted(always())));
    chaos::set_enabled(true);
    assert!(faulted(always()));
}

#[test]
fn a_configuration_overrides_points_by_name() {
    let _serial = exclusive();
    chaos::configure_json(
        r#"{"points": {"control::never": {"rate": 1.0, "status": 429},
                        "control::always": {"enabled": false}}}"#,
    )
    .unwrap();
    assert_eq!(fault_of(never()).unwrap().status(), Some(429));
    assert!(!faulted(always()));
    chaos::reset();
    assert!(!faulted(never()));
    assert!(faulted(always()));
}

#[test]
fn a_rejected_configuration_turns_injection_off_until_a_valid_one() {
    let _serial = exclusive();
    assert!(faulted(always()));
    let error =
        chaos::configure_json(r#"{"points": {"control::always": {"rate": "high"}}}"#).unwrap_err();
    assert_eq!(
        error.to_string(),
        "at points.\"control::always\".rate: `rate` expects a probability between 0.0 and 1.0, such as `0.1`, found the string \"high\""
    );
    assert!(
        (0..100).all(|_| !faulted(always())),
        "faults after a rejected configuration"
    );
    chaos::configure(Config::new()).unwrap();
    assert!(faulted(always()));
}

#[test]
fn each_kind_of_bad_input_is_rejected_with_where_and_what() {
    let _serial = exclusive();
    let cases = [
        (
            "{",
            "malformed JSON: EOF while parsing an object at line 1 column 1",
        ),
        (
            "[1]",
            "expected a JSON object at the top level, found an array",
        ),
        (
            r#"{"enabeld": true}"#,
            "at enabeld: unknown key `enabeld`; did you mean `enabled`?",
        ),
        (
            r#"{"seed": "forty-two"}"#,
            "at seed: `seed` expects an integer from 0 to 18446744073709551615, found the string \"forty-two\"",
        ),
        (r#"{"seed": -1}"#, "at seed: `seed` expects an integer"),
        (
            r#"{"points": {"nope::nothing": {"rate": 0.5}}}"#,
            "no injection point is named `nope::nothing`",
        ),
        (
            r#"{"points": {"control::never": {"rat": 0.5}}}"#,
            "at points.\"control::never\".rat: unknown key `rat`; did you mean `rate`?",
        ),
        (
            r#"{"points": {"control::never": {"status": 99}}}"#,
            "`status` must be an HTTP status code in 100..=599, found 99",
        ),
        (
            r#"{"points": {"control::never": {"latency_ms": [500, 100]}}}"#,
            "at points.\"control::never\".latency_ms: `latency_ms` range [500, 100] is inverted: write the smaller bound first, as in [100, 500]",
        ),
        (
            r#"{"points": {"control::never": {"latency_ms": [1, 2, 3]}}}"#,
            "`latency_ms` expects an integer number of milliseconds, a range `[min, max]`, or `{\"median\": ms, \"p99\": ms}`, found an array",
        ),
        (
            r#"{"points": {"control::never": {"one_in": 0}}}"#,
            "`one_in` must be an integer >= 1",
        ),
        (
            r#"{"points": {"control::never": {"latency_ms": {"median": 800, "p99": 100}}}}"#,
            "`latency_ms` {\"median\": 800, \"p99\": 100} needs a median above 0 and a p99 above the median, as in {\"median\": 100, \"p99\": 800}",
        ),
        (
            r#"{"points": {"control::never": {"cold_start_ms": -5}}}"#,
            "`cold_start_ms` must be a non-negative number of milliseconds, found -5",
        ),
        (
            r#"{"points": {"control::never": {"cold_start_ms": "long"}}}"#,
            "`cold_start_ms` expects an integer number of milliseconds, found the string \"long\"",
        ),
        (
            r#"{"points": {"control::never": {"when": "later"}}}"#,
            "`when` must be \"before\" or \"after\", found \"later\"",
        ),
        (
            r#"{"points": {"control::never": {"timeout_ms": 0}}}"#,
            "`timeout_ms` must be a number of milliseconds from 1 to",
        ),
        (
            r#"{"points": {"control::latency_only": {"timeout_ms": 900}}}"#,
            "`timeout_ms` cannot be given to `control::latency_only`",
        ),
        (
            r#"{"points": {"control::limited": {"max_concurrency": 0}}}"#,
            "`max_concurrency` must be an integer >= 1",
        ),
        (
            r#"{"points": {"control::latency_only": {"max_concurrency": 2}}}"#,
            "`max_concurrency` cannot be given to `control::latency_only`",
        ),
        // Its return type carries a fault, but its calls hold no place in flight to count.
        (
            r#"{"points": {"control::never": {"max_concurrency": 2}}}"#,
            "at points.\"control::never\".max_concurrency: `max_concurrency` cannot be given to `control::never` at run time: its attribute declares none",
        ),
        (
            r#"{"points": {"control::never": {"enabled": "yes"}}}"#,
            "`enabled` expects `true` or `false`",
        ),
        (
            r#"{"points": {"control::never": 5}}"#,
            "expected an object of attribute keys, found the number 5",
        ),
        // serde_json alone keeps the last of two keys, silently.
        (
            r#"{"enabled": false, "enabled": true}"#,
            "at enabled: duplicate key `enabled`",
        ),
        (
            r#"{"points": {"control::never": {"rate": 1, "rate": 0}}}"#,
            "at points.\"control::never\".rate: duplicate key `rate`",
        ),
        // `-0` is 0 (serde_json reads it as the float -0.0).
        (
            r#"{"points": {"control::never": {"status": -0}}}"#,
            "`status` must be an HTTP status code in 100..=599, found 0",
        ),
        (
            r#"{"enabled": -0}"#,
            "`enabled` expects `true` or `false`, found the number 0",
        ),
    ];
    for (json, expected) in cases {
        let error = chaos::configure_json(json).unwrap_err().to_string();
        assert!(
            error.contains(expected),
            "{json}\n  gave: {error}\n  want: {expected}"
        );
    }
    let missing = chaos::configure_file("/nonexistent/chaos.json")
        .unwrap_err()
        .to_string();
    assert!(
        missing.starts_with("cannot read /nonexistent/chaos.json:"),
        "{missing}"
    );
}

#[test]
fn a_document_shared_by_several_binaries_may_ignore_points_this_one_lacks() {
    let _serial = exclusive();
    let shared = r#"{"points": {"other_function::handler": {"rate": 1.0},
                                "control::never": {"rate": 1.0}}}"#;
    let error = chaos::configure_json(shared).unwrap_err().to_string();
    assert!(error.contains("no injection point is named `other_function::handler`"));
    let shared = shared.replacen('{', r#"{"unknown_points": "ignore", "#, 1);
    chaos::configure_json(&shared).unwrap();
    assert!(faulted(never()), "the point this binary has is configured");
    let error = chaos::configure_json(r#"{"unknown_points": "skip"}"#)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(r#"`unknown_points` expects "reject" (the default) or "ignore", found the string "skip""#),
        "{error}"
    );
    chaos::reset();
}

#[test]
fn override_guards_restore_what_was_there_in_any_order() {
    let _serial = exclusive();
    let first = chaos::override_point("control::never", PointConfig::new().rate(1.0)).unwrap();
    assert_eq!(fault_of(never()).unwrap().status(), Some(503));
    let second = chaos::override_point("control::never", PointConfig::new().status(418)).unwrap();
    assert_eq!(fault_of(never()).unwrap().status(), Some(418));
    drop(first);
    // The second override alone: status 418, but the rate is the attribute's 0.0 again.
    assert!(!faulted(never()));
    drop(second);
    assert!(!faulted(never()));
    assert!(chaos::override_point("control::nope", PointConfig::new().rate(1.0)).is_err());
}

#[test]
fn a_run_time_panic_reaches_points_without_a_declared_outcome() {
    let _serial = exclusive();
    let _guard = chaos::override_point(
        "control::latency_only",
        PointConfig::new().rate(1.0).panic("configured at run time"),
    )
    .unwrap();
    let payload = std::panic::catch_unwind(latency_only).unwrap_err();
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(message.contains("configured at run time"), "{message}");
}

#[test]
fn dry_run_decides_and_counts_but_injects_nothing() {
    let _serial = exclusive();
    let before = point_stats("control::always");
    chaos::configure(Config::new().dry_run(true)).unwrap();
    assert!((0..10).all(|_| !faulted(always())));
    chaos::reset();
    assert!(faulted(always()));
    let after = point_stats("control::always");
    assert_eq!(after.dry_run - before.dry_run, 10);
    assert_eq!(after.error - before.error, 1);
}

fn point_stats(name: &str) -> chaos::PointStats {
    chaos::stats()
        .into_iter()
        .find(|s| s.point == name)
        .unwrap()
}

#[test]
fn stats_count_injected_faults_by_kind() {
    let _serial = exclusive();
    let before = point_stats("control::never");
    let _guard = chaos::override_point("control::never", PointConfig::new().one_in(2)).unwrap();
    for _ in 0..10 {
        let _ = never();
    }
    let after = point_stats("control::never");
    assert_eq!(after.status - before.status, 5);
    assert_eq!(after.injected() - before.injected(), 5);
}

#[test]
fn a_seed_makes_each_points_decisions_repeat_and_independent_of_other_points() {
    let _serial = exclusive();
    let run = |interleave: bool| -> Vec<bool> {
        // Changing the seed restarts every point's stream.
        chaos::configure(Config::new().seed(1)).unwrap();
        chaos::configure(Config::new().seed(7)).unwrap();
        (0..64)
            .map(|_| {
                if interleave {
                    let _ = other_coin();
                }
                faulted(coin())
            })
            .collect()
    };
    let alone = run(false);
    assert_eq!(alone, run(false));
    assert_eq!(
        alone,
        run(true),
        "another point's calls changed this point's decisions"
    );
    assert!(alone.contains(&true) && alone.contains(&false), "{alone:?}");
    chaos::configure(Config::new().seed(8)).unwrap();
    let other_seed: Vec<bool> = (0..64).map(|_| faulted(coin())).collect();
    assert_ne!(alone, other_seed);
}

#[test]
fn the_kill_switch_wins_over_a_task_scope() {
    let _serial = exclusive();
    let scope =
        chaos::Scope::new(Config::new().point("control::never", PointConfig::new().rate(1.0)))
            .unwrap();
    assert!(scope.run_sync(|| faulted(never())));
    chaos::set_enabled(false);
    assert!(!scope.run_sync(|| faulted(never())));
}

#[test]
fn a_rejection_is_one_escaped_line_with_a_bounded_list_of_problems() {
    let _serial = exclusive();
    let forged = r#"{"points": {"x\nchaos: forged\u0000": {}}}"#;
    let keys: Vec<String> = (0..100).map(|i| format!("\"k{i}\": 1")).collect();
    let many = format!("{{{}}}", keys.join(", "));
    let ((forged, many), text) = logged(|| {
        (
            chaos::configure_json(forged).unwrap_err(),
            chaos::configure_json(&many).unwrap_err(),
        )
    });
    chaos::configure(Config::new()).unwrap();
    let forged = forged.to_string();
    assert!(
        forged.contains(r#"no injection point is named `x\nchaos: forged\0`"#),
        "{forged}"
    );
    // The caller gets every problem; what is shown is bounded.
    assert_eq!(many.problems().count(), 100);
    let shown = many.to_string();
    assert!(shown.ends_with("; ... and 80 more problems"), "{shown}");
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        !text.lines().any(|l| l.starts_with("chaos: forged")),
        "{text}"
    );
    assert!(!text.contains('\0'), "{text:?}");
    assert!(text.contains(r"x\nchaos: forged\0"), "{text}");
    assert!(text.contains("; ... and 80 more problems"), "{text}");
}

#[test]
fn every_injected_fault_emits_a_tracing_event() {
    let _serial = exclusive();
    let _guard = chaos::override_point(
        "control::never",
        PointConfig::new().rate(1.0).latency_ms(0).status(503),
    )
    .unwrap();
    let ((), text) = logged(|| {
        let _ = never();
    });
    assert!(text.contains(" chaos: chaos fault injected"), "{text}");
    assert!(text.contains("point=\"control::never\""), "{text}");
    assert!(text.contains("kind=\"status\""), "{text}");
    assert!(text.contains("status=503"), "{text}");
    assert!(text.contains("latency_ms=0"), "{text}");
}

#[test]
fn off_wins_from_any_layer() {
    let _serial = exclusive();
    chaos::set_enabled(true);
    chaos::configure(Config::new().enabled(false)).unwrap();
    assert!(
        !faulted(always()),
        "a configuration saying off is obeyed after set_enabled(true)"
    );
    chaos::configure(Config::new().enabled(true)).unwrap();
    chaos::set_enabled(false);
    assert!(
        !faulted(always()),
        "set_enabled(false) is obeyed over a configuration saying on"
    );
}

#[test]
fn an_override_turns_on_a_point_the_configuration_turned_off() {
    let _serial = exclusive();
    chaos::configure_json(r#"{"points": {"control::never": {"enabled": false}}}"#).unwrap();
    let guard = chaos::override_point("control::never", PointConfig::new().rate(1.0)).unwrap();
    assert!(faulted(never()));
    drop(guard);
    let _off = chaos::override_point(
        "control::never",
        PointConfig::new().rate(1.0).enabled(false),
    )
    .unwrap();
    assert!(!faulted(never()));
}

#[test]
fn a_process_wide_dry_run_applies_inside_scopes_too() {
    let _serial = exclusive();
    chaos::configure(Config::new().dry_run(true)).unwrap();
    let scope =
        chaos::Scope::new(Config::new().point("control::never", PointConfig::new().rate(1.0)))
            .unwrap();
    assert!(!scope.run_sync(|| faulted(never())));
}

#[test]
fn after_switching_off_no_thread_injects_however_the_refreshes_raced() {
    let _serial = exclusive();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|s| {
        for _ in 0..3 {
            s.spawn(|| {
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let _ = always();
                }
            });
        }
        // Many configuration changes while three threads refresh the same point.
        for i in 0..2_000 {
            chaos::set_enabled(i % 2 == 0);
        }
        chaos::set_enabled(false);
        // Every thread's next calls see the last change.
        let leaked = (0..1_000).filter(|_| faulted(always())).count();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert_eq!(leaked, 0);
    });
    let after: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..3)
            .map(|_| s.spawn(|| (0..1_000).filter(|_| faulted(always())).count()))
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    assert_eq!(
        after, 0,
        "a point kept an older configuration after the last change"
    );
}

#[test]
fn a_latency_override_replaces_the_declared_fault_and_the_body_runs() {
    let _serial = exclusive();
    let before = point_stats("control::never");
    // `control::never` declares `status = 503`: a `latency_ms` override replaces the whole fault,
    // so the call is delayed and then runs its body.
    let _guard =
        chaos::override_point("control::never", PointConfig::new().rate(1.0).latency_ms(1))
            .unwrap();
    assert_eq!(never().unwrap(), 1);
    let after = point_stats("control::never");
    assert_eq!(after.latency_only - before.latency_only, 1);
    assert_eq!(after.status, before.status);
}

#[chaos(cold_start_ms = 1, name = "control::cold")]
fn cold() -> u32 {
    4
}

#[test]
fn a_cold_start_is_the_first_call_only_and_not_while_switched_off() {
    let _serial = exclusive();
    chaos::set_enabled(false);
    assert_eq!(cold(), 4);
    chaos::set_enabled(true);
    assert_eq!(cold(), 4);
    // The first call happened while chaos was off: the point is warm, no cold start ever.
    assert_eq!(point_stats("control::cold").cold_start, 0);
}

#[chaos(max_concurrency = 1, name = "control::limited")]
fn limited(depth: u32) -> Result<u32, Fault> {
    // The nested call is the second in flight.
    if depth > 0 { limited(depth - 1) } else { Ok(0) }
}

#[test]
fn the_throttle_follows_the_switch_the_dry_run_and_scopes() {
    let _serial = exclusive();
    assert_eq!(limited(1).unwrap_err().status(), Some(429));
    chaos::set_enabled(false);
    assert_eq!(limited(1), Ok(0), "switched off: no throttle");
    chaos::set_enabled(true);
    chaos::configure(Config::new().dry_run(true)).unwrap();
    assert_eq!(limited(1), Ok(0), "dry run: counted, not throttled");
    // The declared limit, changed at run time.
    chaos::configure(
        Config::new().point("control::limited", PointConfig::new().max_concurrency(2)),
    )
    .unwrap();
    assert_eq!(limited(1), Ok(0), "room for two");
    assert_eq!(limited(2).unwrap_err().status(), Some(429), "not for three");
    chaos::reset();
    let roomy = chaos::Scope::new(
        Config::new().point("control::limited", PointConfig::new().enabled(false)),
    )
    .unwrap();
    assert_eq!(
        roomy.run_sync(|| limited(1)),
        Ok(0),
        "a scope turning the point off"
    );
    let stats = point_stats("control::limited");
    assert!(stats.dry_run >= 1 && stats.throttled >= 1, "{stats:?}");
}
