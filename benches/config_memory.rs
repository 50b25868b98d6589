//! Resident memory after many distinct configurations, each seen by a call (issue 12 asks for at
//! most 4 MiB more after 200,000). Not a timing: it prints what `/proc/self/statm` says.
//!
//! ```sh
//! cargo bench --bench config_memory --features enabled
//! ```

use chaos::{Config, Fault, PointConfig, chaos};

#[chaos(error = "memory", rate = 0.0, name = "memory::point")]
fn point() -> Result<u64, Fault> {
    Ok(1)
}

/// Resident set size in KiB (Linux).
fn resident_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read.
    let _ = point();
    let before = resident_kib();
    let loads: u32 = 200_000;
    for i in 0..loads {
        // A distinct configuration each time: the error message differs.
        let config = Config::new().point(
            "memory::point",
            PointConfig::new().rate(0.0).error(format!("error {i}")),
        );
        chaos::configure(config).expect("a valid configuration");
        let _ = point();
    }
    let after = resident_kib();
    println!(
        "config_memory: {loads} distinct configurations, each seen by a call: resident {before} KiB -> {after} KiB (+{} KiB)",
        after.saturating_sub(before)
    );
}
