//! An orders function: it writes each order to a DynamoDB table through the AWS SDK for Rust, with
//! chaos's points in front of the SDK's HTTP client, so that an experiment can throttle the table,
//! deny the function's role, slow DynamoDB down or take a whole region away, and see what the
//! function does: the SDK's own errors and retries, and the function's answer.
//!
//! Every point is declared with `rate = 0.0`: quiet until a configuration (`CHAOS_CONFIG`,
//! AppConfig, SSM, `chaos::configure`) names it.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;
use serde::{Deserialize, Serialize};

/// The points of this function, in the order the client asks them.
pub mod points {
    use chaos::LayerPoint;

    /// "Restrict the capacity of your DynamoDB table": writes throttled.
    pub fn throttled_writes() -> LayerPoint {
        chaos::point!(
            name = "orders::dynamodb::throttled_writes",
            aws_service = "dynamodb",
            aws_operations = ["PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"],
            aws_error = "throttling",
            rate = 0.0
        )
    }

    /// "Security policies": every DynamoDB call denied, as after a policy change.
    pub fn access_denied() -> LayerPoint {
        chaos::point!(
            name = "orders::dynamodb::access_denied",
            aws_service = "dynamodb",
            aws_error = "access_denied",
            rate = 0.0
        )
    }

    /// "Missing regional failover": every call to eu-west-1 fails to connect.
    pub fn region_outage() -> LayerPoint {
        chaos::point!(
            name = "orders::region_outage",
            aws_region = "eu-west-1",
            aws_error = "connection_refused",
            rate = 0.0
        )
    }

    /// Long-tail latency on DynamoDB calls: most near 20 ms, one in a hundred over 400 ms.
    pub fn slow_dynamodb() -> LayerPoint {
        chaos::point!(
            name = "orders::dynamodb::slow",
            aws_service = "dynamodb",
            latency_ms = lognormal(20, 400),
            rate = 0.0
        )
    }
}

/// `inner` (the SDK's HTTP client) with this function's points in front of it.
pub fn http_client(inner: SharedHttpClient) -> chaos::aws_sdk::ChaosHttpClient {
    chaos::aws_sdk::http_client(inner)
        .point(points::throttled_writes())
        .point(points::access_denied())
        .point(points::region_outage())
        .point(points::slow_dynamodb())
}

/// The SDK's default HTTPS client, as the SDK builds it when it is given none.
pub fn default_https_client() -> SharedHttpClient {
    use aws_smithy_http_client::tls;
    aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(
            tls::rustls_provider::CryptoMode::AwsLc,
        ))
        .build_https()
}

/// An order as the function receives it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Order {
    /// The order's id: the table's partition key `id`.
    pub id: String,
    /// What was ordered.
    pub item: String,
}

/// What the function answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Saved {
    /// The order's id.
    pub id: String,
    /// `saved`, or `retry_later` when DynamoDB throttled every attempt the SDK made.
    pub status: String,
}

/// The function's work: writes `order` to `table`. DynamoDB throttling that outlasts the SDK's
/// retries is answered `retry_later` (the caller retries; nothing was written); any other error
/// (denied, unreachable) fails the invocation with the service's error code.
pub async fn save_order(client: &Client, table: &str, order: &Order) -> Result<Saved, String> {
    let put = client
        .put_item()
        .table_name(table)
        .item("id", AttributeValue::S(order.id.clone()))
        .item("item", AttributeValue::S(order.item.clone()))
        .send()
        .await;
    match put {
        Ok(_) => Ok(Saved {
            id: order.id.clone(),
            status: "saved".to_string(),
        }),
        Err(SdkError::ServiceError(e))
            if e.err().is_provisioned_throughput_exceeded_exception() =>
        {
            Ok(Saved {
                id: order.id.clone(),
                status: "retry_later".to_string(),
            })
        }
        Err(e) => Err(format!(
            "saving order {} failed: {}",
            order.id,
            e.code().unwrap_or("no error code (connection or timeout)")
        )),
    }
}
