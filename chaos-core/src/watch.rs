//! Follows a configuration file: a thread checks its modification time and size every poll
//! interval and loads it when either changed. Each load is validated whole and swapped in at
//! once; a bad file is reported once per change and turns injection off until a good one.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::control;

/// Bumped by every new watch, so that an older watcher thread notices and stops.
static WATCH_GENERATION: AtomicU64 = AtomicU64::new(0);

/// Loads the JSON file at `path` now and again whenever it changes, checking every `poll`.
/// Replaces any earlier watch (and a followed remote source). A file that cannot be read or is invalid is reported (stderr and a
/// `tracing` error, once per change) and turns injection off until a valid version is written.
///
/// ```no_run
/// chaos_core::watch_file("/etc/chaos.json", std::time::Duration::from_millis(500))?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn watch_file(path: impl AsRef<Path>, poll: Duration) -> Result<(), crate::ConfigError> {
    let path = path.as_ref().to_path_buf();
    // One source at a time: a followed remote source stops.
    #[cfg(feature = "aws")]
    crate::remote::stop();
    // The version is taken before the read, so a write in between is loaded at the next poll.
    let seen = version(&path);
    let first = control::configure_file(&path);
    spawn(path, poll, seen);
    first
}

/// Stops the watcher thread, if any (a remote source, or `reset` to an environment without a
/// file, replaces it).
pub(crate) fn stop() {
    WATCH_GENERATION.fetch_add(1, Ordering::SeqCst);
}

/// What identifies a version of the file: its modification time and size.
pub(crate) type Version = (SystemTime, u64);

/// Starts the watcher thread, for a file whose version `seen` was loaded last.
pub(crate) fn spawn(path: PathBuf, poll: Duration, mut seen: Option<Version>) {
    let generation = WATCH_GENERATION.fetch_add(1, Ordering::SeqCst) + 1;
    let current = move || WATCH_GENERATION.load(Ordering::SeqCst) == generation;
    let spawned = std::thread::Builder::new()
        .name("chaos-config-watch".into())
        .spawn(move || {
            while current() {
                std::thread::sleep(poll);
                let now = version(&path);
                if now != seen && current() {
                    seen = now;
                    let source = format!("the configuration file {}", path.display());
                    // Checked again under the configuration lock: a watcher replaced meanwhile
                    // must not load its stale file over the new one's.
                    let _ = control::apply_if(
                        control::read_file(&path).and_then(|c| c.validate().map(|()| c)),
                        &source,
                        current,
                    );
                }
            }
        });
    if let Err(e) = spawned {
        crate::events::rejected("watching the configuration file", &e);
    }
}

/// The file's version; `None` while it cannot be read.
pub(crate) fn version(path: &Path) -> Option<Version> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}
