//! `cargo run --release --manifest-path demo/Cargo.toml [-- --calls N]`

use std::path::PathBuf;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let mut calls = 400;
    let mut html = PathBuf::from("target/chaos-demo/report.html");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next();
        match (arg.as_str(), value) {
            ("--calls", Some(n)) if n.parse::<u64>().is_ok_and(|n| n > 0) => {
                calls = n.parse().unwrap_or(calls)
            }
            ("--html", Some(path)) => html = PathBuf::from(path),
            _ => {
                eprintln!("usage: chaos-demo [--calls N (> 0)] [--html PATH]");
                return ExitCode::from(2);
            }
        }
    }
    match chaos_demo::run(calls, &html).await {
        Ok(outcomes) => {
            let expected = outcomes.iter().filter(|o| o.as_expected()).count();
            println!(
                "{expected} of {} experiments ended as expected; report: {}",
                outcomes.len(),
                html.display()
            );
            if expected == outcomes.len() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("chaos-demo: {e}");
            ExitCode::FAILURE
        }
    }
}
