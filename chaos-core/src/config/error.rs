//! [`ConfigError`]: why a configuration was rejected, every problem with where it is.

use std::fmt;

/// Why a configuration was rejected: every problem, each with where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    problems: Vec<(String, String)>,
}

impl ConfigError {
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
            if i > 0 {
                f.write_str("; ")?;
            }
            if path.is_empty() {
                write!(f, "{message}")?;
            } else {
                write!(f, "at {path}: {message}")?;
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
