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
fn a_dry_run_holds_no_fill() {
    let _serial = SERIAL.blocking_lock();
    chaos::reset();
    scratch();
    assert_eq!(held("disk::scratch"), Some(8 * MIB));
    // A dry run frees a fill made before it, and makes none.
    chaos::configure(Config::new().dry_run(true)).unwrap();
    assert_eq!(held("disk::scratch"), None);
    scratch();
    assert_eq!(held("disk::scratch"), None);
    chaos::reset();
}

#[test]
fn a_scope_cannot_ask_for_a_fill_since_the_disk_is_shared() {
    let error = Scope::new(
        Config::new().point("disk::quiet", PointConfig::new().rate(1.0).disk_fill_mb(4)),
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("at points.\"disk::quiet\".disk_fill_mb: `disk_fill_mb` is process-wide"),
        "{error}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn the_fill_is_an_anonymous_file_in_the_temp_directory_closed_when_turned_off() {
    let _serial = SERIAL.blocking_lock();
    chaos::reset();
    // The open files of this process that live in the temp directory and have no name.
    let anonymous = || {
        let dir = std::env::temp_dir().canonicalize().unwrap();
        std::fs::read_dir("/proc/self/fd")
            .unwrap()
            .filter_map(|fd| {
                let fd = fd.ok()?.path();
                let target = std::fs::read_link(&fd).ok()?;
                let deleted = target.to_string_lossy().ends_with(" (deleted)");
                (deleted && target.starts_with(&dir))
                    .then(|| std::fs::metadata(&fd).ok().map(|m| m.len()))
                    .flatten()
            })
            .collect::<Vec<u64>>()
    };
    assert!(!anonymous().contains(&(8 * MIB)));
    scratch();
    // Held as an unnamed file (the kernel frees it when it is closed, at the latest at exit).
    assert!(anonymous().contains(&(8 * MIB)), "{:?}", anonymous());
    chaos::set_enabled(false);
    assert!(!anonymous().contains(&(8 * MIB)), "{:?}", anonymous());
    chaos::reset();
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
        "\nANSWER={answer}\nHELD={}\nFAILED={}\nFILLS={}",
        held("disk::scratch").unwrap_or(0),
        stats.disk_fill_failed,
        stats.disk_fill
    );
}

#[test]
fn a_fill_that_cannot_be_made_is_reported_and_injects_nothing() {
    let missing = std::env::temp_dir().join("chaos-test-no-such-directory");
    let child = run_child("child_fill", &[("TMPDIR", missing.to_str().unwrap())]);
    assert_eq!(child.value("ANSWER"), "7");
    assert_eq!(child.value("HELD"), "0");
    assert_eq!(child.value("FAILED"), "1");
    assert_eq!(child.value("FILLS"), "0");
    assert!(
        child
            .stderr
            .contains("disk fill at `disk::scratch` not injected"),
        "{}",
        child.stderr
    );
    assert!(!missing.exists(), "nothing may be created elsewhere");
}
