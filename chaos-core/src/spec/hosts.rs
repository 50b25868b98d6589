//! Host patterns for `deny_hosts`: which requests fail as if their host were unreachable.

use std::hash::{Hash, Hasher};

use super::error::SpecError;
use super::key::Key;

/// Validated, lowercased host patterns: `payments.internal` (that host), `*.example.com` (any
/// host under it, not `example.com` itself), or `*` (every host).
///
/// ```
/// use chaos_core::spec::{Outcome, SpecInput, validate};
///
/// let mut input = SpecInput::default();
/// input.deny_hosts = Some(vec!["Payments.Internal".into(), "*.example.com".into()]);
/// let spec = validate(&input).unwrap();
/// let Some(Outcome::Unreachable(hosts)) = spec.outcome() else { panic!("{spec}") };
/// assert!(hosts.matches("payments.internal"));
/// assert!(hosts.matches("api.eu.example.com"));
/// assert!(!hosts.matches("example.com"));
/// input.deny_hosts = Some(vec!["https://example.com".into()]);
/// assert!(validate(&input).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct HostPatterns(Patterns);

#[derive(Debug, Clone)]
enum Patterns {
    /// From the attribute: validated at compile time, no allocation.
    Static(&'static [&'static str]),
    /// From a run-time configuration.
    Owned(Vec<String>),
}

/// Patterns that already passed `HostPatterns::parse` (lowercased): what the expansion of
/// `chaos::point!` builds (through `__private`) in a constant.
pub const fn host_patterns(patterns: &'static [&'static str]) -> HostPatterns {
    HostPatterns(Patterns::Static(patterns))
}

impl HostPatterns {
    /// Checks each pattern and keeps them lowercased; the error names the first bad one.
    pub(crate) fn parse(patterns: &[String]) -> Result<HostPatterns, SpecError> {
        if patterns.is_empty() {
            return Err(SpecError::new(
                Key::DenyHosts,
                "`deny_hosts` needs at least one host pattern, such as \"payments.internal\" or \"*.example.com\"",
            ));
        }
        patterns
            .iter()
            .map(|p| check(p))
            .collect::<Result<Vec<_>, _>>()
            .map(|patterns| HostPatterns(Patterns::Owned(patterns)))
    }

    /// The patterns, lowercased.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        let (fixed, owned): (&[&str], &[String]) = match &self.0 {
            Patterns::Static(p) => (p, &[]),
            Patterns::Owned(p) => (&[], p),
        };
        fixed
            .iter()
            .copied()
            .chain(owned.iter().map(String::as_str))
    }

    /// Whether `host` (as in a URI: `example.com`, `10.0.0.1`, `[::1]`) matches a pattern.
    /// Letter case and a trailing dot do not matter.
    pub fn matches(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.');
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        self.iter().any(|pattern| {
            if pattern == "*" {
                return true;
            }
            match pattern.strip_prefix("*.") {
                // A dot must precede the suffix, so `*.example.com` does not match `badexample.com`.
                Some(suffix) => {
                    host.len() > suffix.len() + 1
                        && ends_with_ignore_case(host, suffix)
                        && host.as_bytes()[host.len() - suffix.len() - 1] == b'.'
                }
                None => host.eq_ignore_ascii_case(pattern),
            }
        })
    }
}

fn ends_with_ignore_case(host: &str, suffix: &str) -> bool {
    host.len() >= suffix.len()
        && host.as_bytes()[host.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

impl PartialEq for HostPatterns {
    fn eq(&self, other: &HostPatterns) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for HostPatterns {}

impl Hash for HostPatterns {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for pattern in self.iter() {
            pattern.hash(state);
        }
    }
}

/// One pattern, lowercased, or why it is not a host pattern.
fn check(pattern: &str) -> Result<String, SpecError> {
    let bad = |why: &str| {
        Err(SpecError::new(
            Key::DenyHosts,
            format!("`deny_hosts` pattern {} {why}", super::quoted(pattern)),
        ))
    };
    let lower = pattern.trim_end_matches('.').to_ascii_lowercase();
    if lower.is_empty() {
        return bad("is empty: write a host such as \"payments.internal\"");
    }
    if lower.contains("://") {
        return bad("has a scheme: write the host alone, as in \"example.com\"");
    }
    if lower.contains('/') {
        return bad("has a path: write the host alone, as in \"example.com\"");
    }
    if lower == "*" {
        return Ok(lower);
    }
    let name = lower.strip_prefix("*.").unwrap_or(&lower);
    if name.contains('*') {
        return bad(
            "has a wildcard that is not the whole first label: write \"*.example.com\" or \"*\"",
        );
    }
    let unbracketed = name
        .strip_prefix('[')
        .and_then(|n| n.strip_suffix(']'))
        .unwrap_or(name);
    // One colon is a port; an IPv6 address has two or more.
    if unbracketed.matches(':').count() == 1 {
        return bad("has a port: write the host alone, the denylist applies to every port");
    }
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ':' | '_');
    if let Some(c) = unbracketed.chars().find(|c| !valid(*c)) {
        return bad(&format!(
            "has {c:?}, which cannot be in a host name or address"
        ));
    }
    if unbracketed.is_empty() || unbracketed.split('.').any(str::is_empty) {
        return bad("has an empty label (two dots in a row, or a dot at the start)");
    }
    Ok(if lower.starts_with("*.") {
        format!("*.{unbracketed}")
    } else {
        unbracketed.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(patterns: &[&str]) -> HostPatterns {
        HostPatterns::parse(&patterns.iter().map(|p| p.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn exact_wildcard_and_all() {
        let h = hosts(&["api.example.com", "*.internal", "10.0.0.1", "[::1]"]);
        assert!(h.matches("API.example.com."));
        assert!(!h.matches("www.example.com"));
        assert!(h.matches("payments.internal"));
        assert!(h.matches("a.b.internal"));
        assert!(!h.matches("internal"));
        assert!(!h.matches("xinternal"));
        assert!(h.matches("10.0.0.1"));
        assert!(h.matches("[::1]"));
        assert!(hosts(&["*"]).matches("anything.at.all"));
    }

    #[test]
    fn static_and_owned_patterns_are_equal() {
        static FIXED: [&str; 2] = ["a.example.com", "*.internal"];
        assert_eq!(
            host_patterns(&FIXED),
            hosts(&["A.example.com", "*.INTERNAL"])
        );
    }

    #[test]
    fn bad_patterns_say_why() {
        for (pattern, why) in [
            ("", "is empty"),
            ("https://example.com", "has a scheme"),
            ("example.com/api", "has a path"),
            ("example.com:443", "has a port"),
            ("api.*.com", "wildcard"),
            ("**.com", "wildcard"),
            ("exa mple.com", "' '"),
            ("a..b", "empty label"),
        ] {
            let error = HostPatterns::parse(&[pattern.to_string()]).unwrap_err();
            assert!(error.message().contains(why), "{pattern}: {error}");
            assert_eq!(error.key(), Some(Key::DenyHosts));
        }
        assert!(HostPatterns::parse(&[]).is_err());
    }
}
