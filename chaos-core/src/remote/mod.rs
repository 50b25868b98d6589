//! Configuration from a fleet's control plane: AWS AppConfig and SSM Parameter Store, read
//! through their Lambda extensions' local HTTP endpoints (feature `aws` for the reading; the
//! source itself is parsed whatever the features, so that a variable naming one in a build that
//! cannot follow it is reported rather than ignored).

#[cfg(feature = "aws")]
mod fetch;
#[cfg(feature = "aws")]
mod follow;
mod source;

#[cfg(feature = "aws")]
pub use follow::follow_remote;
#[cfg(feature = "aws")]
pub(crate) use follow::{back_to_environment, port as follow_port, spawn, stop};
pub use source::RemoteSource;
