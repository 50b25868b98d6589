//! The run-time control from code: load a configuration, switch every point off, override one
//! point for a while. Each is one [`commit`](super::state::commit).

use super::state::{self, Base};
use super::{Config, ConfigError};
use crate::config::PointConfig;
use crate::runtime::events;

/// Loads `config` in place of the current configuration (the environment's `CHAOS_CONFIG`
/// included). A rejected configuration turns injection off until a valid one is loaded, so that
/// a failed attempt to change chaos never leaves faults nobody expects.
///
/// ```
/// use chaos_core::{Config, configure};
///
/// configure(Config::new().dry_run(true))?;
/// let error = chaos_core::configure_json(r#"{"rate": 0.5}"#).unwrap_err();
/// assert_eq!(error.to_string(), "at rate: unknown key `rate`; valid keys are: enabled, seed, dry_run, unknown_points, points");
/// chaos_core::reset();
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn configure(config: Config) -> Result<(), ConfigError> {
    apply(config.checked(), "the configuration")
}

/// [`configure`] with a JSON document.
pub fn configure_json(json: &str) -> Result<(), ConfigError> {
    apply(Config::checked_json(json), "the JSON configuration")
}

/// Loads a checked configuration given in code, or turns injection off for a rejected one. The
/// caller gets the error back, so it is not printed (a `tracing` event records it).
pub(crate) fn apply(result: Result<Config, ConfigError>, source: &str) -> Result<(), ConfigError> {
    apply_first(result, source, || true).unwrap_or(Ok(()))
}

/// [`apply`] for a source's first document, whose caller gets the error back (`watch_file`),
/// if `still_wanted` holds under the lock.
pub(crate) fn apply_first(
    result: Result<Config, ConfigError>,
    source: &str,
    still_wanted: impl FnOnce() -> bool,
) -> Option<Result<(), ConfigError>> {
    commit_loaded(result, source, still_wanted, events::refused)
}

/// Loads a followed source's document if `still_wanted` holds under the lock (a replaced source
/// no longer does): `None` when it no longer did. Nobody gets this error back, so a rejection is
/// printed to stderr too.
pub(crate) fn apply_if(
    result: Result<Config, ConfigError>,
    source: &str,
    still_wanted: impl FnOnce() -> bool,
) -> Option<Result<(), ConfigError>> {
    commit_loaded(result, source, still_wanted, events::rejected)
}

/// The one commit of a loaded (or rejected) configuration, then its report: accepted, or
/// `rejected` (which says whether stderr hears of it).
fn commit_loaded(
    result: Result<Config, ConfigError>,
    source: &str,
    still_wanted: impl FnOnce() -> bool,
    rejected: fn(&str, &dyn std::fmt::Display),
) -> Option<Result<(), ConfigError>> {
    let outcome = state::commit_if(still_wanted, |state| match result {
        Ok(config) => {
            state.load(Base::Loaded(config));
            Ok(())
        }
        Err(error) => {
            state.load(Base::Rejected);
            Err(error)
        }
    })?;
    match &outcome {
        Ok(()) => events::accepted(source),
        Err(error) => rejected(source, error),
    }
    Some(outcome)
}

/// Turns every point on or off from code. Off wins from any layer: `set_enabled(true)` does not
/// override `CHAOS_ENABLED=0` or a configuration saying `"enabled": false`.
///
/// ```
/// chaos_core::set_enabled(false); // nothing is injected from here on
/// chaos_core::set_enabled(true);
/// ```
pub fn set_enabled(enabled: bool) {
    state::commit(|state| state.switch = Some(enabled));
}

/// Overrides the point named `name` until the returned guard is dropped, on top of the loaded
/// configuration. Overrides stack; dropping one restores what was there before it.
///
/// ```no_run
/// use chaos_core::{PointConfig, override_point};
///
/// let guard = override_point("shop::orders::create", PointConfig::new().rate(1.0).status(503))?;
/// // ... every call of that point answers 503 ...
/// drop(guard); // back to what it was
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn override_point(name: &str, point: PointConfig) -> Result<OverrideGuard, ConfigError> {
    Config::new().point(name, point.clone()).validate()?;
    let id = state::commit(|state| {
        let id = state.next_override;
        state.next_override += 1;
        state.overrides.push((id, name.to_string(), point));
        id
    });
    Ok(OverrideGuard { id })
}

/// Keeps an override of [`override_point`] in force; dropping it removes the override.
#[derive(Debug)]
#[must_use = "the override is removed when the guard is dropped"]
pub struct OverrideGuard {
    id: u64,
}

impl Drop for OverrideGuard {
    fn drop(&mut self) {
        let id = self.id;
        state::commit(|state| state.overrides.retain(|(other, _, _)| *other != id));
    }
}
