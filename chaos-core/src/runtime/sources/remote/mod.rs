//! Configuration from a fleet's control plane: AWS AppConfig and SSM Parameter Store, read
//! through their Lambda extensions' local HTTP endpoints. The source itself is parsed whatever
//! the features, so that a variable naming one in a build that cannot follow it is reported
//! rather than ignored; asking and following need the `aws` feature.

#[cfg(feature = "aws")]
mod fetch;
#[cfg(feature = "aws")]
mod follow;
#[cfg(feature = "aws")]
mod health;
#[cfg(feature = "aws")]
mod request;
mod source;

#[cfg(feature = "aws")]
pub(crate) use follow::{follow, port};
pub use source::RemoteSource;
