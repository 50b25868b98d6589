//! Follows a remote source: a thread asks the extension every TTL and loads a document that
//! changed. Calls never wait on it: they read the published snapshot as always.
//!
//! ```text
//! start ──► (injection off: nothing loaded yet) ──fetch──► a valid document: load, wait TTL ──► ...
//!                                                    ├──► an invalid one: injection off (said
//!                                                    │    once), wait TTL
//!                                                    └──► unreachable: keep what is in force
//!                                                         (the last valid document, or off), say
//!                                                         so once (see `health`), wait
//!                                                         TTL × 2^failures (at most MAX_BACKOFF)
//! ```

use std::time::{Duration, Instant};

use super::RemoteSource;
use super::fetch::{Answer, fetch};
use super::health::{Health, Report};
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
    /// The answer last acted on (loaded, or rejected), to act on a changed one only.
    answered: Option<Answer>,
    /// What is in force comes from a valid document of this source (else injection is off).
    in_force: bool,
    /// What has been said about the source's availability.
    health: Health,
    failures: u32,
}

impl Follower {
    fn new(source: RemoteSource, port: u16) -> Follower {
        Follower {
            name: source.to_string(),
            ttl: source.effective_ttl(),
            source,
            port,
            answered: None,
            in_force: false,
            health: Health::default(),
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
        );
        match fetched {
            Ok(answer) => self.answered(answer, ticket),
            Err(unreachable) => {
                // Unreachable: what is in force stays (the last valid document, or off).
                self.failures = self.failures.saturating_add(1);
                let wait = backoff(self.ttl, self.failures);
                let report = self.health.failed(&unreachable, Instant::now());
                if let (
                    Report::Failing {
                        message,
                        still,
                        unreported,
                    },
                    true,
                ) = (report, ticket.is_current())
                {
                    events::remote_failed(
                        &self.name,
                        &message,
                        self.in_force,
                        wait,
                        still,
                        unreported,
                    );
                }
                wait
            }
        }
    }

    /// The source answered: a changed document is loaded if it is a valid configuration, and
    /// turns injection off if it is not (the operator's intent went wrong, and keeping the
    /// previous faults running could be the opposite of it), until a valid one arrives.
    fn answered(&mut self, answer: Answer, ticket: Ticket) -> Duration {
        if self.health.answered() == Report::Recovered && ticket.is_current() {
            events::remote_recovered(&self.name);
        }
        self.failures = 0;
        if self.answered.as_ref() == Some(&answer) {
            return self.ttl;
        }
        let checked = match &answer {
            Answer::Document(document) => Config::checked_json(document)
                .map_err(|e| format!("the document is not a valid configuration: {e}")),
            Answer::NotADocument(why) => Err(why.clone()),
        };
        let committed = match checked {
            Ok(config) => load(config, &self.name, ticket).map(|()| true),
            Err(why) => reject(&why, &self.name, ticket).map(|()| false),
        };
        let Some(in_force) = committed else {
            // Replaced by a newer source: the loop ends.
            return Duration::ZERO;
        };
        self.in_force = in_force;
        self.answered = Some(answer);
        self.ttl
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

/// Turns injection off for an answer that is not a valid configuration, if `ticket` is still
/// current under the lock, and says so (once per such answer: the follower acts on a changed
/// answer only). The last valid document is forgotten too: `reset` must not bring back what the
/// operator's latest document meant to replace.
fn reject(why: &str, source: &str, ticket: Ticket) -> Option<()> {
    state::commit_if(
        || ticket.is_current(),
        |state| {
            state.remote = None;
            state.load(Base::Rejected);
        },
    )?;
    events::rejected(source, &why);
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
