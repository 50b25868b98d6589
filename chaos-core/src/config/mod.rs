//! The configuration's types: [`Config`], [`PointConfig`], [`ConfigError`]. They are data and
//! builders, present in every build, so that code which configures chaos compiles with chaos
//! compiled out too; reading JSON and checking against the compiled points are the runtime's.

mod error;
mod point_config;

use std::collections::BTreeMap;

pub use error::ConfigError;
#[cfg(feature = "runtime")]
pub(crate) use error::Problems;
pub use point_config::PointConfig;

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
/// // With chaos compiled in, the same as JSON (compiled out, JSON is not read):
/// # #[cfg(feature = "runtime")] {
/// let json = r#"{"seed": 42, "points": {"shop::orders::create": {"rate": 0.5, "status": 503}}}"#;
/// assert_eq!(config, Config::from_json(json)?);
/// # }
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// `false` turns every point off.
    pub(crate) enabled: Option<bool>,
    /// Makes each point's decisions reproducible run to run.
    pub(crate) seed: Option<u64>,
    /// Decide, log and count, but inject nothing.
    pub(crate) dry_run: Option<bool>,
    /// `true` skips the points this binary does not have instead of rejecting the
    /// configuration: for one document shared by several functions (`"unknown_points":
    /// "ignore"` in JSON). A misspelt name is then skipped too, so it is off by default.
    pub(crate) ignore_unknown_points: Option<bool>,
    /// Overrides by point name.
    pub(crate) points: BTreeMap<String, PointConfig>,
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
}
