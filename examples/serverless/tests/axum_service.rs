//! The axum service, tested (a) in-process, each request sent to the router with
//! `tower::ServiceExt::oneshot`, and (b) over real HTTP on a loopback port with `reqwest`.
//!
//! The attributes' rates (0.1) would make answers random, so every test sets the rates it needs
//! through chaos's run-time API: 1.0 (every answer injected) or 0.0 (every answer real).
//! In-process tests use a `chaos::Scope`, which is task-local, so they run in parallel. Over HTTP
//! the handlers run in the server's tasks, out of reach of a scope, so those tests change the
//! process-wide configuration and take `common::PROCESS_WIDE` for writing; scoped tests take it
//! for reading, because the process-wide kill switch also applies inside a scope.
//! The router's own `ChaosLayer` (`api::router`, rate 0) is tested in `tests/layer.rs`.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use chaos_serverless_examples::app;
use tower::ServiceExt;

/// Sends one request to `app` in-process; answers status, the `x-chaos-fault` header, body.
async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Option<String>, String) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let status = response.status();
    let fault = response
        .headers()
        .get(chaos::FAULT_HEADER)
        .map(|value| value.to_str().expect("ASCII").to_owned());
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .expect("a body under 1 MiB");
    (
        status,
        fault,
        String::from_utf8(bytes.to_vec()).expect("UTF-8"),
    )
}

fn get(uri: &str) -> Request<Body> {
    Request::get(uri)
        .body(Body::empty())
        .expect("a valid request")
}

/// With chaos compiled out the attributes' rates (0.1) do nothing: 200 calls, not one fault
/// (with chaos in, about 20 of them would be).
#[cfg(not(feature = "chaos"))]
#[tokio::test]
async fn compiled_out_every_answer_is_real() {
    let app = app();
    for _ in 0..200 {
        let (status, fault, body) = send(&app, get("/hello/ferris")).await;
        assert_eq!(
            (status, fault, body.as_str()),
            (StatusCode::OK, None, "hello, ferris\n")
        );
    }
}

#[cfg(feature = "chaos")]
mod compiled_in {
    use super::*;
    use crate::common::{PROCESS_WIDE, Restore, Server};
    use chaos::{Config, PointConfig, Scope};
    use chaos_serverless_examples::Order;

    const POINTS: [&str; 3] = [
        "service::hello",
        "service::get_order",
        "service::create_order",
    ];

    fn post_order(item: &str, quantity: u32) -> Request<Body> {
        let json = format!(r#"{{"item":"{item}","quantity":{quantity}}}"#);
        Request::post("/orders")
            .header("content-type", "application/json")
            .body(Body::from(json))
            .expect("a valid request")
    }

    /// A scope giving each point in `rates` its rate; the points' faults stay the attributes'.
    fn scope(rates: &[(&str, f64)]) -> Scope {
        let config = rates.iter().fold(Config::new(), |config, &(point, rate)| {
            config.point(point, PointConfig::new().rate(rate))
        });
        Scope::new(config).expect("the points exist")
    }

    // (a) In-process, one scope per test.

    #[tokio::test]
    async fn at_rate_1_every_hello_is_the_injected_503() {
        let _shared = PROCESS_WIDE.read().await;
        let app = app();
        let scope = scope(&[("service::hello", 1.0)]);
        for _ in 0..20 {
            let answer = scope.run(send(&app, get("/hello/ferris"))).await;
            // The handler returns `Response`: the fault is the response itself, empty.
            let expected = (
                StatusCode::SERVICE_UNAVAILABLE,
                Some("service::hello".into()),
                "",
            );
            assert_eq!((answer.0, answer.1, answer.2.as_str()), expected);
        }
    }

    #[tokio::test]
    async fn at_rate_0_every_hello_is_the_real_answer() {
        let _shared = PROCESS_WIDE.read().await;
        let app = app();
        let scope = scope(&[("service::hello", 0.0)]);
        for _ in 0..20 {
            let (status, fault, body) = scope.run(send(&app, get("/hello/ferris"))).await;
            assert_eq!(
                (status, fault, body.as_str()),
                (StatusCode::OK, None, "hello, ferris\n")
            );
        }
    }

    #[tokio::test]
    async fn a_fault_in_result_json_status_code_is_a_bare_503_and_the_store_is_untouched() {
        let _shared = PROCESS_WIDE.read().await;
        let app = app();
        let quiet = scope(&[("service::create_order", 0.0), ("service::get_order", 0.0)]);
        let (status, _, _) = quiet.run(send(&app, post_order("widget", 2))).await;
        assert_eq!(status, StatusCode::CREATED);

        // `Err(StatusCode::from(fault))`: the status alone, no header and no body.
        let failing = scope(&[("service::get_order", 1.0)]);
        let answer = failing.run(send(&app, get("/orders/1"))).await;
        assert_eq!(
            (answer.0, answer.1, answer.2.as_str()),
            (StatusCode::SERVICE_UNAVAILABLE, None, "")
        );

        // The order is there: it was the injected fault, not the store, that failed the call.
        let (status, fault, body) = quiet.run(send(&app, get("/orders/1"))).await;
        assert_eq!((status, fault), (StatusCode::OK, None));
        let order: Order = serde_json::from_str(&body).expect("an order");
        assert_eq!(
            (order.id, order.item.as_str(), order.quantity),
            (1, "widget", 2)
        );
        // A real failure, for comparison.
        let (status, _, _) = quiet.run(send(&app, get("/orders/9"))).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    #[tokio::test]
    async fn when_after_the_order_is_stored_but_the_answer_is_lost() {
        let _shared = PROCESS_WIDE.read().await;
        let app = app();
        let lost = scope(&[("service::create_order", 1.0), ("service::get_order", 0.0)]);
        let (status, fault, body) = lost.run(send(&app, post_order("gadget", 1))).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        // `axum::response::Result`: the fault answers as `chaos::Fault` does, header and JSON.
        assert_eq!(fault.as_deref(), Some("service::create_order"));
        let body: serde_json::Value = serde_json::from_str(&body).expect("a JSON body");
        assert_eq!(body["chaos_point"], "service::create_order");
        // The client saw a failure, yet the body ran: order 1 exists, so a retry would make a
        // second one. This is what `when = "after"` is for.
        let (status, _, body) = lost.run(send(&app, get("/orders/1"))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    // (b) Over HTTP: a real server on a loopback port, faults set process-wide.

    fn client() -> reqwest::Client {
        // No proxy: a proxy set in the environment must not see (or answer for) loopback calls.
        reqwest::Client::builder()
            .no_proxy()
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .expect("a client")
    }

    /// GETs `path` `calls` times; answers each status, fault header and body.
    async fn get_many(
        server: &Server,
        path: &str,
        calls: usize,
    ) -> Vec<(u16, Option<String>, String)> {
        let client = client();
        let mut answers = Vec::with_capacity(calls);
        for _ in 0..calls {
            let response = client
                .get(format!("{}{path}", server.base))
                .send()
                .await
                .expect("the server answers");
            let status = response.status().as_u16();
            let fault = response
                .headers()
                .get(chaos::FAULT_HEADER)
                .map(|value| value.to_str().expect("ASCII").to_owned());
            answers.push((status, fault, response.text().await.expect("a body")));
        }
        answers
    }

    #[tokio::test]
    async fn over_http_at_rate_1_every_answer_is_injected_and_names_its_point() {
        let _exclusive = PROCESS_WIDE.write().await;
        let _restore = Restore;
        let server = Server::start(app()).await;
        let _hello = chaos::override_point("service::hello", PointConfig::new().rate(1.0))
            .expect("the point exists");
        let _order = chaos::override_point("service::get_order", PointConfig::new().rate(1.0))
            .expect("the point exists");

        for (status, fault, body) in get_many(&server, "/hello/ferris", 25).await {
            assert_eq!(
                (status, fault.as_deref(), body.as_str()),
                (503, Some("service::hello"), "")
            );
        }
        for answer in get_many(&server, "/orders/1", 25).await {
            // A bare 503 (the handler returns `Result<_, StatusCode>`); there is no order 1, so
            // the real answer would have been 404.
            assert_eq!(answer, (503, None, String::new()));
        }
        // The faults were counted where they were injected (the only way to tell, for the 503s
        // that carry no header).
        let stats = chaos::stats();
        let injected = |point: &str| {
            stats
                .iter()
                .filter(|s| s.point == point)
                .map(|s| s.injected())
                .sum::<u64>()
        };
        assert!(injected("service::hello") >= 25 && injected("service::get_order") >= 25);
    }

    #[tokio::test]
    async fn over_http_at_rate_0_every_answer_is_real() {
        let _exclusive = PROCESS_WIDE.write().await;
        let _restore = Restore;
        let server = Server::start(app()).await;
        let rates = POINTS
            .map(|point| format!(r#""{point}": {{"rate": 0.0}}"#))
            .join(", ");
        chaos::configure_json(&format!(r#"{{"points": {{{rates}}}}}"#))
            .expect("a valid configuration");

        for answer in get_many(&server, "/hello/ferris", 50).await {
            assert_eq!(answer, (200, None, "hello, ferris\n".to_owned()));
        }
        for (status, fault, _) in get_many(&server, "/orders/1", 50).await {
            // No order was created: the real answer is 404, and not an injected 503.
            assert_eq!((status, fault), (404, None));
        }
    }

    #[tokio::test]
    async fn over_http_the_kill_switch_beats_a_configuration_at_rate_1() {
        let _exclusive = PROCESS_WIDE.write().await;
        let _restore = Restore;
        let server = Server::start(app()).await;
        let rates = POINTS
            .map(|point| format!(r#""{point}": {{"rate": 1.0}}"#))
            .join(", ");
        chaos::configure_json(&format!(r#"{{"points": {{{rates}}}}}"#))
            .expect("a valid configuration");
        // First proof that the configuration is in force, so the clean answers below are the
        // switch's doing and not a configuration that failed to load.
        assert_eq!(get_many(&server, "/hello/ferris", 1).await[0].0, 503);

        chaos::set_enabled(false);
        for answer in get_many(&server, "/hello/ferris", 50).await {
            assert_eq!(answer, (200, None, "hello, ferris\n".to_owned()));
        }
    }
}
