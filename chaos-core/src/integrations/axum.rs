//! axum (feature `axum`): a [`Fault`] is a response, so handlers can return it.

use axum_core::response::{IntoResponse, Response};

use crate::fault::Fault;

/// The injected status (500 for an `error` fault), the [`FAULT_HEADER`](crate::FAULT_HEADER),
/// and a short JSON body saying what was injected where. With it, every axum error type built
/// from responses carries a fault: `Result<T, Fault>`, `axum::response::Result<T>` (its
/// `ErrorResponse` is made from any response), and error enums whose `From<Fault>` keeps it.
///
/// ```
/// use axum_core::response::IntoResponse;
/// use chaos_core::{Fault, FaultKind};
///
/// let response = Fault::new("shop::list", FaultKind::Status(503)).into_response();
/// assert_eq!(response.status(), 503);
/// assert_eq!(response.headers()["x-chaos-fault"], "shop::list");
/// ```
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl IntoResponse for Fault {
    fn into_response(self) -> Response {
        let status = super::http::status_of(&self);
        let body = super::http::json_body(&self);
        let mut response = (
            status,
            [(http::header::CONTENT_TYPE, "application/json")],
            body,
        )
            .into_response();
        super::http::mark(response.headers_mut(), &self);
        response
    }
}
