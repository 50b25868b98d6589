//! `ChaosLayer`: a `chaos::point!`'s faults on a tower service of HTTP requests, as a server
//! (faults become responses) and as a client (faults become errors, `deny_hosts` included).
//! Compiled out, the layer hands back the service it wraps.
#![cfg(feature = "tower")]

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chaos::layer::ChaosLayer;
use tower::{Layer, Service, ServiceExt, service_fn};

fn get(uri: &str) -> http::Request<()> {
    http::Request::get(uri).body(()).unwrap()
}

/// A service that answers 200 "ok" and counts the requests that reached it.
fn counted() -> (
    Arc<AtomicUsize>,
    impl Service<
        http::Request<()>,
        Response = http::Response<String>,
        Error = Infallible,
        Future = impl Send,
    > + Clone,
) {
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&reached);
    let service = service_fn(move |_: http::Request<()>| {
        counter.fetch_add(1, Ordering::SeqCst);
        async { Ok::<_, Infallible>(http::Response::new("ok".to_string())) }
    });
    (reached, service)
}

#[cfg(not(feature = "enabled"))]
#[tokio::test]
async fn compiled_out_the_layer_returns_the_service_it_wraps() {
    fn same_type<S>(_: &S, _: &S) {}
    let (reached, inner) = counted();
    let point = chaos::point!(name = "layer::off", status = 503);
    assert_eq!(point.name(), None);
    let layered = ChaosLayer::new(point).layer(inner.clone());
    same_type(&inner, &layered);
    let response = layered.oneshot(get("/")).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(reached.load(Ordering::SeqCst), 1);
}

#[cfg(feature = "enabled")]
mod enabled {
    use std::time::Duration;

    use chaos::{Fault, FaultKind};
    use tower::BoxError;

    use super::*;

    /// Configuration is process-wide: the tests that change it take turns.
    static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    async fn call<S>(service: &mut S, request: http::Request<()>) -> Result<S::Response, S::Error>
    where
        S: Service<http::Request<()>>,
    {
        service.ready().await?.call(request).await
    }

    #[tokio::test]
    async fn a_server_answers_with_the_status_and_the_header_without_reaching_the_service() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        let point = chaos::point!(name = "layer::router", status = 503);
        let (reached, inner) = counted();
        let mut service = ChaosLayer::new(point).layer(inner);
        let response = call(&mut service, get("/orders")).await.unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()[chaos::FAULT_HEADER], "layer::router");
        assert_eq!(reached.load(Ordering::SeqCst), 0);

        // Turned down at run time by name, like any point.
        chaos::configure_json(r#"{"points": {"layer::router": {"rate": 0.0}}}"#).unwrap();
        let response = call(&mut service, get("/orders")).await.unwrap();
        assert_eq!(
            (response.status().as_u16(), response.body().as_str()),
            (200, "ok")
        );
        assert_eq!(reached.load(Ordering::SeqCst), 1);
        chaos::reset();
    }

    #[tokio::test]
    async fn a_client_fails_requests_to_denied_hosts_only() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        let point = chaos::point!(
            name = "layer::client",
            deny_hosts = ["payments.internal", "*.ledger.internal"]
        );
        let (reached, inner) = counted();
        let mut client = tower::ServiceBuilder::new()
            .layer(ChaosLayer::new(point).errors())
            .map_err(BoxError::from)
            .service(inner);
        let before = chaos::stats()
            .into_iter()
            .find(|s| s.point == "layer::client")
            .unwrap();

        for uri in [
            "http://payments.internal/charge",
            "https://PAYMENTS.internal:8443/refund",
            "http://eu.ledger.internal/entries",
        ] {
            let error = call(&mut client, get(uri)).await.unwrap_err();
            let fault = error
                .downcast_ref::<Fault>()
                .expect("the error is the fault");
            assert!(
                matches!(fault.kind(), FaultKind::Unreachable { host } if uri.to_lowercase().contains(&host.to_lowercase())),
                "{uri}: {fault}"
            );
            assert_eq!(fault.status(), Some(502));
        }
        for uri in [
            "http://inventory.internal/",
            "http://ledger.internal/",
            "/relative",
        ] {
            assert!(call(&mut client, get(uri)).await.is_ok(), "{uri}");
        }
        assert_eq!(reached.load(Ordering::SeqCst), 3);
        let after = chaos::stats()
            .into_iter()
            .find(|s| s.point == "layer::client")
            .unwrap();
        assert_eq!(after.unreachable - before.unreachable, 3);
    }

    #[tokio::test]
    async fn one_in_counts_only_the_requests_to_denied_hosts() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        let point = chaos::point!(
            name = "layer::flaky_dns",
            deny_hosts = ["a.internal"],
            one_in = 2
        );
        let (_, inner) = counted();
        let mut client = ChaosLayer::new(point)
            .errors()
            .layer(inner.map_err(BoxError::from));
        let mut outcomes = String::new();
        for uri in ["http://a.internal/", "http://b.internal/"].repeat(4) {
            outcomes.push(if call(&mut client, get(uri)).await.is_ok() {
                '.'
            } else {
                'x'
            });
        }
        // Every second request to `a` fails; `b` is never touched and never counted.
        assert_eq!(outcomes, "..x...x.");
    }

    #[tokio::test]
    async fn hosts_given_at_run_time_replace_the_declared_ones_and_the_reset_brings_them_back() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        let point = chaos::point!(name = "layer::moved", deny_hosts = ["a.internal"]);
        let (_, inner) = counted();
        let mut client = ChaosLayer::new(point)
            .errors()
            .layer(inner.map_err(BoxError::from));
        let declared = [
            call(&mut client, get("http://a.internal/")).await.is_ok(),
            call(&mut client, get("http://b.internal/")).await.is_ok(),
        ];
        assert_eq!(declared, [false, true], "the declared host is denied");
        chaos::configure_json(r#"{"points": {"layer::moved": {"deny_hosts": ["b.internal"]}}}"#)
            .unwrap();
        let configured = [
            call(&mut client, get("http://a.internal/")).await.is_ok(),
            call(&mut client, get("http://b.internal/")).await.is_ok(),
        ];
        assert_eq!(configured, [true, false], "the configured host replaced it");
        chaos::reset();
        let reset = [
            call(&mut client, get("http://a.internal/")).await.is_ok(),
            call(&mut client, get("http://b.internal/")).await.is_ok(),
        ];
        assert_eq!(reset, [false, true], "the declared host again");
    }

    #[tokio::test]
    async fn the_server_s_host_header_is_matched_without_its_port() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        let point = chaos::point!(name = "layer::vhost", deny_hosts = ["admin.example.com"]);
        let (_, inner) = counted();
        let mut server = ChaosLayer::new(point).layer(inner);
        let with_host = |host: &str| {
            http::Request::get("/")
                .header(http::header::HOST, host)
                .body(())
                .unwrap()
        };
        let denied = call(&mut server, with_host("admin.example.com:8080"))
            .await
            .unwrap();
        assert_eq!(denied.status(), 502);
        let other = call(&mut server, with_host("www.example.com:8080"))
            .await
            .unwrap();
        assert_eq!(other.status(), 200);
    }

    #[tokio::test]
    async fn after_the_service_did_the_work_its_answer_is_lost() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        let point = chaos::point!(name = "layer::after", status = 504, when = "after");
        let (reached, inner) = counted();
        let mut service = ChaosLayer::new(point).layer(inner);
        let response = call(&mut service, get("/pay")).await.unwrap();
        assert_eq!(response.status(), 504);
        assert_eq!(reached.load(Ordering::SeqCst), 1, "the work happened");
    }

    #[tokio::test(start_paused = true)]
    async fn latency_delays_the_request_then_it_goes_through() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        let point = chaos::point!(name = "layer::slow", latency_ms = 750);
        let (reached, inner) = counted();
        let mut service = ChaosLayer::new(point).layer(inner);
        let started = tokio::time::Instant::now();
        let response = call(&mut service, get("/")).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(reached.load(Ordering::SeqCst), 1);
        assert!(started.elapsed() >= Duration::from_millis(750));
    }

    #[tokio::test(start_paused = true)]
    async fn requests_beyond_max_concurrency_are_throttled() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        let point = chaos::point!(name = "layer::reserved", max_concurrency = 1);
        let slow = service_fn(|_: http::Request<()>| async {
            tokio::time::sleep(Duration::from_secs(1)).await;
            Ok::<_, Infallible>(http::Response::new(String::new()))
        });
        let service = ChaosLayer::new(point).layer(slow);
        let (first, second) = tokio::join!(service.clone().oneshot(get("/")), async {
            tokio::time::sleep(Duration::from_millis(10)).await;
            service.clone().oneshot(get("/")).await
        });
        assert_eq!(first.unwrap().status(), 200);
        assert_eq!(second.unwrap().status(), 429);
        // The first request's place is free again.
        assert_eq!(
            service.clone().oneshot(get("/")).await.unwrap().status(),
            200
        );
    }

    #[tokio::test]
    async fn aws_keys_are_checked_at_run_time_and_a_layer_answers_them_with_a_status() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        #[chaos::chaos(status = 503, rate = 0.0, name = "layer::aws_function")]
        fn a_function() -> Result<(), Fault> {
            Ok(())
        }
        let _ = a_function();
        let point = chaos::point!(name = "layer::aws", latency_ms = 1, rate = 0.0);
        for (json, expected) in [
            (
                r#"{"points": {"layer::aws_function": {"aws_error": "throttling"}}}"#,
                "`aws_error` cannot be given to `layer::aws_function`: it is a function",
            ),
            (
                r#"{"points": {"layer::aws": {"aws_error": "throttle"}}}"#,
                "found \"throttle\"; did you mean \"throttling\"?",
            ),
            (
                r#"{"points": {"layer::aws": {"aws_error": "throttling", "aws_operations": "PutItem"}}}"#,
                "`aws_operations` expects a list of operations",
            ),
            (
                r#"{"points": {"layer::aws": {"aws_error": "throttling", "aws_region": "EU-WEST-1"}}}"#,
                "did you mean \"eu-west-1\"?",
            ),
        ] {
            let error = chaos::configure_json(json).unwrap_err().to_string();
            assert!(error.contains(expected), "{json}: {error}");
        }
        // In a `ChaosLayer` (no SDK to speak the service's format to), the nearest status.
        chaos::configure_json(
            r#"{"points": {"layer::aws": {"aws_error": "access_denied", "rate": 1.0}}}"#,
        )
        .unwrap();
        let (reached, inner) = counted();
        let mut service = ChaosLayer::new(point).layer(inner);
        let response = call(&mut service, get("/")).await.unwrap();
        assert_eq!(response.status(), 403);
        assert_eq!(reached.load(Ordering::SeqCst), 0);
        let info = chaos::points()
            .iter()
            .find(|p| p.name() == "layer::aws")
            .unwrap();
        assert_eq!(info.stats().aws_error, 1);
        chaos::reset();
    }

    #[tokio::test]
    async fn deny_hosts_is_refused_to_a_function_s_point_and_checked_at_run_time() {
        let _serial = SERIAL.lock().await;
        chaos::reset();
        #[chaos::chaos(status = 503, rate = 0.0, name = "layer::a_function")]
        fn a_function() -> Result<(), Fault> {
            Ok(())
        }
        let _ = a_function();
        let point = chaos::point!(name = "layer::configured", latency_ms = 1, rate = 0.0);
        for (json, expected) in [
            (
                r#"{"points": {"layer::a_function": {"deny_hosts": ["x.internal"]}}}"#,
                "`deny_hosts` cannot be given to `layer::a_function`: it is a function",
            ),
            (
                r#"{"points": {"layer::configured": {"deny_hosts": ["x.internal/api"]}}}"#,
                "`deny_hosts` pattern \"x.internal/api\" has a path",
            ),
            (
                r#"{"points": {"layer::configured": {"deny_hosts": "x.internal"}}}"#,
                "`deny_hosts` expects a list of host patterns",
            ),
        ] {
            let error = chaos::configure_json(json).unwrap_err().to_string();
            assert!(error.contains(expected), "{json}: {error}");
        }
        // Given at run time to a layer's point: every host is gone.
        chaos::configure_json(
            r#"{"points": {"layer::configured": {"deny_hosts": ["*"], "rate": 1.0}}}"#,
        )
        .unwrap();
        let (reached, inner) = counted();
        let mut service = ChaosLayer::new(point).layer(inner);
        let response = call(&mut service, get("http://anything.example/"))
            .await
            .unwrap();
        assert_eq!(response.status(), 502);
        assert_eq!(reached.load(Ordering::SeqCst), 0);
        chaos::reset();
    }
}
