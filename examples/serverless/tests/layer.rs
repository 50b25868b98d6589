//! `ChaosLayer` (chaos's feature `tower`) on both sides of HTTP:
//!
//! (a) the service's router, whose layer point `api::router` (status 503, rate 0, in `src/lib.rs`)
//!     is turned on by configuration: in-process with `tower::ServiceExt::oneshot`, and over
//!     real HTTP on a loopback port;
//! (b) a real HTTP client, hyper-util's, wrapped with `.errors()` so that a request to a denied
//!     host fails as an unreachable host would, before it leaves the process, while requests to
//!     other hosts reach a loopback server that counts them. The server is reached by two names,
//!     `127.0.0.1` and `localhost`, so that one can be denied and the other not.
//!
//! Tests that change process-wide state are kept apart with `common::PROCESS_WIDE`, as in
//! `tests/axum_service.rs`.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::State;
use axum::http;
use axum::routing::get;
use bytes::Bytes;
use chaos::layer::ChaosLayer;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use common::Server;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// A plain hyper-util client, as a service would build one to call another.
fn http_client() -> HttpClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// A stand-in for a stock service on loopback: `GET /stock` answers 200 and counts the requests
/// that reached it.
async fn counting_server() -> (Server, Arc<AtomicUsize>) {
    let count = Arc::new(AtomicUsize::new(0));
    let app = Router::new()
        .route(
            "/stock",
            get(|State(count): State<Arc<AtomicUsize>>| async move {
                count.fetch_add(1, Ordering::SeqCst);
                "12 in stock\n"
            }),
        )
        .with_state(Arc::clone(&count));
    (Server::start(app).await, count)
}

fn stock_request(host: &str, port: u16) -> http::Request<Full<Bytes>> {
    http::Request::get(format!("http://{host}:{port}/stock"))
        .body(Full::default())
        .expect("a valid request")
}

/// Compiled out, the layer is not even a wrapper: it returns the client itself (the type
/// annotation would not compile otherwise), so a host on `deny_hosts` is reached like any other.
#[cfg(not(feature = "chaos"))]
#[tokio::test]
async fn compiled_out_the_layer_returns_the_client_itself() {
    use tower::Layer;

    let (server, count) = counting_server().await;
    let localhost_down = chaos::point!(name = "tests::localhost_down", deny_hosts = ["localhost"]);
    let client: HttpClient = ChaosLayer::new(localhost_down)
        .errors()
        .layer(http_client());
    let response = client
        .request(stock_request("localhost", server.port))
        .await
        .expect("the server answers");
    assert_eq!(response.status(), 200);
    assert_eq!(count.load(Ordering::SeqCst), 1);
}

#[cfg(feature = "chaos")]
mod router {
    use super::*;
    use crate::common::{PROCESS_WIDE, Restore};
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use chaos::{Config, PointConfig, Scope};
    use chaos_serverless_examples::app;
    use tower::ServiceExt;

    /// Every handler's own point quiet, so that any fault is the layer's.
    const HANDLERS: [&str; 3] = [
        "service::hello",
        "service::get_order",
        "service::create_order",
    ];

    fn router_at_rate(rate: f64) -> Scope {
        let quiet = HANDLERS.iter().fold(Config::new(), |config, &point| {
            config.point(point, PointConfig::new().rate(0.0))
        });
        let config = quiet.point("api::router", PointConfig::new().rate(rate));
        Scope::new(config).expect("the points exist")
    }

    /// Sends one request in-process; answers the status and the `x-chaos-fault` header.
    async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Option<String>) {
        let response = app.clone().oneshot(request).await.expect("infallible");
        let fault = response
            .headers()
            .get(chaos::FAULT_HEADER)
            .map(|value| value.to_str().expect("ASCII").to_owned());
        (response.status(), fault)
    }

    fn get(uri: &str) -> Request<Body> {
        Request::get(uri)
            .body(Body::empty())
            .expect("a valid request")
    }

    fn post_order() -> Request<Body> {
        Request::post("/orders")
            .header("content-type", "application/json")
            .body(Body::from(r#"{"item":"widget","quantity":2}"#))
            .expect("a valid request")
    }

    #[tokio::test]
    async fn at_rate_1_every_route_but_health_is_the_layers_503_and_no_handler_runs() {
        let _shared = PROCESS_WIDE.read().await;
        let app = app();
        let outage = router_at_rate(1.0);
        let injected = (
            StatusCode::SERVICE_UNAVAILABLE,
            Some("api::router".to_owned()),
        );
        assert_eq!(outage.run(send(&app, post_order())).await, injected);
        assert_eq!(outage.run(send(&app, get("/hello/ferris"))).await, injected);
        assert_eq!(outage.run(send(&app, get("/orders/1"))).await, injected);
        // Added after the layer: outside it.
        assert_eq!(
            outage.run(send(&app, get("/health"))).await,
            (StatusCode::OK, None)
        );

        // The layer answered in place of the handler: the POST created nothing.
        let quiet = router_at_rate(0.0);
        assert_eq!(
            quiet.run(send(&app, get("/orders/1"))).await,
            (StatusCode::NOT_FOUND, None)
        );
    }

    #[tokio::test]
    async fn at_rate_0_the_layer_passes_every_request_to_its_handler() {
        let _shared = PROCESS_WIDE.read().await;
        let app = app();
        let quiet = router_at_rate(0.0);
        assert_eq!(
            quiet.run(send(&app, post_order())).await,
            (StatusCode::CREATED, None)
        );
        assert_eq!(
            quiet.run(send(&app, get("/orders/1"))).await,
            (StatusCode::OK, None)
        );
    }

    /// Over HTTP the layer runs in the server's tasks, so it is configured process-wide, the way
    /// an operator turns it on: by the point's name, in JSON.
    #[tokio::test]
    async fn over_http_configured_on_then_off() {
        let _exclusive = PROCESS_WIDE.write().await;
        let _restore = Restore;
        let server = Server::start(app()).await;
        let client = reqwest::Client::builder()
            .no_proxy() // a proxy from the environment must not answer for loopback
            .build()
            .expect("a client");
        let get = |path: &str| {
            let request = client.get(format!("{}{path}", server.base)).send();
            async move {
                let response = request.await.expect("the server answers");
                let fault = response
                    .headers()
                    .get(chaos::FAULT_HEADER)
                    .map(|value| value.to_str().expect("ASCII").to_owned());
                (response.status().as_u16(), fault)
            }
        };
        let configure = |rate: f64| {
            let handlers = HANDLERS.map(|point| format!(r#""{point}": {{"rate": 0.0}}"#));
            chaos::configure_json(&format!(
                r#"{{"points": {{"api::router": {{"rate": {rate:.1}}}, {}}}}}"#,
                handlers.join(", ")
            ))
            .expect("a valid configuration");
        };

        configure(1.0);
        for _ in 0..10 {
            assert_eq!(
                get("/hello/ferris").await,
                (503, Some("api::router".into()))
            );
        }
        assert_eq!(get("/health").await, (200, None));
        let injected: u64 = chaos::stats()
            .iter()
            .filter(|s| s.point == "api::router")
            .map(|s| s.status)
            .sum();
        assert!(injected >= 10, "{injected} status faults counted");

        configure(0.0);
        for _ in 0..10 {
            assert_eq!(get("/hello/ferris").await, (200, None));
        }
    }
}

#[cfg(feature = "chaos")]
mod client {
    use super::*;
    use crate::common::{PROCESS_WIDE, Restore};
    use chaos::{Fault, FaultKind, LayerPoint};
    use hyper::body::Incoming;
    use tower::{BoxError, Service, ServiceBuilder, ServiceExt};

    /// The client behind `ChaosLayer::new(point).errors()`. `map_err` comes first (inside the
    /// layer) so the layer's error type is `BoxError`, which a `Fault` converts into.
    fn chaos_client(
        point: LayerPoint,
    ) -> impl Service<
        http::Request<Full<Bytes>>,
        Response = http::Response<Incoming>,
        Error = BoxError,
        Future: Send,
    > + Clone {
        ServiceBuilder::new()
            .layer(ChaosLayer::new(point).errors())
            .map_err(BoxError::from)
            .service(http_client())
    }

    /// GETs `/stock` from `host`: the status, or the fault that replaced the request.
    async fn get_stock<S>(client: &S, host: &str, port: u16) -> Result<u16, Fault>
    where
        S: Service<
                http::Request<Full<Bytes>>,
                Response = http::Response<Incoming>,
                Error = BoxError,
            > + Clone,
    {
        match client.clone().oneshot(stock_request(host, port)).await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(error) => match error.downcast::<Fault>() {
                Ok(fault) => Err(*fault),
                Err(error) => panic!("a real error, not an injected one: {error}"),
            },
        }
    }

    fn unreachable(point: &'static str, host: &str) -> Fault {
        let host = host.to_owned().into();
        Fault::new(point, FaultKind::Unreachable { host })
    }

    #[tokio::test]
    async fn a_denied_host_fails_as_unreachable_before_the_request_leaves() {
        let _shared = PROCESS_WIDE.read().await;
        let (server, count) = counting_server().await;
        let localhost_down =
            chaos::point!(name = "tests::localhost_down", deny_hosts = ["localhost"]);
        let client = chaos_client(localhost_down);

        for _ in 0..3 {
            assert_eq!(get_stock(&client, "127.0.0.1", server.port).await, Ok(200));
            let denied = get_stock(&client, "localhost", server.port).await;
            assert_eq!(
                denied,
                Err(unreachable("tests::localhost_down", "localhost"))
            );
        }
        // Only the three requests to 127.0.0.1 reached the server.
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn deny_hosts_is_turned_on_at_run_time_and_off_by_reset() {
        let _exclusive = PROCESS_WIDE.write().await;
        let _restore = Restore;
        let (server, count) = counting_server().await;
        // Quiet until configured, as a client's layer would ship: some latency, at rate 0.
        let stock = chaos::point!(name = "tests::stock_client", latency_ms = 100, rate = 0.0);
        let client = chaos_client(stock);
        let port = server.port;

        assert_eq!(get_stock(&client, "localhost", port).await, Ok(200));

        // `deny_hosts` replaces the declared fault; the declared trigger (rate 0) would stay
        // unless the configuration names one too.
        chaos::configure_json(
            r#"{"points": {"tests::stock_client": {"deny_hosts": ["localhost"], "rate": 1.0}}}"#,
        )
        .expect("a valid configuration");
        let denied = get_stock(&client, "localhost", port).await;
        assert_eq!(denied, Err(unreachable("tests::stock_client", "localhost")));
        assert_eq!(get_stock(&client, "127.0.0.1", port).await, Ok(200));

        chaos::reset();
        assert_eq!(get_stock(&client, "localhost", port).await, Ok(200));
        // The first call, the one to 127.0.0.1 while localhost was denied, and the last.
        assert_eq!(count.load(Ordering::SeqCst), 3);
    }
}
