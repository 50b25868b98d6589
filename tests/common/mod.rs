//! Running this test binary again as a child process, with an environment of its own: for what
//! is read once per process (the environment variables, the temp directory).

use std::ffi::OsStr;
use std::process::{Command, Output};

/// What a child printed.
pub struct Child {
    pub stdout: String,
    pub stderr: String,
}

impl Child {
    /// The value the child printed as `KEY=value` on a line of its own.
    pub fn value(&self, key: &str) -> &str {
        let prefix = format!("{key}=");
        self.stdout
            .lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| {
                panic!(
                    "the child printed no {key}:\n{}\n{}",
                    self.stdout, self.stderr
                )
            })
    }
}

/// Runs the ignored test `test` of this binary in a child process with `env` (and no inherited
/// `CHAOS_*` variable), and returns what it printed; fails if the child failed.
pub fn run_child(test: &str, env: &[(&str, &str)]) -> Child {
    run_child_os(test, env)
}

/// [`run_child`] with values that need not be UTF-8.
#[allow(dead_code)] // Not every test binary that shares this module uses it.
pub fn run_child_os<V: AsRef<OsStr>>(test: &str, env: &[(&str, V)]) -> Child {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command.args([
        "--ignored",
        "--exact",
        test,
        "--nocapture",
        "--test-threads=1",
    ]);
    for (name, _) in std::env::vars() {
        if name.starts_with("CHAOS_") {
            command.env_remove(name);
        }
    }
    command.envs(env.iter().map(|(name, value)| (name, value.as_ref())));
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("the test binary runs");
    let child = Child {
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    };
    assert!(
        status.success(),
        "child {test} failed: {status}\n{}\n{}",
        child.stdout,
        child.stderr
    );
    child
}
