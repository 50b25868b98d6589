//! The run-time API compiles and behaves in both builds, without a `cfg`: compiled in, it acts on
//! the points; compiled out, there are no points, configurations change nothing, guards and
//! scopes do nothing, and `init` has nothing to read. Runs in every step of the feature matrix.

mod common;

use chaos::{Config, PointConfig, Scope, chaos};
use common::run_child;

#[chaos(status = 503, rate = 0.0, name = "both::create")]
fn create() -> Result<u32, chaos::Fault> {
    Ok(7)
}

#[test]
fn points_and_stats_list_the_points_compiled_in() {
    let listed = chaos::points()
        .into_iter()
        .any(|p| p.name() == "both::create");
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
    // Reading JSON needs chaos compiled in; compiled out, it says so.
    match Config::from_json(r#"{"enabled": true}"#) {
        Ok(read) => assert!(chaos::ENABLED && read == Config::new().enabled(true)),
        Err(error) => assert!(
            !chaos::ENABLED && error.to_string().contains("compiled out"),
            "{error}"
        ),
    }
}

#[test]
#[ignore = "run by the other tests as a child process"]
fn child_init_and_configure() {
    let init = chaos::init();
    let refused = chaos::configure_json("{not json").is_err();
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
}
