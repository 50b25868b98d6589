//! The run-time API with chaos compiled out (no `runtime` feature): the same names and types as
//! with it, doing nothing, so that code which lists points, configures them or scopes a test
//! builds in both states without a `cfg`. There are no points; configurations are accepted
//! without being read and change nothing (nothing could act on them), so that a helper which
//! reads one and scopes a test with it works in both builds; guards and scopes do nothing;
//! [`init`] has nothing to read.

use std::convert::Infallible;
use std::future::Future;
use std::path::Path;
use std::time::Duration;

use crate::spec::FaultSpec;
use crate::{Config, ConfigError, PointConfig, PointStats};

impl Config {
    /// Compiled out, the JSON is not read: an empty configuration, which changes nothing (as
    /// every configuration does compiled out).
    ///
    /// ```
    /// let config = chaos_core::Config::from_json(r#"{"enabled": false}"#)?;
    /// assert_eq!(config, chaos_core::Config::new());
    /// # Ok::<(), chaos_core::ConfigError>(())
    /// ```
    pub fn from_json(json: &str) -> Result<Config, ConfigError> {
        let _ = json;
        Ok(Config::new())
    }

    /// Compiled out, there are no points to check against: always `Ok`.
    ///
    /// ```
    /// use chaos_core::{Config, PointConfig};
    ///
    /// assert!(Config::new().point("any::point", PointConfig::new().rate(1.0)).validate().is_ok());
    /// ```
    pub fn validate(&self) -> Result<(), ConfigError> {
        Ok(())
    }
}

/// Compiled out, there is no environment to read: always `Ok`. `CHAOS_*` variables are ignored.
///
/// ```
/// chaos_core::init()?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn init() -> Result<(), ConfigError> {
    Ok(())
}

/// Compiled out, does nothing.
///
/// ```
/// chaos_core::reset();
/// ```
pub fn reset() {}

/// Compiled out, does nothing: nothing is injected either way.
///
/// ```
/// chaos_core::set_enabled(true);
/// ```
pub fn set_enabled(enabled: bool) {
    let _ = enabled;
}

/// Compiled out, the configuration is accepted and changes nothing.
///
/// ```
/// chaos_core::configure(chaos_core::Config::new().enabled(true))?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn configure(config: Config) -> Result<(), ConfigError> {
    let _ = config;
    Ok(())
}

/// Compiled out, the document is not read and changes nothing.
///
/// ```
/// chaos_core::configure_json(r#"{"enabled": true}"#)?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn configure_json(json: &str) -> Result<(), ConfigError> {
    let _ = json;
    Ok(())
}

/// Compiled out, the file is not read and changes nothing.
///
/// ```
/// chaos_core::configure_file("/etc/chaos.json")?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn configure_file(path: impl AsRef<Path>) -> Result<(), ConfigError> {
    let _ = path;
    Ok(())
}

/// Compiled out, the file is not watched.
///
/// ```
/// chaos_core::watch_file("/etc/chaos.json", std::time::Duration::from_secs(1))?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn watch_file(path: impl AsRef<Path>, poll: Duration) -> Result<(), ConfigError> {
    let _ = (path, poll);
    Ok(())
}

/// Compiled out, a guard that does nothing.
///
/// ```
/// let guard = chaos_core::override_point("any::point", chaos_core::PointConfig::new().rate(1.0))?;
/// drop(guard);
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn override_point(name: &str, point: PointConfig) -> Result<OverrideGuard, ConfigError> {
    let _ = (name, point);
    Ok(OverrideGuard { _private: () })
}

/// Compiled out, keeps nothing in force.
#[derive(Debug)]
#[must_use = "the override is removed when the guard is dropped"]
pub struct OverrideGuard {
    _private: (),
}

/// Compiled out, there are no points: always empty.
///
/// ```
/// assert!(chaos_core::points().is_empty());
/// ```
pub fn points() -> &'static [PointInfo] {
    &[]
}

/// An injection point as `points()` lists it. Compiled out, there are none, so no value of this
/// type exists; it is here so that code reading points builds.
#[derive(Debug, Clone, Copy)]
pub struct PointInfo {
    never: Infallible,
}

impl PointInfo {
    /// The point's name.
    pub fn name(&self) -> &'static str {
        match self.never {}
    }

    /// The fault spec its attribute declared.
    pub fn spec(&self) -> &'static FaultSpec {
        match self.never {}
    }

    /// The source file of its attribute.
    pub fn file(&self) -> &'static str {
        match self.never {}
    }

    /// The line of its attribute.
    pub fn line(&self) -> u32 {
        match self.never {}
    }

    /// Whether it was declared with `chaos::point!` for a `ChaosLayer`.
    pub fn is_layer(&self) -> bool {
        match self.never {}
    }

    /// Whether a configuration may give it an outcome.
    pub fn carries_outcome(&self) -> bool {
        match self.never {}
    }

    /// Its fault counters.
    pub fn stats(&self) -> PointStats {
        match self.never {}
    }
}

/// Compiled out, there are no points: always empty.
///
/// ```
/// assert!(chaos_core::stats().is_empty());
/// ```
pub fn stats() -> Vec<PointStats> {
    Vec::new()
}

/// Compiled out, nothing fills the disk: always empty.
///
/// ```
/// assert!(chaos_core::disk_fills().is_empty());
/// ```
pub fn disk_fills() -> Vec<(&'static str, u64)> {
    Vec::new()
}

/// Compiled out, a scope that runs what it is given unchanged.
///
/// ```
/// use chaos_core::{Config, Scope};
///
/// let scope = Scope::new(Config::new().enabled(false))?;
/// assert_eq!(scope.run_sync(|| 42), 42);
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Scope {
    _private: (),
}

impl Scope {
    /// Compiled out, accepts any configuration.
    pub fn new(config: Config) -> Result<Scope, ConfigError> {
        let _ = config;
        Ok(Scope { _private: () })
    }

    /// Runs `future` as it is.
    pub async fn run<F: Future>(&self, future: F) -> F::Output {
        future.await
    }

    /// Runs `f` as it is.
    pub fn run_sync<R>(&self, f: impl FnOnce() -> R) -> R {
        f()
    }
}
