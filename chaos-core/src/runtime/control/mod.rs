//! The control plane: the configuration's state and its one commit, the registry of compiled
//! points, the configuration checked against them, and task scopes. It publishes snapshots for
//! the data plane, and never waits on a file or a network: the sources above it do that and
//! hand it checked documents.

mod api;
mod config;
mod error;
mod json;
#[cfg(test)]
mod json_cases;
mod registry;
mod scope;
pub(crate) mod state;
mod strict;

pub(crate) use crate::config::{Config, ConfigError};
pub use api::{OverrideGuard, configure, configure_json, override_point, set_enabled};
pub(crate) use api::{apply, apply_first, apply_if};
pub(crate) use json::MAX_DOCUMENT_BYTES;
pub use registry::POINTS;
pub use registry::{PointInfo, points, stats};
pub(crate) use registry::{shared_name, shared_names};
pub use scope::Scope;
