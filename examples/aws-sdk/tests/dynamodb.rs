//! The AWS SDK for Rust against moto's DynamoDB, with chaos's points in front of its HTTP client:
//! unfaulted calls do their work; faulted ones come back as the SDK's own typed errors after the
//! SDK's own retries, and never reach the table. Needs `moto_server` (`pip install
//! 'moto[server]'`).
//!
//! Each test declares its own points (rate 1.0: always on) and gives them to its own client, so
//! that tests running at once do not fault each other's calls.

mod common;

use chaos_aws_sdk_example::{Order, save_order};
use common::{Attempts, Moto, client, create_table, plain_http, stored_item};

fn order(id: &str) -> Order {
    Order {
        id: id.to_string(),
        item: "book".to_string(),
    }
}

#[tokio::test]
async fn unfaulted_calls_create_put_and_get() {
    let moto = Moto::start();
    let attempts = Attempts::default();
    // The example's own points, all quiet (rate 0.0).
    let http = chaos_aws_sdk_example::http_client(plain_http());
    let db = client(&moto, "us-east-1", http, &attempts).await;
    create_table(&db, "orders").await;
    let saved = save_order(&db, "orders", &order("1")).await.unwrap();
    assert_eq!(saved.status, "saved");
    assert_eq!(
        stored_item(&db, "orders", "1").await.as_deref(),
        Some("book")
    );
    // One attempt each: create, put, get.
    assert_eq!(attempts.take(), 3);
    // Compiled in, every point is registered; compiled out, there is none.
    assert_eq!(chaos::points().is_empty(), !chaos::ENABLED);
    // The example's points (the other tests' points fault their own clients only).
    for point in chaos::points()
        .iter()
        .filter(|p| p.name().starts_with("orders::"))
    {
        assert_eq!(point.stats().injected(), 0, "{}", point.name());
    }
}

#[cfg(feature = "chaos")]
mod faulted {
    use super::*;
    use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
    use aws_sdk_dynamodb::operation::RequestId;
    use aws_sdk_dynamodb::operation::put_item::PutItemError;
    use common::MAX_ATTEMPTS;

    #[tokio::test]
    async fn throttled_writes_are_retried_to_the_last_attempt_typed_and_never_written() {
        let throttled = chaos::point!(
            name = "test::throttled_puts",
            aws_service = "dynamodb",
            aws_operations = ["PutItem"],
            aws_error = "throttling",
            rate = 1.0
        );
        let moto = Moto::start();
        let attempts = Attempts::default();
        let http = chaos::aws_sdk::http_client(plain_http()).point(throttled);
        let db = client(&moto, "us-east-1", http, &attempts).await;
        // Not a PutItem: not the point's business.
        create_table(&db, "orders").await;
        assert_eq!(attempts.take(), 1);

        let put = db
            .put_item()
            .table_name("orders")
            .item("id", aws_sdk_dynamodb::types::AttributeValue::S("7".into()))
            .send()
            .await;
        let Err(SdkError::ServiceError(error)) = put else {
            panic!("expected the service's error, got {put:?}");
        };
        assert!(
            matches!(
                error.err(),
                PutItemError::ProvisionedThroughputExceededException(_)
            ),
            "{:?}",
            error.err()
        );
        assert_eq!(
            error.err().code(),
            Some("ProvisionedThroughputExceededException")
        );
        assert_eq!(error.raw().status().as_u16(), 400);
        assert!(
            error
                .err()
                .request_id()
                .is_some_and(|id| id.starts_with("chaos-"))
        );
        // Throttling is retried, with backoff, up to the configured attempts.
        assert_eq!(attempts.take(), MAX_ATTEMPTS);
        assert_eq!(
            common::stats("test::throttled_puts").aws_error,
            u64::from(MAX_ATTEMPTS)
        );

        // The function answers "retry later", and the table never saw the write.
        let saved = save_order(&db, "orders", &order("8")).await.unwrap();
        assert_eq!(saved.status, "retry_later");
        assert_eq!(stored_item(&db, "orders", "7").await, None);
        assert_eq!(stored_item(&db, "orders", "8").await, None);
    }

    #[tokio::test]
    async fn access_denied_is_not_retried() {
        let denied = chaos::point!(
            name = "test::denied",
            aws_service = "dynamodb",
            aws_operations = ["PutItem"],
            aws_error = "access_denied",
            rate = 1.0
        );
        let moto = Moto::start();
        let attempts = Attempts::default();
        let http = chaos::aws_sdk::http_client(plain_http()).point(denied);
        let db = client(&moto, "us-east-1", http, &attempts).await;
        create_table(&db, "orders").await;
        attempts.take();
        let failed = save_order(&db, "orders", &order("1")).await.unwrap_err();
        assert!(failed.contains("AccessDeniedException"), "{failed}");
        assert_eq!(attempts.take(), 1, "access denied must not be retried");
        assert_eq!(stored_item(&db, "orders", "1").await, None);
    }

    #[tokio::test]
    async fn a_regional_outage_fails_calls_to_that_region_only() {
        let outage = chaos::point!(
            name = "test::eu_west_1_down",
            aws_region = "eu-west-1",
            aws_error = "connection_refused",
            rate = 1.0
        );
        let moto = Moto::start();
        let http = chaos::aws_sdk::http_client(plain_http()).point(outage);
        let (eu_attempts, us_attempts) = (Attempts::default(), Attempts::default());
        let eu = client(&moto, "eu-west-1", http.clone(), &eu_attempts).await;
        let us = client(&moto, "us-east-1", http, &us_attempts).await;

        let down = eu.list_tables().send().await;
        let Err(SdkError::DispatchFailure(failure)) = down else {
            panic!("expected a connection failure, got {down:?}");
        };
        assert!(failure.is_io(), "{failure:?}");
        // A failed connection is transient: retried to the last attempt.
        assert_eq!(eu_attempts.take(), MAX_ATTEMPTS);

        create_table(&us, "orders").await;
        save_order(&us, "orders", &order("1")).await.unwrap();
        assert_eq!(
            stored_item(&us, "orders", "1").await.as_deref(),
            Some("book")
        );
        assert_eq!(us_attempts.take(), 3);
    }

    #[tokio::test]
    async fn provider_errors_are_retried_with_their_codes() {
        for (kind, status, code) in [
            ("service_unavailable", 503, "ServiceUnavailable"),
            ("internal_error", 500, "InternalServerError"),
        ] {
            let point = match kind {
                "service_unavailable" => chaos::point!(
                    name = "test::unavailable",
                    aws_service = "dynamodb",
                    aws_operations = ["ListTables"],
                    aws_error = "service_unavailable",
                    rate = 1.0
                ),
                _ => chaos::point!(
                    name = "test::internal",
                    aws_service = "dynamodb",
                    aws_operations = ["ListTables"],
                    aws_error = "internal_error",
                    rate = 1.0
                ),
            };
            let moto = Moto::start();
            let attempts = Attempts::default();
            let http = chaos::aws_sdk::http_client(plain_http()).point(point);
            let db = client(&moto, "us-east-1", http, &attempts).await;
            let listed = db.list_tables().send().await;
            let Err(SdkError::ServiceError(error)) = listed else {
                panic!("{kind}: expected the service's error, got {listed:?}");
            };
            assert_eq!(error.raw().status().as_u16(), status, "{kind}");
            assert_eq!(error.err().code(), Some(code), "{kind}");
            assert_eq!(attempts.take(), MAX_ATTEMPTS, "{kind}: 5xx is retried");
        }
    }

    #[tokio::test]
    async fn a_status_answers_as_its_aws_error_and_an_error_fails_the_client_without_retry() {
        let moto = Moto::start();
        let unavailable = chaos::point!(
            name = "test::status_503",
            aws_operations = ["ListTables"],
            status = 503,
            rate = 1.0
        );
        let attempts = Attempts::default();
        let http = chaos::aws_sdk::http_client(plain_http()).point(unavailable);
        let db = client(&moto, "us-east-1", http, &attempts).await;
        let listed = db.list_tables().send().await;
        let Err(SdkError::ServiceError(error)) = listed else {
            panic!("expected the service's error, got {listed:?}");
        };
        assert_eq!(error.err().code(), Some("ServiceUnavailable"));
        assert_eq!(attempts.take(), MAX_ATTEMPTS);

        let broken = chaos::point!(
            name = "test::client_error",
            aws_operations = ["ListTables"],
            error = "credentials rotated mid-call",
            rate = 1.0
        );
        let http = chaos::aws_sdk::http_client(plain_http()).point(broken);
        let db = client(&moto, "us-east-1", http, &attempts).await;
        let listed = db.list_tables().send().await;
        let Err(SdkError::DispatchFailure(failure)) = listed else {
            panic!("expected a dispatch failure, got {listed:?}");
        };
        assert!(!failure.is_io() && !failure.is_timeout(), "{failure:?}");
        let connector = failure.as_connector_error().expect("a connector error");
        let source = std::error::Error::source(connector).map(ToString::to_string);
        assert!(
            source
                .as_deref()
                .is_some_and(|s| s.contains("credentials rotated mid-call")),
            "{source:?}"
        );
        assert_eq!(attempts.take(), 1, "a client error is not retried");
    }

    #[tokio::test]
    async fn calls_over_max_concurrency_get_the_services_throttling() {
        let narrow = chaos::point!(
            name = "test::one_at_a_time",
            aws_service = "dynamodb",
            max_concurrency = 1,
            latency_ms = 600,
            rate = 1.0
        );
        let moto = Moto::start();
        let attempts = Attempts::default();
        let http = chaos::aws_sdk::http_client(plain_http()).point(narrow);
        let db = client(&moto, "us-east-1", http, &attempts).await;
        // The first call holds the only place for its 600 ms; the second, 100 ms later, finds
        // none on each of its attempts (1 ms apart).
        let first = db.list_tables().send();
        let second = async {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            db.list_tables().send().await
        };
        let (first, second) = tokio::join!(first, second);
        first.expect("the first call has the place");
        let Err(SdkError::ServiceError(error)) = second else {
            panic!("expected throttling, got {second:?}");
        };
        assert_eq!(error.err().code(), Some("ThrottlingException"));
        assert_eq!(
            common::stats("test::one_at_a_time").throttled,
            u64::from(MAX_ATTEMPTS)
        );
    }

    #[tokio::test]
    async fn a_timeout_is_the_sdks_timeout() {
        let slow = chaos::point!(
            name = "test::timeout",
            aws_service = "dynamodb",
            aws_error = "timeout",
            latency_ms = 20,
            rate = 1.0
        );
        let moto = Moto::start();
        let attempts = Attempts::default();
        let http = chaos::aws_sdk::http_client(plain_http()).point(slow);
        let db = client(&moto, "us-east-1", http, &attempts).await;
        let started = std::time::Instant::now();
        let listed = db.list_tables().send().await;
        let Err(SdkError::DispatchFailure(failure)) = listed else {
            panic!("expected a timeout, got {listed:?}");
        };
        assert!(failure.is_timeout(), "{failure:?}");
        assert_eq!(attempts.take(), MAX_ATTEMPTS);
        // Each attempt waited its 20 ms before it timed out.
        assert!(started.elapsed() >= std::time::Duration::from_millis(60));
    }

    #[tokio::test]
    async fn run_time_control_switches_an_sdk_point_on_and_off() {
        let moto = Moto::start();
        let attempts = Attempts::default();
        // Declared quiet, as the example's own points are (which another test uses at once).
        let quiet = chaos::point!(
            name = "test::quiet_throttling",
            aws_service = "dynamodb",
            aws_operations = ["PutItem"],
            aws_error = "throttling",
            rate = 0.0
        );
        let http = chaos::aws_sdk::http_client(plain_http()).point(quiet);
        let db = client(&moto, "us-east-1", http, &attempts).await;
        create_table(&db, "orders").await;
        let name = "test::quiet_throttling";
        {
            let _on = chaos::override_point(name, chaos::PointConfig::new().rate(1.0)).unwrap();
            let saved = save_order(&db, "orders", &order("1")).await.unwrap();
            assert_eq!(saved.status, "retry_later");
        }
        let saved = save_order(&db, "orders", &order("2")).await.unwrap();
        assert_eq!(saved.status, "saved");
        assert_eq!(stored_item(&db, "orders", "1").await, None);
        assert_eq!(
            stored_item(&db, "orders", "2").await.as_deref(),
            Some("book")
        );
    }
}

/// Compiled out, the same points in front of the client change nothing.
#[cfg(not(feature = "chaos"))]
#[tokio::test]
async fn compiled_out_points_change_nothing() {
    let always = chaos::point!(name = "test::always", aws_error = "throttling", rate = 1.0);
    let moto = Moto::start();
    let attempts = Attempts::default();
    let http = chaos_aws_sdk_example::http_client(plain_http()).point(always);
    let db = client(&moto, "us-east-1", http, &attempts).await;
    create_table(&db, "orders").await;
    assert_eq!(
        save_order(&db, "orders", &order("1")).await.unwrap().status,
        "saved"
    );
    assert_eq!(
        stored_item(&db, "orders", "1").await.as_deref(),
        Some("book")
    );
    const { assert!(!chaos::ENABLED) };
}
