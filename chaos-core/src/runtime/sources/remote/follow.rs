//! Follows a remote source: a thread asks the extension every TTL and loads a document that
//! changed. Calls never wait on it: they read the published snapshot as always.
//!
//! ```text
//! start ──► (injection off: nothing loaded yet) ──fetch──► ok: load, wait TTL ──► fetch ...
//!                                                    └──► failed: keep the last valid document
//!                                                         (or stay off), report it once, wait
//!                                                         TTL × 2^failures (at most MAX_BACKOFF)
//! ```

use std::time::Duration;

use super::RemoteSource;
use super::fetch::fetch;
use crate::runtime::control::state::{self, Base};
use crate::runtime::control::{Config, MAX_DOCUMENT_BYTES};
use crate::runtime::events;
use crate::runtime::sources::ticket::Ticket;

/// The longest a request may take, connection, answer and body together: the extension is on
/// this machine, so anything slower is a fault, not a slow network.
pub(crate) const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// The longest wait between two attempts while the source keeps failing.
pub(crate) const MAX_BACKOFF: Duration = Duration::from_secs(60);

impl RemoteSource {
    /// The longest one request to the extension may take, connection, answer and body
    /// together: the extension is on this machine, so anything slower is a failure.
    pub const REQUEST_TIMEOUT: Duration = REQUEST_TIMEOUT;

    /// The longest wait between two attempts while the source keeps failing.
    pub const MAX_BACKOFF: Duration = MAX_BACKOFF;
}

/// The extension's port: the source's own, its environment variable, or the default.
pub(crate) fn port(source: &RemoteSource) -> Result<u16, String> {
    if let Some(port) = source.port {
        return Ok(port);
    }
    let variable = source.port_variable();
    match std::env::var(variable) {
        Err(_) => Ok(source.default_port()),
        Ok(value) => value
            .trim()
            .parse::<u16>()
            .ok()
            .filter(|p| *p != 0)
            .ok_or_else(|| format!("{variable} must be a port number; found `{value}`")),
    }
}

/// Starts the follower thread of `source`; it runs while `ticket` is current.
pub(crate) fn follow(source: RemoteSource, port: u16, ticket: Ticket) {
    let spawned = std::thread::Builder::new()
        .name("chaos-remote-config".into())
        .spawn(move || Follower::new(source, port).run(ticket));
    if let Err(e) = spawned {
        events::rejected("following the remote configuration", &e);
    }
}

struct Follower {
    source: RemoteSource,
    name: String,
    port: u16,
    ttl: Duration,
    /// The document last loaded, to load a changed one only.
    loaded: Option<String>,
    /// The failure last reported, to report each change of state once.
    failing: Option<String>,
    failures: u32,
}

impl Follower {
    fn new(source: RemoteSource, port: u16) -> Follower {
        Follower {
            name: source.to_string(),
            ttl: source.effective_ttl(),
            source,
            port,
            loaded: None,
            failing: None,
            failures: 0,
        }
    }

    fn run(mut self, ticket: Ticket) {
        while ticket.is_current() {
            let wait = self.attempt(ticket);
            std::thread::sleep(wait);
        }
    }

    /// One fetch, and what follows from it; returns how long to wait before the next.
    fn attempt(&mut self, ticket: Ticket) -> Duration {
        let token = self
            .source
            .token
            .clone()
            .or_else(|| std::env::var("AWS_SESSION_TOKEN").ok());
        let fetched = fetch(
            &self.source,
            self.port,
            token.as_deref(),
            REQUEST_TIMEOUT,
            MAX_DOCUMENT_BYTES,
        )
        .and_then(|document| {
            if self.loaded.as_ref() == Some(&document) {
                return Ok((document, None));
            }
            Config::checked_json(&document)
                .map(|config| (document, Some(config)))
                .map_err(|e| format!("the document is not a valid configuration: {e}"))
        });
        match fetched {
            Ok((document, changed)) => {
                if let Some(config) = changed {
                    if load(config, &self.name, ticket).is_none() {
                        return Duration::ZERO;
                    }
                    self.loaded = Some(document);
                }
                if self.failing.take().is_some() {
                    events::remote_recovered(&self.name);
                }
                self.failures = 0;
                self.ttl
            }
            Err(error) => {
                self.failures = self.failures.saturating_add(1);
                let wait = backoff(self.ttl, self.failures);
                if self.failing.as_ref() != Some(&error) && ticket.is_current() {
                    events::remote_failed(&self.name, &error, self.loaded.is_some(), wait);
                    self.failing = Some(error);
                }
                wait
            }
        }
    }
}

/// Loads a valid document of the source, if `ticket` is still current under the lock; `None`
/// when it no longer was (a newer source replaced this one).
fn load(config: Config, source: &str, ticket: Ticket) -> Option<()> {
    state::commit_if(
        || ticket.is_current(),
        |state| {
            state.remote = Some(config.clone());
            state.load(Base::Loaded(config));
        },
    )?;
    events::accepted(source);
    Some(())
}

/// The wait after `failures` failures in a row: the TTL doubled each time, at most
/// [`MAX_BACKOFF`] (or the TTL, if that is longer).
pub(crate) fn backoff(ttl: Duration, failures: u32) -> Duration {
    let doubled = ttl.saturating_mul(2u32.saturating_pow(failures.min(20)));
    doubled.min(MAX_BACKOFF.max(ttl))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_a_bound() {
        let ttl = Duration::from_millis(500);
        assert_eq!(backoff(ttl, 1), Duration::from_secs(1));
        assert_eq!(backoff(ttl, 3), Duration::from_secs(4));
        assert_eq!(backoff(ttl, 40), MAX_BACKOFF);
        let long = Duration::from_secs(300);
        assert_eq!(backoff(long, 5), long, "never below the TTL");
    }
}
