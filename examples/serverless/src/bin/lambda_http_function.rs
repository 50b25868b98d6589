//! A Lambda HTTP function (API Gateway, ALB or a function URL in front) with `#[chaos]` on its
//! handler: three calls in ten wait 20-50 ms and are answered 503 with the header
//! `x-chaos-fault: greeter::handler`, as failure-lambda's status-code fault does. The handler
//! returns `Result<Response<Body>, Error>`, so a status fault is an `Ok` response, as API Gateway
//! needs, not a failed invocation.
//!
//! ```sh
//! cargo lambda watch                   # in examples/serverless; then, in another shell:
//! curl -i 'http://127.0.0.1:9000/lambda-url/lambda_http_function/?name=Ferris'
//! cargo lambda invoke lambda_http_function --data-file tests/events/apigw_http.json
//! cargo lambda watch --no-default-features  # chaos compiled out: never a fault
//! ```
//!
//! `tests/cargo_lambda.sh` invokes it 200 times with an API Gateway event and counts the 503s.

use chaos::chaos;
use lambda_http::{Body, Error, Request, RequestExt, Response, service_fn};

#[chaos(status = 503, rate = 0.3, latency_ms = 20..=50, name = "greeter::handler")]
async fn handler(request: Request) -> Result<Response<Body>, Error> {
    let name = request
        .query_string_parameters_ref()
        .and_then(|parameters| parameters.first("name"))
        .unwrap_or("world")
        .to_owned();
    let response = Response::builder()
        .status(200)
        .header("content-type", "text/plain")
        .body(format!("hello, {name}").into())?;
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    // Reads CHAOS_* now (compiled out, there is nothing to read): a bad variable fails the cold
    // start rather than turning chaos off unnoticed at the first call.
    chaos::init()?;
    lambda_http::run(service_fn(handler)).await
}

// Scopes are task-local, so these tests run in parallel with each other and the crate's others.
#[cfg(all(test, feature = "chaos"))]
mod tests {
    use super::*;
    use chaos::{Config, PointConfig, Scope};
    use std::collections::HashMap;

    fn request() -> Request {
        let query = HashMap::from([("name".to_owned(), "Ferris".to_owned())]);
        Request::default().with_query_string_parameters(query)
    }

    fn at_rate(rate: f64) -> Scope {
        Scope::new(Config::new().point("greeter::handler", PointConfig::new().rate(rate)))
            .expect("the point exists")
    }

    #[tokio::test]
    async fn a_faulted_call_is_an_ok_503_naming_the_point() {
        let response = at_rate(1.0).run(handler(request())).await.unwrap();
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()[chaos::FAULT_HEADER], "greeter::handler");
    }

    #[tokio::test]
    async fn a_call_not_faulted_greets() {
        let response = at_rate(0.0).run(handler(request())).await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers().get(chaos::FAULT_HEADER).is_none());
        assert_eq!(response.body(), &Body::from("hello, Ferris"));
    }
}
