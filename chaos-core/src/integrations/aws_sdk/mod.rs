//! AWS SDK faults (feature `aws-sdk`): a point's faults on the calls an AWS SDK for Rust client
//! makes, answered as the service would answer them.
//!
//! ```text
//! SDK attempt ──► ChaosHttpClient's connector: which call? (signing scope: service, region;
//!                 x-amz-target / Action= / the interceptor's tag: operation)
//!                    │ for each point given, in order: one of its calls? (aws_service,
//!                    │ aws_operations, aws_region) ──no──► next point
//!                    ▼ yes
//!                 permit (max_concurrency) ──throttled──► the service's throttling answer
//!                    ▼
//!                 decide ──not faulted──► next point ──...──► inner client   (untouched)
//!                    │ faulted
//!                    ▼
//!                 wait (latency) ──► aws_error? ──► a synthetic answer in the service's wire
//!                                                   format, or a connection failure / timeout;
//!                                                   the inner client never sees the request
//! ```
//!
//! The SDK deserializes and classifies the answer itself, so the caller gets the SDK's own typed
//! error (`PutItemError::ProvisionedThroughputExceededException`, `.code()`) and the SDK's retry
//! strategy treats it as it would treat the real one. Each attempt is decided on its own: with
//! `rate = 0.3` a retry may pass, as with real throttling.

#[cfg(feature = "runtime")]
mod call;
#[cfg(feature = "runtime")]
mod connector;
mod interceptor;
#[cfg(feature = "runtime")]
mod wire;

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;

use super::LayerPoint;
pub use interceptor::{ChaosInterceptor, interceptor};

/// The header through which [`ChaosInterceptor`] tells the connector the operation's name; the
/// connector removes it before the request goes on.
#[cfg_attr(not(feature = "runtime"), allow(dead_code))]
const OPERATION_HEADER: &str = "x-chaos-operation";

/// The SDK's HTTP client `inner`, with chaos's points in front of it: give the result to
/// `aws_config`'s loader or a service client's config builder (`.http_client(..)`), and the
/// points with [`point`](ChaosHttpClient::point).
///
/// ```
/// use aws_smithy_runtime_api::client::http::{
///     HttpClient, HttpConnectorSettings, SharedHttpConnector,
/// };
/// use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
///
/// // The SDK's own client in a real program (see `examples/aws-sdk`); a stand-in here.
/// #[derive(Debug)]
/// struct SdkClient;
/// impl HttpClient for SdkClient {
///     fn http_connector(&self, _: &HttpConnectorSettings, _: &RuntimeComponents) -> SharedHttpConnector {
///         unimplemented!("no call is made here")
///     }
/// }
///
/// // `.point(chaos::point!(name = "shop::store", aws_service = "dynamodb", aws_error = "throttling"))`
/// // for each point; then `aws_config::defaults(..).http_client(client)`.
/// let client = chaos_core::aws_sdk::http_client(SdkClient);
/// # let _ = client;
/// ```
///
/// Compiled out (without the `enabled` feature) the points are dropped and each attempt goes
/// to `inner`'s own connector: the wrapper is asked once per attempt which connector to use and
/// answers with `inner`'s, so a request costs nothing more.
pub fn http_client(inner: impl HttpClient + 'static) -> ChaosHttpClient {
    ChaosHttpClient {
        inner: SharedHttpClient::new(inner),
        #[cfg(feature = "runtime")]
        points: Vec::new(),
    }
}

/// An SDK HTTP client with chaos's points in front of it: see [`http_client`].
#[derive(Debug, Clone)]
pub struct ChaosHttpClient {
    inner: SharedHttpClient,
    #[cfg(feature = "runtime")]
    points: Vec<&'static crate::runtime::Point>,
}

impl ChaosHttpClient {
    /// Adds a point declared with `chaos::point!`: its `aws_service`, `aws_operations` and
    /// `aws_region` say which calls it faults (every call, without them), `aws_error` what they
    /// get, and `latency_ms`, `rate`, `one_in`, `max_concurrency` and every run-time control
    /// work as for any point. Points are asked in the order given: the delays of those that
    /// fault the attempt add up, and the first whose fault has an outcome (`aws_error`,
    /// `status`...) answers it; the points after it are not asked. `deny_hosts` matches the
    /// request's host (the service's endpoint); `strip_cors` means nothing here (an SDK answer
    /// goes to no browser).
    pub fn point(self, point: LayerPoint) -> ChaosHttpClient {
        #[cfg(feature = "runtime")]
        {
            let mut client = self;
            client.points.push(point.point);
            client
        }
        #[cfg(not(feature = "runtime"))]
        {
            let _ = point;
            self
        }
    }
}

impl HttpClient for ChaosHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let inner = self.inner.http_connector(settings, components);
        // Wrapped even without points: the connector takes the interceptor's header out.
        #[cfg(feature = "runtime")]
        return connector::wrap(inner, &self.points, settings);
        #[cfg(not(feature = "runtime"))]
        inner
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_base_client_config(components, cfg)
    }

    fn validate_final_config(
        &self,
        components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner.validate_final_config(components, cfg)
    }
}
