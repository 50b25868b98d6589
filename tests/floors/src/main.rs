//! Real behaviour of chaos with every feature, run by `.ci/floors.sh` on the lowest version of
//! each direct dependency that chaos-core's and chaos-macros' manifests allow. A floor that is too
//! low fails the build or an assertion here (a panic: the run exits non-zero).

use std::convert::Infallible;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use aws_lambda_events::apigw::ApiGatewayProxyResponse;
use axum_core::response::IntoResponse;
use chaos::experiment::{Experiment, Hypothesis, Verdict};
use chaos::layer::ChaosLayer;
use chaos::{Fault, FaultKind, PointConfig, chaos};
use lambda_runtime::LambdaEvent;
use tower_layer::Layer;
use tower_service::Service;

/// Delayed, then failed: the runtime's timer (tokio) and the decision (fastrand).
#[chaos(latency_ms = 30, error = "store down", name = "floors::store")]
async fn store(id: u64) -> Result<u64, Fault> {
    Ok(id)
}

#[chaos(status = 503, name = "floors::status")]
fn page() -> http::Response<String> {
    http::Response::new("page".to_string())
}

#[chaos(status = 502, name = "floors::apigw")]
fn gateway() -> ApiGatewayProxyResponse {
    ApiGatewayProxyResponse::default()
}

/// `timeout` reads the `LambdaEvent`'s deadline; a default `Context` has none, so it fails at once.
#[chaos(timeout, name = "floors::lambda")]
async fn lambda(event: LambdaEvent<String>) -> Result<String, lambda_runtime::Error> {
    Ok(event.payload)
}

/// The body runs while the point holds 1 MiB of the temp directory (tempfile, fs4).
#[chaos(disk_fill_mb = 1, name = "floors::disk")]
fn scratch() -> u32 {
    7
}

#[chaos(error = "flaky", rate = 0.0, name = "floors::experiment")]
async fn flaky(i: u64) -> Result<u64, Fault> {
    Ok(i)
}

/// A service answering 200 "ok", failing with `E` (a client's error type must hold a `Fault`).
/// Written here, not with tower's `service_fn`: tower itself is not a dependency of chaos, and its
/// requirements would hide floors of tower-service and tower-layer below its own.
struct Ok200<E>(PhantomData<fn() -> E>);

impl<E> Ok200<E> {
    fn new() -> Self {
        Ok200(PhantomData)
    }
}

impl<E: Send + 'static> Service<http::Request<()>> for Ok200<E> {
    type Response = http::Response<String>;
    type Error = E;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, E>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), E>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: http::Request<()>) -> Self::Future {
        Box::pin(async { Ok(http::Response::new("ok".to_string())) })
    }
}

async fn call<S: Service<http::Request<()>>>(
    service: &mut S,
    uri: &str,
) -> Result<S::Response, S::Error> {
    std::future::poll_fn(|cx| service.poll_ready(cx)).await?;
    service
        .call(http::Request::get(uri).body(()).unwrap())
        .await
}

async fn run() {
    // async fn: latency, then the error.
    let started = Instant::now();
    let fault = store(1).await.unwrap_err();
    assert!(
        started.elapsed() >= Duration::from_millis(30),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fault.point(), "floors::store");
    assert_eq!(fault.message(), Some("store down"));

    // status: an http::Response, and axum's IntoResponse of a Fault.
    let response = page();
    assert_eq!(response.status(), 503);
    assert_eq!(response.headers()[chaos::FAULT_HEADER], "floors::status");
    assert_eq!(fault.into_response().status(), 500);
    assert_eq!(gateway().status_code, 502);

    // lambda: no deadline in the context, so the call times out at once.
    let error = lambda(LambdaEvent::new(
        "hi".into(),
        lambda_runtime::Context::default(),
    ))
    .await
    .unwrap_err();
    let fault = error
        .downcast_ref::<Fault>()
        .expect("the error is the fault");
    assert!(matches!(fault.kind(), FaultKind::Timeout { .. }), "{fault}");

    // disk_fill_mb: the body runs, the fill is held.
    assert_eq!(scratch(), 7);
    assert!(
        chaos::disk_fills()
            .iter()
            .any(|(name, bytes)| *name == "floors::disk" && *bytes == 1 << 20)
    );

    // ChaosLayer over a tower service: a server's status, then a client's denied host.
    let mut server = ChaosLayer::new(chaos::point!(name = "floors::router", status = 429))
        .layer(Ok200::<Infallible>::new());
    assert_eq!(call(&mut server, "/").await.unwrap().status(), 429);
    let point = chaos::point!(name = "floors::client", deny_hosts = ["*.internal"]);
    let mut client = ChaosLayer::new(point).errors().layer(Ok200::<Fault>::new());
    assert!(call(&mut client, "http://example.com/").await.is_ok());
    let error = call(&mut client, "http://db.internal/").await.unwrap_err();
    assert!(
        matches!(error.kind(), FaultKind::Unreachable { .. }),
        "{error}"
    );

    // Every point compiled in is known (linkme), and the JSON configuration (serde_json) turns
    // the router's fault off and names the closest point to a misspelt one (strsim).
    for name in [
        "floors::store",
        "floors::router",
        "floors::client",
        "floors::lambda",
    ] {
        assert!(chaos::points().iter().any(|p| p.name() == name), "{name}");
    }
    chaos::configure_json(r#"{"points": {"floors::router": {"rate": 0.0}}}"#).unwrap();
    assert_eq!(call(&mut server, "/").await.unwrap().status(), 200);
    let error =
        chaos::configure_json(r#"{"points": {"floors::routr": {"rate": 1.0}}}"#).unwrap_err();
    assert!(
        error.to_string().contains("did you mean `floors::router`?"),
        "{error}"
    );
    chaos::reset();

    // An experiment: steady state, then every call faulted (hdrhistogram, futures-util).
    let report = Experiment::new("floors")
        .hypothesis(Hypothesis::new().min_success_ratio(0.9))
        .fault("floors::experiment", PointConfig::new().rate(1.0))
        .calls(20)
        .concurrency(2)
        .run(flaky)
        .await
        .unwrap();
    assert_eq!(report.steady_state.successes, 20);
    assert_eq!(report.under_faults.injected_errors, 20);
    assert!(
        matches!(report.verdict, Verdict::Rejected(_)),
        "{:?}",
        report.verdict
    );
    assert_eq!(report.to_json()["verdict"], "rejected");
}

/// Off until the followed source's document turns it on.
#[chaos(error = "turned on remotely", rate = 0.0, name = "floors::remote")]
fn remote() -> Result<(), Fault> {
    Ok(())
}

/// A stand-in for the AppConfig extension on loopback (std only): every request gets `document`.
fn serve(document: &'static str) -> u16 {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{document}",
                document.len()
            );
            let _ = stream.write_all(answer.as_bytes());
        }
    });
    port
}

/// `follow_remote` through ureq: the document arrives and turns the point on.
fn follow() {
    let port = serve(r#"{"points": {"floors::remote": {"rate": 1.0}}}"#);
    let source = chaos::RemoteSource::appconfig("shop", "floors", "chaos")
        .port(port)
        .ttl(Duration::from_millis(100));
    chaos::follow_remote(source).unwrap();
    let started = Instant::now();
    while remote().is_ok() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the document never arrived"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// An SDK HTTP client that never connects: what `chaos::aws_sdk` wraps here, to build against
/// aws-smithy-runtime-api's floor (the moto-backed tests in examples/aws-sdk run real calls).
#[derive(Debug)]
struct NoNetwork;

impl aws_smithy_runtime_api::client::http::HttpClient for NoNetwork {
    fn http_connector(
        &self,
        _: &aws_smithy_runtime_api::client::http::HttpConnectorSettings,
        _: &aws_smithy_runtime_api::client::runtime_components::RuntimeComponents,
    ) -> aws_smithy_runtime_api::client::http::SharedHttpConnector {
        unreachable!("no attempt is made here")
    }
}

/// The SDK client wrapper and the interceptor, built and asked what the SDK asks before a call.
fn sdk_wrapper() {
    use aws_smithy_runtime_api::client::http::HttpClient;
    use aws_smithy_runtime_api::client::interceptors::Intercept;
    let point = chaos::point!(
        name = "floors::sdk",
        aws_service = "dynamodb",
        aws_error = "throttling"
    );
    let client = chaos::aws_sdk::http_client(NoNetwork).point(point);
    let components =
        aws_smithy_runtime_api::client::runtime_components::RuntimeComponentsBuilder::new("floors");
    let cfg = aws_smithy_types::config_bag::ConfigBag::base();
    client
        .validate_base_client_config(&components, &cfg)
        .unwrap();
    assert_eq!(chaos::aws_sdk::interceptor().name(), "chaos");
}

fn main() {
    chaos::init().expect("no CHAOS_* variable is set");
    sdk_wrapper();
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap()
        .block_on(run());
    // Last: a followed source replaces every configuration loaded before it.
    follow();
    println!("floors: chaos works with every feature on its dependencies' floors");
}
