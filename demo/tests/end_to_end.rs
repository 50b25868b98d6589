//! The demo end to end, shortened: every experiment ends as the demo expects, and the HTML report
//! shows each report's data: its figures in the table, its calls as histogram bars of the right
//! heights, and each call under faults as a point of the timeline where its start and latency put
//! it.

mod report_page;

use std::time::Duration;

use chaos::experiment::CallOutcome;
use chaos_demo::experiments::Outcome;
use report_page::{Bar, Section};

/// Calls per phase.
const CALLS: u64 = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_runs_end_to_end() {
    let html = std::env::temp_dir().join(format!("chaos-demo-test-{}.html", std::process::id()));
    let outcomes = chaos_demo::run(CALLS, &html).await.expect("the demo runs");
    assert_eq!(outcomes.len(), 6);
    for outcome in &outcomes {
        assert!(outcome.as_expected(), "{}", outcome.report);
    }
    // The faults did happen: the resilience-off case saw them as injected failures (the API's
    // `x-chaos-fault` header), the store case absorbed them (every page answered, some degraded).
    assert!(outcomes[4].report.under_faults.injected_errors > 0);
    assert_eq!(outcomes[4].report.under_faults.real_errors, 0);
    assert_eq!(outcomes[3].report.under_faults.successes, CALLS);
    assert!(faults_at(&outcomes[3], "demo::store::get") > 0);
    // Wrong records came back, and the client's checks turned them into retries: every page
    // answered, with the right records or the fallback.
    assert!(faults_at(&outcomes[5], "demo::store::wrong_record") > 0);
    assert_eq!(outcomes[5].report.under_faults.successes, CALLS);

    let page = std::fs::read_to_string(&html).unwrap();
    let _ = std::fs::remove_file(&html);
    assert!(page.contains("<p>6 of 6 experiments ended as expected.</p>"));
    let sections = report_page::sections(&page);
    assert_eq!(sections.len(), outcomes.len());
    for (section, outcome) in sections.iter().zip(&outcomes) {
        let name = &outcome.report.name;
        assert!(
            section.heading.contains(name.as_str()),
            "{name}: {}",
            section.heading
        );
        table_shows_the_figures(section, outcome);
        histogram_counts_every_call(section, outcome);
        timeline_plots_every_call(section, outcome);
    }
    let slowed = faults_at(&outcomes[1], "demo::api::get_product");
    slow_calls_sit_right_in_the_histogram(&sections[1], slowed);
}

fn faults_at(outcome: &Outcome, point: &str) -> u64 {
    let faults = &outcome.report.under_faults.faults_by_point;
    faults
        .iter()
        .find(|(p, _)| *p == point)
        .map_or(0, |(_, n)| *n)
}

/// Each phase's row holds its counts and its latencies (to the 0.1 ms the page shows).
fn table_shows_the_figures(section: &Section, outcome: &Outcome) {
    let report = &outcome.report;
    let phases = [&report.steady_state, &report.under_faults];
    assert_eq!(section.rows.len(), phases.len(), "{}", report.name);
    for (row, phase) in section.rows.iter().zip(phases) {
        let counts = [
            phase.calls,
            phase.successes,
            phase.degraded,
            phase.injected_errors,
            phase.real_errors,
        ];
        let ms = |q: f64| phase.latency_at(q).as_secs_f64() * 1000.0;
        let latencies = [
            ms(0.5),
            ms(0.9),
            ms(0.99),
            phase.max_latency().as_secs_f64() * 1000.0,
        ];
        assert_eq!(row[0], phase.name, "{}", report.name);
        assert_eq!(row.len(), 1 + counts.len() + latencies.len(), "{row:?}");
        for (cell, count) in row[1..6].iter().zip(counts) {
            assert_eq!(
                cell.parse::<u64>().ok(),
                Some(count),
                "{}: {row:?}",
                report.name
            );
        }
        for (cell, latency) in row[6..].iter().zip(latencies) {
            let shown: f64 = cell.parse().expect("a number of ms");
            assert!((shown - latency).abs() <= 0.051, "{}: {row:?}", report.name);
        }
    }
}

/// The bars of each phase (blue: steady state, orange: under faults) hold all its calls; each
/// is as high as its count against the tallest (at least 1 px, the tallest the full 180 px).
fn histogram_counts_every_call(section: &Section, outcome: &Outcome) {
    let report = &outcome.report;
    let bars = &section.bars;
    for (colour, phase) in [
        (report_page::STEADY, &report.steady_state),
        (report_page::FAULTED, &report.under_faults),
    ] {
        let drawn: u64 = bars
            .iter()
            .filter(|b| b.colour == colour)
            .map(|b| b.calls)
            .sum();
        assert_eq!(
            drawn, phase.calls,
            "{}: {} calls in {colour} bars",
            report.name, drawn
        );
    }
    let top = bars.iter().map(|b| b.calls).max().expect("bars") as f64;
    for bar in bars {
        let expected = (bar.calls as f64 / top * report_page::HEIGHT).max(1.0);
        assert!(
            bar.calls > 0 && (bar.height - expected).abs() < 0.06,
            "{}: {bar:?}",
            report.name
        );
        assert!(
            (bar.y + bar.height - report_page::HEIGHT).abs() < 0.11,
            "{bar:?} not on the axis"
        );
    }
}

/// One point per call under faults, in the order they started, where its start (x, from 0 to the
/// phase's length) and its latency (y, from 0 to the slowest call) put it, coloured by how it
/// ended.
fn timeline_plots_every_call(section: &Section, outcome: &Outcome) {
    let name = &outcome.report.name;
    let phase = &outcome.report.under_faults;
    assert_eq!(phase.timeline.len() as u64, phase.calls, "{name}");
    assert_eq!(section.dots.len(), phase.timeline.len(), "{name}");
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let (span, slowest) = (ms(phase.elapsed).max(1.0), ms(phase.max_latency()).max(1.0));
    let (width, height) = (report_page::WIDTH, report_page::HEIGHT);
    for (dot, call) in section.dots.iter().zip(&phase.timeline) {
        let x = 2.0 + ms(call.started) / span * (width - 4.0);
        let y = height - 2.0 - ms(call.latency) / slowest * (height - 4.0);
        let colour = match call.outcome {
            CallOutcome::Success => report_page::OK,
            CallOutcome::Failed => report_page::FAILED,
            CallOutcome::Injected => report_page::INJECTED,
            other => panic!("an outcome the page does not draw: {other:?}"),
        };
        assert!(
            (dot.x - x).abs() < 0.06 && (dot.y - y).abs() < 0.06 && dot.colour == colour,
            "{name}: {dot:?} for {call:?}"
        );
    }
}

/// The case with 300 ms of latency on one call in ten: those calls are drawn right of 256 ms on
/// the histogram's axis.
fn slow_calls_sit_right_in_the_histogram(section: &Section, slowed: u64) {
    assert!(slowed > 0, "no call was slowed");
    let from_256_ms = |b: &&Bar| b.colour == report_page::FAULTED && b.from_ms >= 256.0;
    let drawn: u64 = section
        .bars
        .iter()
        .filter(from_256_ms)
        .map(|b| b.calls)
        .sum();
    assert!(
        drawn >= slowed,
        "{drawn} calls drawn from 256 ms, {slowed} slowed"
    );
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
