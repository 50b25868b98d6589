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
    // The faults did happen: the resilience-off case saw real failures, the store case absorbed
    // them (its calls all succeeded, some through the fallback).
    assert!(outcomes[4].report.under_faults.real_errors > 0);
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
