//! The run-time API compiles and behaves in both builds, without a `cfg`: compiled in, it acts on
//! the points; compiled out, there are no points, configurations change nothing, guards and
//! scopes do nothing, and `init` has nothing to read. Runs in every step of the feature matrix.

mod common;

use std::time::Duration;

use chaos::spec::FaultSpec;
use chaos::{Config, ConfigError, OverrideGuard, PointConfig, PointInfo, PointStats, Scope, chaos};
use common::run_child;

#[chaos(status = 503, rate = 0.0, name = "both::create")]
fn create() -> Result<u32, chaos::Fault> {
    Ok(7)
}

#[test]
fn points_and_stats_list_the_points_compiled_in() {
    let listed = chaos::points().iter().any(|p| p.name() == "both::create");
    assert_eq!(listed, chaos::ENABLED);
    let counted = chaos::stats().iter().any(|s| s.point == "both::create");
    assert_eq!(counted, chaos::ENABLED);
}

#[test]
fn an_override_faults_only_with_chaos_compiled_in() {
    let guard = chaos::override_point("both::create", PointConfig::new().rate(1.0)).unwrap();
    let answer = create();
    drop(guard);
    if chaos::ENABLED {
        assert_eq!(answer.unwrap_err().status(), Some(503));
    } else {
        assert_eq!(answer, Ok(7));
    }
    assert_eq!(create(), Ok(7));
}

#[test]
fn a_scope_faults_only_with_chaos_compiled_in() {
    let scope =
        Scope::new(Config::new().point("both::create", PointConfig::new().rate(1.0).status(429)))
            .unwrap();
    let answer = scope.run_sync(create);
    assert_eq!(
        answer.map_err(|f| f.status()),
        if chaos::ENABLED {
            Err(Some(429))
        } else {
            Ok(7)
        }
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let answer = runtime.block_on(scope.run(async { create() }));
    assert_eq!(answer.is_err(), chaos::ENABLED);
}

#[test]
fn compiled_out_a_point_name_is_not_checked_compiled_in_it_is() {
    let config = Config::new().point("both::nowhere", PointConfig::new().rate(1.0));
    assert_eq!(config.validate().is_err(), chaos::ENABLED);
    // Compiled out, JSON is not read: an empty configuration, which changes nothing.
    let read = Config::from_json(r#"{"enabled": true}"#).unwrap();
    let expected = if chaos::ENABLED {
        Config::new().enabled(true)
    } else {
        Config::new()
    };
    assert_eq!(read, expected);
}

#[test]
#[ignore = "run by the other tests as a child process"]
fn child_init_and_configure() {
    let init = chaos::init();
    let refused = chaos::configure_json("{not json").is_err()
        && chaos::configure_file("/nonexistent/chaos.json").is_err()
        && chaos::watch_file("/nonexistent/chaos.json", Duration::from_secs(60)).is_err();
    // The API's own error is returned, and not printed: mark where the child's own lines end.
    eprintln!("END_OF_CALLS");
    println!(
        "\nINIT={}\nREFUSED={refused}",
        init.err().map_or("ok".to_string(), |e| e.to_string())
    );
    chaos::reset();
}

#[test]
fn init_returns_what_the_environment_got_wrong() {
    let good = run_child("child_init_and_configure", &[]);
    assert_eq!(good.value("INIT"), "ok");
    // The banner counts this binary's one point in the singular.
    let banner = "compiled into this binary (1 injection point);";
    assert_eq!(
        good.stderr.contains(banner),
        chaos::ENABLED,
        "{}",
        good.stderr
    );
    let bad = run_child(
        "child_init_and_configure",
        &[("CHAOS_SEED", "x"), ("CHAOS_ENABLED", "maybe")],
    );
    if chaos::ENABLED {
        let init = bad.value("INIT");
        assert!(
            init.contains("CHAOS_SEED") && init.contains("CHAOS_ENABLED"),
            "{init}"
        );
        // The environment's problem is also printed (nobody else would hear of it).
        assert!(
            bad.stderr
                .contains("the environment's configuration rejected"),
            "{}",
            bad.stderr
        );
    } else {
        // Compiled out, there is nothing to read.
        assert_eq!(bad.value("INIT"), "ok");
    }
}

#[test]
fn an_error_returned_by_the_api_is_not_also_printed() {
    let child = run_child("child_init_and_configure", &[]);
    assert_eq!(child.value("REFUSED"), chaos::ENABLED.to_string());
    let before_end = child.stderr.split("END_OF_CALLS").next().unwrap();
    assert!(!before_end.contains("rejected"), "{}", child.stderr);
    assert!(!before_end.contains("malformed"), "{}", child.stderr);
    assert!(
        !before_end.contains("/nonexistent/chaos.json"),
        "{}",
        child.stderr
    );
}

/// Each item of the run-time API with its type spelled out: a signature that differs between
/// the builds fails to compile in one of them.
#[test]
fn the_api_has_the_same_signatures_in_both_builds() {
    let _: fn() -> Result<(), ConfigError> = chaos::init;
    let _: fn() = chaos::reset;
    let _: fn(bool) = chaos::set_enabled;
    let _: fn(Config) -> Result<(), ConfigError> = chaos::configure;
    let _: fn(&str) -> Result<(), ConfigError> = chaos::configure_json;
    // `impl AsRef<Path>` arguments cannot be named in a fn pointer: through a closure.
    let _: fn(&str) -> Result<(), ConfigError> = |path| chaos::configure_file(path);
    let _: fn(&str, Duration) -> Result<(), ConfigError> =
        |path, poll| chaos::watch_file(path, poll);
    let _: fn(&str, PointConfig) -> Result<OverrideGuard, ConfigError> = chaos::override_point;
    let _: fn() -> &'static [PointInfo] = chaos::points;
    let _: fn() -> Vec<PointStats> = chaos::stats;
    let _: fn() -> Vec<(&'static str, u64)> = chaos::disk_fills;
    let _: fn(&PointInfo) -> &'static str = PointInfo::name;
    let _: fn(&PointInfo) -> &'static FaultSpec = PointInfo::spec;
    let _: fn(&PointInfo) -> &'static str = PointInfo::file;
    let _: fn(&PointInfo) -> u32 = PointInfo::line;
    let _: fn(&PointInfo) -> bool = PointInfo::is_layer;
    let _: fn(&PointInfo) -> bool = PointInfo::carries_outcome;
    let _: fn(&PointInfo) -> PointStats = PointInfo::stats;
    let _: fn(Config) -> Result<Scope, ConfigError> = Scope::new;
    let _: fn(&Config) -> Result<(), ConfigError> = Config::validate;
    let _: fn(&str) -> Result<Config, ConfigError> = Config::from_json;
    // And what is read off them compiles alike.
    let error = Config::new()
        .point("both::nowhere", PointConfig::new())
        .validate();
    let problems = error.err().map_or(0, |e| e.problems().count());
    assert_eq!(problems > 0, chaos::ENABLED);
    assert_eq!(chaos::disk_fills(), Vec::new());
    assert!(chaos::configure_file("/nonexistent/chaos.json").is_err() == chaos::ENABLED);
    chaos::reset();
}
