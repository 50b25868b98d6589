//! Configurations no longer in force are freed: a long-lived process that loads a new
//! configuration again and again (a followed file or AppConfig document that changes) keeps its
//! memory bounded. Each load here differs (the error message) and is seen by a call, which is
//! what used to keep every one of them alive. A test binary of its own: it measures the whole
//! process's resident set.
#![cfg(all(feature = "enabled", target_os = "linux"))]

use chaos::{Config, Fault, PointConfig, chaos};

#[chaos(error = "memory", rate = 0.0, name = "memory::point")]
fn point() -> Result<u64, Fault> {
    Ok(1)
}

/// Resident set size in KiB, as the kernel counts it (`VmRSS`, whatever the page size).
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("Linux has /proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("/proc/self/status has VmRSS in kB")
}

fn load(i: u32, rate: f64) {
    let config = Config::new().point(
        "memory::point",
        PointConfig::new()
            .rate(rate)
            .error(format!("error number {i}")),
    );
    chaos::configure(config).expect("a valid configuration");
}

#[test]
fn fifty_thousand_distinct_configurations_leave_memory_bounded_and_the_last_in_force() {
    load(0, 0.0);
    assert_eq!(point().ok(), Some(1));
    let before = resident_kib();
    let loads = 50_000;
    for i in 1..=loads {
        load(i, 0.0);
        assert_eq!(point().ok(), Some(1), "rate 0 never fires");
    }
    let grown = resident_kib().saturating_sub(before);
    // Kept, they took about 180 bytes each: 8.6 MiB here.
    assert!(
        grown < 4 * 1024,
        "{loads} configurations grew the resident set by {grown} KiB"
    );
    // The last load is the one in force: its message comes out.
    load(loads + 1, 1.0);
    let fault = point().expect_err("rate 1 always fires");
    assert!(
        fault
            .to_string()
            .contains(&format!("error number {}", loads + 1)),
        "{fault}"
    );
}
