//! AWS Lambda (feature `lambda`): the invocation deadline `timeout` waits for, and status faults
//! as API Gateway responses.

use std::time::SystemTime;

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayV2httpResponse};
use aws_lambda_events::encodings::Body;
use lambda_runtime::{Context, LambdaEvent};

use crate::fault::{Fault, FaultReturn, InvocationDeadline};

/// The Lambda service's deadline for this invocation (`None` for a default `Context`, whose
/// deadline is 0: not an invocation).
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
impl InvocationDeadline for Context {
    fn invocation_deadline(&self) -> Option<SystemTime> {
        (self.deadline != 0).then(|| self.deadline())
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
impl<T> InvocationDeadline for LambdaEvent<T> {
    fn invocation_deadline(&self) -> Option<SystemTime> {
        self.context.invocation_deadline()
    }
}

/// A request as lambda_http hands it to the handler: the invocation's `Context` is in its
/// extensions. `None` for a request that did not come through lambda_http.
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
impl<B> InvocationDeadline for http::Request<B> {
    fn invocation_deadline(&self) -> Option<SystemTime> {
        self.extensions()
            .get::<Context>()
            .and_then(Context::invocation_deadline)
    }
}

fn headers(fault: &Fault) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    headers.insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    super::http::mark(&mut headers, fault);
    headers
}

/// An API Gateway (REST, payload 1.0) response with the injected status (500 for an `error`
/// fault), the [`FAULT_HEADER`](crate::FAULT_HEADER), and a short JSON error body.
///
/// ```
/// use aws_lambda_events::apigw::ApiGatewayProxyResponse;
/// use chaos_core::{Fault, FaultKind, FaultReturn};
///
/// let response = ApiGatewayProxyResponse::from_fault(Fault::new("orders", FaultKind::Status(503)));
/// assert_eq!(response.status_code, 503);
/// assert_eq!(response.headers["x-chaos-fault"], "orders");
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
impl FaultReturn for ApiGatewayProxyResponse {
    fn from_fault(fault: Fault) -> Self {
        let mut response = ApiGatewayProxyResponse::default();
        response.status_code = i64::from(fault.status().unwrap_or(500));
        response.headers = headers(&fault);
        response.body = Some(Body::Text(super::http::json_body(&fault)));
        response
    }
}

/// An API Gateway HTTP API (payload 2.0) response, as for [`ApiGatewayProxyResponse`].
///
/// ```
/// use aws_lambda_events::apigw::ApiGatewayV2httpResponse;
/// use chaos_core::{Fault, FaultKind, FaultReturn};
///
/// let response = ApiGatewayV2httpResponse::from_fault(Fault::new("orders", FaultKind::Error("down".into())));
/// assert_eq!(response.status_code, 500);
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "lambda")))]
impl FaultReturn for ApiGatewayV2httpResponse {
    fn from_fault(fault: Fault) -> Self {
        let mut response = ApiGatewayV2httpResponse::default();
        response.status_code = i64::from(fault.status().unwrap_or(500));
        response.headers = headers(&fault);
        response.body = Some(Body::Text(super::http::json_body(&fault)));
        response
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use super::*;

    fn context_with_deadline(ms_since_epoch: u64) -> Context {
        let mut context = Context::default();
        context.deadline = ms_since_epoch;
        context
    }

    #[test]
    fn the_deadline_is_read_from_the_context_the_event_and_a_lambda_http_request() {
        let deadline = SystemTime::UNIX_EPOCH + Duration::from_millis(1_900_000_000_000);
        let context = context_with_deadline(1_900_000_000_000);
        assert_eq!(context.invocation_deadline(), Some(deadline));

        let event = LambdaEvent::new("payload", context.clone());
        assert_eq!(event.invocation_deadline(), Some(deadline));

        let mut request = http::Request::new(());
        assert_eq!(request.invocation_deadline(), None);
        request.extensions_mut().insert(context);
        assert_eq!(request.invocation_deadline(), Some(deadline));

        // A default context is not an invocation: no deadline rather than the epoch.
        assert_eq!(Context::default().invocation_deadline(), None);
    }

    #[test]
    fn api_gateway_responses_carry_the_status_the_header_and_a_json_error() {
        let fault = Fault::new("orders", crate::FaultKind::Throttled { limit: 10 });
        let response = ApiGatewayV2httpResponse::from_fault(fault.clone());
        assert_eq!(response.status_code, 429);
        assert_eq!(response.headers[crate::FAULT_HEADER], "orders");
        let Some(Body::Text(body)) = response.body else {
            panic!("a text body");
        };
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(body["chaos_point"], "orders");
        assert_eq!(body["error"], fault.to_string());
        assert_eq!(ApiGatewayProxyResponse::from_fault(fault).status_code, 429);
    }
}
