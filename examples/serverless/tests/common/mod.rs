//! What the test files share: a loopback server, and (with chaos compiled in) the lock and the
//! guard that keep tests that change chaos's process-wide state from seeing each other's.

// Each test file is a crate of its own that uses only part of this module.
#![allow(dead_code)]

use axum::Router;

/// Tests that change the process-wide configuration (`configure_json`, `override_point`,
/// `set_enabled`, `reset`) take it for writing, one at a time; every other test that injects or
/// counts on injecting takes it for reading, because a `chaos::Scope` does not shield its test
/// from the process-wide kill switch, and a point the scope does not name follows the
/// process-wide configuration.
#[cfg(feature = "chaos")]
pub static PROCESS_WIDE: tokio::sync::RwLock<()> = tokio::sync::RwLock::const_new(());

/// Puts chaos back as the environment has it when a test ends, passed or failed, so that a
/// failing test does not leave faults (or the kill switch) to the next one.
#[cfg(feature = "chaos")]
pub struct Restore;

#[cfg(feature = "chaos")]
impl Drop for Restore {
    fn drop(&mut self) {
        chaos::set_enabled(true);
        chaos::reset();
    }
}

/// A router served on a free loopback port (127.0.0.1) until dropped.
pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The port, to reach the server by another name (`http://localhost:PORT`).
    pub port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl Server {
    pub async fn start(app: Router) -> Server {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a free loopback port");
        let port = listener.local_addr().expect("bound").port();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("the server runs");
        });
        Server {
            base: format!("http://127.0.0.1:{port}"),
            port,
            task,
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}
