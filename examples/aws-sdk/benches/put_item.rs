//! What chaos adds to an AWS SDK call that it does not fault: DynamoDB PutItem against moto on
//! loopback, through the SDK's own HTTP client, then through `chaos::aws_sdk::http_client` with
//! four points armed and not firing (one of them selecting PutItem), then the same with chaos
//! switched off at run time, in one run.
//!
//! ```sh
//! cargo bench --manifest-path examples/aws-sdk/Cargo.toml   # needs moto_server
//! ```

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use common::{Attempts, Moto, client, create_table, plain_http};
use criterion::{Criterion, criterion_group, criterion_main};

/// Four points, armed and firing about once in 10^15 calls.
fn points() -> chaos::aws_sdk::ChaosHttpClient {
    chaos::aws_sdk::http_client(plain_http())
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

async fn put(db: &Client, i: u64) {
    db.put_item()
        .table_name("bench")
        .item("id", AttributeValue::S(i.to_string()))
        .item("item", AttributeValue::S("book".to_string()))
        .send()
        .await
        .expect("put");
}

fn put_item(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let moto = Moto::start();
    let attempts = Attempts::default();
    let (plain, chaotic) = runtime.block_on(async {
        let plain = client(&moto, "us-east-1", plain_http(), &attempts).await;
        let chaotic = client(&moto, "us-east-1", points(), &attempts).await;
        create_table(&plain, "bench").await;
        (plain, chaotic)
    });
    let mut group = c.benchmark_group("dynamodb_put_item_via_moto");
    group
        .sample_size(200)
        .measurement_time(Duration::from_secs(15));
    let mut i = 0u64;
    group.bench_function("sdk_client", |b| {
        b.iter(|| {
            i += 1;
            runtime.block_on(put(&plain, i))
        })
    });
    group.bench_function("chaos_4_points_armed_not_firing", |b| {
        b.iter(|| {
            i += 1;
            runtime.block_on(put(&chaotic, i))
        })
    });
    chaos::set_enabled(false);
    group.bench_function("chaos_4_points_switched_off", |b| {
        b.iter(|| {
            i += 1;
            runtime.block_on(put(&chaotic, i))
        })
    });
    chaos::set_enabled(true);
    group.bench_function("sdk_client_again", |b| {
        b.iter(|| {
            i += 1;
            runtime.block_on(put(&plain, i))
        })
    });
    group.finish();
    // Every call went through: none was faulted.
    assert!(chaos::stats().iter().all(|s| s.injected() == 0));
}

criterion_group!(benches, put_item);
criterion_main!(benches);
