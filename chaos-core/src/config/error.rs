//! [`ConfigError`]: why a configuration was rejected, every problem with where it is.

use std::fmt;

use crate::spec;

/// Why a configuration was rejected: every problem, each with where it is.
///
/// It keeps every problem ([`problems`](Self::problems)); its `Display` shows the first 20 on
/// one line, then how many more there are, with the
/// control characters of the input escaped, so that printing it never floods or forges a log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    problems: Vec<(String, String)>,
}

impl ConfigError {
    /// How many problems `Display` lists before "... and N more problems".
    const SHOWN_PROBLEMS: usize = 20;

    #[cfg(feature = "runtime")]
    pub(crate) fn one(path: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            problems: vec![(path.to_string(), message.into())],
        }
    }

    /// `None` for no problems.
    #[cfg(feature = "runtime")]
    pub(crate) fn from_problems(problems: Vec<(String, String)>) -> Option<ConfigError> {
        (!problems.is_empty()).then_some(ConfigError { problems })
    }

    /// Each problem as `(where, what)`; `where` is a path such as `points."a::b".rate`, or empty
    /// for the document as a whole.
    pub fn problems(&self) -> impl Iterator<Item = (&str, &str)> {
        self.problems.iter().map(|(p, m)| (p.as_str(), m.as_str()))
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (path, message)) in self.problems.iter().enumerate() {
            if i == Self::SHOWN_PROBLEMS {
                let more = self.problems.len() - i;
                let noun = if more == 1 { "problem" } else { "problems" };
                return write!(f, "; ... and {more} more {noun}");
            }
            if i > 0 {
                f.write_str("; ")?;
            }
            // Each piece of input in them is escaped where it is written; this catches the rest
            // (a path of the environment, an error of the system).
            let message = spec::escaped(message);
            if path.is_empty() {
                write!(f, "{message}")?;
            } else {
                write!(f, "at {}: {message}", spec::escaped(path))?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigError {}

#[cfg(feature = "runtime")]
/// Problems collected while reading or checking a configuration, reported all at once.
#[derive(Default)]
pub(crate) struct Problems(Vec<(String, String)>);

#[cfg(feature = "runtime")]
impl Problems {
    pub(crate) fn push(&mut self, path: &str, message: String) {
        self.0.push((path.to_string(), message));
    }

    pub(crate) fn into_result<T>(self, value: T) -> Result<T, ConfigError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ConfigError { problems: self.0 })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(problems: usize) -> ConfigError {
        ConfigError {
            problems: (0..problems)
                .map(|i| (format!("k{i}"), format!("unknown key `k{i}`")))
                .collect(),
        }
    }

    #[test]
    fn display_lists_the_first_problems_then_how_many_more() {
        assert_eq!(
            error(2).to_string(),
            "at k0: unknown key `k0`; at k1: unknown key `k1`"
        );
        let shown = ConfigError::SHOWN_PROBLEMS;
        let text = error(shown).to_string();
        assert_eq!(text.matches("unknown key").count(), shown);
        assert!(!text.contains("more"), "{text}");
        let text = error(shown + 1).to_string();
        assert!(text.ends_with("; ... and 1 more problem"), "{text}");
        let text = error(50_000).to_string();
        assert!(
            text.ends_with(&format!("; ... and {} more problems", 50_000 - shown)),
            "{text}"
        );
        assert_eq!(text.matches("unknown key").count(), shown);
        assert_eq!(
            error(50_000).problems().count(),
            50_000,
            "the error keeps them all"
        );
    }

    #[test]
    fn display_is_one_line_whatever_the_problems_hold() {
        let error = ConfigError {
            problems: vec![("a\nb".into(), "bad\0value\r\n\u{1b}[2J".into())],
        };
        assert_eq!(error.to_string(), "at a\\nb: bad\\0value\\r\\n\\u{1b}[2J");
    }
}
