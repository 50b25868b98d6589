//! Status faults as `http` types (feature `http`).

use crate::fault::{Fault, FaultReturn};

/// The status a fault answers with: its own for a status fault, 500 for an error fault.
pub(crate) fn status_of(fault: &Fault) -> http::StatusCode {
    fault
        .status()
        .and_then(|code| http::StatusCode::from_u16(code).ok())
        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR)
}

/// The injected status (500 for an `error` fault).
///
/// ```
/// use chaos_core::{Fault, FaultKind, FaultReturn};
///
/// let status = http::StatusCode::from_fault(Fault::new("p", FaultKind::Status(503)));
/// assert_eq!(status, http::StatusCode::SERVICE_UNAVAILABLE);
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
impl FaultReturn for http::StatusCode {
    fn from_fault(fault: Fault) -> Self {
        status_of(&fault)
    }
}

/// The injected status as an error (500 for an `error` fault), for handlers that return
/// `Result<T, StatusCode>`, as axum handlers often do.
///
/// ```
/// use chaos_core::{Fault, FaultKind};
///
/// let status = http::StatusCode::from(Fault::new("p", FaultKind::Status(503)));
/// assert_eq!(status, 503);
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
impl From<Fault> for http::StatusCode {
    fn from(fault: Fault) -> Self {
        status_of(&fault)
    }
}

/// The fault as a response (as [`FaultReturn`] builds it), for handlers whose error type is a
/// response too: `Result<Response<B>, Response<B>>`, axum's `Result<Response, Response>`.
///
/// ```
/// use chaos_core::{Fault, FaultKind};
///
/// let response = http::Response::<String>::from(Fault::new("p", FaultKind::Status(502)));
/// assert_eq!(response.status(), 502);
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
impl<B: Default> From<Fault> for http::Response<B> {
    fn from(fault: Fault) -> Self {
        Self::from_fault(fault)
    }
}

/// Adds [`FAULT_HEADER`] naming the fault's point. A point name that is not a valid header value
/// (a control character) goes without.
pub(crate) fn mark(headers: &mut http::HeaderMap, fault: &Fault) {
    if let Ok(point) = http::HeaderValue::from_str(fault.point()) {
        headers.insert(FAULT_HEADER, point);
    }
}

/// The short JSON body of an injected response that has one (axum, API Gateway): what failed,
/// and where.
#[cfg(any(feature = "axum", feature = "lambda"))]
pub(crate) fn json_body(fault: &Fault) -> String {
    serde_json::json!({ "error": fault.to_string(), "chaos_point": fault.point() }).to_string()
}

/// The header an injected response carries, naming the point that injected it, so that a caller,
/// a log or an experiment across HTTP can tell an injected failure from a real one.
pub const FAULT_HEADER: &str = "x-chaos-fault";

/// A response with the injected status (500 for an `error` fault), a default (empty) body, and
/// the header [`FAULT_HEADER`] naming the point.
///
/// ```
/// use chaos_core::{Fault, FaultKind, FaultReturn};
///
/// let response = http::Response::<String>::from_fault(Fault::new("api::get", FaultKind::Status(429)));
/// assert_eq!(response.status(), 429);
/// assert!(response.body().is_empty());
/// assert_eq!(response.headers()["x-chaos-fault"], "api::get");
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
impl<B: Default> FaultReturn for http::Response<B> {
    fn from_fault(fault: Fault) -> Self {
        let mut response = http::Response::new(B::default());
        *response.status_mut() = status_of(&fault);
        mark(response.headers_mut(), &fault);
        response
    }
}
