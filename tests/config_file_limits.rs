//! What `CHAOS_CONFIG` names must be a regular file of at most 1 MiB: anything else (a file
//! grown huge, a directory, a FIFO that would block the reader) is rejected without being read,
//! with a message that says why, and injection is off. Each case runs this test binary again as a
//! child process with its own environment, as in `environment.rs`.
#![cfg(feature = "enabled")]

mod common;

use std::path::PathBuf;

use chaos::{Fault, chaos};
use common::run_child;

#[chaos(error = "always", rate = 1.0, name = "limits::always")]
fn always() -> Result<u32, Fault> {
    Ok(1)
}

/// Prints how many of 20 calls of `always` faulted under the environment it was given.
#[test]
#[ignore = "run by the other tests as a child process"]
fn child_report() {
    let faulted = (0..20).filter(|_| always().is_err()).count();
    // On a line of its own: libtest has just printed "test child_report ... " without a newline.
    println!("\nALWAYS={faulted}");
}

/// A path in the temp directory, named for this process and `tag`.
fn temp_path(tag: &str) -> PathBuf {
    std::env::temp_dir().join(format!("chaos-limits-{tag}-{}", std::process::id()))
}

/// Runs the child with `CHAOS_CONFIG=path` and checks that it injected nothing and said
/// `expected` once.
fn assert_rejected(path: &std::path::Path, expected: &str) {
    let child = run_child("child_report", &[("CHAOS_CONFIG", path.to_str().unwrap())]);
    assert_eq!(child.value("ALWAYS"), "0", "{}", child.stderr);
    let expected = format!("cannot read {}: {expected}", path.display());
    assert_eq!(
        child.stderr.matches(&expected).count(),
        1,
        "expected `{expected}` once in:\n{}",
        child.stderr
    );
}

#[test]
fn a_valid_file_is_loaded() {
    // The positive control for the cases below: the same kind of path, a small regular file.
    let path = temp_path("small.json");
    std::fs::write(&path, r#"{"points": {}}"#).unwrap();
    let child = run_child("child_report", &[("CHAOS_CONFIG", path.to_str().unwrap())]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(child.value("ALWAYS"), "20", "{}", child.stderr);
}

#[test]
fn a_file_over_1_mib_is_rejected_unread() {
    // A valid document padded with whitespace past 1 MiB: only its size can reject it.
    let path = temp_path("huge.json");
    let mut document = String::from(r#"{"points": {}}"#);
    document.push_str(&" ".repeat(1 << 20));
    std::fs::write(&path, &document).unwrap();
    assert_rejected(
        &path,
        &format!(
            "{} bytes, more than the 1048576 a configuration may have",
            document.len()
        ),
    );
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn a_directory_is_rejected() {
    let path = temp_path("directory");
    std::fs::create_dir_all(&path).unwrap();
    assert_rejected(&path, "not a regular file");
    std::fs::remove_dir(&path).unwrap();
}

#[cfg(unix)]
#[test]
fn a_fifo_is_rejected_without_blocking_on_it() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    let path = temp_path("fifo");
    let _ = std::fs::remove_file(&path);
    let made = std::process::Command::new("mkfifo")
        .arg(&path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());

    // Were the child to read the FIFO, it would block until a writer came; this thread keeps
    // offering it a valid document, so that such a bug shows as faults injected rather than as
    // a hung test. Opening a FIFO for reading and writing at once never blocks (on Linux), and
    // what it writes is dropped if nobody reads.
    let done = Arc::new(AtomicBool::new(false));
    let feeder = {
        let (path, done) = (path.clone(), Arc::clone(&done));
        std::thread::spawn(move || {
            while !done.load(Ordering::SeqCst) {
                if let Ok(mut fifo) = std::fs::OpenOptions::new()
                    .read(true)
                    .write(true)
                    .open(&path)
                {
                    let _ = std::io::Write::write_all(&mut fifo, br#"{"points": {}}"#);
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
        })
    };
    assert_rejected(&path, "not a regular file");
    done.store(true, Ordering::SeqCst);
    feeder.join().unwrap();
    std::fs::remove_file(&path).unwrap();
}
