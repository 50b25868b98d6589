//! The JSON text of a configuration read into a [`Value`], as `serde_json::from_str` reads it,
//! but with every duplicate key found: `serde_json` keeps the last of two silently, and another
//! reader (an editor, a linter, a person) may read the first, so a document that says
//! `"enabled"` twice says nothing reliable and is refused, naming the key and where it is.
//!
//! The text is still parsed by `serde_json` (its limits included: a depth of 128); only the
//! building of the value is ours, through serde's `Visitor`.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::error::{key_path, point_path};

/// A duplicate key: where it is, and what to say.
pub(crate) type Duplicate = (String, String);

/// Reads `json` into a value, with every duplicate key found (in the order of the document).
pub(crate) fn from_str(json: &str) -> Result<(Value, Vec<Duplicate>), serde_json::Error> {
    let mut duplicates = Vec::new();
    let mut deserializer = serde_json::Deserializer::from_str(json);
    let value = Build {
        at: None,
        duplicates: &mut duplicates,
    }
    .deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok((value, duplicates))
}

/// Where a value is in the document, as a chain from the value up to the top: nothing is
/// allocated for a path unless a duplicate needs it written.
#[derive(Clone, Copy)]
struct At<'a> {
    parent: Option<&'a At<'a>>,
    step: Step<'a>,
}

#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

impl At<'_> {
    /// The path as the configuration's messages write it: `enabled`, `points."a::b".rate`.
    fn path(&self) -> String {
        let mut steps = vec![self.step];
        let mut up = self.parent;
        while let Some(at) = up {
            steps.push(at.step);
            up = at.parent;
        }
        steps.reverse();
        let mut path = String::new();
        for (i, step) in steps.iter().enumerate() {
            match (i, step) {
                (1, Step::Key(name)) if matches!(steps[0], Step::Key("points")) => {
                    path = point_path(name);
                }
                (_, Step::Key(key)) => path = key_path(&path, key),
                (_, Step::Index(index)) => path = format!("{path}[{index}]"),
            }
        }
        path
    }
}

/// Builds the value at `at`, adding the duplicate keys it holds to `duplicates`.
struct Build<'a> {
    at: Option<&'a At<'a>>,
    duplicates: &'a mut Vec<Duplicate>,
}

impl<'de> DeserializeSeed<'de> for Build<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// The key `serde_json` gives a number as, when some crate of the program turns on its
/// `arbitrary_precision` feature: a map of this one key to the number's text.
const ARBITRARY_PRECISION_NUMBER: &str = "$serde_json::private::Number";

impl<'de> Visitor<'de> for Build<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, n: i64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_u64<E>(self, n: u64) -> Result<Value, E> {
        Ok(Value::Number(n.into()))
    }

    fn visit_f64<E>(self, n: f64) -> Result<Value, E> {
        // As serde_json's own `Value` does (its parser never gives a NaN or an infinity).
        Ok(Number::from_f64(n).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_string()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut values = Vec::new();
        loop {
            let at = At {
                parent: self.at,
                step: Step::Index(values.len()),
            };
            let build = Build {
                at: Some(&at),
                duplicates: &mut *self.duplicates,
            };
            match seq.next_element_seed(build)? {
                Some(value) => values.push(value),
                None => return Ok(Value::Array(values)),
            }
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.is_empty() && key == ARBITRARY_PRECISION_NUMBER {
                let text: String = access.next_value()?;
                return serde_json::from_str(&text).map_err(de::Error::custom);
            }
            let at = At {
                parent: self.at,
                step: Step::Key(&key),
            };
            let value = access.next_value_seed(Build {
                at: Some(&at),
                duplicates: &mut *self.duplicates,
            })?;
            if map.contains_key(&key) {
                let message = format!(
                    "duplicate key `{}`: a key may appear once in an object (JSON readers disagree on which one counts)",
                    crate::spec::shown(&key)
                );
                self.duplicates.push((at.path(), message));
            }
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn duplicates(json: &str) -> Vec<Duplicate> {
        from_str(json).unwrap().1
    }

    #[test]
    fn the_value_is_serde_jsons() {
        for json in [
            r#"{"enabled": true, "seed": 7, "points": {"a::b": {"rate": 0.5, "latency_ms": [1, 2], "deny_hosts": ["x"], "error": null}}}"#,
            r#"[1, -2, 3.5, -0, 1e300, "s\n", {}, [], null, false]"#,
            r#"18446744073709551615"#,
            r#""text""#,
        ] {
            let (value, found) = from_str(json).unwrap();
            assert_eq!(
                value,
                serde_json::from_str::<Value>(json).unwrap(),
                "{json}"
            );
            assert!(found.is_empty());
        }
        for bad in [
            "{",
            "{} x",
            r#"{"a": 1,}"#,
            "1e400",
            "[".repeat(200).as_str(),
        ] {
            assert_eq!(
                from_str(bad).unwrap_err().to_string(),
                serde_json::from_str::<Value>(bad).unwrap_err().to_string(),
                "{bad}"
            );
        }
    }

    #[test]
    fn every_duplicate_key_is_found_with_its_path() {
        assert_eq!(
            duplicates(r#"{"enabled": false, "enabled": true}"#),
            [("enabled".to_string(), "duplicate key `enabled`: a key may appear once in an object (JSON readers disagree on which one counts)".to_string())]
        );
        let paths = |json| {
            duplicates(json)
                .into_iter()
                .map(|(p, _)| p)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            paths(r#"{"points": {"a": {"rate": 1, "rate": 0}}}"#),
            [r#"points."a".rate"#]
        );
        assert_eq!(
            paths(r#"{"points": {"a": {}, "a": {}}}"#),
            [r#"points."a""#]
        );
        assert_eq!(
            paths(r#"{"points": {"a": {"latency_ms": {"median": 1, "median": 2, "p99": 3}}}}"#),
            [r#"points."a".latency_ms.median"#]
        );
        assert_eq!(paths(r#"{"x": [{"k": 1}, {"k": 1, "k": 2}]}"#), ["x[1].k"]);
        assert_eq!(
            paths(r#"{"a": 1, "a": 2, "a": 3, "b": {"a": 1}}"#),
            ["a", "a"]
        );
        assert_eq!(paths(r#"{"a\n": 1, "a\n": 2}"#), [r"a\n"]);
        // The same key in different objects is no duplicate.
        assert!(duplicates(r#"{"points": {"a": {"rate": 1}, "b": {"rate": 1}}}"#).is_empty());
    }
}
