//! Where a fleet's configuration lives, and how its local extension is asked for it: the request
//! and the reading of the reply, as the AWS documentation describes them. No I/O here.
//!
//! The environment is parsed into a source in every build with the runtime, so that a variable
//! naming one is reported in a build without `aws`; the rest is used by `aws` only.
#![cfg_attr(not(feature = "aws"), allow(dead_code))]

use std::fmt;
use std::time::Duration;

/// The AppConfig Agent's (Lambda extension's) port, unless `AWS_APPCONFIG_EXTENSION_HTTP_PORT`
/// says otherwise.
pub const APPCONFIG_DEFAULT_PORT: u16 = 2772;
/// The Parameters and Secrets Lambda Extension's port, unless
/// `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` says otherwise.
pub const SSM_DEFAULT_PORT: u16 = 2773;

/// A configuration kept in AWS and read through the local HTTP endpoint of its Lambda extension,
/// so that a whole fleet of functions follows one document.
///
/// ```
/// use std::time::Duration;
/// use chaos_core::RemoteSource;
///
/// let source = RemoteSource::appconfig("shop", "prod", "chaos").ttl(Duration::from_secs(5));
/// assert_eq!(source.to_string(), "AppConfig shop/prod/chaos");
///
/// let source = RemoteSource::ssm_parameter("/shop/prod/chaos");
/// assert_eq!(source.default_ttl(), Duration::from_secs(10));
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

    /// The extension's port, in place of its environment variable and default.
    pub fn port(mut self, port: u16) -> RemoteSource {
        self.port = Some(port);
        self
    }

    /// The SSM extension's token, in place of `AWS_SESSION_TOKEN`.
    pub fn token(mut self, token: impl Into<String>) -> RemoteSource {
        self.token = Some(token.into());
        self
    }

    /// The TTL when none is given: 5 s for AppConfig (whose agent caches and polls AppConfig
    /// itself, every 45 s unless `AWS_APPCONFIG_EXTENSION_POLL_INTERVAL_SECONDS` says), 10 s for
    /// SSM (whose extension caches a parameter for `SSM_PARAMETER_STORE_TTL`, 300 s by default).
    /// Asking a local extension is cheap; what a change waits for is mostly its own cache.
    pub fn default_ttl(&self) -> Duration {
        match self.kind {
            Kind::AppConfig { .. } => Duration::from_secs(5),
            Kind::Ssm { .. } => Duration::from_secs(10),
        }
    }

    pub(crate) fn effective_ttl(&self) -> Duration {
        self.ttl.unwrap_or_else(|| self.default_ttl())
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

    /// The path and query of the request (after `http://localhost:{port}`), percent-encoded.
    pub(crate) fn path_and_query(&self) -> String {
        match &self.kind {
            Kind::AppConfig {
                application,
                environment,
                profile,
            } => format!(
                "/applications/{}/environments/{}/configurations/{}",
                encode(application),
                encode(environment),
                encode(profile)
            ),
            Kind::Ssm { name } => {
                format!("/systemsmanager/parameters/get?name={}", encode(name))
            }
        }
    }

    /// The environment variable that names the extension's port.
    pub(crate) fn port_variable(&self) -> &'static str {
        match self.kind {
            Kind::AppConfig { .. } => "AWS_APPCONFIG_EXTENSION_HTTP_PORT",
            Kind::Ssm { .. } => "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT",
        }
    }

    pub(crate) fn default_port(&self) -> u16 {
        match self.kind {
            Kind::AppConfig { .. } => APPCONFIG_DEFAULT_PORT,
            Kind::Ssm { .. } => SSM_DEFAULT_PORT,
        }
    }

    /// Whether the request carries the SSM extension's token header.
    pub(crate) fn needs_token(&self) -> bool {
        matches!(self.kind, Kind::Ssm { .. })
    }

    /// The JSON configuration in a successful reply's body: the body itself for AppConfig, the
    /// `Parameter.Value` string for SSM.
    pub(crate) fn document(&self, body: &str) -> Result<String, String> {
        match self.kind {
            Kind::AppConfig { .. } => Ok(body.to_string()),
            Kind::Ssm { .. } => {
                let reply: serde_json::Value = serde_json::from_str(body)
                    .map_err(|e| format!("the extension's reply is not JSON: {e}"))?;
                reply
                    .get("Parameter")
                    .and_then(|p| p.get("Value"))
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        "the extension's reply has no `Parameter.Value` string".to_string()
                    })
            }
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

/// Percent-encodes everything but the unreserved characters of RFC 3986.
fn encode(value: &str) -> String {
    let mut encoded = String::with_capacity(value.len());
    for byte in value.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    encoded
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_the_documented_ones() {
        assert_eq!(
            RemoteSource::appconfig("shop", "prod", "chaos flags").path_and_query(),
            "/applications/shop/environments/prod/configurations/chaos%20flags"
        );
        assert_eq!(
            RemoteSource::ssm_parameter("/shop/prod/chaos").path_and_query(),
            "/systemsmanager/parameters/get?name=%2Fshop%2Fprod%2Fchaos"
        );
    }

    #[test]
    fn the_ssm_document_is_the_parameter_value() {
        let ssm = RemoteSource::ssm_parameter("p");
        let reply = r#"{"Parameter": {"Name": "p", "Type": "String", "Value": "{\"enabled\": true}", "Version": 3}, "ResultMetadata": {}}"#;
        assert_eq!(ssm.document(reply).unwrap(), r#"{"enabled": true}"#);
        assert!(ssm.document("{}").unwrap_err().contains("Parameter.Value"));
        assert!(ssm.document("<html>").unwrap_err().contains("not JSON"));
        let appconfig = RemoteSource::appconfig("a", "e", "p");
        assert_eq!(appconfig.document("{}").unwrap(), "{}");
    }

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
