//! Where a fleet's configuration lives: the names of an AppConfig profile or an SSM parameter,
//! checked, and the TTL. No I/O here. Parsed in every build with the runtime, so that a variable
//! naming a source is reported in a build without `aws`; how the source is asked is in
//! `request.rs`, with `aws` only.

use std::fmt;
use std::time::Duration;

/// A configuration kept in AWS and read through the local HTTP endpoint of its Lambda extension,
/// so that a whole fleet of functions follows one document.
///
/// ```
/// # #[cfg(feature = "aws")] {
/// use std::time::Duration;
/// use chaos_core::RemoteSource;
///
/// let source = RemoteSource::appconfig("shop", "prod", "chaos").ttl(Duration::from_secs(5));
/// assert_eq!(source.to_string(), "AppConfig shop/prod/chaos");
///
/// let source = RemoteSource::ssm_parameter("/shop/prod/chaos");
/// assert_eq!(source.default_ttl(), Duration::from_secs(10));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteSource {
    pub(crate) kind: Kind,
    pub(crate) ttl: Option<Duration>,
    pub(crate) port: Option<u16>,
    pub(crate) token: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    AppConfig {
        application: String,
        environment: String,
        profile: String,
    },
    Ssm {
        name: String,
    },
}

impl RemoteSource {
    /// The freeform JSON configuration profile `profile` of AppConfig application `application`
    /// in environment `environment`, through the AppConfig Agent Lambda extension.
    pub fn appconfig(
        application: impl Into<String>,
        environment: impl Into<String>,
        profile: impl Into<String>,
    ) -> RemoteSource {
        RemoteSource::new(Kind::AppConfig {
            application: application.into(),
            environment: environment.into(),
            profile: profile.into(),
        })
    }

    /// The SSM parameter `name` (a `String` parameter holding the JSON document), through the
    /// AWS Parameters and Secrets Lambda Extension.
    pub fn ssm_parameter(name: impl Into<String>) -> RemoteSource {
        RemoteSource::new(Kind::Ssm { name: name.into() })
    }

    fn new(kind: Kind) -> RemoteSource {
        RemoteSource {
            kind,
            ttl: None,
            port: None,
            token: None,
        }
    }

    /// How long a fetched document is used before it is asked for again (default:
    /// [`default_ttl`](Self::default_ttl)).
    pub fn ttl(mut self, ttl: Duration) -> RemoteSource {
        self.ttl = Some(ttl);
        self
    }

    /// Checks the names: every part present, none with a character that would change the path.
    pub(crate) fn validate(&self) -> Result<(), String> {
        match &self.kind {
            Kind::AppConfig {
                application,
                environment,
                profile,
            } => {
                for (part, value) in [
                    ("application", application),
                    ("environment", environment),
                    ("profile", profile),
                ] {
                    if value.trim().is_empty() {
                        return Err(format!("the AppConfig {part} is empty"));
                    }
                    if value.contains(['/', '?', '#']) || value.chars().any(char::is_control) {
                        return Err(format!(
                            "the AppConfig {part} `{value}` has a character that cannot be in a name"
                        ));
                    }
                }
            }
            Kind::Ssm { name } => {
                if name.trim().is_empty() {
                    return Err("the SSM parameter name is empty".into());
                }
            }
        }
        if self.ttl == Some(Duration::ZERO) {
            return Err("the TTL must be above 0".into());
        }
        Ok(())
    }

    /// `application/environment/profile`, as `CHAOS_APPCONFIG` spells it.
    pub(crate) fn parse_appconfig(value: &str) -> Result<RemoteSource, String> {
        match value.trim().split('/').collect::<Vec<_>>()[..] {
            [application, environment, profile] => {
                let source = RemoteSource::appconfig(application, environment, profile);
                source.validate().map(|()| source)
            }
            _ => Err(format!(
                "CHAOS_APPCONFIG must be application/environment/profile; found `{value}`"
            )),
        }
    }
}

impl fmt::Display for RemoteSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::AppConfig {
                application,
                environment,
                profile,
            } => write!(f, "AppConfig {application}/{environment}/{profile}"),
            Kind::Ssm { name } => write!(f, "SSM parameter {name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appconfig_names_are_three_parts() {
        assert_eq!(
            RemoteSource::parse_appconfig("shop/prod/chaos").unwrap(),
            RemoteSource::appconfig("shop", "prod", "chaos")
        );
        for bad in ["shop/prod", "shop/prod/chaos/x", "shop//chaos", ""] {
            assert!(RemoteSource::parse_appconfig(bad).is_err(), "{bad}");
        }
        assert!(
            RemoteSource::ssm_parameter(" ")
                .validate()
                .unwrap_err()
                .contains("empty")
        );
    }
}
