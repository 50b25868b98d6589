//! `disk_fill_mb`: while the fault is in force, the point holds that many MiB of the temp
//! directory's file system in an anonymous file; turning the fault off frees it, and a fill that
//! cannot be made injects nothing.
#![cfg(feature = "enabled")]

mod common;

use chaos::{Config, PointConfig, Scope, chaos};
use common::run_child;

/// Configuration is process-wide: the tests that change it take turns.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const MIB: u64 = 1 << 20;

#[chaos(disk_fill_mb = 8, name = "disk::scratch")]
fn scratch() -> u32 {
    7
}

#[chaos(latency_ms = 0, rate = 0.0, name = "disk::quiet")]
fn quiet() -> u32 {
    9
}

fn held(point: &str) -> Option<u64> {
    chaos::disk_fills()
        .into_iter()
        .find(|(name, _)| *name == point)
        .map(|(_, bytes)| bytes)
}

fn fills_made(point: &str) -> u64 {
    chaos::stats()
        .into_iter()
        .find(|s| s.point == point)
        .map_or(0, |s| s.disk_fill)
}

#[test]
fn a_fill_is_held_while_in_force_and_freed_when_turned_off() {
    let _serial = SERIAL.blocking_lock();
    chaos::reset();
    assert_eq!(held("disk::scratch"), None);
    let made = fills_made("disk::scratch");

    // The body runs: a disk fill takes space, not the answer.
    assert_eq!(scratch(), 7);
    assert_eq!(held("disk::scratch"), Some(8 * MIB));
    // Made once, not once per call.
    assert_eq!(scratch(), 7);
    assert_eq!(fills_made("disk::scratch"), made + 1);

    // Switched off: freed at once, not at the next call.
    chaos::set_enabled(false);
    assert_eq!(held("disk::scratch"), None);
    assert_eq!(scratch(), 7);
    assert_eq!(held("disk::scratch"), None);

    // On again, and resized by a configuration.
    chaos::set_enabled(true);
    scratch();
    assert_eq!(held("disk::scratch"), Some(8 * MIB));
    chaos::configure_json(r#"{"points": {"disk::scratch": {"disk_fill_mb": 3}}}"#).unwrap();
    assert_eq!(
        held("disk::scratch"),
        None,
        "the 8 MiB fill is no longer in force"
    );
    scratch();
    assert_eq!(held("disk::scratch"), Some(3 * MIB));

    // Any point can be given one at run time.
    chaos::configure_json(r#"{"points": {"disk::quiet": {"disk_fill_mb": 2, "rate": 1.0}}}"#)
        .unwrap();
    assert_eq!(held("disk::scratch"), None);
    assert_eq!(quiet(), 9);
    assert_eq!(held("disk::quiet"), Some(2 * MIB));

    chaos::reset();
    assert_eq!(chaos::disk_fills(), vec![]);
}

#[test]
fn a_dry_run_fills_nothing() {
    let _serial = SERIAL.blocking_lock();
    chaos::reset();
    chaos::configure(Config::new().dry_run(true)).unwrap();
    scratch();
    assert_eq!(held("disk::scratch"), None);
    chaos::reset();
}

#[tokio::test]
async fn a_fill_asked_for_by_a_scope_ends_with_it() {
    let _serial = SERIAL.lock().await;
    chaos::reset();
    let scope = Scope::new(
        Config::new().point("disk::quiet", PointConfig::new().rate(1.0).disk_fill_mb(4)),
    )
    .unwrap();
    let inside = scope
        .run(async {
            quiet();
            held("disk::quiet")
        })
        .await;
    assert_eq!(inside, Some(4 * MIB));
    assert_eq!(held("disk::quiet"), None);
}

#[test]
fn bad_values_are_rejected_in_the_configuration() {
    let _serial = SERIAL.blocking_lock();
    for (json, expected) in [
        (
            r#"{"points": {"disk::scratch": {"disk_fill_mb": 0}}}"#,
            "at points.\"disk::scratch\".disk_fill_mb: `disk_fill_mb` must be a number of MiB from 1 to 1048576, found 0",
        ),
        (
            r#"{"points": {"disk::scratch": {"disk_fill_mb": "lots"}}}"#,
            "`disk_fill_mb` expects an integer number of MiB >= 1, found the string \"lots\"",
        ),
    ] {
        let error = chaos::configure_json(json).unwrap_err().to_string();
        assert!(error.contains(expected), "{json}: {error}");
    }
    chaos::reset();
}

/// Calls the fill point with whatever temp directory the environment gives, and reports.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_fill() {
    let answer = scratch();
    let stats = chaos::stats()
        .into_iter()
        .find(|s| s.point == "disk::scratch")
        .unwrap();
    println!(
        "\nANSWER={answer}\nHELD={}\nFAILED={}\nINJECTED={}",
        held("disk::scratch").unwrap_or(0),
        stats.disk_fill_failed,
        stats.injected()
    );
}

#[test]
fn a_fill_that_cannot_be_made_is_reported_and_injects_nothing() {
    let missing = std::env::temp_dir().join("chaos-test-no-such-directory");
    let child = run_child("child_fill", &[("TMPDIR", missing.to_str().unwrap())]);
    assert_eq!(child.value("ANSWER"), "7");
    assert_eq!(child.value("HELD"), "0");
    assert_eq!(child.value("FAILED"), "1");
    assert_eq!(child.value("INJECTED"), "0");
    assert!(
        child
            .stderr
            .contains("disk fill at `disk::scratch` not injected"),
        "{}",
        child.stderr
    );
    assert!(!missing.exists(), "nothing may be created elsewhere");
}

#[test]
fn a_fill_is_freed_when_the_process_ends() {
    // The child holds 8 MiB when it exits; its temp directory is left empty, since the file
    // never had a name.
    let dir = std::env::temp_dir().join(format!("chaos-test-fill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let child = run_child("child_fill", &[("TMPDIR", dir.to_str().unwrap())]);
    assert_eq!(child.value("HELD"), (8 * MIB).to_string());
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    std::fs::remove_dir(&dir).unwrap();
    assert!(left.is_empty(), "{left:?}");
}
