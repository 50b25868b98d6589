//! Two points of one name (two methods `get` in two `impl` blocks of one module) are found at the
//! start, announced once with where each is, and a configuration naming them is refused.
#![cfg(feature = "enabled")]

mod common;

use chaos::{Config, PointConfig, chaos};
use common::run_child;

type Error = Box<dyn std::error::Error + Send + Sync>;

mod store {
    use super::*;

    pub struct Orders;
    pub struct Payments;

    impl Orders {
        #[chaos(error = "orders unavailable", rate = 0.0)]
        pub fn get(&self) -> Result<u32, Error> {
            Ok(1)
        }
    }

    impl Payments {
        #[chaos(latency_ms = 1, rate = 0.0)]
        pub fn get(&self) -> Result<u32, Error> {
            Ok(2)
        }

        // Named: it does not share the name.
        #[chaos(
            error = "payments unavailable",
            rate = 0.0,
            name = "store::payments::charge"
        )]
        pub fn charge(&self) -> Result<u32, Error> {
            Ok(3)
        }
    }
}

const SHARED: &str = "shared_names::store::get";

/// `file:line` of each `#[chaos(` line above that declares a `get`.
fn sites() -> Vec<String> {
    let source = include_str!("shared_names.rs");
    let lines: Vec<&str> = source.lines().collect();
    (0..lines.len())
        .filter(|&i| {
            lines[i].trim_start().starts_with("#[chaos(") && lines[i + 1].contains("fn get")
        })
        .map(|i| format!("shared_names.rs:{}:", i + 1))
        .collect()
}

#[test]
fn both_points_are_listed_with_where_they_are() {
    let shared: Vec<u32> = chaos::points()
        .iter()
        .filter(|p| p.name() == SHARED)
        .map(|p| p.line())
        .collect();
    assert_eq!(shared.len(), 2, "{shared:?}");
    assert_ne!(shared[0], shared[1]);
    let _ = (
        store::Orders.get(),
        store::Payments.get(),
        store::Payments.charge(),
    );
}

#[test]
fn a_configuration_naming_a_shared_name_is_refused_with_both_sites() {
    let sites = sites();
    assert_eq!(sites.len(), 2, "{sites:?}");
    let error = Config::new()
        .point(SHARED, PointConfig::new().rate(1.0))
        .validate()
        .unwrap_err();
    let message = error.to_string();
    for site in &sites {
        assert!(message.contains(site.as_str()), "{site} missing: {message}");
    }
    assert!(message.contains("give each its own `name"), "{message}");
    // An override and a scope are configurations too.
    let error = chaos::override_point(SHARED, PointConfig::new().rate(1.0)).unwrap_err();
    assert!(error.to_string().contains("names 2 points"), "{error}");
    assert!(chaos::Scope::new(Config::new().point(SHARED, PointConfig::new())).is_err());
    // A point with a name of its own is configured as usual.
    let guard = chaos::override_point("store::payments::charge", PointConfig::new().rate(1.0))
        .expect("a unique name");
    drop(guard);
}

#[test]
#[ignore = "run by the other tests as a child process"]
fn child_call() {
    let _ = store::Orders.get();
    let _ = store::Orders.get();
    println!("\nCALLED=yes");
}

#[test]
fn the_shared_name_is_announced_once_at_the_start() {
    let child = run_child("child_call", &[]);
    assert_eq!(child.value("CALLED"), "yes");
    let announced: Vec<&str> = child
        .stderr
        .lines()
        .filter(|line| line.contains(&format!("`{SHARED}` names 2 points")))
        .collect();
    assert_eq!(announced.len(), 1, "{}", child.stderr);
    for site in sites() {
        assert!(
            announced[0].contains(&site),
            "{site} missing: {}",
            announced[0]
        );
    }
    assert!(
        !child.stderr.contains("store::payments::charge"),
        "{}",
        child.stderr
    );
}
