//! What chaos tells the outside: a `tracing` event (target `chaos`) per injected fault, and the
//! messages printed once per process.

use crate::spec::Outcome;

pub(crate) fn injected(
    point: &str,
    outcome: Option<&Outcome>,
    strip_cors: bool,
    latency_ms: u64,
    dry_run: bool,
) {
    let message = if dry_run {
        "chaos fault decided (dry run, not injected)"
    } else {
        "chaos fault injected"
    };
    match outcome {
        None if strip_cors => {
            tracing::info!(target: "chaos", point, kind = "strip_cors", latency_ms, dry_run, "{message}")
        }
        None => {
            tracing::info!(target: "chaos", point, kind = "latency", latency_ms, dry_run, "{message}")
        }
        Some(Outcome::Status(status)) => {
            tracing::info!(target: "chaos", point, kind = "status", latency_ms, status, dry_run, "{message}");
        }
        Some(Outcome::Error(error)) => {
            tracing::info!(target: "chaos", point, kind = "error", latency_ms, error = &**error, dry_run, "{message}");
        }
        Some(Outcome::Timeout(after_ms)) => {
            tracing::info!(target: "chaos", point, kind = "timeout", latency_ms, after_ms, status = 504u16, dry_run, "{message}");
        }
        Some(Outcome::Deadline { buffer_ms }) => {
            tracing::info!(target: "chaos", point, kind = "timeout", latency_ms, buffer_ms, status = 504u16, dry_run, "{message}");
        }
        Some(Outcome::Unreachable(_)) => {
            tracing::info!(target: "chaos", point, kind = "unreachable", latency_ms, status = 502u16, dry_run, "{message}");
        }
        Some(Outcome::Aws(error)) => {
            tracing::info!(target: "chaos", point, kind = "aws_error", latency_ms, aws_error = error.as_str(), dry_run, "{message}");
        }
        Some(Outcome::Value) => {
            tracing::info!(target: "chaos", point, kind = "value", latency_ms, dry_run, "{message}");
        }
        Some(Outcome::Panic(panic)) => {
            tracing::info!(target: "chaos", point, kind = "panic", latency_ms, panic = &**panic, dry_run, "{message}");
        }
    }
}

pub(crate) fn cold_start(point: &str, latency_ms: u64, dry_run: bool) {
    let message = if dry_run {
        "chaos cold start decided (dry run, not injected)"
    } else {
        "chaos cold start injected"
    };
    tracing::info!(target: "chaos", point, kind = "cold_start", latency_ms, dry_run, "{message}");
}

pub(crate) fn throttled(point: &str, limit: u64, dry_run: bool) {
    let message = if dry_run {
        "chaos throttle decided (dry run, not injected)"
    } else {
        "chaos throttled a call"
    };
    tracing::info!(target: "chaos", point, kind = "throttled", status = 429u16, max_concurrency = limit, dry_run, "{message}");
}

pub(crate) fn disk_filled(point: &str, dir: &std::path::Path, bytes: u64, requested: u64) {
    let (mib, requested_mib) = (bytes >> 20, requested >> 20);
    let dir = dir.display().to_string();
    tracing::info!(target: "chaos", point, kind = "disk_fill", mib, requested_mib, dir, "chaos filled the temp directory's disk");
}

/// A fill that could not be made: reported once per configuration, on stderr too, since the
/// experiment then runs without the fault its author expects.
pub(crate) fn disk_fill_failed(point: &str, dir: &std::path::Path, error: &dyn std::fmt::Display) {
    let message = format!(
        "chaos: disk fill at `{point}` not injected: cannot fill {}: {error}",
        dir.display()
    );
    let message = line(&message);
    to_stderr(&message);
    tracing::error!(target: "chaos", point, kind = "disk_fill", "{message}");
}

/// An async delay ran outside a tokio runtime: the helper thread keeps its time. Said once per
/// process.
pub(crate) fn no_tokio_runtime(point: &str) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    warn_once(&SAID, point, || {
        format!(
            "chaos: `{point}` delays a call outside a tokio runtime, so a helper thread keeps the time of such delays; run it inside a tokio runtime with the time driver (`#[tokio::main]` has one) to wait on tokio's timer; said once"
        )
    });
}

/// An async delay ran in a tokio runtime built without its time driver: the helper thread keeps
/// its time instead. Said once per process.
pub(crate) fn tokio_without_timer(point: &str) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    warn_once(&SAID, point, || {
        format!(
            "chaos: `{point}` delays a call in a tokio runtime without its time driver (tokio's panic above is caught), so a helper thread keeps the time of such delays; build the runtime with `enable_time()` or `enable_all()` (`#[tokio::main]` and `#[tokio::test]` have it); said once"
        )
    });
}

/// The warning `message` makes, about `point`, unless `said` says it was given already.
fn warn_once(said: &std::sync::atomic::AtomicBool, point: &str, message: impl FnOnce() -> String) {
    if said.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let message = line(&message());
    to_stderr(&message);
    tracing::warn!(target: "chaos", point, "{message}");
}

/// A `timeout` fault found no deadline ahead: said once per process, since the call then times
/// out at once, which looks like a bug unless one knows why.
pub(crate) fn deadline_unusable(point: &str, deadline: Option<std::time::SystemTime>) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if SAID.swap(true, std::sync::atomic::Ordering::Relaxed) {
        return;
    }
    let why = match deadline {
        None => "the invocation has no deadline".to_string(),
        Some(d) => {
            let ms = d
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |e| e.as_millis());
            format!("its deadline ({ms} ms since the Unix epoch) has passed")
        }
    };
    let message = format!(
        "chaos: `timeout` at `{point}` times out at once: {why} (local emulators such as `cargo lambda watch` send a deadline in 1970); said once"
    );
    let message = line(&message);
    to_stderr(&message);
    tracing::warn!(target: "chaos", point, kind = "timeout", "{message}");
}

/// Printed once, at the first decision of a process: nobody should ship chaos unaware.
pub(crate) fn compiled_in(points: usize) {
    let noun = if points == 1 { "point" } else { "points" };
    let message = format!(
        "chaos: fault injection is compiled into this binary ({points} injection {noun}); CHAOS_ENABLED=0 turns it off"
    );
    let message = line(&message);
    to_stderr(&message);
    tracing::warn!(target: "chaos", points, "{message}");
}

/// Two points or more share a name, announced once per process at the first decision.
pub(crate) fn shared_name(point: &str, problem: &str) {
    let message = format!("chaos: {problem}; a configuration naming it is refused");
    let message = line(&message);
    to_stderr(&message);
    tracing::warn!(target: "chaos", point, "{message}");
}

/// A configuration that was rejected, reported once per change of state (not per call).
pub(crate) fn rejected(source: &str, error: &dyn std::fmt::Display) {
    let message = format!(
        "chaos: {source} rejected, fault injection is OFF until a valid configuration arrives: {error}"
    );
    let message = line(&message);
    to_stderr(&message);
    tracing::error!(target: "chaos", source, "{message}");
}

/// A configuration given in code was refused: its caller has the error, so it is only recorded.
pub(crate) fn refused(source: &str, error: &dyn std::fmt::Display) {
    let message = line(&format!(
        "chaos: {source} rejected, fault injection is OFF until a valid configuration arrives: {error}"
    ));
    tracing::error!(target: "chaos", source, "{message}");
}

/// A remote source is followed, and injection is off until its first document.
#[cfg(feature = "aws")]
pub(crate) fn remote_pending(source: &str) {
    tracing::info!(target: "chaos", source, "chaos follows {source}; injection is off until its first valid document");
}

/// A remote source failed: said when it starts failing and as a reminder at most once a minute
/// while it stays down (see `sources::remote::health`), not on every attempt; `unreported` counts
/// the failures of a flapping source since the last line.
#[cfg(feature = "aws")]
pub(crate) fn remote_failed(
    source: &str,
    error: &str,
    kept_last: bool,
    retry_in: std::time::Duration,
    still: bool,
    unreported: u32,
) {
    let state = if kept_last {
        "keeping the last valid configuration"
    } else {
        "fault injection stays OFF until a valid configuration loads"
    };
    let retry_ms = u64::try_from(retry_in.as_millis()).unwrap_or(u64::MAX);
    let how = if still {
        "still unavailable"
    } else {
        "unavailable"
    };
    let flapped = match unreported {
        0 => String::new(),
        n => format!(" ({n} more failures since the last report, each followed by an answer)"),
    };
    let message =
        format!("chaos: {source} {how}, {state} (retrying in {retry_ms} ms){flapped}: {error}");
    let message = line(&message);
    to_stderr(&message);
    tracing::error!(target: "chaos", source, kept_last, retry_ms, unreported, "{message}");
}

/// A failing remote source answers again.
#[cfg(feature = "aws")]
pub(crate) fn remote_recovered(source: &str) {
    let message = format!("chaos: {source} answers again");
    let message = line(&message);
    to_stderr(&message);
    tracing::info!(target: "chaos", source, "{message}");
}

/// A configuration that was accepted after a change.
pub(crate) fn accepted(source: &str) {
    tracing::info!(target: "chaos", source, "chaos configuration loaded");
}

/// The most bytes of one message printed or recorded: 16 KiB, a screenful of problems (a
/// [`ConfigError`](crate::ConfigError) shows 20 at most), so that the messages of a process stay
/// far below what a log accepts whatever its configurations hold.
pub(crate) const MAX_LINE_BYTES: usize = 16 << 10;

/// `message` as it goes out, to stderr and `tracing` alike: one line, every control character
/// escaped (a name or a key from input with a newline or an ESC in it cannot forge or colour a
/// line), and cut at [`MAX_LINE_BYTES`].
pub(crate) fn line(message: &str) -> String {
    let mut line = crate::spec::escaped(message).to_string();
    if line.len() > MAX_LINE_BYTES {
        let mut end = MAX_LINE_BYTES;
        while !line.is_char_boundary(end) {
            end -= 1;
        }
        let cut = line.len() - end;
        line.truncate(end);
        line.push_str(&format!("... ({cut} more bytes cut)"));
    }
    line
}

/// Writes a line to stderr, ignoring failure (a closed stderr must not panic a point's caller, as
/// `eprintln!` would).
fn to_stderr(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_goes_out_as_one_escaped_bounded_line() {
        assert_eq!(line("chaos: plain"), "chaos: plain");
        assert_eq!(
            line("chaos: `a\nchaos: forged`\0\u{1b}[2J"),
            "chaos: `a\\nchaos: forged`\\0\\u{1b}[2J"
        );
        let long = format!("chaos: {}", "é".repeat(MAX_LINE_BYTES));
        let out = line(&long);
        assert!(out.len() < MAX_LINE_BYTES + 40, "{}", out.len());
        assert!(
            out.ends_with("more bytes cut)"),
            "{}",
            &out[out.len() - 40..]
        );
        assert!(!out.contains('\n'));
    }
}
