//! The HTML report: per experiment, the verdict, the figures, the latency histograms of both
//! phases and the timeline of the calls under faults, as inline SVG (no script, no network).

use std::fmt::Write;
use std::time::Duration;

use chaos::experiment::{CallOutcome, PhaseReport, Verdict};

use crate::experiments::Outcome;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The whole page.
pub fn render(outcomes: &[Outcome]) -> String {
    let mut page = String::from(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>chaos demo report</title><style>\
         body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}\
         table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}\
         .held{color:#17803d}.rejected{color:#b42318}.inconclusive{color:#b54708}\
         section{border-top:2px solid #eee;margin-top:1.5em}</style></head><body>\
         <h1>Serverless chaos demo</h1>",
    );
    let expected = outcomes.iter().filter(|o| o.as_expected()).count();
    let _ = write!(
        page,
        "<p>{expected} of {} experiments ended as expected.</p>",
        outcomes.len()
    );
    for outcome in outcomes {
        section(&mut page, outcome);
    }
    page.push_str("</body></html>\n");
    page
}

fn section(page: &mut String, outcome: &Outcome) {
    let report = &outcome.report;
    let (class, verdict) = match &report.verdict {
        Verdict::Held => ("held", "HELD".to_string()),
        Verdict::Rejected(why) => ("rejected", format!("REJECTED: {}", why.join("; "))),
        Verdict::Inconclusive(why) => ("inconclusive", format!("INCONCLUSIVE: {}", why.join("; "))),
        other => ("inconclusive", format!("{other:?}")),
    };
    let expectation = if outcome.as_expected() {
        "as expected"
    } else {
        "NOT as expected"
    };
    let _ = write!(
        page,
        "<section><h2>{}</h2><p>hypothesis: {}<br>faults: {}</p><p class=\"{class}\"><b>{}</b> ({expectation})</p>",
        escape(&report.name),
        escape(&report.hypothesis),
        escape(&if report.faults.is_empty() {
            "none".to_string()
        } else {
            report.faults.join("; ")
        }),
        escape(&verdict),
    );
    page.push_str("<table><tr><th>phase</th><th>calls</th><th>ok</th><th>degraded</th><th>injected</th><th>real errors</th><th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>max ms</th></tr>");
    for phase in [&report.steady_state, &report.under_faults] {
        let _ = write!(
            page,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td><td>{:.1}</td></tr>",
            phase.name,
            phase.calls,
            phase.successes,
            phase.degraded,
            phase.injected_errors,
            phase.real_errors,
            ms(phase.latency_at(0.5)),
            ms(phase.latency_at(0.9)),
            ms(phase.latency_at(0.99)),
            ms(phase.max_latency()),
        );
    }
    page.push_str("</table>");
    histogram(page, &report.steady_state, &report.under_faults);
    timeline(page, &report.under_faults);
    page.push_str("</section>");
}

const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 180.0;

/// Latency histograms of both phases on a log scale of milliseconds, overlaid.
fn histogram(page: &mut String, steady: &PhaseReport, faulted: &PhaseReport) {
    // Buckets by powers of 2^(1/4) from 0.1 ms to about 6.5 s.
    let edges: Vec<f64> = (0..=64)
        .map(|i| 0.1 * 2f64.powf(f64::from(i) / 4.0))
        .collect();
    // From the HDR histogram, which holds every call (the timeline may be cut short).
    let count = |phase: &PhaseReport| -> Vec<u64> {
        let mut counts = vec![0u64; edges.len() - 1];
        for value in phase.histogram().iter_recorded() {
            let v = value.value_iterated_to() as f64 / 1000.0;
            let i = edges
                .iter()
                .rposition(|e| *e <= v)
                .unwrap_or(0)
                .min(counts.len() - 1);
            counts[i] += value.count_at_value();
        }
        counts
    };
    let (a, b) = (count(steady), count(faulted));
    let top = a.iter().chain(&b).copied().max().unwrap_or(1).max(1) as f64;
    let bar = WIDTH / a.len() as f64;
    let _ = write!(
        page,
        "<h3>latency histogram (ms, log scale): <span style=\"color:#4a7fd4\">steady state</span>, <span style=\"color:#e0702b\">under faults</span></h3><svg width=\"{WIDTH}\" height=\"{}\" role=\"img\">",
        HEIGHT + 20.0
    );
    for (i, (x, y)) in a.iter().zip(&b).enumerate() {
        let left = i as f64 * bar;
        for (n, colour, offset) in [(*x, "#4a7fd4", 0.0), (*y, "#e0702b", bar / 2.0)] {
            if n > 0 {
                let h = (n as f64 / top * HEIGHT).max(1.0);
                let _ = write!(
                    page,
                    "<rect x=\"{:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{colour}\"><title>{n} calls</title></rect>",
                    left + offset,
                    HEIGHT - h,
                    bar / 2.0
                );
            }
        }
    }
    for label_at in [0usize, 16, 32, 48, 64] {
        let x = (label_at as f64 * bar).min(WIDTH - 45.0);
        let _ = write!(
            page,
            "<text x=\"{x:.0}\" y=\"{}\" font-size=\"11\">{:.1}</text>",
            HEIGHT + 14.0,
            edges[label_at]
        );
    }
    page.push_str("</svg>");
}

/// Every call under faults: when it started (x), how long it took (y), how it ended (colour).
fn timeline(page: &mut String, phase: &PhaseReport) {
    let span = ms(phase.elapsed).max(1.0);
    let slowest = ms(phase.max_latency()).max(1.0);
    let _ = write!(
        page,
        "<h3>fault timeline: each call under faults, by start time (x, 0 to {span:.0} ms) and latency (y, up to {slowest:.0} ms): <span style=\"color:#17803d\">ok</span>, <span style=\"color:#b42318\">failed</span>, <span style=\"color:#7a3cc2\">injected error</span></h3><svg width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\">"
    );
    for record in &phase.timeline {
        let x = ms(record.started) / span * (WIDTH - 4.0) + 2.0;
        let y = HEIGHT - 2.0 - ms(record.latency) / slowest * (HEIGHT - 4.0);
        let colour = match record.outcome {
            CallOutcome::Success => "#17803d",
            CallOutcome::Failed => "#b42318",
            CallOutcome::Injected => "#7a3cc2",
            _ => "#6b7280",
        };
        let _ = write!(
            page,
            "<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2\" fill=\"{colour}\" fill-opacity=\"0.6\"/>"
        );
    }
    page.push_str("</svg>");
}
