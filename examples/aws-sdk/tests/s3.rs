//! S3 through the AWS SDK for Rust against moto: its errors are XML, and its requests (restXml)
//! do not name their operation, so a point that selects operations needs chaos's interceptor on
//! the client. Needs `moto_server`.

mod common;

use aws_sdk_s3::Client;
use aws_sdk_s3::config::HttpClient;
use aws_sdk_s3::config::retry::RetryPartition;
use aws_sdk_s3::primitives::ByteStream;
use common::{Moto, plain_http};

/// An S3 client for moto through `http`, with chaos's interceptor when `tagged`, and the bucket
/// `orders` created through it.
async fn s3(moto: &Moto, http: impl HttpClient + 'static, tagged: bool, partition: &str) -> Client {
    let shared = common::sdk_config(moto, "us-east-1", http).await;
    let mut config = aws_sdk_s3::config::Builder::from(&shared)
        .force_path_style(true)
        .retry_partition(RetryPartition::new(partition.to_string()));
    if tagged {
        config = config.interceptor(chaos::aws_sdk::interceptor());
    }
    let client = Client::from_conf(config.build());
    client
        .create_bucket()
        .bucket("orders")
        .send()
        .await
        .expect("create the bucket");
    client
}

async fn put(client: &Client, key: &str) -> Result<(), String> {
    client
        .put_object()
        .bucket("orders")
        .key(key)
        .body(ByteStream::from_static(b"receipt"))
        .send()
        .await
        .map(drop)
        .map_err(|e| {
            use aws_sdk_s3::error::ProvideErrorMetadata;
            format!(
                "{:?} {:?}",
                e.code(),
                e.raw_response().map(|r| r.status().as_u16())
            )
        })
}

#[cfg(feature = "chaos")]
#[tokio::test]
async fn with_the_interceptor_puts_are_slowed_down_and_other_operations_pass() {
    let slow_down = chaos::point!(
        name = "test::s3_puts",
        aws_service = "s3",
        aws_operations = ["PutObject"],
        aws_error = "throttling",
        rate = 1.0
    );
    let moto = Moto::start();
    let http = chaos::aws_sdk::http_client(plain_http()).point(slow_down);
    let client = s3(&moto, http, true, "s3-tagged").await;
    let failed = put(&client, "a").await.unwrap_err();
    // S3's own throttling: 503 SlowDown, retried by the SDK until it gives up.
    assert_eq!(failed, r#"Some("SlowDown") Some(503)"#);
    let stats = chaos::stats()
        .into_iter()
        .find(|s| s.point == "test::s3_puts")
        .unwrap();
    assert_eq!(stats.aws_error, u64::from(common::MAX_ATTEMPTS));
    // Nothing was written; a listing (another operation) passes.
    let listed = client
        .list_objects_v2()
        .bucket("orders")
        .send()
        .await
        .expect("list");
    assert_eq!(listed.key_count(), Some(0));
}

#[cfg(feature = "chaos")]
#[tokio::test]
async fn without_the_interceptor_a_point_that_names_operations_matches_no_s3_call() {
    let slow_down = chaos::point!(
        name = "test::s3_puts_untagged",
        aws_service = "s3",
        aws_operations = ["PutObject"],
        aws_error = "throttling",
        rate = 1.0
    );
    let every_call = chaos::point!(
        name = "test::s3_every_call",
        aws_service = "s3",
        aws_error = "access_denied",
        rate = 0.0
    );
    let moto = Moto::start();
    let http = chaos::aws_sdk::http_client(plain_http())
        .point(slow_down)
        .point(every_call);
    let client = s3(&moto, http, false, "s3-untagged").await;
    put(&client, "a")
        .await
        .expect("the operation is unknown, so the point does not match");
    // A point that selects by service alone still sees every call: denied, 403 AccessDenied.
    let _on =
        chaos::override_point("test::s3_every_call", chaos::PointConfig::new().rate(1.0)).unwrap();
    assert_eq!(
        put(&client, "b").await.unwrap_err(),
        r#"Some("AccessDenied") Some(403)"#
    );
}

/// Compiled out, the interceptor and an always-on point change nothing.
#[cfg(not(feature = "chaos"))]
#[tokio::test]
async fn compiled_out_the_interceptor_and_points_change_nothing() {
    let always = chaos::point!(
        name = "test::s3_always",
        aws_error = "throttling",
        rate = 1.0
    );
    let moto = Moto::start();
    let http = chaos::aws_sdk::http_client(plain_http()).point(always);
    let client = s3(&moto, http, true, "s3-compiled-out").await;
    put(&client, "a")
        .await
        .expect("compiled out, nothing is faulted");
}
