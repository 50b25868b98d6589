//! The experiment runner: phases, verdicts, percentiles, rollback.
#![cfg(feature = "experiment")]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chaos::experiment::{Experiment, Hypothesis, Verdict};
use chaos::{Fault, PointConfig, chaos};

/// The tests override the same points process-wide: one at a time.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

#[chaos(error = "store down", rate = 0.0, name = "experiment::store")]
async fn store(i: u64) -> Result<u64, Fault> {
    Ok(i)
}

/// A caller that wraps the store's error in its own, as real code does.
#[derive(Debug)]
struct ServiceError(Fault);

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "service failed")
    }
}

impl std::error::Error for ServiceError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

async fn service(i: u64) -> Result<u64, ServiceError> {
    store(i).await.map_err(ServiceError)
}

fn store_down(rate: f64) -> PointConfig {
    PointConfig::new().rate(rate)
}

#[tokio::test]
async fn phases_measure_without_then_with_faults_and_roll_back() {
    let _serial = SERIAL.lock().await;
    let report = Experiment::new("store outage")
        .hypothesis(Hypothesis::new().min_success_ratio(0.99))
        .fault("experiment::store", store_down(1.0))
        .calls(40)
        .concurrency(4)
        .run(service)
        .await
        .unwrap();
    let (steady, faulted) = (&report.steady_state, &report.under_faults);
    assert_eq!(
        (steady.calls, steady.successes, steady.injected_errors),
        (40, 40, 0)
    );
    assert_eq!(
        (faulted.calls, faulted.successes, faulted.injected_errors),
        (40, 0, 40)
    );
    assert_eq!(
        faulted.real_errors, 0,
        "a Fault found through `source()` counts as injected"
    );
    assert_eq!(faulted.faults_by_point, vec![("experiment::store", 40)]);
    assert_eq!(
        report.verdict,
        Verdict::Rejected(vec!["success ratio 0.0000 is below 0.99".into()])
    );
    assert!(store(1).await.is_ok(), "the fault was rolled back");
}

#[tokio::test]
async fn verdicts_held_rejected_and_inconclusive() {
    let _serial = SERIAL.lock().await;
    let hypothesis = Hypothesis::new().min_success_ratio(0.9);
    // 5% of calls fail against a tolerance of 10%: with 400 calls a false verdict needs a
    // deviation of over four standard deviations.
    let held = Experiment::new("tolerable")
        .hypothesis(hypothesis.clone())
        .fault("experiment::store", store_down(0.05))
        .calls(400)
        .run(service)
        .await
        .unwrap();
    assert!(held.held(), "{held}");
    // A fault that never fires proves nothing, and the verdict says so.
    let idle = Experiment::new("harmless")
        .hypothesis(hypothesis.clone())
        .fault("experiment::store", store_down(0.0))
        .run(service)
        .await
        .unwrap();
    assert!(
        matches!(&idle.verdict, Verdict::Inconclusive(v) if v[0].starts_with("no fault was injected")),
        "{idle}"
    );
    let rejected = Experiment::new("half down")
        .hypothesis(hypothesis.clone())
        .fault("experiment::store", store_down(0.5))
        .calls(400)
        .run(service)
        .await
        .unwrap();
    assert!(
        matches!(&rejected.verdict, Verdict::Rejected(v) if v[0].starts_with("success ratio")),
        "{rejected}"
    );
    let inconclusive = Experiment::new("broken before the faults")
        .hypothesis(hypothesis)
        .run(|_| async { Err::<(), _>("always failing") })
        .await
        .unwrap();
    assert!(
        matches!(&inconclusive.verdict, Verdict::Inconclusive(v) if v.len() == 1),
        "{inconclusive}"
    );
    assert_eq!(inconclusive.steady_state.real_errors, 100);
}

#[tokio::test(start_paused = true)]
async fn percentiles_match_a_known_distribution() {
    let _serial = SERIAL.lock().await;
    // Call i takes (i % 100) + 1 ms on tokio's paused clock: 1..=100 ms, uniformly.
    let report = Experiment::new("latency")
        .hypothesis(
            Hypothesis::new()
                .max_p50(Duration::from_millis(60))
                .max_p99(Duration::from_millis(90)),
        )
        .calls(1_000)
        .concurrency(8)
        .run(|i| async move {
            tokio::time::sleep(Duration::from_millis(i % 100 + 1)).await;
            Ok::<_, Fault>(())
        })
        .await
        .unwrap();
    let phase = &report.steady_state;
    let within = |measured: Duration, expected_ms: f64| {
        let ms = measured.as_secs_f64() * 1000.0;
        (ms - expected_ms).abs() <= expected_ms * 0.01 + 0.1
    };
    assert!(
        within(phase.latency_at(0.5), 50.0),
        "{:?}",
        phase.latency_at(0.5)
    );
    assert!(
        within(phase.latency_at(0.9), 90.0),
        "{:?}",
        phase.latency_at(0.9)
    );
    assert!(
        within(phase.latency_at(0.99), 99.0),
        "{:?}",
        phase.latency_at(0.99)
    );
    assert!(
        within(phase.max_latency(), 100.0),
        "{:?}",
        phase.max_latency()
    );
    // p99 = 99 ms breaks the 90 ms tolerance, and the verdict says so (in steady state).
    // (HDR buckets at 3 significant digits: 99 ms reads as 99.007 ms.)
    assert!(
        matches!(&report.verdict, Verdict::Inconclusive(v) if v.len() == 1 && v[0].starts_with("p99 99.0") && v[0].ends_with("ms is above 90ms")),
        "{:?}",
        report.verdict
    );
}

#[tokio::test]
async fn faults_are_rolled_back_when_a_call_panics() {
    let _serial = SERIAL.lock().await;
    let calls = Arc::new(AtomicU64::new(0));
    let counted = Arc::clone(&calls);
    let outcome = tokio::spawn(async move {
        Experiment::new("panics under faults")
            .fault("experiment::store", store_down(1.0))
            .calls(10)
            .run(move |i| {
                let counted = Arc::clone(&counted);
                async move {
                    // The 15th call overall is in the second phase, with the fault in force.
                    if counted.fetch_add(1, Ordering::SeqCst) == 14 {
                        panic!("the system under test panicked");
                    }
                    service(i).await
                }
            })
            .await
    })
    .await;
    assert!(outcome.unwrap_err().is_panic());
    assert_eq!(calls.load(Ordering::SeqCst), 15);
    assert!(store(1).await.is_ok(), "the fault outlived the panic");
}

#[tokio::test]
async fn faults_are_rolled_back_when_the_run_is_cancelled() {
    let _serial = SERIAL.lock().await;
    let in_second_phase = tokio::sync::Notify::new();
    let calls = AtomicU64::new(0);
    let experiment = Experiment::new("cancelled")
        .fault("experiment::store", store_down(1.0))
        .calls(5);
    let run = experiment.run(|i| {
        let n = calls.fetch_add(1, Ordering::SeqCst);
        let in_second_phase = &in_second_phase;
        async move {
            if n == 5 {
                // The first call of the second phase: the fault is in force; hang here.
                in_second_phase.notify_one();
                std::future::pending::<()>().await;
            }
            service(i).await
        }
    });
    tokio::select! {
        _ = run => panic!("the run cannot finish: a call hangs"),
        () = in_second_phase.notified() => {}
    }
    // `select!` dropped the run, mid-phase, with the fault in force until then.
    assert_eq!(calls.load(Ordering::SeqCst), 6);
    assert!(
        store(1).await.is_ok(),
        "the fault outlived the cancelled run"
    );
}

#[tokio::test]
async fn the_fault_is_in_force_during_the_second_phase_only() {
    let _serial = SERIAL.lock().await;
    let seen = std::sync::Mutex::new(Vec::new());
    Experiment::new("observed")
        .fault("experiment::store", store_down(1.0))
        .calls(3)
        .run(|i| {
            let seen = &seen;
            async move {
                let result = service(i).await;
                seen.lock().unwrap().push(result.is_err());
                result
            }
        })
        .await
        .unwrap();
    assert_eq!(
        *seen.lock().unwrap(),
        vec![false, false, false, true, true, true]
    );
}

#[tokio::test]
async fn an_invalid_fault_is_an_error_before_anything_runs() {
    let _serial = SERIAL.lock().await;
    let calls = AtomicU64::new(0);
    let error = Experiment::new("typo")
        .fault("experiment::stor", store_down(1.0))
        .run(|_| {
            calls.fetch_add(1, Ordering::SeqCst);
            async { Ok::<_, Fault>(()) }
        })
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("did you mean `experiment::store`?"),
        "{error}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_report_prints_as_a_table_and_serializes_to_json() {
    let _serial = SERIAL.lock().await;
    let report = Experiment::new("printable")
        .hypothesis(Hypothesis::new().min_success_ratio(0.5))
        .fault(
            "experiment::store",
            store_down(1.0).error("injected for the report"),
        )
        .calls(10)
        .run(service)
        .await
        .unwrap();
    let table = report.to_string();
    assert!(table.contains("experiment: printable"), "{table}");
    assert!(
        table.contains("faults:     experiment::store: error \"injected for the report\", rate 1"),
        "{table}"
    );
    assert!(table.contains("verdict: REJECTED"), "{table}");
    let json = report.to_json();
    assert_eq!(json["verdict"], "rejected");
    assert_eq!(json["phases"][1]["injected_errors"], 10);
    assert_eq!(
        json["phases"][1]["faults_injected"]["experiment::store"],
        10
    );
    assert_eq!(json["phases"][0]["success_ratio"], 1.0);
}

#[tokio::test]
async fn a_holds_when_predicate_is_judged_on_each_phase() {
    let _serial = SERIAL.lock().await;
    // Which phases each predicate was asked about, by their call counts.
    let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = Arc::clone(&asked);
    // Injected errors are not real errors: this holds under the fault, and the verdict keeps it.
    let hypothesis = Hypothesis::new().holds_when("no real errors", move |phase| {
        seen.lock().unwrap().push(phase.calls);
        phase.real_errors == 0
    });
    let held = Experiment::new("injected errors only")
        .hypothesis(hypothesis)
        .fault("experiment::store", store_down(1.0))
        .calls(20)
        .run(service)
        .await
        .unwrap();
    assert_eq!(held.verdict, Verdict::Held, "{held}");
    assert_eq!(
        *asked.lock().unwrap(),
        vec![20, 20],
        "steady state, then under faults"
    );

    // One that fails under the fault rejects the hypothesis, by its name.
    let rejected = Experiment::new("no injected errors")
        .hypothesis(
            Hypothesis::new()
                .holds_when("no real errors", |phase| phase.real_errors == 0)
                .holds_when("every call succeeds", |phase| {
                    phase.successes == phase.calls
                }),
        )
        .fault("experiment::store", store_down(1.0))
        .calls(20)
        .run(service)
        .await
        .unwrap();
    assert_eq!(
        rejected.verdict,
        Verdict::Rejected(vec!["`every call succeeds` does not hold".into()]),
        "{rejected}"
    );

    // One that fails before any fault makes the experiment inconclusive.
    let inconclusive = Experiment::new("never true")
        .hypothesis(Hypothesis::new().holds_when("at least 21 calls", |phase| phase.calls > 20))
        .fault("experiment::store", store_down(1.0))
        .calls(20)
        .run(service)
        .await
        .unwrap();
    assert_eq!(
        inconclusive.verdict,
        Verdict::Inconclusive(vec!["`at least 21 calls` does not hold".into()]),
        "{inconclusive}"
    );
}
