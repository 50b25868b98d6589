//! The axum service that `src/bin/axum_service.rs` serves: a small orders API whose handlers
//! carry `#[chaos]`, behind a `ChaosLayer` that is off until configured. The router is built here,
//! in the library, so that the tests can drive the same app in-process
//! (`tower::ServiceExt::oneshot`) and over a real socket.
//!
//! | route | handler returns | fault |
//! |---|---|---|
//! | `GET /hello/{name}` | `axum::response::Response` | `status = 503` after 10-30 ms: the response itself, with `x-chaos-fault` |
//! | `GET /orders/{id}` | `Result<Json<Order>, StatusCode>` | `status = 503`: `Err(StatusCode::from(fault))`, a bare 503 |
//! | `POST /orders` | `axum::response::Result<(StatusCode, Json<Order>)>` | `status = 503, when = "after"`: the order is stored, then the answer is lost |
//! | `GET /health` | `&'static str` | none, and outside the layer |
//!
//! The layer's point, `api::router`, answers 503 for every route but `/health` once configured,
//! as a service whose own dependencies are down would: `{"points": {"api::router": {"rate": 1.0}}}`.

mod handlers;
mod orders;

pub use orders::{NewOrder, Order, Orders};

use axum::Router;
use axum::routing::{get, post};
use chaos::layer::ChaosLayer;

/// The service's routes, with an empty order store.
pub fn app() -> Router {
    let outage = chaos::point!(name = "api::router", status = 503, rate = 0.0);
    Router::new()
        .route("/hello/{name}", get(handlers::hello))
        .route("/orders", post(handlers::create_order))
        .route("/orders/{id}", get(handlers::get_order))
        // `Router::layer` wraps the routes added so far: a load balancer's health check, added
        // below, never sees the outage, so the instance stays in service while it answers 503.
        .layer(ChaosLayer::new(outage))
        .route("/health", get(handlers::health))
        .with_state(Orders::default())
}
