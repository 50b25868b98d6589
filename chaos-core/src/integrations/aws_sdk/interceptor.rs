//! [`ChaosInterceptor`]: tells the connector the operation of each attempt, for the services whose
//! requests do not say it (REST protocols: S3, Lambda, API Gateway...).

use aws_smithy_runtime_api::client::interceptors::Intercept;
#[cfg(feature = "runtime")]
use {
    aws_smithy_runtime_api::box_error::BoxError,
    aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextMut,
    aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
    aws_smithy_types::config_bag::ConfigBag,
};

/// The interceptor that names each attempt's operation for [`http_client`](super::http_client)'s
/// points: needed only for `aws_operations` on services with REST protocols (S3, Lambda, API
/// Gateway), whose requests do not carry the operation's name. JSON and query protocols
/// (DynamoDB, SQS, SNS, Kinesis, STS...) need no interceptor. A service client's config builder
/// takes it: `.interceptor(chaos::aws_sdk::interceptor())` (`aws_config`'s shared config has no
/// place for interceptors).
///
/// ```
/// let interceptor = chaos_core::aws_sdk::interceptor();
/// # let _ = interceptor;
/// ```
///
/// Compiled out (without the `enabled` feature) it does nothing.
pub fn interceptor() -> ChaosInterceptor {
    ChaosInterceptor { _private: () }
}

/// See [`interceptor`].
#[derive(Debug, Clone)]
pub struct ChaosInterceptor {
    _private: (),
}

impl Intercept for ChaosInterceptor {
    fn name(&self) -> &'static str {
        "chaos"
    }

    #[cfg(feature = "runtime")]
    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        use aws_smithy_runtime_api::client::orchestrator::Metadata;
        if let Some(metadata) = cfg.load::<Metadata>() {
            // After signing: the header is not part of the signature, and the connector removes
            // it before the request goes to the network.
            let operation = metadata.name().to_string();
            let _ = context
                .request_mut()
                .headers_mut()
                .try_insert(super::OPERATION_HEADER, operation);
        }
        Ok(())
    }
}
