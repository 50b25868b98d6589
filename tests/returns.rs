//! What a `status` or `error` fault becomes, for every supported return type.
#![cfg(feature = "enabled")]

use chaos::{Fault, FaultKind, FaultReturn, chaos};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[chaos(error = "boxed")]
fn boxed_error() -> Result<u32, BoxError> {
    Ok(1)
}

#[chaos(status = 502)]
fn status_into_boxed_error() -> Result<u32, BoxError> {
    Ok(1)
}

#[chaos(error = "anyhow")]
fn anyhow_error() -> anyhow::Result<u32> {
    Ok(1)
}

#[derive(Debug)]
enum AppError {
    Injected(Fault),
}

impl From<Fault> for AppError {
    fn from(fault: Fault) -> Self {
        AppError::Injected(fault)
    }
}

#[chaos(error = "enum")]
fn own_error_enum() -> Result<u32, AppError> {
    Ok(1)
}

#[chaos(error = "bare fault")]
fn fault_as_error() -> Result<u32, Fault> {
    Ok(1)
}

#[test]
fn result_with_boxed_error_gets_the_fault() {
    let error = boxed_error().unwrap_err();
    let fault = error.downcast_ref::<Fault>().unwrap();
    assert_eq!(fault.kind(), &FaultKind::Error("boxed".into()));
}

#[test]
fn status_on_a_non_response_result_becomes_an_error() {
    let error = status_into_boxed_error().unwrap_err();
    assert_eq!(error.downcast_ref::<Fault>().unwrap().status(), Some(502));
}

#[test]
fn anyhow_result_gets_the_fault() {
    let error = anyhow_error().unwrap_err();
    assert_eq!(
        error.downcast_ref::<Fault>().unwrap().message(),
        Some("anyhow")
    );
}

#[test]
fn user_error_enum_with_from_gets_the_fault() {
    let AppError::Injected(fault) = own_error_enum().unwrap_err();
    assert_eq!(fault.message(), Some("enum"));
}

#[test]
fn fault_itself_as_error_type() {
    assert_eq!(fault_as_error().unwrap_err().message(), Some("bare fault"));
}

/// A response type of the user's own.
#[derive(Debug, PartialEq)]
struct Reply {
    code: u16,
}

impl FaultReturn for Reply {
    fn from_fault(fault: Fault) -> Self {
        Reply {
            code: fault.status().unwrap_or(500),
        }
    }
}

#[chaos(status = 418)]
fn own_response_type() -> Reply {
    Reply { code: 200 }
}

#[chaos(error = "oops")]
fn own_response_type_error() -> Reply {
    Reply { code: 200 }
}

#[chaos(status = 429)]
fn own_response_in_result() -> Result<Reply, BoxError> {
    Ok(Reply { code: 200 })
}

#[chaos(error = "in result")]
fn own_response_in_result_error() -> Result<Reply, BoxError> {
    Ok(Reply { code: 200 })
}

#[test]
fn user_types_through_fault_return() {
    assert_eq!(own_response_type(), Reply { code: 418 });
    assert_eq!(own_response_type_error(), Reply { code: 500 });
}

#[test]
fn status_on_a_result_of_a_response_type_is_an_ok_response() {
    assert_eq!(own_response_in_result().unwrap(), Reply { code: 429 });
}

#[test]
fn error_on_a_result_of_a_response_type_is_an_err() {
    let error = own_response_in_result_error().unwrap_err();
    assert_eq!(
        error.downcast_ref::<Fault>().unwrap().message(),
        Some("in result")
    );
}

struct Service;

impl Service {
    #[chaos(error = "method", name = "returns::Service::call")]
    async fn call(&self) -> Result<Self, BoxError> {
        Ok(Service)
    }
}

#[tokio::test]
async fn async_method_returning_self() {
    let error = Service.call().await.err().unwrap();
    assert_eq!(
        error.downcast_ref::<Fault>().unwrap().point(),
        "returns::Service::call"
    );
}

#[cfg(feature = "http")]
mod http_types {
    use super::*;

    #[chaos(status = 503)]
    async fn response() -> http::Response<String> {
        http::Response::new("body".into())
    }

    #[chaos(status = 503)]
    async fn response_in_result() -> Result<http::Response<Vec<u8>>, BoxError> {
        Ok(http::Response::new(b"body".to_vec()))
    }

    #[chaos(error = "downstream")]
    async fn response_in_result_error() -> Result<http::Response<Vec<u8>>, BoxError> {
        Ok(http::Response::new(b"body".to_vec()))
    }

    #[chaos(status = 404)]
    fn status_code() -> http::StatusCode {
        http::StatusCode::OK
    }

    #[chaos(error = "no status given")]
    fn error_as_response() -> http::Response<()> {
        http::Response::new(())
    }

    #[tokio::test]
    async fn response_gets_the_status_and_an_empty_body() {
        let response = response().await;
        assert_eq!(response.status(), 503);
        assert!(response.body().is_empty());
        assert_eq!(
            response.headers()[chaos::FAULT_HEADER],
            "returns::http_types::response"
        );
    }

    #[tokio::test]
    async fn result_of_response_gets_an_ok_response_for_status() {
        assert_eq!(response_in_result().await.unwrap().status(), 503);
    }

    #[tokio::test]
    async fn result_of_response_gets_an_err_for_error() {
        assert!(response_in_result_error().await.is_err());
    }

    #[test]
    fn status_code_gets_the_status() {
        assert_eq!(status_code(), http::StatusCode::NOT_FOUND);
    }

    #[chaos(timeout_ms = 5)]
    fn timed_out_response() -> http::Response<()> {
        http::Response::new(())
    }

    #[test]
    fn a_timeout_on_a_response_is_a_504() {
        assert_eq!(timed_out_response().status(), 504);
    }

    #[test]
    fn error_on_a_response_is_a_500() {
        assert_eq!(error_as_response().status(), 500);
    }

    // The shape axum handlers often have: the status arrives as the error.
    #[chaos(status = 429)]
    async fn status_code_as_error() -> Result<String, http::StatusCode> {
        Ok("listed".into())
    }

    #[chaos(error = "store down")]
    async fn error_as_status_code() -> Result<String, http::StatusCode> {
        Ok("listed".into())
    }

    #[tokio::test]
    async fn a_status_code_error_type_gets_the_status() {
        assert_eq!(
            status_code_as_error().await,
            Err(http::StatusCode::TOO_MANY_REQUESTS)
        );
        assert_eq!(
            error_as_status_code().await,
            Err(http::StatusCode::INTERNAL_SERVER_ERROR)
        );
    }
}
