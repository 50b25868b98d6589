//! The sources of configuration: the environment, a file, a remote source (AppConfig, SSM), and
//! the supervisor here, which owns the rule "one source at a time": starting a source retires
//! the one before it (see [`ticket`]), and [`reset`] goes back to the environment's.
//!
//! Sources read files and networks, then hand checked documents to the control plane; the
//! control plane never calls them. The runtime's lazy start ([`start`]) reads the environment
//! here.

mod env;
mod file;
mod remote;
mod ticket;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

use env::{ConfigSource, EnvSettings};
use ticket::{TICKETS, Ticket};

use crate::runtime::control::state::{self, Base, Pinned, State};
use crate::runtime::control::{Config, ConfigError};
use crate::runtime::control::{POINTS, shared_name, shared_names};
use crate::runtime::events;
use crate::runtime::snapshot::Snapshot;

pub use file::configure_file;
#[cfg(feature = "aws")]
pub use remote::RemoteSource;

/// The environment, read once per process.
fn environment() -> &'static EnvSettings {
    static ENVIRONMENT: OnceLock<EnvSettings> = OnceLock::new();
    ENVIRONMENT.get_or_init(EnvSettings::from_process)
}

/// A source given in code ([`watch_file`], `follow_remote`) replaced the environment's: its
/// remote documents are then not the environment's, and [`reset`] forgets them.
static REPLACED: AtomicBool = AtomicBool::new(false);

/// The configuration the environment gives, read now (outside any lock).
enum EnvironmentBase {
    /// `CHAOS_CONFIG`'s document, the attributes, or rejected.
    Read(Base),
    /// The remote source's last valid document, or `Pending` before the first.
    Remote,
}

impl EnvironmentBase {
    fn read(env: &EnvSettings) -> (EnvironmentBase, Vec<String>) {
        let mut problems = env.problems.clone();
        if env.remote.is_some() && problems.is_empty() {
            return (EnvironmentBase::Remote, problems);
        }
        let loaded = match &env.config {
            None => None,
            Some(ConfigSource::Inline(json)) => {
                Some(Config::checked_json(json).map_err(|e| format!("CHAOS_CONFIG: {e}")))
            }
            Some(ConfigSource::File(path)) => Some(
                file::read_checked(path)
                    .map_err(|e| format!("CHAOS_CONFIG file {}: {e}", path.display())),
            ),
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
        (EnvironmentBase::Read(base), problems)
    }

    /// The base, with the remote source's last valid document if there is one.
    fn into_base(self, remote: Option<&Config>) -> Base {
        match self {
            EnvironmentBase::Read(base) => base,
            EnvironmentBase::Remote => remote.cloned().map_or(Base::Pending, Base::Loaded),
        }
    }
}

/// What the environment pins for the life of the process.
fn pinned(env: &EnvSettings) -> Pinned {
    Pinned {
        enabled: env.enabled,
        dry_run: env.dry_run,
        seed: env.seed,
    }
}

/// The runtime's start: reads the environment, installs the first state, and (once per process)
/// announces chaos and starts the environment's source.
pub(crate) fn start() -> Arc<Snapshot> {
    let env = environment();
    // The version is taken before the read, so that a write in between is loaded at the first poll.
    let version = match &env.config {
        Some(ConfigSource::File(path)) => file::version(path),
        _ => None,
    };
    // Read by every thread that races to the first decision; one installs what it read.
    let (base, problems) = EnvironmentBase::read(env);
    let mut ticket = None;
    let (snapshot, installed) = state::initialise(|| {
        // Issued before the first snapshot is published: a source started by anyone who sees
        // that snapshot comes later and replaces the environment's, not the other way round.
        ticket = Some(TICKETS.issue());
        // Kept for `init` by the thread that installs, from what it installs, before anything
        // is published: whoever sees a snapshot finds the verdict that goes with it.
        let verdict = problems
            .iter()
            .map(|p| (String::new(), p.clone()))
            .collect();
        let _ = VERDICT.set(ConfigError::from_problems(verdict).map_or(Ok(()), Err));
        State::new(pinned(env), base.into_base(None))
    });
    if let (true, Some(ticket)) = (installed, ticket) {
        events::compiled_in(POINTS.len());
        for (name, sites) in shared_names() {
            events::shared_name(name, &shared_name(name, sites));
        }
        if !problems.is_empty() {
            events::rejected("the environment's configuration", &problems.join("; "));
        }
        if let Some(ConfigSource::File(path)) = &env.config {
            file::watch(path.clone(), env.poll, version, ticket);
        }
        if problems.is_empty() {
            follow_environment_remote(env, ticket);
        }
    }
    snapshot
}

/// Follows the environment's remote source, if it names one, while `ticket` is current.
fn follow_environment_remote(env: &EnvSettings, ticket: Ticket) {
    #[cfg(feature = "aws")]
    if let Some(source) = &env.remote {
        // The port was checked with the environment; a failure here is one more problem.
        match remote::port(source) {
            Ok(port) => remote::follow(source.clone(), port, ticket),
            Err(why) => events::rejected("the remote configuration", &why),
        }
    }
    #[cfg(not(feature = "aws"))]
    let _ = (env, ticket);
}

/// Serialises the calls that change the source ([`reset`], [`watch_file`], `follow_remote`), so
/// that each one's stop, load and start happen together. Each starts the runtime before taking
/// it (the start does not take it).
fn supervise() -> MutexGuard<'static, ()> {
    static SUPERVISOR: Mutex<()> = Mutex::new(());
    SUPERVISOR.lock().unwrap_or_else(|p| p.into_inner())
}

/// What the environment gave at the start: `Err` with every problem of its `CHAOS_*` variables
/// and of `CHAOS_CONFIG`'s document, which also turned injection off.
static VERDICT: OnceLock<Result<(), ConfigError>> = OnceLock::new();

/// Reads the environment now rather than at the first decision, so that a bad `CHAOS_*` variable
/// is found when the program starts, and returns what it found: `Err` with every problem of the
/// `CHAOS_*` variables and of `CHAOS_CONFIG`'s document (injection is then off). Either way a
/// problem is also printed to stderr and recorded as a `tracing` error, as every problem of the
/// environment is, so `let _ = chaos::init();` reports without failing, and `chaos::init()?`
/// fails a deployment whose chaos configuration is wrong. Calling it again reads nothing and
/// returns the same result. A remote source the environment names is followed in the background:
/// its documents are not waited for.
///
/// ```
/// // First thing in `main`:
/// chaos_core::init()?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn init() -> Result<(), ConfigError> {
    started();
    VERDICT.get().cloned().unwrap_or(Ok(()))
}

/// Makes sure the runtime has started (read the environment, published its first snapshot).
fn started() {
    let _ = crate::runtime::snapshot::load();
}

/// Back to what the environment says: the attributes, or `CHAOS_CONFIG`'s document read again
/// (a rejected one keeps injection off), with the switch of [`set_enabled`](crate::set_enabled)
/// and every override forgotten (their guards then do nothing). The environment's switches stay
/// in force.
///
/// The environment's sources are followed again, and no other: a `CHAOS_CONFIG` file is watched
/// again (one given by [`watch_file`] no longer is), and a remote source the environment names
/// (`CHAOS_APPCONFIG`, `CHAOS_SSM_PARAMETER`) is followed again, its last valid document in force
/// (one given by `follow_remote` no longer is). Between resets, the latest change, from a
/// followed source or from this API, is in force.
///
/// ```
/// chaos_core::set_enabled(false);
/// chaos_core::reset(); // the environment's configuration again
/// ```
pub fn reset() {
    started();
    let _supervised = supervise();
    let env = environment();
    let sound = env.problems.is_empty();
    // Whatever source runs stops now; the environment's start again below, with this ticket.
    let ticket = TICKETS.issue();
    let replaced = REPLACED.swap(false, Ordering::SeqCst);
    let watched = match &env.config {
        Some(ConfigSource::File(path)) if sound => Some((path, file::version(path))),
        _ => None,
    };
    let (base, _) = EnvironmentBase::read(env);
    state::commit(|state| {
        if replaced {
            // The source `follow_remote` gave is forgotten with its documents.
            state.remote = None;
        }
        state.load(base.into_base(state.remote.as_ref()));
        state.switch = None;
        state.overrides.clear();
    });
    if let Some((path, version)) = watched {
        file::watch(path.clone(), env.poll, version, ticket);
    }
    if sound {
        follow_environment_remote(env, ticket);
    }
}

/// Loads the JSON file at `path` now and again whenever it changes, checking every `poll`: a
/// change is loaded once it is the same at two checks in a row, so a file rewritten in place is
/// not read half-written. Replaces any earlier watch and a followed remote source. A file that cannot be read or is
/// invalid turns injection off until a valid version is written: the first read's problem is
/// returned, later ones are reported (stderr and a `tracing` error, once per change).
///
/// ```no_run
/// chaos_core::watch_file("/etc/chaos.json", std::time::Duration::from_millis(500))?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn watch_file(path: impl AsRef<Path>, poll: Duration) -> Result<(), ConfigError> {
    let path: PathBuf = path.as_ref().to_path_buf();
    // Started first, so that the environment's own source is already running when it is
    // replaced; then one source at a time: whatever runs stops before the file loads.
    started();
    let _supervised = supervise();
    let ticket = TICKETS.issue();
    REPLACED.store(true, Ordering::SeqCst);
    // The version is taken before the read, so a write in between is loaded at the next poll.
    let seen = file::version(&path);
    let first = file::load_first(&path, ticket);
    file::watch(path, poll, seen, ticket);
    first
}

/// Follows `source` from now on, in place of any loaded configuration and of any earlier source
/// or watched file: injection is off until its first document loads (in the background; this
/// returns at once), then each change of the document is loaded within a TTL. A source that
/// cannot be reached keeps the last valid document and is retried with backoff; an answer that
/// is not a valid configuration turns injection off until a valid one arrives. Both are
/// reported when they start and end (stderr and a `tracing` event), not on every attempt.
///
/// ```no_run
/// use chaos_core::{RemoteSource, follow_remote};
///
/// // What `CHAOS_APPCONFIG=shop/prod/chaos` does at the first decision.
/// follow_remote(RemoteSource::appconfig("shop", "prod", "chaos"))?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
#[cfg(feature = "aws")]
pub fn follow_remote(source: RemoteSource) -> Result<(), ConfigError> {
    source
        .validate()
        .map_err(|why| ConfigError::one("", format!("{source}: {why}")))?;
    let port = remote::port(&source).map_err(|why| ConfigError::one("", why))?;
    // The earlier follower, and a watched file, stop before injection goes off for the new
    // source: neither may load anything over it.
    started();
    let _supervised = supervise();
    let ticket = TICKETS.issue();
    REPLACED.store(true, Ordering::SeqCst);
    state::commit_if(
        || ticket.is_current(),
        |state| {
            state.load(Base::Pending);
            state.remote = None;
        },
    );
    events::remote_pending(&source.to_string());
    remote::follow(source, port, ticket);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)]) -> EnvSettings {
        EnvSettings::from_lookup(|name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        })
    }

    fn base(vars: &[(&str, &str)]) -> (Base, Vec<String>) {
        let (read, problems) = EnvironmentBase::read(&env(vars));
        (read.into_base(None), problems)
    }

    #[test]
    fn the_environment_gives_the_attributes_a_document_or_a_rejection() {
        assert_eq!(base(&[]), (Base::Attributes, vec![]));
        let (loaded, problems) = base(&[("CHAOS_CONFIG", r#"{"enabled": false}"#)]);
        assert_eq!(loaded, Base::Loaded(Config::new().enabled(false)));
        assert!(problems.is_empty());
        let (rejected, problems) = base(&[("CHAOS_CONFIG", "{not json")]);
        assert_eq!(rejected, Base::Rejected);
        assert!(
            problems[0].starts_with("CHAOS_CONFIG: malformed JSON"),
            "{problems:?}"
        );
        // A bad switch rejects a good document too: injection stays off.
        let (rejected, problems) = base(&[
            ("CHAOS_CONFIG", r#"{"enabled": true}"#),
            ("CHAOS_SEED", "x"),
        ]);
        assert_eq!(rejected, Base::Rejected);
        assert_eq!(problems.len(), 1, "{problems:?}");
    }

    #[cfg(feature = "aws")]
    #[test]
    fn a_remote_source_is_pending_until_its_first_document_and_keeps_the_last_one() {
        let (read, problems) = EnvironmentBase::read(&env(&[("CHAOS_APPCONFIG", "a/b/c")]));
        assert!(problems.is_empty());
        assert!(matches!(read, EnvironmentBase::Remote));
        assert_eq!(read.into_base(None), Base::Pending);
        let (read, _) = EnvironmentBase::read(&env(&[("CHAOS_APPCONFIG", "a/b/c")]));
        let last = Config::new().dry_run(true);
        assert_eq!(read.into_base(Some(&last)), Base::Loaded(last));
    }
}
