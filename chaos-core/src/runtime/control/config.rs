//! [`Config`]: the run-time configuration, its builders, and its validation against the points
//! compiled into the binary. Value rules and point rules are `spec`'s, so errors read as at
//! compile time.

use std::collections::BTreeMap;

use super::error::{ConfigError, Problems, point_path};
use super::registry;
use crate::runtime::PointConfig;
use crate::spec::{self, PointShape};

/// A run-time configuration: global switches and per-point overrides.
///
/// Every field is optional; what is absent keeps its current meaning (the attribute's spec for
/// points, on for `enabled`, off for `dry_run`). Build one in code or read one from JSON:
///
/// ```json
/// { "enabled": true, "seed": 42, "dry_run": false,
///   "points": { "shop::orders::create": { "rate": 0.5, "latency_ms": [100, 400], "status": 503 },
///               "shop::payments::charge": { "enabled": false } } }
/// ```
///
/// ```
/// use chaos_core::{Config, PointConfig};
///
/// let config = Config::new()
///     .seed(42)
///     .point("shop::orders::create", PointConfig::new().rate(0.5).status(503));
/// let parsed = Config::from_json(r#"{"seed": 42, "points": {"shop::orders::create": {"rate": 0.5, "status": 503}}}"#)?;
/// assert_eq!(config, parsed);
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `false` turns every point off.
    pub enabled: Option<bool>,
    /// Makes each point's decisions reproducible run to run.
    pub seed: Option<u64>,
    /// Decide, log and count, but inject nothing.
    pub dry_run: Option<bool>,
    /// `true` skips the points this binary does not have instead of rejecting the
    /// configuration: for one document shared by several functions (`"unknown_points":
    /// "ignore"` in JSON). A misspelt name is then skipped too, so it is off by default.
    pub ignore_unknown_points: Option<bool>,
    /// Overrides by point name.
    pub points: BTreeMap<String, PointConfig>,
}

impl Config {
    /// A configuration that changes nothing yet.
    pub fn new() -> Config {
        Config::default()
    }

    /// Turns every point on or off.
    pub fn enabled(mut self, enabled: bool) -> Config {
        self.enabled = Some(enabled);
        self
    }

    /// Seeds every point's decisions.
    pub fn seed(mut self, seed: u64) -> Config {
        self.seed = Some(seed);
        self
    }

    /// Decide, log and count, but inject nothing.
    pub fn dry_run(mut self, dry_run: bool) -> Config {
        self.dry_run = Some(dry_run);
        self
    }

    /// Skips the points this binary does not have rather than rejecting the configuration.
    pub fn ignore_unknown_points(mut self, ignore: bool) -> Config {
        self.ignore_unknown_points = Some(ignore);
        self
    }

    /// Overrides the point named `name`.
    pub fn point(mut self, name: impl Into<String>, point: PointConfig) -> Config {
        self.points.insert(name.into(), point);
        self
    }

    /// The configuration, if it passes [`validate`](Self::validate).
    pub(crate) fn checked(self) -> Result<Config, ConfigError> {
        self.validate().map(|()| self)
    }

    /// A JSON document read and checked against the points compiled into this binary.
    pub(crate) fn checked_json(json: &str) -> Result<Config, ConfigError> {
        Config::from_json(json).and_then(Config::checked)
    }

    /// Checks the configuration against the points compiled into this binary: every named point
    /// exists, every value is in range, and the result is a valid spec for each point.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut problems = Problems::default();
        for (name, point_config) in &self.points {
            let path = point_path(name);
            let mut points = registry::named(name).peekable();
            if points.peek().is_none() {
                if self.ignore_unknown_points != Some(true) {
                    problems.push(&path, registry::unknown_point(name));
                }
                continue;
            }
            for point in points {
                let over = &point_config.spec;
                let shape = PointShape {
                    name,
                    declared: point.spec(),
                    layer: point.is_layer(),
                };
                let refused = shape.refused(over);
                let invalid = spec::validate(&point.spec().to_input().overlay(over))
                    .err()
                    .unwrap_or_default();
                for error in refused.into_iter().chain(invalid) {
                    let at = error.key().map_or(path.clone(), |k| format!("{path}.{k}"));
                    problems.push(&at, error.message().to_string());
                }
            }
        }
        problems.into_result(())
    }
}
