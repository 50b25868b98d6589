//! A local version of the serverless chaos demo: functions behind an HTTP API, faults injected at
//! function level with `#[chaos]`, a client that degrades gracefully, and experiments that check
//! a steady-state hypothesis while the faults happen. `main.rs` runs it; `tests/` runs it short.

pub mod client;
pub mod experiments;
pub mod html;
pub mod service;

use std::path::Path;

/// Starts the API, runs every experiment with `calls` calls per phase, prints each report, writes
/// the HTML report to `html_path`, and returns the outcomes.
pub async fn run(
    calls: u64,
    html_path: &Path,
) -> Result<Vec<experiments::Outcome>, Box<dyn std::error::Error>> {
    let address = service::serve().await?;
    eprintln!("API on http://{address}; {calls} calls per phase");
    let outcomes = experiments::run_all(address, experiments::cases(calls, 16)).await?;
    for outcome in &outcomes {
        let expectation = if outcome.as_expected() {
            "as expected"
        } else {
            "NOT AS EXPECTED"
        };
        println!("{}\n  ({expectation})\n", outcome.report);
    }
    if let Some(dir) = html_path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(html_path, html::render(&outcomes))?;
    Ok(outcomes)
}
