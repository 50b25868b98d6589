//! chaos's connector in front of a stand-in for the network (no moto): several points on one
//! client, `when = "after"`, `deny_hosts`, the read timeout, and the interceptor's header. The
//! stand-in (`common::stand_in`) answers every request with an empty DynamoDB answer and keeps
//! what it received.

mod common;

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::retry::{RetryConfig, RetryPartition};
use aws_sdk_dynamodb::config::timeout::TimeoutConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_smithy_runtime_api::client::http::HttpClient;
use common::stand_in::Network;

const MAX_ATTEMPTS: u32 = 3;

/// A DynamoDB client for `endpoint` through `http`, at most 3 attempts 1 ms apart, the given
/// read timeout, chaos's interceptor, and a retry partition of its own.
fn dynamodb(
    http: impl HttpClient + 'static,
    endpoint: &str,
    read_timeout: Option<Duration>,
    partition: &str,
) -> Client {
    let mut timeouts = TimeoutConfig::builder();
    if let Some(read) = read_timeout {
        timeouts = timeouts.read_timeout(read);
    }
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url(endpoint)
        .http_client(http)
        .timeout_config(timeouts.build())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .retry_partition(RetryPartition::new(partition.to_string()))
        .interceptor(chaos::aws_sdk::interceptor())
        .build();
    Client::from_conf(config)
}

#[tokio::test]
async fn the_interceptors_header_never_reaches_the_network() {
    let network = Network::default();
    // No point at all, then a quiet one: the header goes no further either way.
    let quiet = chaos::point!(name = "test::quiet", aws_error = "throttling", rate = 0.0);
    for http in [
        chaos::aws_sdk::http_client(network.clone()),
        chaos::aws_sdk::http_client(network.clone()).point(quiet),
    ] {
        let db = dynamodb(http, "http://127.0.0.1:1", None, "header");
        db.list_tables().send().await.expect("the stand-in answers");
    }
    assert_eq!(network.requests(), 2);
    assert!(!network.saw_header("x-chaos-operation"));
    assert!(network.saw_header("x-amz-target"));
}

#[cfg(feature = "chaos")]
mod faulted {
    use super::*;
    use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
    use common::stats;

    #[tokio::test]
    async fn a_delay_before_a_throttling_point_does_not_hide_it() {
        let slow = chaos::point!(
            name = "test::slow_first",
            aws_service = "dynamodb",
            latency_ms = 1,
            rate = 1.0
        );
        let throttled = chaos::point!(
            name = "test::throttled_second",
            aws_service = "dynamodb",
            aws_error = "throttling",
            rate = 1.0
        );
        let network = Network::default();
        let http = chaos::aws_sdk::http_client(network.clone())
            .point(slow)
            .point(throttled);
        let db = dynamodb(http, "http://127.0.0.1:1", None, "stacked");
        let listed = db.list_tables().send().await;
        let Err(SdkError::ServiceError(error)) = listed else {
            panic!("expected throttling, got {listed:?}");
        };
        assert_eq!(error.err().code(), Some("ThrottlingException"));
        assert_eq!(network.requests(), 0);
        assert_eq!(
            stats("test::slow_first").latency_only,
            u64::from(MAX_ATTEMPTS)
        );
        assert_eq!(
            stats("test::throttled_second").aws_error,
            u64::from(MAX_ATTEMPTS)
        );
    }

    #[tokio::test]
    async fn after_the_request_reaches_the_service_and_its_answer_is_lost() {
        let lost = chaos::point!(
            name = "test::lost_answer",
            aws_operations = ["ListTables"],
            aws_error = "internal_error",
            when = "after",
            rate = 1.0
        );
        let network = Network::default();
        let http = chaos::aws_sdk::http_client(network.clone()).point(lost);
        let db = dynamodb(http, "http://127.0.0.1:1", None, "after");
        let listed = db.list_tables().send().await;
        let Err(SdkError::ServiceError(error)) = listed else {
            panic!("expected a 500, got {listed:?}");
        };
        assert_eq!(error.err().code(), Some("InternalServerError"));
        // Every attempt did reach the service.
        assert_eq!(network.requests(), MAX_ATTEMPTS as usize);
    }

    #[tokio::test]
    async fn deny_hosts_fails_its_hosts_only() {
        let gone = chaos::point!(name = "test::gone", deny_hosts = ["127.0.0.1"], rate = 1.0);
        let network = Network::default();
        let http = chaos::aws_sdk::http_client(network.clone()).point(gone);
        let denied = dynamodb(http.clone(), "http://127.0.0.1:1", None, "denied");
        let listed = denied.list_tables().send().await;
        let Err(SdkError::DispatchFailure(failure)) = listed else {
            panic!("expected a connection failure, got {listed:?}");
        };
        assert!(failure.is_io(), "{failure:?}");
        assert_eq!(network.requests(), 0);
        let other = dynamodb(http, "http://localhost:1", None, "other-host");
        other
            .list_tables()
            .send()
            .await
            .expect("another host passes");
        assert_eq!(network.requests(), 1);
    }

    #[tokio::test]
    async fn a_timeout_without_latency_waits_the_clients_read_timeout() {
        let hang = chaos::point!(name = "test::hang", aws_error = "timeout", rate = 1.0);
        let network = Network::default();
        let http = chaos::aws_sdk::http_client(network.clone()).point(hang);
        let db = dynamodb(
            http,
            "http://127.0.0.1:1",
            Some(Duration::from_millis(100)),
            "read-timeout",
        );
        let started = std::time::Instant::now();
        let listed = db.list_tables().send().await;
        let Err(SdkError::DispatchFailure(failure)) = listed else {
            panic!("expected a timeout, got {listed:?}");
        };
        assert!(failure.is_timeout(), "{failure:?}");
        assert!(started.elapsed() >= Duration::from_millis(100 * u64::from(MAX_ATTEMPTS)));
        assert_eq!(network.requests(), 0);
    }
}
