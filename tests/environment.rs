//! The environment variables, read once per process: each case runs this test binary again as a
//! child process with its own environment (the `child_*` tests, ignored in normal runs), and
//! checks what the child printed.
#![cfg(feature = "enabled")]

mod common;

use std::io::Write;
use std::time::{Duration, Instant};

use common::{run_child, run_child_os};

use chaos::{Fault, chaos};

#[chaos(error = "coin", rate = 0.5, name = "env::coin")]
fn coin() -> Result<u32, Fault> {
    Ok(1)
}

#[chaos(error = "always", rate = 1.0, name = "env::always")]
fn always() -> Result<u32, Fault> {
    Ok(1)
}

#[chaos(error = "file", rate = 0.0, name = "env::from_file")]
fn from_file() -> Result<u32, Fault> {
    Ok(1)
}

/// Prints what the points did under the environment it was given.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_report() {
    let decisions: String = (0..48)
        .map(|_| if coin().is_err() { '1' } else { '0' })
        .collect();
    let always_faulted = (0..20).filter(|_| always().is_err()).count();
    let dry = chaos::stats()
        .iter()
        .find(|s| s.point == "env::always")
        .unwrap()
        .dry_run;
    // On a line of its own: libtest has just printed "test child_report ... " without a newline.
    println!("\nDECISIONS={decisions}\nALWAYS={always_faulted}\nDRY={dry}");
}

#[test]
fn without_any_variable_the_attributes_apply_and_the_banner_is_printed_once() {
    let child = run_child("child_report", &[]);
    assert_eq!(child.value("ALWAYS"), "20");
    let banner = "fault injection is compiled into this binary";
    assert_eq!(child.stderr.matches(banner).count(), 1, "{}", child.stderr);
}

#[test]
fn chaos_enabled_0_is_a_kill_switch() {
    for off in ["0", "false", "off", "OFF"] {
        let child = run_child("child_report", &[("CHAOS_ENABLED", off)]);
        assert_eq!(child.value("ALWAYS"), "0", "CHAOS_ENABLED={off}");
    }
    // It wins over a configuration that turns chaos on.
    let child = run_child(
        "child_report",
        &[
            ("CHAOS_ENABLED", "0"),
            ("CHAOS_CONFIG", r#"{"enabled": true}"#),
        ],
    );
    assert_eq!(child.value("ALWAYS"), "0");
    assert_eq!(
        run_child("child_report", &[("CHAOS_ENABLED", "on")]).value("ALWAYS"),
        "20"
    );
}

/// Reports how many of 20 calls of `always` fault now.
fn always_faulted() -> usize {
    (0..20).filter(|_| always().is_err()).count()
}

/// Decides under the environment, loads a valid configuration through the API, then resets,
/// reporting `always` after each step: `reset` must undo the load, so it is called only once
/// there is something to undo.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_load_then_reset() {
    let at_start = always_faulted();
    chaos::configure(chaos::Config::new()).unwrap();
    let loaded = always_faulted();
    chaos::reset();
    let after_reset = always_faulted();
    println!("\nAT_START={at_start}\nLOADED={loaded}\nAFTER_RESET={after_reset}");
}

#[test]
fn reset_returns_to_the_environment_not_past_it() {
    // A rejected environment: off, on after a valid load, off again after `reset`.
    let bad = run_child("child_load_then_reset", &[("CHAOS_SEED", "x")]);
    let steps = |child: &common::Child| {
        ["AT_START", "LOADED", "AFTER_RESET"].map(|k| child.value(k).to_string())
    };
    assert_eq!(steps(&bad), ["0", "20", "0"], "{}", bad.stderr);
    // CHAOS_CONFIG turns `always` off; the load (which does not name it) turns it back on; `reset`
    // reads CHAOS_CONFIG again.
    let config = r#"{"points": {"env::always": {"enabled": false}}}"#;
    let loaded = run_child("child_load_then_reset", &[("CHAOS_CONFIG", config)]);
    assert_eq!(steps(&loaded), ["0", "20", "0"], "{}", loaded.stderr);
    // Without any variable `reset` goes back to the attributes: it does not turn injection off.
    let plain = run_child("child_load_then_reset", &[]);
    assert_eq!(steps(&plain), ["20", "20", "20"], "{}", plain.stderr);
}

/// Loads a valid configuration through the API first, then reports.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_report_after_a_valid_load() {
    chaos::configure(chaos::Config::new()).unwrap();
    child_report();
}

#[test]
fn unreadable_switches_take_their_safe_side() {
    // Rejected at start: nothing is injected or even decided.
    let child = run_child("child_report", &[("CHAOS_DRY_RUN", "yes")]);
    assert_eq!((child.value("ALWAYS"), child.value("DRY")), ("0", "0"));
    // A later valid load turns injection on again, and the unreadable CHAOS_DRY_RUN still means
    // a dry run, not real faults.
    let child = run_child(
        "child_report_after_a_valid_load",
        &[("CHAOS_DRY_RUN", "yes")],
    );
    assert_eq!((child.value("ALWAYS"), child.value("DRY")), ("0", "20"));
    let child = run_child(
        "child_report_after_a_valid_load",
        &[("CHAOS_ENABLED", "maybe")],
    );
    assert_eq!((child.value("ALWAYS"), child.value("DRY")), ("0", "0"));
    let child = run_child(
        "child_report",
        &[
            ("CHAOS_ENABLED", "1"),
            ("CHAOS_CONFIG", r#"{"enabled": false}"#),
        ],
    );
    assert_eq!(
        child.value("ALWAYS"),
        "0",
        "off in the configuration wins over CHAOS_ENABLED=1"
    );
}

#[test]
fn chaos_seed_makes_decisions_repeat_run_to_run() {
    let first = run_child("child_report", &[("CHAOS_SEED", "42")]);
    let again = run_child("child_report", &[("CHAOS_SEED", "42")]);
    let other = run_child("child_report", &[("CHAOS_SEED", "43")]);
    assert_eq!(first.value("DECISIONS"), again.value("DECISIONS"));
    assert_ne!(first.value("DECISIONS"), other.value("DECISIONS"));
    assert!(first.value("DECISIONS").contains('0') && first.value("DECISIONS").contains('1'));
}

/// Loads a configuration seeded with 43 through the API first, then reports.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_report_after_a_seeded_load() {
    chaos::configure(chaos::Config::new().seed(43)).unwrap();
    child_report();
}

#[test]
fn chaos_seed_wins_over_a_configurations_seed() {
    let decisions =
        |test: &str, env: &[(&str, &str)]| run_child(test, env).value("DECISIONS").to_string();
    let seed_42 = decisions("child_report", &[("CHAOS_SEED", "42")]);
    let config_43 = decisions("child_report", &[("CHAOS_CONFIG", r#"{"seed": 43}"#)]);
    // The two seeds give different decisions, so the checks below can tell which one won.
    assert_ne!(seed_42, config_43);
    assert_eq!(
        decisions(
            "child_report",
            &[("CHAOS_SEED", "42"), ("CHAOS_CONFIG", r#"{"seed": 43}"#)]
        ),
        seed_42,
        "CHAOS_CONFIG's seed"
    );
    // A seed loaded through the API is used without CHAOS_SEED, and loses to it.
    assert_eq!(
        decisions("child_report_after_a_seeded_load", &[]),
        config_43
    );
    assert_eq!(
        decisions("child_report_after_a_seeded_load", &[("CHAOS_SEED", "42")]),
        seed_42,
        "the API's seed"
    );
}

#[test]
fn chaos_config_inline_overrides_points() {
    let child = run_child(
        "child_report",
        &[(
            "CHAOS_CONFIG",
            r#"{"points": {"env::always": {"enabled": false}, "env::coin": {"rate": 1.0}}}"#,
        )],
    );
    assert_eq!(child.value("ALWAYS"), "0");
    assert_eq!(child.value("DECISIONS"), "1".repeat(48));
}

#[test]
fn chaos_dry_run_counts_and_injects_nothing() {
    let child = run_child("child_report", &[("CHAOS_DRY_RUN", "1")]);
    assert_eq!(child.value("ALWAYS"), "0");
    assert_eq!(child.value("DRY"), "20");
}

#[test]
fn bad_variables_are_reported_once_and_turn_injection_off() {
    let cases = [
        (
            ("CHAOS_SEED", "forty-two"),
            "CHAOS_SEED must be an integer from 0 to 18446744073709551615; found `forty-two`",
        ),
        (
            ("CHAOS_ENABLED", "maybe"),
            "CHAOS_ENABLED must be one of 0, false, off, 1, true, on; found `maybe`",
        ),
        (
            ("CHAOS_CONFIG", r#"{"points": {"env::alwayz": {}}}"#),
            "did you mean `env::always`?",
        ),
        (("CHAOS_CONFIG", "{not json"), "malformed JSON"),
        (
            ("CHAOS_CONFIG", "/nonexistent/chaos.json"),
            "cannot read /nonexistent/chaos.json",
        ),
        // serde_json alone keeps the last of two keys: this one would inject on every call.
        (
            ("CHAOS_CONFIG", r#"{"enabled": false, "enabled": true}"#),
            "at enabled: duplicate key `enabled`",
        ),
        (
            (
                "CHAOS_CONFIG",
                r#"{"points": {"env::always": {"rate": 0, "rate": 1}}}"#,
            ),
            "at points.\"env::always\".rate: duplicate key `rate`",
        ),
    ];
    for ((name, value), expected) in cases {
        let child = run_child("child_report", &[(name, value)]);
        assert_eq!(child.value("ALWAYS"), "0", "{name}={value}");
        assert_eq!(
            child.stderr.matches(expected).count(),
            1,
            "{name}={value}:\n{}",
            child.stderr
        );
    }
}

fn write_config(path: &str, json: &str) {
    // Written whole to a temporary name and renamed, as a deployment tool would, so that the
    // watcher never reads half a file.
    let partial = format!("{path}.partial");
    let mut file = std::fs::File::create(&partial).unwrap();
    file.write_all(json.as_bytes()).unwrap();
    file.sync_all().unwrap();
    std::fs::rename(&partial, path).unwrap();
}

/// Waits until `point` faults or not (`faults`), at most 30 s (only a real hang takes that long);
/// returns whether it did.
fn wait_until(point: fn() -> Result<u32, Fault>, faults: bool) -> bool {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(30) {
        if point().is_err() == faults {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    false
}

/// Follows the file named by CHAOS_CONFIG through a change, a broken version and a repair.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_follows_its_config_file() {
    let path = std::env::var("CHAOS_CONFIG").unwrap();
    assert!(
        from_file().is_ok(),
        "the first version leaves the point at rate 0"
    );
    write_config(
        &path,
        r#"{"points": {"env::from_file": {"rate": 1.0, "error": "from the new file"}}}"#,
    );
    println!("\nRELOADED={}", wait_until(from_file, true));
    // `always` is not named by the file: its attribute (rate 1.0) is in force, until a broken
    // version turns injection off. Back at the attributes it would still fault.
    println!("ALWAYS_BEFORE_BAD={}", always_faulted());
    write_config(&path, r#"{"points": {"env::from_file": {"rate": 2.0}}}"#);
    println!("OFF_AFTER_BAD={}", wait_until(always, false));
    println!("FROM_FILE_AFTER_BAD={}", from_file().is_err());
    write_config(&path, r#"{"points": {"env::from_file": {"rate": 1.0}}}  "#);
    println!("RECOVERED={}", wait_until(from_file, true));
    println!("ALWAYS_RECOVERED={}", always_faulted());
}

/// A temporary file for a configuration, named for this process and `tag`.
fn temp_config(tag: &str, json: &str) -> String {
    let path = std::env::temp_dir().join(format!("chaos-env-{tag}-{}.json", std::process::id()));
    let path = path.to_str().unwrap().to_string();
    write_config(&path, json);
    path
}

#[test]
fn a_config_file_is_followed_as_it_changes() {
    let path = temp_config(
        "followed",
        r#"{"points": {"env::from_file": {"rate": 0.0}}}"#,
    );
    let child = run_child(
        "child_follows_its_config_file",
        &[("CHAOS_CONFIG", &path), ("CHAOS_CONFIG_POLL_MS", "20")],
    );
    let _ = std::fs::remove_file(&path);
    let values = [
        "RELOADED",
        "ALWAYS_BEFORE_BAD",
        "OFF_AFTER_BAD",
        "FROM_FILE_AFTER_BAD",
        "RECOVERED",
        "ALWAYS_RECOVERED",
    ]
    .map(|k| child.value(k));
    assert_eq!(
        values,
        ["true", "20", "true", "false", "true", "20"],
        "{}",
        child.stderr
    );
    let rejection = "`rate` must be a probability between 0.0 and 1.0, found 2.0";
    assert_eq!(
        child.stderr.matches(rejection).count(),
        1,
        "{}",
        child.stderr
    );
}

/// Changes the file named by CHAOS_CONFIG, and reports whether the change was in force within
/// 1.5 s (past the default poll of 1 s).
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_changes_its_config_file_once() {
    let path = std::env::var("CHAOS_CONFIG").unwrap();
    assert!(from_file().is_ok());
    write_config(&path, r#"{"points": {"env::from_file": {"rate": 1.0}}}"#);
    let started = Instant::now();
    let mut changed = false;
    while !changed && started.elapsed() < Duration::from_millis(1_500) {
        std::thread::sleep(Duration::from_millis(10));
        changed = from_file().is_err();
    }
    println!("\nCHANGED={changed}");
}

#[test]
fn the_poll_interval_is_read_from_chaos_config_poll_ms() {
    let quiet = r#"{"points": {"env::from_file": {"rate": 0.0}}}"#;
    // Ten minutes between checks: the change is not seen within the test. Time can only make
    // this pass more surely; if the variable were ignored, the default 1 s poll would see it.
    let path = temp_config("slow-poll", quiet);
    let slow = run_child(
        "child_changes_its_config_file_once",
        &[("CHAOS_CONFIG", &path), ("CHAOS_CONFIG_POLL_MS", "600000")],
    );
    let _ = std::fs::remove_file(&path);
    assert_eq!(slow.value("CHANGED"), "false", "{}", slow.stderr);
}

#[test]
fn an_empty_chaos_config_is_unset() {
    for empty in ["", "  "] {
        let child = run_child("child_report", &[("CHAOS_CONFIG", empty)]);
        assert_eq!(child.value("ALWAYS"), "20", "{:?}: {}", empty, child.stderr);
        assert!(!child.stderr.contains("rejected"), "{}", child.stderr);
    }
}

#[cfg(unix)]
#[test]
fn an_inline_config_that_is_not_utf8_is_reported_not_read_lossily() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    // Valid JSON once the byte is replaced: read lossily, it would be accepted.
    let config =
        OsString::from_vec(b"{\"points\": {\"env::always\": {\"error\": \"\xff\"}}}".to_vec());
    let child = run_child_os("child_report", &[("CHAOS_CONFIG", config)]);
    assert_eq!(child.value("ALWAYS"), "0", "{}", child.stderr);
    assert!(
        child.stderr.contains("CHAOS_CONFIG is a JSON document (it starts with `{`) with a byte that is not UTF-8, at byte 38"),
        "{}",
        child.stderr
    );
}

#[test]
fn negative_zero_is_zero() {
    let child = run_child(
        "child_report",
        &[(
            "CHAOS_CONFIG",
            r#"{"seed": -0, "points": {"env::always": {"latency_ms": -0, "rate": -0.0}}}"#,
        )],
    );
    // Accepted: a seed of 0, a latency of 0 in place of the declared error, at a rate of 0.
    assert!(!child.stderr.contains("rejected"), "{}", child.stderr);
    assert_eq!(child.value("ALWAYS"), "0");
    let child = run_child(
        "child_report",
        &[(
            "CHAOS_CONFIG",
            r#"{"points": {"env::always": {"one_in": -0}}}"#,
        )],
    );
    assert_eq!(child.value("ALWAYS"), "0");
    assert!(
        child
            .stderr
            .contains("`one_in` must be an integer >= 1 (`one_in = 1` faults every call), found 0"),
        "{}",
        child.stderr
    );
}

#[test]
fn a_name_or_key_from_the_configuration_cannot_forge_a_line() {
    // JSON escapes: the document holds a newline, a NUL and an ESC once read.
    for (config, shown) in [
        (
            r#"{"points": {"x\nchaos: forged\u0000": {}}}"#,
            r#"at points."x\nchaos: forged\u0000": no injection point is named `x\nchaos: forged\0`"#,
        ),
        (
            r#"{"points": {"env::always": {"ra\nchaos: forged\u001b[2J": 1}}}"#,
            r#"at points."env::always".ra\nchaos: forged\u{1b}[2J: unknown key `ra\nchaos: forged\u{1b}[2J`"#,
        ),
    ] {
        let child = run_child("child_report", &[("CHAOS_CONFIG", config)]);
        assert_eq!(child.value("ALWAYS"), "0");
        let rejected: Vec<&str> = child
            .stderr
            .lines()
            .filter(|l| l.contains("rejected"))
            .collect();
        assert_eq!(rejected.len(), 1, "{}", child.stderr);
        assert!(rejected[0].contains(shown), "{shown}\n{}", rejected[0]);
        assert!(
            !child.stderr.lines().any(|l| l.starts_with("chaos: forged")),
            "{}",
            child.stderr
        );
        assert!(
            !child.stderr.contains(['\0', '\u{1b}']),
            "{:?}",
            child.stderr
        );
    }
}

#[test]
fn fifty_thousand_unknown_keys_print_a_bounded_report() {
    // A file: one environment variable holds at most 128 KiB on Linux, and this is 600 KB.
    let keys: Vec<String> = (0..50_000).map(|i| format!("\"unknown_{i}\": 1")).collect();
    let path = temp_config("many-keys", &format!("{{{}}}", keys.join(", ")));
    let child = run_child("child_report", &[("CHAOS_CONFIG", &path)]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(child.value("ALWAYS"), "0");
    assert!(
        child.stderr.len() <= 64 << 10,
        "{} bytes of stderr",
        child.stderr.len()
    );
    assert!(
        child.stderr.contains("; ... and 49980 more problems"),
        "{}",
        child.stderr
    );
    // The same in a point, whose unknown-key message is longer, with keys of 100 KB.
    let long = "k".repeat(100_000);
    let keys: Vec<String> = (0..8).map(|i| format!("\"{long}{i}\": 1")).collect();
    let path = temp_config(
        "long-keys",
        &format!(
            r#"{{"points": {{"env::always": {{{}}}}}}}"#,
            keys.join(", ")
        ),
    );
    let child = run_child("child_report", &[("CHAOS_CONFIG", &path)]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(child.value("ALWAYS"), "0");
    assert!(
        child.stderr.len() <= 16 << 10,
        "{} bytes",
        child.stderr.len()
    );
    assert!(
        child.stderr.contains("unknown key `kkkk"),
        "{}",
        child.stderr
    );
}
