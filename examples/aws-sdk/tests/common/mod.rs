//! moto's server on loopback, and DynamoDB clients pointed at it.
// Each test binary (and the benchmark) uses a part of it.
#![allow(dead_code)]

pub mod stand_in;

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::retry::{RetryConfig, RetryPartition};
use aws_sdk_dynamodb::config::{
    ConfigBag, Credentials, HttpClient, Intercept, Region, RuntimeComponents, SharedHttpClient,
};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
};

/// One moto server, on a port of its own, stopped when dropped.
pub struct Moto {
    child: Child,
    pub endpoint: String,
}

impl Moto {
    /// Starts `moto_server` on a port the system gives it (`-p 0`), read from the line it
    /// prints once it listens. (A free port picked here and handed to it could be picked by
    /// another test at the same time: one test then talked to the other's server, and failed
    /// when that one stopped.)
    pub fn start() -> Moto {
        let mut child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start moto_server ({e}): install it with `pip install 'moto[server]'` (bash .ci/test does)")
            });
        let port = listening_port(child.stderr.take().expect("moto_server's stderr, piped"));
        // Owned by a `Moto` before anything can panic, so that its drop stops the server.
        let mut moto = Moto {
            child,
            endpoint: String::new(),
        };
        match port.recv_timeout(Duration::from_secs(60)) {
            Ok(port) => moto.endpoint = format!("http://127.0.0.1:{port}"),
            // Its stderr closed without the line: it exited.
            Err(RecvTimeoutError::Disconnected) => match moto.child.wait() {
                Ok(status) => panic!("moto_server exited at start: {status}"),
                Err(e) => panic!("moto_server ended at start, its status unknown: {e}"),
            },
            Err(RecvTimeoutError::Timeout) => {
                panic!("moto_server did not say where it listens within 60 s")
            }
        }
        moto
    }
}

/// The port in the line werkzeug prints to stderr once the server listens (" * Running on
/// http://127.0.0.1:PORT"), sent once; then the rest of stderr (a line per request) is read
/// and dropped, so that the server never blocks on a full pipe.
fn listening_port(stderr: ChildStderr) -> Receiver<u16> {
    let (found, port) = mpsc::channel();
    std::thread::spawn(move || {
        let mut found = Some(found);
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let Some(rest) = line.split("Running on http://127.0.0.1:").nth(1) else {
                continue;
            };
            let digits = rest
                .trim_start()
                .split(|c: char| !c.is_ascii_digit())
                .next();
            // The sender is taken only with a port in hand: one dropped without it would read as
            // the server having exited, and the test would then wait on a server that runs.
            let Some(listening) = digits.and_then(|d| d.parse::<u16>().ok()) else {
                continue;
            };
            if let Some(found) = found.take() {
                let _ = found.send(listening);
            }
        }
    });
    port
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Counts the attempts the SDK makes (retries included).
#[derive(Debug, Clone, Default)]
pub struct Attempts(Arc<AtomicU32>);

impl Attempts {
    /// The attempts counted since the last call, and the count reset.
    pub fn take(&self) -> u32 {
        self.0.swap(0, Ordering::SeqCst)
    }
}

impl Intercept for Attempts {
    fn name(&self) -> &'static str {
        "count attempts"
    }

    fn read_before_attempt(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// The SDK's HTTP client for plain HTTP (moto on loopback).
pub fn plain_http() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_http()
}

/// The most attempts a client of [`client`] makes for one call.
pub const MAX_ATTEMPTS: u32 = 3;

/// A DynamoDB client for moto in `region` through `http`: static test credentials, at most
/// [`MAX_ATTEMPTS`] attempts 1 ms apart, a retry partition of its own (the SDK's retry quota is
/// shared per partition, process-wide: tests that throttle must not drain each other's), and
/// `attempts` counting every attempt.
pub async fn client(
    moto: &Moto,
    region: &'static str,
    http: impl HttpClient + 'static,
    attempts: &Attempts,
) -> Client {
    static PARTITIONS: AtomicU32 = AtomicU32::new(0);
    let shared = sdk_config(moto, region, http).await;
    let partition = format!("test-{}", PARTITIONS.fetch_add(1, Ordering::Relaxed));
    let config = aws_sdk_dynamodb::config::Builder::from(&shared)
        .retry_partition(RetryPartition::new(partition))
        .interceptor(attempts.clone())
        .build();
    Client::from_conf(config)
}

/// What every client for moto shares: its endpoint, `region`, static test credentials, `http`,
/// and at most [`MAX_ATTEMPTS`] attempts 1 ms apart.
pub async fn sdk_config(
    moto: &Moto,
    region: &'static str,
    http: impl HttpClient + 'static,
) -> aws_config::SdkConfig {
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .endpoint_url(&moto.endpoint)
        .region(Region::new(region))
        .credentials_provider(Credentials::new("test", "test", None, None, "static"))
        .http_client(http)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(MAX_ATTEMPTS)
                .with_initial_backoff(Duration::from_millis(1)),
        )
        .load()
        .await
}

/// The counters of the point named `point` (which must be compiled in).
pub fn stats(point: &str) -> chaos::PointStats {
    chaos::stats()
        .into_iter()
        .find(|s| s.point == point)
        .unwrap_or_else(|| panic!("no point named {point}"))
}

/// Creates the table `name` (partition key `id`, on demand).
pub async fn create_table(client: &Client, name: &str) {
    client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("id")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("id")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .expect("create the table");
}

/// The item `item` of the order `id` in `table`, if it is there.
pub async fn stored_item(client: &Client, table: &str, id: &str) -> Option<String> {
    let got = client
        .get_item()
        .table_name(table)
        .key(
            "id",
            aws_sdk_dynamodb::types::AttributeValue::S(id.to_string()),
        )
        .send()
        .await
        .expect("get the item");
    got.item()
        .and_then(|item| item.get("item"))
        .and_then(|v| v.as_s().ok())
        .cloned()
}
