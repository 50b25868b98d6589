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
}

impl Resilience {
    /// Timeout 800 ms, 3 attempts with 20/40 ms backoff, fallback.
    pub const ON: Resilience = Resilience {
        timeout: Duration::from_millis(800),
        attempts: 3,
        backoff: Duration::from_millis(20),
        fallback: true,
    };
    /// One attempt, a 5 s timeout, no fallback.
    pub const OFF: Resilience = Resilience {
        timeout: Duration::from_secs(5),
        attempts: 1,
        backoff: Duration::ZERO,
        fallback: false,
    };
}

/// Why a call failed, as the caller sees it.
#[derive(Debug)]
pub enum ClientError {
    /// The API answered with an error status.
    Status(u16),
    /// No answer in time, or no connection.
    Transport(String),
}

impl std::fmt::Display for ClientError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClientError::Status(code) => write!(f, "the API answered {code}"),
            ClientError::Transport(why) => write!(f, "no answer: {why}"),
        }
    }
}

impl std::error::Error for ClientError {}

/// A product, and whether it came from the fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Product {
    /// The API's JSON, or the fallback's.
    pub body: String,
    /// Served by the fallback rather than the API.
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
        Client {
            http: reqwest::Client::new(),
            base: format!("http://{address}"),
            resilience,
        }
    }

    /// `GET /products/{id}`, with the client's resilience.
    pub async fn product(&self, id: u64) -> Result<Product, ClientError> {
        let mut backoff = self.resilience.backoff;
        let mut last = ClientError::Transport("no attempt".into());
        for attempt in 0..self.resilience.attempts.max(1) {
            if attempt > 0 {
                tokio::time::sleep(backoff).await;
                backoff *= 2;
            }
            match self.attempt(id).await {
                Ok(body) => {
                    return Ok(Product {
                        body,
                        degraded: false,
                    });
                }
                Err(e) => last = e,
            }
        }
        if self.resilience.fallback {
            return Ok(Product {
                body: format!("{{\"id\":{id},\"name\":\"product {id}\",\"price\":null}}"),
                degraded: true,
            });
        }
        Err(last)
    }

    async fn attempt(&self, id: u64) -> Result<String, ClientError> {
        let response = self
            .http
            .get(format!("{}/products/{id}", self.base))
            .timeout(self.resilience.timeout)
            .send()
            .await
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        let status = response.status();
        if !status.is_success() {
            return Err(ClientError::Status(status.as_u16()));
        }
        response
            .text()
            .await
            .map_err(|e| ClientError::Transport(e.to_string()))
    }
}
