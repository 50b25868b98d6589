//! The demo end to end, shortened: every experiment ends as the demo expects and the HTML report
//! has a histogram and a timeline per experiment.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_end_to_end() {
    let html = std::env::temp_dir().join(format!("chaos-demo-test-{}.html", std::process::id()));
    let outcomes = chaos_demo::run(200, &html).await.expect("the demo runs");
    assert_eq!(outcomes.len(), 5);
    for outcome in &outcomes {
        assert!(outcome.as_expected(), "{}", outcome.report);
    }
    // The faults did happen: the resilience-off case saw them as injected failures (the API's
    // `x-chaos-fault` header), the store case absorbed them (every page answered, some degraded).
    assert!(outcomes[4].report.under_faults.injected_errors > 0);
    assert_eq!(outcomes[4].report.under_faults.real_errors, 0);
    assert_eq!(outcomes[3].report.under_faults.successes, 200);
    assert!(
        outcomes[3]
            .report
            .under_faults
            .faults_by_point
            .iter()
            .any(|(p, n)| *p == "demo::store::get" && *n > 0)
    );
    let page = std::fs::read_to_string(&html).unwrap();
    let _ = std::fs::remove_file(&html);
    assert_eq!(page.matches("<section>").count(), 5);
    assert_eq!(page.matches("<svg").count(), 10);
    assert!(page.contains("5 of 5 experiments ended as expected"));
}

#[tokio::test]
async fn an_unreachable_api_is_not_mistaken_for_resilience() {
    // A port nobody listens on: every call fails, and the fallback answers all of them. The
    // degraded tolerance makes the baseline fail, so the demo cannot report success.
    let address = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let cases = chaos_demo::experiments::cases(10, 2)
        .into_iter()
        .take(1)
        .collect();
    let outcomes = chaos_demo::experiments::run_all(address, cases)
        .await
        .unwrap();
    assert!(!outcomes[0].as_expected(), "{}", outcomes[0].report);
    assert_eq!(outcomes[0].report.steady_state.degraded, 10);
}
