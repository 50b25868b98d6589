//! One request to an extension's local endpoint, bounded in time and size.

use std::time::Duration;

use super::RemoteSource;

/// The header the Parameters and Secrets extension requires, holding `AWS_SESSION_TOKEN`.
const TOKEN_HEADER: &str = "X-Aws-Parameters-Secrets-Token";

/// What the extension answered, when it did answer.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Answer {
    /// The document it serves (not checked yet).
    Document(String),
    /// An answer that cannot be a configuration (larger than the bound): why, for the operator.
    NotADocument(String),
}

/// The extension could not be asked, or did not answer with a document: what went wrong, in
/// words fit for an operator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Unreachable {
    pub(crate) message: String,
}

impl Unreachable {
    fn new(message: String) -> Unreachable {
        Unreachable { message }
    }
}

/// Asks the extension for the source's document, within `timeout` for the whole exchange (a slow
/// drip included) and `max_bytes` for the body. `Err` when the source could not be reached (or
/// its extension did not answer with a document): then the follower keeps what it has.
pub(crate) fn fetch(
    source: &RemoteSource,
    port: u16,
    token: Option<&str>,
    timeout: Duration,
    max_bytes: u64,
) -> Result<Answer, Unreachable> {
    // 127.0.0.1 rather than `localhost`: the extensions listen on IPv4 loopback, and a resolver
    // that answers `::1` first must not turn a working extension into "connection refused".
    let url = format!("http://127.0.0.1:{port}{}", source.path_and_query());
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        .max_redirects(0)
        // The extension is on this machine: an HTTP_PROXY meant for the internet must not apply.
        .proxy(None)
        .build()
        .into();
    let mut request = agent.get(&url);
    if source.needs_token() {
        let token = token.ok_or_else(|| {
            Unreachable::new(
                "AWS_SESSION_TOKEN is not set, and the extension requires it".to_string(),
            )
        })?;
        request = request.header(TOKEN_HEADER, token);
    }
    let mut response = request
        .call()
        .map_err(|e| Unreachable::new(format!("GET {url} failed: {}", describe(&e))))?;
    let status = response.status();
    let body = match response
        .body_mut()
        .with_config()
        .limit(max_bytes)
        .read_to_string()
    {
        Ok(body) => body,
        // A whole answer, too large to be a configuration: the operator's document is wrong.
        Err(ureq::Error::BodyExceedsLimit(_)) if status.is_success() => {
            return Ok(Answer::NotADocument(format!(
                "the document from {url} is larger than the {max_bytes} bytes a configuration may have"
            )));
        }
        Err(other) => {
            return Err(Unreachable::new(format!(
                "reading the answer of {url} failed: {}",
                describe(&other)
            )));
        }
    };
    if !status.is_success() {
        let excerpt: String = body.chars().take(200).collect();
        return Err(Unreachable::new(format!(
            "GET {url} answered {status}: {excerpt}"
        )));
    }
    source
        .document(&body)
        .map(Answer::Document)
        .map_err(Unreachable::new)
}

fn describe(error: &ureq::Error) -> String {
    match error {
        ureq::Error::Timeout(_) => "no complete answer in time".to_string(),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "connection refused (is the extension's layer attached, and on this port?)".to_string()
        }
        other => other.to_string(),
    }
}
