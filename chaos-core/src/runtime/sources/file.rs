//! A configuration file: read once ([`configure_file`]), or followed by a watcher thread that
//! checks its modification time and size every poll interval and loads it once a change has
//! settled (the same at two polls in a row). Each load is validated whole and swapped in at once;
//! a bad file is reported once per change and turns injection off until a good one.
//!
//! No read waits on the file or reads more than the bound (see [`read_text`]), and none happens
//! under the configuration's lock: a file is read, then its checked document committed.

use std::fs::File;
use std::io::Read;
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

/// Loads the file for `watch_file`'s first read, if the source that holds `ticket` still does
/// under the lock; its caller gets the error back, so it is not printed.
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
    let text = read_text(path)
        .map_err(|why| ConfigError::one("", format!("cannot read {}: {why}", path.display())))?;
    Config::from_json(&text)
}

/// The text of the file at `path`, read without ever waiting on it and never more than the bound:
/// or why not. The path is opened without blocking (a FIFO put there, even between a check and
/// the open, is opened at once rather than waited on), then what was opened, not the path, must
/// be a regular file, and no more than the bound and a word is read, whatever size it reports
/// (`/proc/self/pagemap` reports 0 and holds gigabytes).
fn read_text(path: &Path) -> Result<String, String> {
    let file = open(path).map_err(|e| e.to_string())?;
    let metadata = file.metadata().map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file".into());
    }
    if metadata.len() > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "{} bytes, more than the {MAX_DOCUMENT_BYTES} a configuration may have",
            metadata.len()
        ));
    }
    bounded_text(file)
}

/// Opens `path` for reading without blocking: no wait for a FIFO's writer (the file is checked
/// and refused before anything is read from it), and no terminal becomes the process's own. On
/// a regular file the flag changes nothing, so it is left set.
#[cfg(unix)]
fn open(path: &Path) -> std::io::Result<File> {
    use rustix::fs::{Mode, OFlags};
    let flags = OFlags::RDONLY | OFlags::NONBLOCK | OFlags::NOCTTY | OFlags::CLOEXEC;
    Ok(File::from(rustix::fs::open(path, flags, Mode::empty())?))
}

/// Opens `path` for reading (outside unix, opening a named pipe does not wait for its server:
/// it fails when none is free).
#[cfg(not(unix))]
fn open(path: &Path) -> std::io::Result<File> {
    File::open(path)
}

/// How much is read beyond the bound, to tell a document of the bound from a longer one: one
/// 8-byte word rather than one byte, because some files refuse a read that is not of whole
/// words (`/proc/self/pagemap` answers a 1-byte read with `EINVAL`).
const BEYOND: u64 = 8;

/// At most `MAX_DOCUMENT_BYTES` of UTF-8 text from `reader`, which is read no further than
/// [`BEYOND`] the bound, whatever it holds.
fn bounded_text(reader: impl Read) -> Result<String, String> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_DOCUMENT_BYTES + BEYOND)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    let read = bytes.len() as u64;
    if read > MAX_DOCUMENT_BYTES {
        return Err(format!(
            "at least {read} bytes, more than the {MAX_DOCUMENT_BYTES} a configuration may have"
        ));
    }
    String::from_utf8(bytes).map_err(|e| format!("not UTF-8 text: {}", e.utf8_error()))
}

/// What identifies a version of the file: its modification time and size.
pub(crate) type Version = (SystemTime, u64);

/// The file's version; `None` while it cannot be read.
pub(crate) fn version(path: &Path) -> Option<Version> {
    let metadata = std::fs::metadata(path).ok()?;
    Some((metadata.modified().ok()?, metadata.len()))
}

/// What the watcher knows between polls: the version it judged last, and a version it saw
/// at the poll before that differs from it, not judged yet.
struct Settling {
    judged: Option<Version>,
    changed: Option<Option<Version>>,
}

impl Settling {
    fn new(judged: Option<Version>) -> Settling {
        Settling {
            judged,
            changed: None,
        }
    }

    /// Takes the version seen at a poll: whether the file is to be judged now, which is when it
    /// differs from the one judged last and was the same at the poll before. A file rewritten
    /// in place is then read once its writer stopped, not half-written: a pause in the writing
    /// shorter than the poll interval is never taken for its end.
    fn settled(&mut self, now: Option<Version>) -> bool {
        if now == self.judged {
            self.changed = None;
            return false;
        }
        let settled = self.changed == Some(now);
        self.changed = Some(now);
        settled
    }

    /// The settled version `now` was read and judged.
    fn judged(&mut self, now: Option<Version>) {
        self.judged = now;
        self.changed = None;
    }
}

/// Starts the watcher thread of `path`, whose version `seen` was loaded last; it runs while
/// `ticket` is current. Nothing it does waits on the file (see [`read_text`]), so a FIFO or a
/// device put in the file's place is refused and the file followed again once it is back.
pub(crate) fn watch(path: PathBuf, poll: Duration, seen: Option<Version>, ticket: Ticket) {
    let spawned = std::thread::Builder::new()
        .name("chaos-config-watch".into())
        .spawn(move || {
            let mut settling = Settling::new(seen);
            while ticket.is_current() {
                std::thread::sleep(poll);
                let now = version(&path);
                if !settling.settled(now) || !ticket.is_current() {
                    continue;
                }
                let read = read_checked(&path);
                // Changed while it was read: judged once it settles again.
                if version(&path) != now {
                    continue;
                }
                settling.judged(now);
                // Checked again under the configuration lock: a watcher replaced meanwhile
                // must not load its stale file over the new source's.
                let _ = control::apply_if(read, &describe(&path), || ticket.is_current());
            }
        });
    if let Err(e) = spawned {
        events::rejected("watching the configuration file", &e);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh path in the temp directory, named for this test process and `tag`.
    fn temp_path(tag: &str) -> PathBuf {
        std::env::temp_dir().join(format!("chaos-file-unit-{tag}-{}", std::process::id()))
    }

    #[test]
    fn at_most_a_word_beyond_the_bound_is_read_whatever_the_source() {
        let bound = usize::try_from(MAX_DOCUMENT_BYTES).unwrap();
        // An endless source, as a file that reports size 0 and never ends would be.
        let why = bounded_text(std::io::repeat(b' ')).unwrap_err();
        assert_eq!(
            why,
            format!(
                "at least {} bytes, more than the {bound} a configuration may have",
                bound + 8
            )
        );
        // Exactly the bound is a document; one byte more is not.
        assert_eq!(bounded_text(&vec![b' '; bound][..]).unwrap().len(), bound);
        let why = bounded_text(&vec![b' '; bound + 1][..]).unwrap_err();
        assert!(
            why.starts_with(&format!("at least {} bytes", bound + 1)),
            "{why}"
        );
        assert_eq!(bounded_text(&b"{}"[..]).unwrap(), "{}");
    }

    #[test]
    fn text_that_is_not_utf8_is_refused() {
        let why = bounded_text(&b"{\"a\xff\": 1}"[..]).unwrap_err();
        assert!(why.starts_with("not UTF-8 text: invalid utf-8"), "{why}");
        let path = temp_path("latin1.json");
        std::fs::write(&path, b"{\"enabled\": true, \"\xe9\": 1}").unwrap();
        let error = read(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        let expected = format!("cannot read {}: not UTF-8 text", path.display());
        assert!(error.contains(&expected), "{error}");
    }

    #[test]
    fn what_is_not_a_regular_file_is_refused() {
        let dir = temp_path("dir");
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(read_text(&dir).unwrap_err(), "not a regular file");
        std::fs::remove_dir(&dir).unwrap();
        let missing = read_text(&temp_path("missing")).unwrap_err();
        assert!(missing.contains("No such file"), "{missing}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_opened_without_waiting_for_a_writer_and_refused() {
        let path = temp_path("fifo");
        let _ = std::fs::remove_file(&path);
        rustix::fs::mkfifoat(
            rustix::fs::CWD,
            &path,
            rustix::fs::Mode::RUSR | rustix::fs::Mode::WUSR,
        )
        .unwrap();
        // No writer ever comes: a blocking open would never return.
        assert_eq!(read_text(&path).unwrap_err(), "not a regular file");
        std::fs::remove_file(&path).unwrap();
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_that_reports_size_0_is_read_only_up_to_the_bound() {
        // A regular file of size 0 that holds 8 bytes per page of the address space.
        let path = Path::new("/proc/self/pagemap");
        let started = std::time::Instant::now();
        let why = read_text(path).unwrap_err();
        assert!(
            why.contains("more than the 1048576 a configuration may have"),
            "{why}"
        );
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[test]
    fn a_change_is_judged_once_the_same_version_is_seen_at_two_polls_in_a_row() {
        let t = |s| Some((SystemTime::UNIX_EPOCH + Duration::from_secs(s), s));
        let mut settling = Settling::new(t(1));
        // (version seen at a poll, judged then?)
        let polls = [
            (t(1), false), // unchanged
            (t(2), false), // changed: half written, perhaps
            (t(3), false), // changed again: still being written
            (t(3), true),  // the same twice: settled
        ];
        for (i, (now, expected)) in polls.into_iter().enumerate() {
            assert_eq!(settling.settled(now), expected, "poll {i}");
        }
        settling.judged(t(3));
        assert!(!settling.settled(t(3)));
        // Gone, then back as it was before disappearing: nothing to judge.
        assert!(!settling.settled(None));
        assert!(!settling.settled(t(3)));
        assert!(!settling.settled(t(3)));
        // Gone for good: judged (and refused) once settled.
        assert!(!settling.settled(None));
        assert!(settling.settled(None));
        settling.judged(None);
        assert!(!settling.settled(None));
        // A version read while changing is not judged, and is seen again as changed.
        assert!(!settling.settled(t(4)));
        assert!(settling.settled(t(4)));
        assert!(!settling.settled(t(5)));
        assert!(settling.settled(t(5)));
    }
}
