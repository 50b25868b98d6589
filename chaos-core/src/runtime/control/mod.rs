//! The control plane: the configuration's state and its one commit, the registry of compiled
//! points, the configuration checked against them, and task scopes. It publishes snapshots for
//! the data plane, and never waits on a file or a network: the sources above it do that and
//! hand it checked documents.

mod api;
mod config;
mod error;
mod json;
mod registry;
mod scope;
pub(crate) mod state;

pub use api::{OverrideGuard, configure, configure_json, override_point, set_enabled};
pub(crate) use api::{apply, apply_if};
pub use config::Config;
pub use error::ConfigError;
pub(crate) use json::MAX_DOCUMENT_BYTES;
pub use registry::POINTS;
pub use registry::{points, stats};
pub use scope::Scope;
