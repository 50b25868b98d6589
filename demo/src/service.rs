//! The system under test: a small serverless-style app. Two functions behind an HTTP API (axum on
//! loopback), each reading from a downstream store function; every one annotated with `#[chaos]`,
//! quiet by default (`rate = 0.0`) so that experiments decide what fails.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::Path;
use axum::http;
use axum::routing::get;
use chaos::{Fault, chaos};

/// The downstream store, as a Lambda function would call DynamoDB. It can fail
/// (`demo::store::get`), or answer well-formed but wrong (`demo::store::wrong_record`: another
/// product's record, as after a bad write or a misrouted cache, failure-lambda's "corruption").
#[chaos(error = "store unavailable", rate = 0.0, name = "demo::store::get")]
#[chaos(value = Ok(WRONG_RECORD.to_string()), rate = 0.0, name = "demo::store::wrong_record")]
pub async fn store_get(id: u64) -> Result<String, Fault> {
    Ok(format!(
        "{{\"id\":{id},\"name\":\"product {id}\",\"price\":{}}}",
        10 + id % 90
    ))
}

/// What `demo::store::wrong_record` answers: a valid record, of product 0.
const WRONG_RECORD: &str = "{\"id\":0,\"name\":\"product 0\",\"price\":10}";

/// `GET /products/{id}`: the product function.
#[chaos(status = 500, rate = 0.0, name = "demo::api::get_product")]
pub async fn get_product(Path(id): Path<u64>) -> http::Response<String> {
    from_store(store_get(id).await)
}

/// `GET /products/{id}/stock`: the stock function, reading the same store.
#[chaos(status = 503, rate = 0.0, name = "demo::api::get_stock")]
pub async fn get_stock(Path(id): Path<u64>) -> http::Response<String> {
    from_store(store_get(id + 10_000).await)
}

/// The store's answer as the function's response: a failure of the store is a 502, and an
/// injected one says so in `x-chaos-fault`, as the responses `#[chaos]` injects do.
fn from_store(answer: Result<String, Fault>) -> http::Response<String> {
    match answer {
        Ok(body) => http::Response::new(body),
        Err(fault) => {
            let mut response = http::Response::new(fault.to_string());
            *response.status_mut() = http::StatusCode::BAD_GATEWAY;
            if let Ok(point) = http::HeaderValue::from_str(fault.point()) {
                response.headers_mut().insert(chaos::FAULT_HEADER, point);
            }
            response
        }
    }
}

/// `GET /health`: not annotated, for readiness checks.
async fn health() -> &'static str {
    "ok"
}

/// The API's routes.
pub fn router() -> Router {
    Router::new()
        .route("/products/{id}", get(get_product))
        .route("/products/{id}/stock", get(get_stock))
        .route("/health", get(health))
}

/// Serves the API on a free loopback port, in the background, until the process ends.
pub async fn serve() -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router()).await {
            eprintln!("demo server stopped: {e}");
        }
    });
    Ok(address)
}
