//! The half of a source that only following it needs (feature `aws`): where and how often its
//! local extension is asked, the request as the AWS documentation describes it, and the reading
//! of the reply. No I/O here.

use std::time::Duration;

use super::source::{Kind, RemoteSource};

/// The AppConfig Agent's (Lambda extension's) port, unless `AWS_APPCONFIG_EXTENSION_HTTP_PORT`
/// says otherwise.
pub const APPCONFIG_DEFAULT_PORT: u16 = 2772;
/// The Parameters and Secrets Lambda Extension's port, unless
/// `PARAMETERS_SECRETS_EXTENSION_HTTP_PORT` says otherwise.
pub const SSM_DEFAULT_PORT: u16 = 2773;

impl RemoteSource {
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

    /// The TTL in force: the source's own, or its default.
    pub(crate) fn effective_ttl(&self) -> Duration {
        self.ttl.unwrap_or_else(|| self.default_ttl())
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
}
