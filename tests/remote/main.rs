//! Following a configuration in AppConfig or SSM Parameter Store, against stand-ins for their
//! Lambda extensions on loopback: the happy path, a change reaching the running process, and
//! every failure (each keeps the last valid configuration, is reported once, and is retried).
//! Nothing here talks to anything off this machine.
#![cfg(feature = "aws")]

#[path = "../common/mod.rs"]
mod common;
mod extension;

use std::io::Write;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use chaos::{Fault, RemoteSource, chaos};
use common::run_child;
use extension::{APP, Behaviour, ClosedPort, Extension, PARAMETER, Protocol};

// Faulting by default: so "injection is off" below can only hold if following a source that
// has not answered really turns it off.
#[chaos(error = "declared", rate = 1.0, name = "remote::handler")]
fn handler() -> Result<u32, Fault> {
    Ok(1)
}

const TTL: Duration = Duration::from_millis(100);
const TOKEN: &str = "session-token-for-tests";

/// A configuration that faults `remote::handler` with this message.
fn document(message: &str) -> String {
    format!(r#"{{"points": {{"remote::handler": {{"rate": 1.0, "error": "{message}"}}}}}}"#)
}

/// The message `handler` fails with now, or `None` when it is not faulted.
fn in_force() -> Option<String> {
    handler()
        .err()
        .and_then(|fault| fault.message().map(str::to_string))
}

/// Waits until `in_force()` is `expected`; returns how long that took. A change takes a TTL or
/// a few backoffs (a second or two); only a hang takes the 30 s bound.
fn wait_for(expected: Option<&str>) -> Duration {
    let started = Instant::now();
    while in_force().as_deref() != expected {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "after 30 s, {:?} is in force, not {expected:?}",
            in_force()
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    started.elapsed()
}

fn appconfig(extension: &Extension) -> RemoteSource {
    let (app, env, profile) = APP;
    RemoteSource::appconfig(app, env, profile)
        .port(extension.port)
        .ttl(TTL)
}

fn ssm(extension: &Extension, token: &str) -> RemoteSource {
    RemoteSource::ssm_parameter(PARAMETER)
        .port(extension.port)
        .token(token)
        .ttl(TTL)
}

/// What chaos reported (its `tracing` events), for counting reports.
#[derive(Clone, Default)]
struct Reports(Arc<Mutex<Vec<u8>>>);

impl Write for Reports {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Reports {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
    fn count(&self, needle: &str) -> usize {
        self.text().matches(needle).count()
    }
}

/// Holds the turn of one test; stops what it followed when dropped (so declare it after the
/// extension it follows, to drop it first).
struct Turn(#[allow(dead_code)] MutexGuard<'static, ()>);

impl Drop for Turn {
    fn drop(&mut self) {
        chaos::reset();
    }
}

/// The tests share the process-wide configuration (and the reports): one at a time.
fn exclusive() -> (Turn, Reports) {
    static LOCK: Mutex<()> = Mutex::new(());
    static REPORTS: OnceLock<Reports> = OnceLock::new();
    let reports = REPORTS
        .get_or_init(|| {
            let reports = Reports::default();
            let writer = reports.clone();
            tracing_subscriber::fmt()
                .with_writer(move || writer.clone())
                .with_ansi(false)
                .init();
            reports
        })
        .clone();
    let guard = LOCK.lock().unwrap_or_else(|p| p.into_inner());
    chaos::reset();
    reports.clear();
    (Turn(guard), reports)
}

#[test]
fn appconfig_loads_the_document_and_follows_its_changes() {
    let extension = Extension::start(Protocol::AppConfig, Behaviour::Serve(document("v1")));
    let (_guard, _) = exclusive();
    chaos::follow_remote(appconfig(&extension)).unwrap();
    wait_for(Some("v1"));

    extension.set(Behaviour::Serve(document("v2")));
    let propagation = wait_for(Some("v2"));
    println!("a change reached the process in {propagation:?} (TTL {TTL:?})");

    // A document that turns the point off again.
    extension.set(Behaviour::Serve(r#"{"enabled": false}"#.into()));
    wait_for(None);
}

#[test]
fn ssm_loads_the_parameter_value_with_the_session_token() {
    let extension = Extension::start(
        Protocol::Ssm { token: TOKEN },
        Behaviour::Serve(document("from ssm")),
    );
    let (_guard, _) = exclusive();
    chaos::follow_remote(ssm(&extension, TOKEN)).unwrap();
    wait_for(Some("from ssm"));
    extension.set(Behaviour::Serve(document("changed in ssm")));
    wait_for(Some("changed in ssm"));
}

#[test]
fn without_a_valid_document_ever_injection_stays_off_and_the_failure_is_reported_once() {
    let extension = Extension::start(
        Protocol::Ssm { token: TOKEN },
        Behaviour::Serve(document("never seen")),
    );
    let (_guard, reports) = exclusive();
    // The extension refuses a wrong token (401), every time.
    let since = extension.requests();
    chaos::follow_remote(ssm(&extension, "a-wrong-token")).unwrap();
    extension.wait_for_requests(since, 3);
    assert_eq!(in_force(), None);
    assert_eq!(reports.count("unavailable"), 1, "{}", reports.text());
    assert!(
        reports.text().contains("answered 401")
            && reports.text().contains("fault injection stays OFF"),
        "{}",
        reports.text()
    );
}

#[test]
fn connection_refused_keeps_injection_off_until_the_extension_answers() {
    // Reserved, not freed: no other test's extension can be given this port while it refuses.
    let closed = ClosedPort::bind();
    let (guard, reports) = exclusive();
    let (app, env, profile) = APP;
    chaos::follow_remote(
        RemoteSource::appconfig(app, env, profile)
            .port(closed.port)
            .ttl(TTL),
    )
    .unwrap();
    // Attempts at 0, 200, 600 ms (the TTL doubled per failure): wait past the third. On a slow
    // machine fewer attempts fail meanwhile, and what follows still holds.
    std::thread::sleep(Duration::from_millis(900));
    assert_eq!(in_force(), None);
    assert_eq!(reports.count("unavailable"), 1, "{}", reports.text());
    assert!(
        reports.text().contains("connection refused"),
        "{}",
        reports.text()
    );

    // The extension comes up on the same port: a later attempt (a retry) loads its document,
    // and the return of the source is reported.
    let extension = closed.listen(
        Protocol::AppConfig,
        Behaviour::Serve(document("after the refusals")),
    );
    wait_for(Some("after the refusals"));
    assert!(extension.requests() >= 1);
    let started = Instant::now();
    while reports.count("answers again") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{}",
            reports.text()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        reports.count("unavailable"),
        1,
        "one report for all the refused attempts: {}",
        reports.text()
    );
    // The follower stops before its extension goes away.
    drop(guard);
    drop(extension);
}

#[test]
fn a_remote_source_replaces_a_watched_file() {
    let extension = Extension::start(
        Protocol::AppConfig,
        Behaviour::Hang(Duration::from_secs(30)),
    );
    let (_guard, _) = exclusive();
    let path = std::env::temp_dir().join(format!("chaos-remote-test-{}.json", std::process::id()));
    std::fs::write(&path, document("from the file")).unwrap();
    chaos::watch_file(&path, Duration::from_millis(20)).unwrap();
    wait_for(Some("from the file"));

    // The source has not answered: injection is off, and the file is no longer followed.
    chaos::follow_remote(appconfig(&extension)).unwrap();
    assert_eq!(in_force(), None);
    std::fs::write(&path, document("the file, changed")).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(in_force(), None);
    std::fs::remove_file(&path).unwrap();
}

/// Loads `v1`, then makes the extension fail as `failure` does: `v1` stays in force, the
/// failure is reported once (with `expected` in its words) however many attempts fail, and when
/// the extension answers again that is reported too.
fn survives(failure: Behaviour, attempts: usize, expected: &str) {
    let extension = Extension::start(Protocol::AppConfig, Behaviour::Serve(document("v1")));
    let (_guard, reports) = exclusive();
    chaos::follow_remote(appconfig(&extension)).unwrap();
    wait_for(Some("v1"));

    let since = extension.requests();
    extension.set(failure.clone());
    extension.wait_for_requests(since, attempts + 1);
    assert_eq!(in_force().as_deref(), Some("v1"), "{failure:?}");
    let text = reports.text();
    assert_eq!(
        text.matches("unavailable").count(),
        1,
        "{failure:?}: {text}"
    );
    assert!(
        text.contains(expected) && text.contains("keeping the last valid configuration"),
        "{failure:?}: {text}"
    );

    extension.set(Behaviour::Serve(document("v1")));
    let started = Instant::now();
    while reports.count("answers again") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{}",
            reports.text()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(in_force().as_deref(), Some("v1"));
}

#[test]
fn a_server_error_keeps_the_last_valid_configuration() {
    survives(Behaviour::Status(500), 3, "answered 500");
}

/// The source serves a valid document with faults, then `invalid`: the faults stop (within a TTL
/// and a request; the 30 s bound of `wait_for` only catches a hang), the rejection is said once
/// however often the extension serves it, and a valid document turns injection on again.
fn an_invalid_answer_turns_injection_off(invalid: Behaviour, expected: &str) {
    let extension = Extension::start(Protocol::AppConfig, Behaviour::Serve(document("v1")));
    let (_guard, reports) = exclusive();
    chaos::follow_remote(appconfig(&extension)).unwrap();
    wait_for(Some("v1"));

    extension.set(invalid.clone());
    wait_for(None);
    let since = extension.requests();
    extension.wait_for_requests(since, 3);
    assert_eq!(in_force(), None, "{invalid:?}");
    let text = reports.text();
    assert_eq!(text.matches("rejected").count(), 1, "{invalid:?}: {text}");
    assert!(
        text.contains(expected) && text.contains("fault injection is OFF"),
        "{invalid:?}: {text}"
    );
    assert_eq!(
        text.matches("unavailable").count(),
        0,
        "it answered: {text}"
    );

    extension.set(Behaviour::Serve(document("v2")));
    wait_for(Some("v2"));
}

#[test]
fn a_body_that_is_not_json_turns_injection_off_until_a_valid_document() {
    an_invalid_answer_turns_injection_off(
        Behaviour::RawBody("<html>gateway</html>".into()),
        "not a valid configuration: malformed JSON",
    );
}

#[test]
fn a_document_that_fails_validation_turns_injection_off_until_a_valid_document() {
    // The operator's "stop" document, with a misspelt point: it must stop the faults anyway.
    an_invalid_answer_turns_injection_off(
        Behaviour::Serve(r#"{"enabled": false, "points": {"remote::handlr": {"rate": 0}}}"#.into()),
        "did you mean `remote::handler`",
    );
}

#[test]
fn a_body_larger_than_the_bound_turns_injection_off_until_a_valid_document() {
    let huge = format!(
        r#"{{"points": {{}}, "padding": "{}"}}"#,
        "x".repeat(2 << 20)
    );
    an_invalid_answer_turns_injection_off(
        Behaviour::RawBody(huge),
        "larger than the 1048576 bytes",
    );
}

#[test]
fn an_error_answer_whose_body_changes_every_time_is_reported_once() {
    survives(
        Behaviour::StatusWithRequestId(503),
        4,
        "answered 503 Service Unavailable: the extension failed (request id",
    );
}

#[test]
fn a_flapping_extension_is_reported_in_a_few_lines() {
    let extension = Extension::start(Protocol::AppConfig, Behaviour::Serve(document("v1")));
    let (_guard, reports) = exclusive();
    chaos::follow_remote(appconfig(&extension)).unwrap();
    wait_for(Some("v1"));
    // Down and up every 200 ms for 6 s (the issue's case is 30 s; the rule is the same).
    let since = extension.requests();
    let started = Instant::now();
    let mut down = true;
    while started.elapsed() < Duration::from_secs(6) {
        extension.set(if down {
            Behaviour::Status(503)
        } else {
            Behaviour::Serve(document("v1"))
        });
        down = !down;
        std::thread::sleep(Duration::from_millis(200));
    }
    extension.set(Behaviour::Serve(document("v1")));
    let attempts = extension.requests() - since;
    let text = reports.text();
    let lines = text.matches("unavailable").count() + text.matches("answers again").count();
    assert!(
        attempts >= 10,
        "the follower kept asking: {attempts} attempts"
    );
    assert!(
        lines <= 4,
        "{lines} lines for {attempts} attempts of a flapping source: {text}"
    );
    assert_eq!(
        in_force().as_deref(),
        Some("v1"),
        "the last valid document stays"
    );
}

#[test]
fn an_extension_that_does_not_answer_in_time_keeps_the_last_valid_configuration() {
    survives(
        Behaviour::Hang(chaos::RemoteSource::REQUEST_TIMEOUT + Duration::from_secs(2)),
        2,
        "no complete answer in time",
    );
}

#[test]
fn a_slow_drip_keeps_the_last_valid_configuration() {
    // About 70 bytes at 50 ms each: well past the request timeout.
    survives(
        Behaviour::Drip(document("dripped"), Duration::from_millis(50)),
        2,
        "no complete answer in time",
    );
}

/// Follows whatever source the environment names, and reports when (and whether) the
/// configuration arrived, and how long the first call took.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_follow_from_the_environment() {
    // How long to wait for the document: long where it must arrive (only a hang takes that
    // long), short where it cannot.
    let patience = Duration::from_millis(
        std::env::var("TEST_ARRIVAL_WAIT_MS").map_or(30_000, |ms| ms.parse().unwrap()),
    );
    let started = Instant::now();
    let _ = chaos::init();
    let first = handler();
    let first_call = started.elapsed();
    let mut arrived = in_force().is_some();
    while !arrived && started.elapsed() < patience {
        std::thread::sleep(Duration::from_millis(5));
        arrived = in_force().is_some();
    }
    println!(
        "\nFIRST_FAULTED={}\nFIRST_CALL_MS={}\nARRIVED={arrived}\nMESSAGE={}",
        first.is_err(),
        first_call.as_millis(),
        in_force().unwrap_or_default()
    );
}

#[test]
fn chaos_appconfig_in_the_environment_is_followed_without_blocking_the_start() {
    let extension = Extension::start(
        Protocol::AppConfig,
        Behaviour::Serve(document("from the environment")),
    );
    let port = extension.port.to_string();
    let child = run_child(
        "child_follow_from_the_environment",
        &[
            ("CHAOS_APPCONFIG", "shop/test/chaos"),
            ("CHAOS_CONFIG_TTL_MS", "100"),
            ("AWS_APPCONFIG_EXTENSION_HTTP_PORT", &port),
        ],
    );
    assert_eq!(child.value("ARRIVED"), "true", "{}", child.stderr);
    assert_eq!(child.value("MESSAGE"), "from the environment");

    // An extension that hangs: the process starts and calls at once, without faults.
    extension.set(Behaviour::Hang(Duration::from_secs(30)));
    let child = run_child(
        "child_follow_from_the_environment",
        &[
            ("CHAOS_APPCONFIG", "shop/test/chaos"),
            ("AWS_APPCONFIG_EXTENSION_HTTP_PORT", &port),
            ("TEST_ARRIVAL_WAIT_MS", "1000"),
        ],
    );
    assert_eq!(child.value("ARRIVED"), "false");
    assert_eq!(child.value("FIRST_FAULTED"), "false");
    // Waiting for the extension would have taken the whole request timeout (the hang this bound
    // is there to catch); not waiting takes a few milliseconds.
    let first_call_ms: u128 = child.value("FIRST_CALL_MS").parse().unwrap();
    assert!(
        first_call_ms < chaos::RemoteSource::REQUEST_TIMEOUT.as_millis(),
        "{first_call_ms} ms"
    );
}

/// Follows the environment's file, then a remote source, then resets: the file is watched again.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_reset_returns_to_the_environment_file() {
    let path = std::env::var("CHAOS_CONFIG").unwrap();
    wait_for(Some("file v1"));
    let (app, env, profile) = APP;
    chaos::follow_remote(RemoteSource::appconfig(app, env, profile).ttl(TTL)).unwrap();
    wait_for(None);
    chaos::reset();
    wait_for(Some("file v1"));
    std::fs::write(&path, document("file v2, a little longer")).unwrap();
    wait_for(Some("file v2, a little longer"));
    println!("\nFOLLOWED_AGAIN=true");
}

#[test]
fn reset_watches_the_environment_file_again_after_a_remote_source() {
    let extension = Extension::start(
        Protocol::AppConfig,
        Behaviour::Hang(Duration::from_secs(30)),
    );
    let path = std::env::temp_dir().join(format!("chaos-reset-test-{}.json", std::process::id()));
    std::fs::write(&path, document("file v1")).unwrap();
    let port = extension.port.to_string();
    let child = run_child(
        "child_reset_returns_to_the_environment_file",
        &[
            ("CHAOS_CONFIG", path.to_str().unwrap()),
            ("CHAOS_CONFIG_POLL_MS", "20"),
            ("AWS_APPCONFIG_EXTENSION_HTTP_PORT", &port),
        ],
    );
    std::fs::remove_file(&path).unwrap();
    assert_eq!(child.value("FOLLOWED_AGAIN"), "true", "{}", child.stderr);
}

#[test]
fn chaos_ssm_parameter_in_the_environment_uses_the_session_token() {
    let extension = Extension::start(
        Protocol::Ssm { token: TOKEN },
        Behaviour::Serve(document("from the parameter")),
    );
    let port = extension.port.to_string();
    let child = run_child(
        "child_follow_from_the_environment",
        &[
            ("CHAOS_SSM_PARAMETER", PARAMETER),
            ("CHAOS_CONFIG_TTL_MS", "100"),
            ("PARAMETERS_SECRETS_EXTENSION_HTTP_PORT", &port),
            ("AWS_SESSION_TOKEN", TOKEN),
        ],
    );
    assert_eq!(
        child.value("MESSAGE"),
        "from the parameter",
        "{}",
        child.stderr
    );
}

#[test]
fn two_sources_at_once_are_refused_and_injection_stays_off() {
    let extension = Extension::start(Protocol::AppConfig, Behaviour::Serve(document("x")));
    let port = extension.port.to_string();
    let child = run_child(
        "child_follow_from_the_environment",
        &[
            ("CHAOS_APPCONFIG", "shop/test/chaos"),
            ("CHAOS_CONFIG", r#"{"enabled": true}"#),
            ("AWS_APPCONFIG_EXTENSION_HTTP_PORT", &port),
            ("TEST_ARRIVAL_WAIT_MS", "1000"),
        ],
    );
    assert_eq!(child.value("ARRIVED"), "false");
    assert!(
        child
            .stderr
            .contains("CHAOS_CONFIG and the AppConfig shop/test/chaos are both set"),
        "{}",
        child.stderr
    );
    assert_eq!(extension.requests(), 0, "nothing is followed");
}
