//! A configuration file: read once ([`configure_file`]), or followed by a watcher thread that
//! checks its modification time and size every poll interval and loads it when either changed.
//! Each load is validated whole and swapped in at once; a bad file is reported once per change
//! and turns injection off until a good one.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use super::ticket::Ticket;
use crate::runtime::control::{self, Config, ConfigError, MAX_DOCUMENT_BYTES};
use crate::runtime::events;

/// [`configure`](crate::configure) with a JSON file (read once; see
/// [`watch_file`](crate::watch_file) to follow its changes).
///
/// ```no_run
/// chaos_core::configure_file("/etc/chaos.json")?;
/// # Ok::<(), chaos_core::ConfigError>(())
/// ```
pub fn configure_file(path: impl AsRef<Path>) -> Result<(), ConfigError> {
    let path = path.as_ref();
    control::apply(read_checked(path), &describe(path))
}

/// Loads the file once for the source that holds `ticket`, if it still does under the lock.
pub(crate) fn load(path: &Path, ticket: Ticket) -> Result<(), ConfigError> {
    control::apply_if(read_checked(path), &describe(path), || ticket.is_current()).unwrap_or(Ok(()))
}

/// [`load`] for `watch_file`'s first read, whose caller gets the error back: not printed.
pub(crate) fn load_first(path: &Path, ticket: Ticket) -> Result<(), ConfigError> {
    control::apply_first(read_checked(path), &describe(path), || ticket.is_current())
        .unwrap_or(Ok(()))
}

/// How a file is named in messages.
fn describe(path: &Path) -> String {
    format!("the configuration file {}", path.display())
}

/// Reads a configuration file and checks it against the compiled points.
pub(crate) fn read_checked(path: &Path) -> Result<Config, ConfigError> {
    read(path).and_then(Config::checked)
}

/// Reads a configuration file; an unreadable file is a configuration error.
pub(crate) fn read(path: &Path) -> Result<Config, ConfigError> {
    let cannot =
        |why: String| ConfigError::one("", format!("cannot read {}: {why}", path.display()));
    let metadata = std::fs::metadata(path).map_err(|e| cannot(e.to_string()))?;
    if !metadata.is_file() {
        return Err(cannot("not a regular file".into()));
    }
    if metadata.len() > MAX_DOCUMENT_BYTES {
        return Err(cannot(format!(
            "{} bytes, more than the {MAX_DOCUMENT_BYTES} a configuration may have",
            metadata.len()
        )));
    }
    let text = std::fs::read_to_string(path).map_err(|e| cannot(e.to_string()))?;
    Config::from_json(&text)
}

/// What identifies a version of the file: its modification time and size.
pub(crate) type Version = (SystemTime, u64);

/// The file's version; `None` while it cannot be read.
pub(crate) fn version(path: &Path) -> Option<Version> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}

/// Starts the watcher thread of `path`, whose version `seen` was loaded last; it runs while
/// `ticket` is current.
pub(crate) fn watch(path: PathBuf, poll: Duration, mut seen: Option<Version>, ticket: Ticket) {
    let spawned = std::thread::Builder::new()
        .name("chaos-config-watch".into())
        .spawn(move || {
            while ticket.is_current() {
                std::thread::sleep(poll);
                let now = version(&path);
                if now != seen && ticket.is_current() {
                    seen = now;
                    // Checked again under the configuration lock: a watcher replaced meanwhile
                    // must not load its stale file over the new source's.
                    let _ = load(&path, ticket);
                }
            }
        });
    if let Err(e) = spawned {
        events::rejected("watching the configuration file", &e);
    }
}
