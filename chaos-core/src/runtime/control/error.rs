//! Where a problem of a configuration is, as its path names it.

use serde_json::Value;

/// Where a point's override is: `points."a::b"`, the name quoted as JSON quotes it.
pub(crate) fn point_path(name: &str) -> String {
    format!("points.{}", Value::String(name.to_string()))
}
