//! `value = <expression>`: a faulted call returns the attribute's expression instead of running
//! the body (a configuration error), or, with `when = "after"`, instead of the body's result (a
//! wrong answer after the work was done). A configuration switches it on and off and changes its
//! rate; the expression itself is fixed at compile time. These tests change process-wide state,
//! so they run one at a time (see `exclusive`).
#![cfg(feature = "enabled")]

mod captured;
mod common;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};

use captured::logged;
use chaos::{Config, Fault, PointConfig, chaos};

fn exclusive() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    chaos::reset();
    guard
}

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(future)
}

fn point_stats(name: &str) -> chaos::PointStats {
    chaos::stats()
        .into_iter()
        .find(|s| s.point == name)
        .unwrap()
}

static TABLE_READS: AtomicU32 = AtomicU32::new(0);

/// A configuration error: the table name is wrong.
#[chaos(value = String::from("no-such-table"), rate = 1.0, name = "value::table_name")]
fn table_name() -> String {
    TABLE_READS.fetch_add(1, Ordering::SeqCst);
    String::from("orders")
}

#[test]
fn a_faulted_call_returns_the_value_and_the_body_does_not_run() {
    let _serial = exclusive();
    let reads = TABLE_READS.load(Ordering::SeqCst);
    let before = point_stats("value::table_name");
    for _ in 0..5 {
        assert_eq!(table_name(), "no-such-table");
    }
    assert_eq!(TABLE_READS.load(Ordering::SeqCst), reads, "the body ran");
    let after = point_stats("value::table_name");
    assert_eq!(after.value - before.value, 5);
    assert_eq!(after.injected() - before.injected(), 5);
    assert_eq!(after.error, before.error);
}

#[derive(Debug, Clone, PartialEq)]
struct Item(u32);

/// Corruption: a well-formed, wrong answer. The error type carries no `Fault`: `value` needs
/// none, since the expression is of the return type.
#[chaos(value = Ok(vec![]), one_in = 3, name = "value::list")]
async fn list() -> Result<Vec<Item>, std::io::Error> {
    tokio::task::yield_now().await;
    Ok(vec![Item(1), Item(2)])
}

#[test]
fn an_async_fn_returns_the_value_on_every_nth_call() {
    let _serial = exclusive();
    let answers: Vec<usize> = block_on(async {
        let mut answers = Vec::new();
        for _ in 0..9 {
            answers.push(list().await.unwrap().len());
        }
        answers
    });
    assert_eq!(answers, [2, 2, 0, 2, 2, 0, 2, 2, 0]);
}

static SAVED: AtomicU32 = AtomicU32::new(0);

/// The work is done, and the answer is wrong.
#[chaos(value = 0, when = "after", name = "value::save")]
fn save(amount: u32) -> u32 {
    SAVED.fetch_add(amount, Ordering::SeqCst);
    amount
}

#[chaos(value = Err(String::from("lost")), when = "after", name = "value::save_async")]
async fn save_async(amount: u32) -> Result<u32, String> {
    tokio::task::yield_now().await;
    if amount == 0 {
        return Ok(0);
    }
    SAVED.fetch_add(amount, Ordering::SeqCst);
    Ok(amount)
}

#[test]
fn when_after_the_body_runs_then_its_result_is_replaced() {
    let _serial = exclusive();
    let saved = SAVED.load(Ordering::SeqCst);
    assert_eq!(save(5), 0);
    assert_eq!(SAVED.load(Ordering::SeqCst), saved + 5, "the body ran");
    assert_eq!(block_on(save_async(7)), Err(String::from("lost")));
    assert_eq!(SAVED.load(Ordering::SeqCst), saved + 12, "the body ran");
    // An early `return` in the body is replaced too.
    assert_eq!(block_on(save_async(0)), Err(String::from("lost")));
}

static NEVER_RUNS: AtomicU32 = AtomicU32::new(0);

#[chaos(value = u64::MAX, rate = 0.0, name = "value::never")]
fn never(x: u64) -> u64 {
    NEVER_RUNS.fetch_add(1, Ordering::SeqCst);
    x * 2
}

#[test]
fn rate_zero_never_replaces_the_result() {
    let _serial = exclusive();
    let runs = NEVER_RUNS.load(Ordering::SeqCst);
    assert!((0..1000).all(|x| never(x) == x * 2));
    assert_eq!(NEVER_RUNS.load(Ordering::SeqCst), runs + 1000);
}

/// Off by default; switched on at run time.
#[chaos(value = -1, rate = 0.0, name = "value::switched")]
fn switched() -> i32 {
    1
}

#[test]
fn a_configuration_switches_it_on_and_off_and_changes_its_rate() {
    let _serial = exclusive();
    let answers = || (0..8).map(|_| switched()).collect::<Vec<i32>>();
    assert_eq!(answers(), [1; 8]);
    // The builder API.
    chaos::configure(Config::new().point("value::switched", PointConfig::new().value().rate(1.0)))
        .unwrap();
    assert_eq!(answers(), [-1; 8]);
    // JSON: off, then on again at every other call, then a rate alone keeps the declared value.
    chaos::configure_json(r#"{"points": {"value::switched": {"enabled": false}}}"#).unwrap();
    assert_eq!(answers(), [1; 8]);
    chaos::configure_json(r#"{"points": {"value::switched": {"value": true, "one_in": 2}}}"#)
        .unwrap();
    assert_eq!(answers(), [1, -1, 1, -1, 1, -1, 1, -1]);
    chaos::configure_json(r#"{"points": {"value::switched": {"rate": 1.0}}}"#).unwrap();
    assert_eq!(answers(), [-1; 8]);
    // Another fault replaces it: latency only, and the body runs.
    chaos::configure_json(r#"{"points": {"value::switched": {"rate": 1.0, "latency_ms": 0}}}"#)
        .unwrap();
    assert_eq!(answers(), [1; 8]);
    // The kill switch.
    chaos::configure_json(r#"{"enabled": false, "points": {"value::switched": {"rate": 1.0}}}"#)
        .unwrap();
    assert_eq!(answers(), [1; 8]);
    // An override, and a scope.
    chaos::reset();
    let guard =
        chaos::override_point("value::switched", PointConfig::new().value().rate(1.0)).unwrap();
    assert_eq!(switched(), -1);
    drop(guard);
    assert_eq!(switched(), 1);
    let scope =
        chaos::Scope::new(Config::new().point("value::switched", PointConfig::new().rate(1.0)))
            .unwrap();
    assert_eq!(scope.run_sync(switched), -1);
    assert_eq!(switched(), 1);
}

#[chaos(status = 503, rate = 0.0, name = "value::status_point")]
fn status_point() -> Result<u32, Fault> {
    Ok(1)
}

#[chaos(latency_ms = 1, rate = 0.0, name = "value::latency_point")]
fn latency_point() -> u32 {
    1
}

#[test]
fn a_configuration_is_refused_what_the_attribute_did_not_declare() {
    let _serial = exclusive();
    let refused = |json: &str| chaos::configure_json(json).unwrap_err().to_string();
    for point in ["value::status_point", "value::latency_point"] {
        let error = refused(&format!(
            r#"{{"points": {{"{point}": {{"value": true, "rate": 1.0}}}}}}"#
        ));
        let expected = format!(
            "at points.\"{point}\".value: `value` cannot be given to `{point}` at run time: its attribute declares no `value = ...`"
        );
        assert!(error.contains(&expected), "{error}");
        assert!(
            error.contains("type-checked against the function's return type"),
            "{error}"
        );
        assert!(chaos::override_point(point, PointConfig::new().value()).is_err());
    }
    // `value` does not prove that the return type carries a fault.
    let error = refused(r#"{"points": {"value::switched": {"status": 503}}}"#);
    assert!(
        error.contains("`status` cannot be given to `value::switched`"),
        "{error}"
    );
    let error = refused(r#"{"points": {"value::switched": {"value": false}}}"#);
    assert!(
        error.contains("`value` is either `true` or left out"),
        "{error}"
    );
    let error = refused(r#"{"points": {"value::switched": {"value": "-2"}}}"#);
    assert!(
        error.contains("`value` expects an expression of the function's return type in the attribute (`value = ...`), `true` in a configuration, found the string \"-2\""),
        "{error}"
    );
    // What was refused is not in force, and the declared points are untouched.
    assert_eq!(status_point(), Ok(1));
    assert_eq!(latency_point(), 1);
}

#[cfg(feature = "tower")]
#[test]
fn a_layer_point_is_refused_a_value() {
    let _serial = exclusive();
    let _point = chaos::point!(name = "value::layer", latency_ms = 1, rate = 0.0);
    let error =
        chaos::configure_json(r#"{"points": {"value::layer": {"value": true}}}"#).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`value` cannot be given to `value::layer`: it is a layer's point, which has no return value to replace"),
        "{error}"
    );
}

#[test]
fn a_dry_run_counts_the_value_and_does_not_replace_the_result() {
    let _serial = exclusive();
    let reads = TABLE_READS.load(Ordering::SeqCst);
    let before = point_stats("value::table_name");
    chaos::configure(Config::new().dry_run(true)).unwrap();
    for _ in 0..4 {
        assert_eq!(table_name(), "orders");
    }
    assert_eq!(TABLE_READS.load(Ordering::SeqCst), reads + 4);
    let after = point_stats("value::table_name");
    assert_eq!(after.dry_run - before.dry_run, 4);
    assert_eq!(after.value, before.value);
}

#[test]
fn a_run_time_panic_reaches_a_value_point() {
    let _serial = exclusive();
    let _guard = chaos::override_point(
        "value::switched",
        PointConfig::new().rate(1.0).panic("boom"),
    )
    .unwrap();
    let payload = std::panic::catch_unwind(switched).unwrap_err();
    let message = payload.downcast_ref::<String>().unwrap();
    assert!(
        message.contains("injected panic at `value::switched`: boom"),
        "{message}"
    );
}

/// A return type that carries faults (`max_concurrency` proved it), so a configuration may give
/// it a `status` as well as switch the declared value back on.
#[chaos(value = Ok(0), max_concurrency = 8, rate = 0.0, name = "value::limited")]
fn limited() -> Result<u32, Fault> {
    Ok(1)
}

#[test]
fn a_value_point_that_carries_faults_takes_either() {
    let _serial = exclusive();
    assert_eq!(limited(), Ok(1));
    let status = |code| PointConfig::new().rate(1.0).status(code);
    let guard = chaos::override_point("value::limited", status(503)).unwrap();
    assert_eq!(limited().unwrap_err().status(), Some(503));
    drop(guard);
    let _guard =
        chaos::override_point("value::limited", PointConfig::new().rate(1.0).value()).unwrap();
    assert_eq!(limited(), Ok(0));
}

#[async_trait::async_trait]
trait Store {
    async fn get(&self, key: &str) -> Option<String>;
}

struct Real;

#[async_trait::async_trait]
impl Store for Real {
    #[chaos(value = None, name = "value::store_get")]
    async fn get(&self, key: &str) -> Option<String> {
        Some(key.to_uppercase())
    }
}

#[test]
fn an_async_trait_method_returns_the_value() {
    let _serial = exclusive();
    assert_eq!(block_on(Real.get("k")), None);
    let _guard = chaos::override_point("value::store_get", PointConfig::new().rate(0.0)).unwrap();
    assert_eq!(block_on(Real.get("k")), Some("K".to_string()));
}

#[test]
fn a_value_injection_emits_a_tracing_event_of_kind_value() {
    let _serial = exclusive();
    let (answer, text) = logged(table_name);
    assert_eq!(answer, "no-such-table");
    assert!(text.contains(" chaos: chaos fault injected"), "{text}");
    assert!(text.contains("point=\"value::table_name\""), "{text}");
    assert!(text.contains("kind=\"value\""), "{text}");
}

#[test]
fn the_description_names_the_value() {
    let _serial = exclusive();
    let info = chaos::points()
        .iter()
        .find(|p| p.name() == "value::list")
        .unwrap();
    assert_eq!(
        info.spec().to_string(),
        "the attribute's value, one call in 3"
    );
}

/// Prints what `switched` answered under the environment it was given.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_report() {
    let answers: Vec<String> = (0..6).map(|_| switched().to_string()).collect();
    // On a line of its own: libtest has just printed "test child_report ... " without a newline.
    println!("\nANSWERS={}", answers.join(","));
}

#[test]
fn chaos_config_in_the_environment_switches_it_on() {
    let on = r#"{"points": {"value::switched": {"value": true, "one_in": 3}}}"#;
    let child = common::run_child("child_report", &[("CHAOS_CONFIG", on)]);
    assert_eq!(child.value("ANSWERS"), "1,1,-1,1,1,-1");
    let child = common::run_child("child_report", &[]);
    assert_eq!(child.value("ANSWERS"), "1,1,1,1,1,1");
}

#[cfg(feature = "experiment")]
#[test]
fn an_experiment_names_the_value_point() {
    use chaos::experiment::{Experiment, Hypothesis, Verdict};

    let _serial = exclusive();
    let report = block_on(
        Experiment::new("wrong answers")
            .hypothesis(Hypothesis::new().max_degraded_ratio(0.5))
            .fault("value::switched", PointConfig::new().value().rate(1.0))
            .calls(20)
            .concurrency(1)
            .run_judged(
                |_| async { Ok::<i32, Fault>(switched()) },
                |answer: &i32| *answer < 0,
            ),
    )
    .unwrap();
    assert_eq!(report.steady_state.degraded, 0);
    assert_eq!(report.under_faults.degraded, 20);
    assert_eq!(
        report.under_faults.faults_by_point,
        vec![("value::switched", 20)]
    );
    assert!(matches!(report.verdict, Verdict::Rejected(_)), "{report:?}");
    assert_eq!(switched(), 1, "the fault was rolled back");
}
