//! The process-wide configuration: its layers (environment, loaded configuration, programmatic
//! switches and overrides), and the snapshot the points read, published with a new epoch on every
//! change. Writers take a lock; the hot path only compares the epoch with its cached one.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;

use crate::config::{Config, ConfigError, PointConfig};
use crate::effective::Effective;
use crate::env::{ConfigSource, EnvSettings};
use crate::point::Point;
use crate::spec::{self, SpecInput};
use crate::{events, registry, watch};

/// Bumped on every change; 0 until the first decision initialises the configuration.
static EPOCH: AtomicU64 = AtomicU64::new(0);
static STATE: Mutex<Option<State>> = Mutex::new(None);
static SNAPSHOT: RwLock<Option<Arc<Snapshot>>> = RwLock::new(None);

/// The current configuration epoch.
#[inline(always)]
pub(crate) fn epoch() -> u64 {
    EPOCH.load(Ordering::Acquire)
}

/// What the points read: every layer folded into one immutable value.
#[derive(Debug)]
pub(crate) struct Snapshot {
    pub(crate) epoch: u64,
    killed: bool,
    dry_run: bool,
    seed: Option<u64>,
    /// Counts loads: a seeded point restarts its stream when this changes.
    pub(crate) loads: u64,
    points: HashMap<String, PointConfig>,
}

impl Snapshot {
    pub(crate) fn effective_for(&self, point: &Point) -> Effective {
        let settings = self.points.get(point.name());
        let enabled = settings.and_then(|s| s.enabled) != Some(false);
        let spec = match settings {
            Some(s) if s.spec != SpecInput::default() => {
                // Validated when it was loaded; should it fail now, the point stays off rather
                // than inject something nobody asked for.
                spec::validate(&point.spec().to_input().overlay(&s.spec)).ok()
            }
            _ => Some(point.spec().clone()),
        };
        let active = !self.killed && enabled && spec.is_some();
        let spec = spec.unwrap_or_else(|| point.spec().clone());
        Effective::new(&spec, active, self.killed, self.dry_run, self.seed)
    }
}

/// The loaded configuration.
#[derive(Debug, Clone)]
enum Base {
    /// None: the attributes as they are.
    Attributes,
    Loaded(Config),
    /// The last load failed: injection is off until a valid configuration arrives.
    Rejected,
    /// A remote source is followed and has not given a valid document yet: injection is off.
    Pending,
}

#[derive(Debug)]
struct State {
    env: EnvSettings,
    base: Base,
    switch: Option<bool>,
    overrides: Vec<(u64, String, PointConfig)>,
    next_override: u64,
    /// Counts loads: a seeded point restarts its stream when this changes, so that loading the
    /// same seed again repeats the same decisions.
    loads: u64,
    /// The last valid document of the followed remote source, if any: what [`reset`] goes back
    /// to, and what a failing source keeps in force.
    remote: Option<Config>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves the state consistent (every write is one
    // assignment), so a poisoned lock is still usable.
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The snapshot, initialising everything from the environment at the first call.
pub(crate) fn snapshot() -> Arc<Snapshot> {
    current_snapshot().unwrap_or_else(initialise)
}

fn current_snapshot() -> Option<Arc<Snapshot>> {
    SNAPSHOT
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .map(Arc::clone)
}

#[cold]
fn initialise() -> Arc<Snapshot> {
    let mut guard = lock(&STATE);
    // Another thread may have finished while this one waited for the lock.
    if let Some(snapshot) = current_snapshot() {
        return snapshot;
    }
    let (state, startup) = State::from_environment();
    let snapshot = publish(&state);
    *guard = Some(state);
    drop(guard);
    startup.announce();
    snapshot
}

/// Runs `change` on the state (initialised first if needed), then publishes a snapshot.
fn with_state(change: impl FnOnce(&mut State)) {
    let _ = snapshot();
    let mut guard = lock(&STATE);
    if let Some(state) = guard.as_mut() {
        change(state);
        publish(state);
    }
    drop(guard);
    // A disk fill no longer in force is freed now, not at the point's next call.
    crate::disk::reconcile();
}

/// What happens once, after the first initialisation, outside the lock.
struct Startup {
    problems: Vec<String>,
    watch: Option<(PathBuf, Duration, Option<watch::Version>)>,
    #[cfg_attr(not(feature = "aws"), allow(dead_code))]
    remote: Option<crate::remote::RemoteSource>,
}

impl Startup {
    fn announce(self) {
        events::compiled_in(registry::points().len());
        if !self.problems.is_empty() {
            events::rejected("the environment's configuration", &self.problems.join("; "));
        }
        if let Some((path, poll, version)) = self.watch {
            watch::spawn(path, poll, version);
        }
        #[cfg(feature = "aws")]
        if let Some(source) = self.remote {
            // The port was checked with the environment; a failure here is one more problem.
            match crate::remote::follow_port(&source) {
                Ok(port) => crate::remote::spawn(source, port),
                Err(why) => events::rejected("the remote configuration", &why),
            }
        }
    }
}

impl State {
    fn from_environment() -> (State, Startup) {
        let env = EnvSettings::from_process();
        let version = match &env.config {
            Some(ConfigSource::File(path)) => watch::version(path),
            _ => None,
        };
        let (base, problems) = environment_base(&env, None);
        let watch = match &env.config {
            Some(ConfigSource::File(path)) => Some((path.clone(), env.poll, version)),
            _ => None,
        };
        let state = State {
            env,
            base,
            switch: None,
            overrides: Vec::new(),
            next_override: 0,
            loads: 0,
            remote: None,
        };
        let remote = if problems.is_empty() {
            state.env.remote.clone()
        } else {
            None
        };
        (
            state,
            Startup {
                problems,
                watch,
                remote,
            },
        )
    }
}

/// The configuration the environment gives, read now: the attributes, `CHAOS_CONFIG`'s document,
/// the remote source's last valid document (`remote`, or `Pending` before the first), or
/// `Rejected` (with why) when a variable or the document is bad.
fn environment_base(env: &EnvSettings, remote: Option<&Config>) -> (Base, Vec<String>) {
    let mut problems = env.problems.clone();
    if env.remote.is_some() {
        let base = match remote {
            _ if !problems.is_empty() => Base::Rejected,
            Some(config) => Base::Loaded(config.clone()),
            None => Base::Pending,
        };
        return (base, problems);
    }
    let loaded = match &env.config {
        None => None,
        Some(ConfigSource::Inline(json)) => Some(load(Config::from_json(json), "CHAOS_CONFIG")),
        Some(ConfigSource::File(path)) => Some(load(
            read_file(path),
            &format!("CHAOS_CONFIG file {}", path.display()),
        )),
    };
    let base = match loaded {
        Some(Err(problem)) => {
            problems.push(problem);
            Base::Rejected
        }
        _ if !problems.is_empty() => Base::Rejected,
        Some(Ok(config)) => Base::Loaded(config),
        None => Base::Attributes,
    };
    (base, problems)
}

fn load(config: Result<Config, ConfigError>, source: &str) -> Result<Config, String> {
    config
        .and_then(|c| c.validate().map(|()| c))
        .map_err(|e| format!("{source}: {e}"))
}

/// The largest configuration file read: a configuration is a few kilobytes, and a path that
/// names something else (a device, a log) must not stall the points.
pub(crate) const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Reads a configuration file; an unreadable file is a configuration error.
pub(crate) fn read_file(path: &Path) -> Result<Config, ConfigError> {
    let cannot =
        |why: String| ConfigError::one("", format!("cannot read {}: {why}", path.display()));
    let metadata = std::fs::metadata(path).map_err(|e| cannot(e.to_string()))?;
    if !metadata.is_file() {
        return Err(cannot("not a regular file".into()));
    }
    if metadata.len() > MAX_CONFIG_BYTES {
        return Err(cannot(format!(
            "{} bytes, more than the {MAX_CONFIG_BYTES} a configuration may have",
            metadata.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| cannot(e.to_string()))?;
    Config::from_json(&text)
}

/// Folds the layers. Turning chaos off wins from any layer (the environment's `CHAOS_ENABLED`,
/// [`set_enabled`], the loaded configuration, a rejected load), and so does a dry run: an operator
/// who asks for less never gets more. The environment's seed wins over a loaded one.
fn publish(state: &State) -> Arc<Snapshot> {
    let loaded = match &state.base {
        Base::Loaded(config) => Some(config),
        _ => None,
    };
    let killed = state.env.enabled == Some(false)
        || state.switch == Some(false)
        || loaded.and_then(|c| c.enabled) == Some(false)
        || matches!(state.base, Base::Rejected | Base::Pending);
    let dry_run = state.env.dry_run == Some(true) || loaded.and_then(|c| c.dry_run) == Some(true);
    let mut points: HashMap<String, PointConfig> = loaded
        .map(|c| c.points.clone().into_iter().collect())
        .unwrap_or_default();
    for (_, name, over) in &state.overrides {
        let entry = points.entry(name.clone()).or_default();
        entry.spec = entry.spec.overlay(&over.spec);
        // An override is there to make the point do something: it turns the point on unless it
        // says otherwise.
        entry.enabled = Some(over.enabled.unwrap_or(true));
    }
    let mut slot = SNAPSHOT.write().unwrap_or_else(|p| p.into_inner());
    let epoch = EPOCH.load(Ordering::Relaxed) + 1;
    let snapshot = Arc::new(Snapshot {
        epoch,
        killed,
        dry_run,
        seed: state.env.seed.or(loaded.and_then(|c| c.seed)),
        loads: state.loads,
        points,
    });
    *slot = Some(Arc::clone(&snapshot));
    // Published after the snapshot, so a point that sees the new epoch reads the new snapshot.
    EPOCH.store(epoch, Ordering::Release);
    snapshot
}

/// Reads the environment now rather than at the first decision, so that a bad `CHAOS_*` variable
/// is reported when the program starts. Calling it again does nothing.
///
/// ```
/// // First thing in `main`:
/// chaos_core::init();
/// ```
pub fn init() {
    let _ = snapshot();
}

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
    apply(config.validate().map(|()| config), "the configuration")
}

/// [`configure`] with a JSON document.
pub fn configure_json(json: &str) -> Result<(), ConfigError> {
    apply(
        Config::from_json(json).and_then(|c| c.validate().map(|()| c)),
        "the JSON configuration",
    )
}

/// [`configure`] with a JSON file (read once; see [`watch_file`](crate::watch_file) to follow its changes).
pub fn configure_file(path: impl AsRef<Path>) -> Result<(), ConfigError> {
    let path = path.as_ref();
    let source = format!("the configuration file {}", path.display());
    apply(
        read_file(path).and_then(|c| c.validate().map(|()| c)),
        &source,
    )
}

pub(crate) fn apply(result: Result<Config, ConfigError>, source: &str) -> Result<(), ConfigError> {
    apply_if(result, source, || true)
}

/// [`apply`] if `still_wanted` holds under the lock (a replaced file watcher no longer does).
pub(crate) fn apply_if(
    result: Result<Config, ConfigError>,
    source: &str,
    still_wanted: impl Fn() -> bool,
) -> Result<(), ConfigError> {
    let _ = snapshot();
    let mut guard = lock(&STATE);
    let Some(state) = guard.as_mut().filter(|_| still_wanted()) else {
        return Ok(());
    };
    let outcome = match result {
        Ok(config) => {
            state.base = Base::Loaded(config);
            Ok(())
        }
        Err(error) => {
            state.base = Base::Rejected;
            Err(error)
        }
    };
    state.loads += 1;
    publish(state);
    drop(guard);
    crate::disk::reconcile();
    match &outcome {
        Ok(()) => events::accepted(source),
        Err(error) => events::rejected(source, error),
    }
    outcome
}

/// A remote source is followed from now on: until its first valid document, injection is off.
#[cfg(feature = "aws")]
pub(crate) fn expect_remote(source: &str) {
    with_state(|state| {
        state.base = Base::Pending;
        state.remote = None;
        state.loads += 1;
    });
    events::remote_pending(source);
}

/// Loads a remote source's valid document, if `still_wanted` holds under the lock (a replaced
/// follower no longer does); false when it no longer did.
#[cfg(feature = "aws")]
pub(crate) fn load_remote(config: Config, source: &str, still_wanted: impl Fn() -> bool) -> bool {
    let _ = snapshot();
    let mut guard = lock(&STATE);
    let Some(state) = guard.as_mut().filter(|_| still_wanted()) else {
        return false;
    };
    state.remote = Some(config.clone());
    state.base = Base::Loaded(config);
    state.loads += 1;
    publish(state);
    drop(guard);
    crate::disk::reconcile();
    events::accepted(source);
    true
}

/// Turns every point on or off from code. Off wins from any layer: `set_enabled(true)` does not
/// override `CHAOS_ENABLED=0` or a configuration saying `"enabled": false`.
///
/// ```
/// chaos_core::set_enabled(false); // nothing is injected from here on
/// chaos_core::set_enabled(true);
/// ```
pub fn set_enabled(enabled: bool) {
    with_state(|state| state.switch = Some(enabled));
}

/// Back to what the environment says: the attributes, or `CHAOS_CONFIG`'s document read again
/// (a rejected one keeps injection off), with the switch of [`set_enabled`] and every override
/// forgotten (their guards then do nothing). The environment's switches stay in force.
///
/// The environment's sources are followed again, and no other: a `CHAOS_CONFIG` file is watched
/// again (one given by [`watch_file`](crate::watch_file) no longer is), and a remote source the
/// environment names (`CHAOS_APPCONFIG`, `CHAOS_SSM_PARAMETER`) is followed again, its last valid
/// document in force (one given by `follow_remote` no longer is). Between resets, the latest
/// change, from a followed source or from this API, is in force.
pub fn reset() {
    with_state(|state| {
        // Back to the environment's sources: its file watched, its remote source followed (and
        // no other), unless the environment itself is rejected.
        let sound = state.env.problems.is_empty();
        match &state.env.config {
            Some(ConfigSource::File(path)) if sound => {
                watch::spawn(path.clone(), state.env.poll, watch::version(path));
            }
            _ => watch::stop(),
        }
        #[cfg(feature = "aws")]
        if crate::remote::back_to_environment(state.env.remote.as_ref().filter(|_| sound)) {
            // The source `follow_remote` gave is forgotten with its documents.
            state.remote = None;
        }
        state.base = environment_base(&state.env, state.remote.as_ref()).0;
        state.loads += 1;
        state.switch = None;
        state.overrides.clear();
    });
}

/// Overrides the points named `name` until the returned guard is dropped, on top of the loaded
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
    let mut id = 0;
    with_state(|state| {
        id = state.next_override;
        state.next_override += 1;
        state.overrides.push((id, name.to_string(), point));
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
        with_state(|state| state.overrides.retain(|(other, _, _)| *other != id));
    }
}
