//! What chaos adds to an AWS SDK call that it does not fault: DynamoDB PutItem through the SDK's
//! own client, and through `chaos::aws_sdk::http_client` with four points armed and not firing
//! (one of them selecting PutItem), then the same with chaos switched off at run time; in one
//! run, first against a stand-in network that answers at once (`common::stand_in`) (what the SDK itself costs, to the
//! microsecond), then against moto's DynamoDB on loopback (what a call costs).
//!
//! ```sh
//! cargo bench --manifest-path examples/aws-sdk/Cargo.toml   # needs moto_server
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, HttpClient, Region};
use aws_sdk_dynamodb::types::AttributeValue;
use common::stand_in::Network;
use common::{Attempts, Moto, client, create_table, plain_http};
use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};

/// Four points, armed and firing about once in 10^15 calls.
fn with_points(inner: impl HttpClient + 'static) -> chaos::aws_sdk::ChaosHttpClient {
    chaos::aws_sdk::http_client(inner)
        .point(chaos::point!(
            name = "bench::throttled_puts",
            aws_service = "dynamodb",
            aws_operations = ["PutItem"],
            aws_error = "throttling",
            rate = 0.000_000_000_000_001
        ))
        .point(chaos::point!(
            name = "bench::denied",
            aws_service = "s3",
            aws_error = "access_denied",
            rate = 0.000_000_000_000_001
        ))
        .point(chaos::point!(
            name = "bench::eu_down",
            aws_region = "eu-west-1",
            aws_error = "connection_refused",
            rate = 0.000_000_000_000_001
        ))
        .point(chaos::point!(
            name = "bench::slow",
            aws_service = "dynamodb",
            latency_ms = lognormal(20, 400),
            rate = 0.000_000_000_000_001
        ))
}

fn stand_in(http: impl HttpClient + 'static) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .endpoint_url("http://127.0.0.1:1")
        .retry_config(RetryConfig::disabled())
        .http_client(http)
        .build();
    Client::from_conf(config)
}

/// One PutItem; the keys cycle through 100 items, so that moto's table does not grow.
async fn put(db: &Client, i: u64) {
    db.put_item()
        .table_name("bench")
        .item("id", AttributeValue::S((i % 100).to_string()))
        .item("item", AttributeValue::S("book".to_string()))
        .send()
        .await
        .expect("put");
}

/// The rows of one group: plain, armed, switched off, plain again (the last shows the drift).
fn rows(
    group: &mut BenchmarkGroup<'_, WallTime>,
    runtime: &tokio::runtime::Runtime,
    plain: &Client,
    chaotic: &Client,
) {
    let mut i = 0u64;
    let mut row = |group: &mut BenchmarkGroup<'_, WallTime>, name: &str, db: &Client| {
        group.bench_function(name, |b| {
            b.iter(|| {
                i += 1;
                runtime.block_on(put(db, i))
            })
        });
    };
    row(group, "sdk_client", plain);
    row(group, "chaos_4_points_armed_not_firing", chaotic);
    chaos::set_enabled(false);
    row(group, "chaos_4_points_switched_off", chaotic);
    chaos::set_enabled(true);
    row(group, "sdk_client_again", plain);
}

fn put_item(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    let mut group = c.benchmark_group("dynamodb_put_item_stand_in_network");
    let network = Network::default();
    let plain = stand_in(network.clone());
    let chaotic = stand_in(with_points(network));
    rows(&mut group, &runtime, &plain, &chaotic);
    group.finish();

    let moto = Moto::start();
    let attempts = Attempts::default();
    let (plain, chaotic) = runtime.block_on(async {
        let plain = client(&moto, "us-east-1", plain_http(), &attempts).await;
        let chaotic = client(&moto, "us-east-1", with_points(plain_http()), &attempts).await;
        create_table(&plain, "bench").await;
        (plain, chaotic)
    });
    let mut group = c.benchmark_group("dynamodb_put_item_via_moto");
    group
        .sample_size(100)
        .measurement_time(Duration::from_secs(10));
    rows(&mut group, &runtime, &plain, &chaotic);
    group.finish();
    // Every call went through: none was faulted.
    assert!(chaos::stats().iter().all(|s| s.injected() == 0));
}

criterion_group!(benches, put_item);
criterion_main!(benches);
