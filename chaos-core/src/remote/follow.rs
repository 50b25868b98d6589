//! Follows a remote source: a thread asks the extension every TTL and loads a document that
//! changed. Calls never wait on it: they read the published snapshot as always.
//!
//! ```text
//! start ──► (injection off: nothing loaded yet) ──fetch──► ok: load, wait TTL ──► fetch ...
//!                                                    └──► failed: keep the last valid document
//!                                                         (or stay off), report it once, wait
//!                                                         TTL × 2^failures (at most MAX_BACKOFF)
//! ```

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::RemoteSource;
use super::fetch::fetch;
use crate::config::{Config, ConfigError};
use crate::{control, events};

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

/// Bumped by every new follower, so that an older thread notices it was replaced and stops.
static GENERATION: AtomicU64 = AtomicU64::new(0);

/// The environment's follower (if any) is not the one running: [`follow_remote`] or a watched
/// file replaced it. `reset` then stops what runs and starts the environment's again.
static REPLACED: AtomicBool = AtomicBool::new(false);

/// Follows `source` from now on, in place of any loaded configuration and of any earlier source
/// or watched file: injection is off until its first document loads (in the background; this
/// returns at once), then each change of the document is loaded within a TTL. A failure keeps
/// the last valid document, is reported once (stderr and a `tracing` error), and is retried with
/// backoff.
///
/// ```no_run
/// use chaos_core::{RemoteSource, follow_remote};
///
/// // What `CHAOS_APPCONFIG=shop/prod/chaos` does at the first decision.
/// follow_remote(RemoteSource::appconfig("shop", "prod", "chaos"))?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn follow_remote(source: RemoteSource) -> Result<(), ConfigError> {
    source
        .validate()
        .map_err(|why| ConfigError::one("", format!("{source}: {why}")))?;
    let port = port(&source).map_err(|why| ConfigError::one("", why))?;
    // The earlier follower, and a watched file, stop before injection goes off for the new
    // source: neither may load anything over it.
    GENERATION.fetch_add(1, Ordering::SeqCst);
    crate::watch::stop();
    control::expect_remote(&source.to_string());
    spawn(source, port);
    REPLACED.store(true, Ordering::SeqCst);
    Ok(())
}

/// Stops the follower, if any (a file to watch replaces it); `reset` starts the environment's
/// again.
pub(crate) fn stop() {
    GENERATION.fetch_add(1, Ordering::SeqCst);
    REPLACED.store(true, Ordering::SeqCst);
}

/// For `reset`: back to the environment's source. Whatever follower runs stops, and the
/// environment's `environment` source (if any) is followed again. Returns whether the follower
/// that ran was not the environment's (its documents are then not the environment's either).
pub(crate) fn back_to_environment(environment: Option<&RemoteSource>) -> bool {
    let replaced = REPLACED.swap(false, Ordering::SeqCst);
    GENERATION.fetch_add(1, Ordering::SeqCst);
    if let Some(source) = environment {
        match port(source) {
            Ok(port) => spawn(source.clone(), port),
            Err(why) => events::rejected("the remote configuration", &why),
        }
    }
    replaced
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

/// Starts the follower thread (replacing any earlier one).
pub(crate) fn spawn(source: RemoteSource, port: u16) {
    let generation = GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    let current = move || GENERATION.load(Ordering::SeqCst) == generation;
    let spawned = std::thread::Builder::new()
        .name("chaos-remote-config".into())
        .spawn(move || Follower::new(source, port).run(current));
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

    fn run(mut self, current: impl Fn() -> bool) {
        while current() {
            let wait = self.attempt(&current);
            std::thread::sleep(wait);
        }
    }

    /// One fetch, and what follows from it; returns how long to wait before the next.
    fn attempt(&mut self, current: &impl Fn() -> bool) -> Duration {
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
            control::MAX_CONFIG_BYTES,
        )
        .and_then(|document| {
            if self.loaded.as_ref() == Some(&document) {
                return Ok((document, None));
            }
            Config::from_json(&document)
                .and_then(|c| c.validate().map(|()| c))
                .map(|config| (document, Some(config)))
                .map_err(|e| format!("the document is not a valid configuration: {e}"))
        });
        match fetched {
            Ok((document, changed)) => {
                if let Some(config) = changed {
                    if !control::load_remote(config, &self.name, current) {
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
                if self.failing.as_ref() != Some(&error) && current() {
                    events::remote_failed(&self.name, &error, self.loaded.is_some(), wait);
                    self.failing = Some(error);
                }
                wait
            }
        }
    }
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
