//! Where a problem of a configuration is, as its path names it. Each piece of the path came from
//! the document, so each is escaped and cut (`spec::shown`): a path is one short line.

use serde_json::Value;

use crate::spec;

/// Where a point's override is: `points."a::b"`, the name quoted as JSON quotes it (and cut after
/// `spec::SHOWN_CHARS` characters, with an ellipsis inside the quotes).
pub(crate) fn point_path(name: &str) -> String {
    let (head, whole) = spec::cut(name);
    let mut quoted = Value::String(head.to_string()).to_string();
    if !whole {
        quoted.insert(quoted.len() - 1, '…');
    }
    format!("points.{quoted}")
}

/// Where a key is: the key itself at the top level (`parent` empty), `parent.key` below.
pub(crate) fn key_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        spec::shown(key).to_string()
    } else {
        format!("{parent}.{}", spec::shown(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_escaped_and_cut() {
        assert_eq!(point_path("a::b"), r#"points."a::b""#);
        assert_eq!(point_path("a\n\0"), r#"points."a\n\u0000""#);
        let long = "x".repeat(spec::SHOWN_CHARS + 5);
        assert_eq!(
            point_path(&long),
            format!("points.\"{}…\"", "x".repeat(spec::SHOWN_CHARS))
        );
        assert_eq!(key_path("", "rate"), "rate");
        assert_eq!(key_path(&point_path("a"), "ra\nte"), r#"points."a".ra\nte"#);
        assert_eq!(
            key_path("", &long),
            format!("{}…", "x".repeat(spec::SHOWN_CHARS))
        );
    }
}
