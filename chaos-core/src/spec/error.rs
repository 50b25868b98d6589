//! [`SpecError`]: one broken rule, with the key it belongs to.

use std::fmt;

use super::key::Key;

/// One broken rule: which key (if the problem belongs to one) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    key: Option<Key>,
    message: String,
}

impl SpecError {
    /// An error about one key.
    pub(crate) fn new(key: Key, message: impl Into<String>) -> SpecError {
        SpecError {
            key: Some(key),
            message: message.into(),
        }
    }

    /// An error about the spec as a whole (no fault at all).
    pub(crate) fn whole(message: impl Into<String>) -> SpecError {
        SpecError {
            key: None,
            message: message.into(),
        }
    }

    /// The key at fault; `None` when the spec as a whole is wrong (no fault at all).
    pub fn key(&self) -> Option<Key> {
        self.key
    }

    /// What is wrong and what would be right.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SpecError {}
