//! Every injection point is known at run time, called or not, and configuration is checked
//! against them.
#![cfg(feature = "enabled")]

use chaos::{Config, PointConfig, chaos};

type Error = Box<dyn std::error::Error + Send + Sync>;

#[chaos(status = 503, rate = 0.25, name = "shop::orders::create")]
fn create_order() -> Result<u32, Error> {
    Ok(1)
}

// Never called anywhere: it must be listed all the same.
#[allow(dead_code)]
#[chaos(latency_ms = 100..=400, one_in = 3, name = "shop::payments::charge")]
fn charge() -> u32 {
    2
}

#[test]
fn points_lists_every_point_including_those_never_called() {
    let names: Vec<&str> = chaos::points().iter().map(|p| p.name()).collect();
    assert!(names.contains(&"shop::orders::create"), "{names:?}");
    assert!(names.contains(&"shop::payments::charge"), "{names:?}");
    let charge = chaos::points()
        .iter()
        .find(|p| p.name() == "shop::payments::charge")
        .unwrap();
    // Where its attribute is: `file!()` and a line of this file.
    assert!(charge.file().ends_with("registry.rs"), "{}", charge.file());
    let source = include_str!("registry.rs");
    let line = source.lines().nth(charge.line() as usize - 1).unwrap();
    assert!(
        line.contains("#[chaos(") && line.contains("latency_ms = 100..=400"),
        "{line}"
    );
    assert_eq!(
        charge.spec().latency(),
        Some(chaos::spec::Latency::Uniform {
            min_ms: 100,
            max_ms: 400
        })
    );
    assert!(!charge.carries_outcome());
    let _ = create_order();
}

#[test]
fn unknown_point_is_rejected_with_the_closest_names() {
    let error = Config::new()
        .point("shop::order::create", PointConfig::new().rate(0.5))
        .validate()
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "at points.\"shop::order::create\": no injection point is named `shop::order::create`; did you mean `shop::orders::create`?"
    );
}

#[test]
fn unknown_point_far_from_every_name_says_how_to_list_them() {
    let error = Config::new()
        .point("zzz", PointConfig::new().rate(0.5))
        .validate()
        .unwrap_err();
    assert!(
        error.to_string().contains("`chaos::points()` lists them"),
        "{error}"
    );
}

#[test]
fn values_are_checked_with_the_compile_time_wording() {
    let error = Config::new()
        .point(
            "shop::orders::create",
            PointConfig::new().status(600).rate(1.5),
        )
        .validate()
        .unwrap_err();
    let problems: Vec<(String, String)> = error
        .problems()
        .map(|(at, what)| (at.to_string(), what.to_string()))
        .collect();
    assert_eq!(
        problems,
        vec![
            (
                "points.\"shop::orders::create\".status".to_string(),
                "`status` must be an HTTP status code in 100..=599, found 600".to_string()
            ),
            (
                "points.\"shop::orders::create\".rate".to_string(),
                "`rate` must be a probability between 0.0 and 1.0, found 1.5".to_string()
            ),
        ]
    );
}

#[test]
fn an_outcome_cannot_be_given_to_a_point_whose_return_type_was_not_checked() {
    let error = Config::new()
        .point("shop::payments::charge", PointConfig::new().status(503))
        .validate()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`status` cannot be given to `shop::payments::charge`"),
        "{error}"
    );
    // A panic needs nothing of the return type.
    Config::new()
        .point("shop::payments::charge", PointConfig::new().panic("boom"))
        .validate()
        .unwrap();
}

#[test]
fn groups_replace_each_other_rather_than_conflict() {
    // The attribute says `one_in = 3`; a `rate` replaces it. Giving both in one override is a
    // conflict, as in the attribute.
    Config::new()
        .point("shop::payments::charge", PointConfig::new().rate(0.5))
        .validate()
        .unwrap();
    let error = Config::new()
        .point(
            "shop::payments::charge",
            PointConfig::new().rate(0.5).one_in(2),
        )
        .validate()
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("`one_in` cannot be combined with `rate`"),
        "{error}"
    );
}
