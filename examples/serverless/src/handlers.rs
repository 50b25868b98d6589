//! The service's handlers, each with `#[chaos]` on a different kind of return type. The rates
//! are what `cargo run --bin axum_service` shows; tests and operators change them at run time.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chaos::chaos;

use crate::{NewOrder, Order, Orders};

/// `GET /hello/{name}`. The handler returns a plain `Response`, so a status fault is that response:
/// 503, an empty body, and `x-chaos-fault: service::hello`.
#[chaos(status = 503, rate = 0.1, latency_ms = 10..=30, name = "service::hello")]
pub async fn hello(Path(name): Path<String>) -> Response {
    format!("hello, {name}\n").into_response()
}

/// `GET /orders/{id}`. A status fault is `Err(StatusCode::from(fault))`: a bare 503, with no room
/// for the `x-chaos-fault` header, so to a client it looks like any other 503.
#[chaos(status = 503, rate = 0.1, name = "service::get_order")]
pub async fn get_order(
    State(orders): State<Orders>,
    Path(id): Path<u64>,
) -> Result<Json<Order>, StatusCode> {
    orders.get(id).map(Json).ok_or(StatusCode::NOT_FOUND)
}

/// `POST /orders`. With `when = "after"` the order is stored and then the answer is lost, as when
/// a connection drops after the commit: a client that retries on 503 creates it twice. The fault
/// is `Err(ErrorResponse::from(fault))`, answered as `chaos::Fault` answers (feature `axum`): the
/// status, `x-chaos-fault`, and a JSON body saying what was injected where.
#[chaos(
    status = 503,
    when = "after",
    rate = 0.1,
    name = "service::create_order"
)]
pub async fn create_order(
    State(orders): State<Orders>,
    Json(new): Json<NewOrder>,
) -> axum::response::Result<(StatusCode, Json<Order>)> {
    if new.quantity == 0 {
        return Err((
            StatusCode::UNPROCESSABLE_ENTITY,
            "quantity must be at least 1\n",
        )
            .into());
    }
    Ok((StatusCode::CREATED, Json(orders.insert(new))))
}

/// `GET /health`: not annotated, so a load balancer's check never sees an injected fault.
pub async fn health() -> &'static str {
    "ok\n"
}
