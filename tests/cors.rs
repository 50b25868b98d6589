//! `strip_cors` over real HTTP: an axum router with tower-http's CORS layer around its routes and
//! `ChaosLayer` around both, served on loopback and asked with raw HTTP/1.1, so what is checked
//! is what goes over the wire. Fault off: the CORS headers arrive, on a simple request and on a
//! preflight. Fault on: neither has any, and the rest of the answer is the service's own.
//! Compiled out, the CORS headers always arrive.
#![cfg(feature = "tower")]

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use chaos::layer::ChaosLayer;
use http::{HeaderName, HeaderValue, Method};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tower_http::cors::CorsLayer;

const FRONT: &str = "http://front.example";

/// The API: `/api` answers GET and PUT with a body and a header of its own, behind a CORS layer
/// that allows the front end's origin, and `ChaosLayer` outside it (so that it sees the CORS
/// layer's answers, a preflight's included).
fn api(point: chaos::LayerPoint) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(HeaderValue::from_static(FRONT))
        .allow_methods([Method::GET, Method::PUT])
        .allow_headers([HeaderName::from_static("x-client")])
        .expose_headers([HeaderName::from_static("x-app")])
        .max_age(std::time::Duration::from_secs(600));
    let answer = || async { ([("x-app", "orders")], "the orders") };
    Router::new()
        .route("/api", get(answer).put(answer))
        .layer(cors)
        .layer(ChaosLayer::new(point))
}

async fn serve(router: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    address
}

/// An answer as it came over the wire.
#[derive(Debug)]
struct Reply {
    status: u16,
    /// Names in lower case, in the order received.
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn cors_headers(&self) -> Vec<&str> {
        self.headers
            .iter()
            .map(|(n, _)| n.as_str())
            .filter(|n| n.starts_with("access-control-"))
            .collect()
    }
}

/// Sends `method /api` with `headers` over a connection of its own, and reads the answer to the
/// end (`Connection: close`).
async fn send(address: SocketAddr, method: &str, headers: &[(&str, &str)]) -> Reply {
    let mut request = format!("{method} /api HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Content-Length: 0\r\n\r\n");
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a whole answer");
    let mut lines = head.lines();
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let headers = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_string())
        })
        .collect();
    Reply {
        status: status.parse().unwrap(),
        headers,
        body: body.to_string(),
    }
}

/// A GET from the front end's origin: a simple request, no preflight.
async fn simple(address: SocketAddr) -> Reply {
    send(address, "GET", &[("Origin", FRONT)]).await
}

/// The preflight a browser sends before a PUT with the header `x-client`.
async fn preflight(address: SocketAddr) -> Reply {
    send(
        address,
        "OPTIONS",
        &[
            ("Origin", FRONT),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "x-client"),
        ],
    )
    .await
}

/// What the CORS layer says when nothing strips it.
fn assert_cors_intact(get: &Reply, options: &Reply) {
    assert_eq!(get.status, 200, "{get:?}");
    assert_eq!(get.body, "the orders");
    assert_eq!(get.header("access-control-allow-origin"), Some(FRONT));
    assert_eq!(get.header("access-control-expose-headers"), Some("x-app"));
    assert_eq!(options.status, 200, "{options:?}");
    assert_eq!(options.header("access-control-allow-origin"), Some(FRONT));
    assert!(
        options
            .header("access-control-allow-methods")
            .is_some_and(|m| m.contains("PUT")),
        "{options:?}"
    );
    assert_eq!(
        options.header("access-control-allow-headers"),
        Some("x-client")
    );
    assert_eq!(options.header("access-control-max-age"), Some("600"));
    assert!(options.cors_headers().len() >= 4, "{options:?}");
}

#[cfg(not(feature = "enabled"))]
#[tokio::test]
async fn compiled_out_the_cors_headers_always_arrive() {
    let point = chaos::point!(name = "cors::off", strip_cors);
    let address = serve(api(point)).await;
    assert_cors_intact(&simple(address).await, &preflight(address).await);
}

#[cfg(feature = "enabled")]
mod enabled {
    use super::*;

    /// Configuration is process-wide: the tests that change it take turns.
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    fn stats(name: &str) -> chaos::PointStats {
        chaos::stats()
            .into_iter()
            .find(|s| s.point == name)
            .unwrap()
    }

    /// A stripped answer: no CORS header at all, and otherwise the service's (or, for the
    /// preflight, the CORS layer's) own, marked with the point.
    fn assert_stripped(get: &Reply, options: &Reply, point: &str) {
        assert_eq!(get.status, 200, "{get:?}");
        assert_eq!(get.body, "the orders");
        assert_eq!(
            get.header("x-app"),
            Some("orders"),
            "the service's own header"
        );
        assert_eq!(get.cors_headers(), Vec::<&str>::new(), "{get:?}");
        assert_eq!(get.header("x-chaos-fault"), Some(point));
        assert_eq!(
            options.status, 200,
            "the CORS layer answered it: {options:?}"
        );
        assert_eq!(options.cors_headers(), Vec::<&str>::new(), "{options:?}");
        assert_eq!(options.header("x-chaos-fault"), Some(point));
    }

    #[tokio::test]
    async fn strip_cors_takes_the_cors_headers_off_answers_and_preflights_only_when_faulted() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        let point = chaos::point!(name = "cors::api", strip_cors, rate = 0.0);
        let address = serve(api(point)).await;
        assert_cors_intact(&simple(address).await, &preflight(address).await);
        assert_eq!(stats("cors::api").injected(), 0);

        chaos::configure_json(r#"{"points": {"cors::api": {"rate": 1.0}}}"#).unwrap();
        assert_stripped(
            &simple(address).await,
            &preflight(address).await,
            "cors::api",
        );
        let counted = stats("cors::api");
        assert_eq!((counted.cors_stripped, counted.injected()), (2, 2));

        // Switched off again, the headers are back.
        chaos::set_enabled(false);
        assert_cors_intact(&simple(address).await, &preflight(address).await);
        chaos::reset();
    }

    #[tokio::test]
    async fn strip_cors_given_at_run_time_replaces_the_declared_fault_and_combines_with_latency() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        let point = chaos::point!(name = "cors::configured", status = 503, rate = 0.0);
        let address = serve(api(point)).await;
        assert_cors_intact(&simple(address).await, &preflight(address).await);
        chaos::configure_json(
            r#"{"points": {"cors::configured": {"strip_cors": true, "latency_ms": 50, "rate": 1.0}}}"#,
        )
        .unwrap();
        let started = std::time::Instant::now();
        let get = simple(address).await;
        assert!(started.elapsed() >= std::time::Duration::from_millis(50));
        // Not the declared 503: naming `strip_cors` replaces the whole fault.
        assert_stripped(&get, &preflight(address).await, "cors::configured");
        // A dry run strips nothing.
        chaos::configure_json(
            r#"{"dry_run": true, "points": {"cors::configured": {"strip_cors": true, "rate": 1.0}}}"#,
        )
        .unwrap();
        assert_cors_intact(&simple(address).await, &preflight(address).await);
        assert_eq!(stats("cors::configured").dry_run, 2);
        chaos::reset();
    }

    #[tokio::test]
    async fn strip_cors_is_refused_to_a_function_s_point_and_takes_no_false() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        #[chaos::chaos(status = 503, rate = 0.0, name = "cors::a_function")]
        fn a_function() -> Result<(), chaos::Fault> {
            Ok(())
        }
        let _ = a_function();
        let _ = chaos::point!(name = "cors::flagged", latency_ms = 1, rate = 0.0);
        for (json, expected) in [
            (
                r#"{"points": {"cors::a_function": {"strip_cors": true}}}"#,
                "`strip_cors` cannot be given to `cors::a_function`: it is a function",
            ),
            (
                r#"{"points": {"cors::flagged": {"strip_cors": false}}}"#,
                "`strip_cors` is either `true` or left out",
            ),
            (
                r#"{"points": {"cors::flagged": {"strip_cors": "yes"}}}"#,
                "`strip_cors` expects no value in `chaos::point!` (`strip_cors` alone), `true` in a configuration, found",
            ),
        ] {
            let error = chaos::configure_json(json).unwrap_err().to_string();
            assert!(error.contains(expected), "{json}: {error}");
        }
        chaos::reset();
    }
}
