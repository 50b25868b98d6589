//! The caller: a client with a timeout per attempt, retries with exponential backoff, and a
//! fallback answer, the usual ways a caller degrades gracefully. Each can be turned off to show
//! what happens without it.

use std::net::SocketAddr;
use std::time::Duration;

/// How the client protects itself.
#[derive(Debug, Clone, Copy)]
pub struct Resilience {
    /// Give up on an attempt after this long.
    pub timeout: Duration,
    /// Attempts in all (1 = no retry).
    pub attempts: u32,
    /// The first backoff; it doubles after each failed attempt.
    pub backoff: Duration,
    /// Answer from a fallback when every attempt failed.
    pub fallback: bool,
    /// Check that an answer is for what was asked (the record's id), and treat one that is not
    /// as a failed attempt.
    pub validate: bool,
}

impl Resilience {
    /// Timeout 800 ms, 3 attempts with 20/40 ms backoff, fallback, answers checked.
    pub const ON: Resilience = Resilience {
        timeout: Duration::from_millis(800),
        attempts: 3,
        backoff: Duration::from_millis(20),
        fallback: true,
        validate: true,
    };
    /// One attempt, a 5 s timeout, no fallback, answers taken as they come.
    pub const OFF: Resilience = Resilience {
        timeout: Duration::from_secs(5),
        attempts: 1,
        backoff: Duration::ZERO,
        fallback: false,
        validate: false,
    };
}

/// Why a call failed, as the caller sees it.
#[derive(Debug)]
pub enum ClientError {
    /// The API answered with an error status that chaos injected (it said so in `x-chaos-fault`).
    Injected(u16, chaos::Fault),
    /// The API answered with an error status.
    Status(u16),
    /// No answer in time, or no connection.
    Transport(String),
    /// An answer, but not for what was asked.
    Invalid(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Injected(code, fault) => {
                write!(
                    f,
                    "the API answered {code}, injected at `{}`",
                    fault.point()
                )
            }
            ClientError::Status(code) => write!(f, "the API answered {code}"),
            ClientError::Transport(why) => write!(f, "no answer: {why}"),
            ClientError::Invalid(body) => write!(f, "a wrong answer: {body}"),
        }
    }
}

impl std::error::Error for ClientError {
    /// An injected failure has the `Fault` as its source, so experiments count it as injected.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ClientError::Injected(_, fault) => Some(fault),
            _ => None,
        }
    }
}

/// A product page: the product and its stock, each from its function or, failing that, from
/// the fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The product function's JSON, or the fallback's.
    pub product: String,
    /// The stock function's JSON, or the fallback's.
    pub stock: String,
    /// Some part came from the fallback.
    pub degraded: bool,
}

/// The API's client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
    resilience: Resilience,
}

impl Client {
    /// A client of the API at `address`.
    pub fn new(address: SocketAddr, resilience: Resilience) -> Client {
        // Never through a proxy: the API is on loopback, and a proxy from the environment would
        // make every call fail (and the fallback hide it).
        let http = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Client {
            http,
            base: format!("http://{address}"),
            resilience,
        }
    }

    /// The product page of `id`: the product and its stock, with the client's resilience.
    pub async fn page(&self, id: u64) -> Result<Page, ClientError> {
        let product_fallback =
            || format!("{{\"id\":{id},\"name\":\"product {id}\",\"price\":null}}");
        let (product, product_degraded) = self
            .fetch(&format!("/products/{id}"), id, product_fallback)
            .await?;
        // The stock function reads the store's record `id + 10_000`.
        let (stock, stock_degraded) = self
            .fetch(&format!("/products/{id}/stock"), id + 10_000, || {
                "{\"stock\":null}".to_string()
            })
            .await?;
        Ok(Page {
            product,
            stock,
            degraded: product_degraded || stock_degraded,
        })
    }

    /// One resource (the record `id`), with retries and the fallback; `true` when the fallback
    /// answered.
    async fn fetch(
        &self,
        path: &str,
        id: u64,
        fallback: impl FnOnce() -> String,
    ) -> Result<(String, bool), ClientError> {
        let mut backoff = self.resilience.backoff;
        let mut last = ClientError::Transport("no attempt".into());
        for attempt in 0..self.resilience.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            match self.attempt(path).await {
                Ok(body) if self.resilience.validate && !is_record(&body, id) => {
                    last = ClientError::Invalid(body);
                }
                Ok(body) => return Ok((body, false)),
                Err(e) => last = e,
            }
        }
        if self.resilience.fallback {
            return Ok((fallback(), true));
        }
        Err(last)
    }

    async fn attempt(&self, path: &str) -> Result<String, ClientError> {
        let response = self
            .http
            .get(format!("{}{path}", self.base))
            .timeout(self.resilience.timeout)
            .send()
            .await
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            let code = status.as_u16();
            return Err(match injected(&response) {
                Some(fault) => ClientError::Injected(code, fault),
                None => ClientError::Status(code),
            });
        }
        response
            .text()
            .await
            .map_err(|e| ClientError::Transport(e.to_string()))
    }
}

/// Whether `body` is the store's record `id`.
fn is_record(body: &str, id: u64) -> bool {
    body.starts_with(&format!("{{\"id\":{id},"))
}

/// The fault an error response says was injected: the point named in `x-chaos-fault`, if this
/// binary has it (the demo's client and API share one process).
fn injected(response: &reqwest::Response) -> Option<chaos::Fault> {
    let named = response.headers().get(chaos::FAULT_HEADER)?.to_str().ok()?;
    let point = chaos::points().iter().find(|p| p.name() == named)?;
    let status = response.status().as_u16();
    Some(chaos::Fault::new(
        point.name(),
        chaos::FaultKind::Status(status),
    ))
}
