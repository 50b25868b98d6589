//! [`Config`] checked against the points compiled into the binary. Value rules and point rules
//! are `spec`'s, so errors read as at compile time.

use super::error::point_path;
use super::registry;
use crate::config::{Config, ConfigError, Problems};
use crate::spec::{self, PointShape};

impl Config {
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
            // One configuration cannot mean two points: refused, with where both are.
            if let Some((_, sites)) = registry::shared_names().iter().find(|(n, _)| n == name) {
                problems.push(&path, registry::shared_name(name, sites));
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
