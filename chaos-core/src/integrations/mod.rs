//! What lets a fault travel through other crates' types: `http` responses and status codes,
//! axum's `IntoResponse`, Lambda's API Gateway responses and invocation deadline, the tower
//! layer for what has no attribute, and the AWS SDK client's connector. Each sits behind its own
//! feature, and imports `fault` (the tower layer and the SDK connector also the runtime's data
//! plane); nothing below imports an integration.

#[cfg(feature = "aws-sdk")]
#[cfg_attr(docsrs, doc(cfg(feature = "aws-sdk")))]
pub mod aws_sdk;
#[cfg(feature = "axum")]
mod axum;
#[cfg(feature = "http")]
mod http;
#[cfg(feature = "lambda")]
mod lambda;
#[cfg(feature = "tower")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower")))]
pub mod layer;
mod layer_point;

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use http::FAULT_HEADER;
pub use layer_point::LayerPoint;
