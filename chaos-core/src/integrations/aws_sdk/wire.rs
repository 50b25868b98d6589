//! Synthetic answers in each protocol's wire format: what a service sends when it throttles,
//! denies or fails a call, so that the SDK's own parser gives its own typed error.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

use super::call::{Call, Protocol};
use crate::spec::AwsError;

/// DynamoDB's operations on items, which answer throttling with
/// `ProvisionedThroughputExceededException`; its other operations (on tables, backups, ...)
/// answer with `ThrottlingException`.
const DYNAMODB_ITEM_OPERATIONS: &[&str] = &[
    "GetItem",
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchGetItem",
    "BatchWriteItem",
    "TransactGetItems",
    "TransactWriteItems",
    "ExecuteStatement",
    "BatchExecuteStatement",
    "ExecuteTransaction",
];

/// The status and the error code `call`'s service answers `error` with.
fn code(call: &Call, error: AwsError) -> (u16, &'static str) {
    let service = call.service.as_deref().unwrap_or_default();
    let json = matches!(call.protocol, Protocol::AwsJson { .. });
    let sqs = matches!(
        call.protocol,
        Protocol::AwsJson {
            query_compatible: true,
            ..
        }
    );
    let xml = matches!(call.protocol, Protocol::WrappedXml | Protocol::S3Xml);
    match error {
        AwsError::Throttling if service == "dynamodb" => {
            let on_items = call
                .operation
                .as_deref()
                .is_some_and(|op| DYNAMODB_ITEM_OPERATIONS.contains(&op));
            if on_items {
                (400, "ProvisionedThroughputExceededException")
            } else {
                (400, "ThrottlingException")
            }
        }
        AwsError::Throttling if call.protocol == Protocol::S3Xml => (503, "SlowDown"),
        AwsError::Throttling if sqs => (400, "RequestThrottled"),
        AwsError::Throttling if call.protocol == Protocol::WrappedXml => (400, "Throttling"),
        AwsError::Throttling => (400, "ThrottlingException"),
        AwsError::AccessDenied if service == "sns" => (403, "AuthorizationError"),
        AwsError::AccessDenied if xml || sqs => (403, "AccessDenied"),
        AwsError::AccessDenied if json => (400, "AccessDeniedException"),
        AwsError::AccessDenied => (403, "AccessDeniedException"),
        AwsError::InternalError if xml || sqs => (500, "InternalError"),
        AwsError::InternalError => (500, "InternalServerError"),
        AwsError::ServiceUnavailable => (503, "ServiceUnavailable"),
        // Never asked: these fail the connection instead (`connector::settle`); should one
        // get here, a 500 is retried as they are.
        AwsError::ConnectionRefused | AwsError::Timeout => (500, "InternalServerError"),
    }
}

/// The error a service answers with `status` (`AwsError::status`), when a point answers SDK
/// calls with `status` rather than `aws_error`; `None` for a status with no AWS meaning of its
/// own (502 and 504 among them: they are a status here, not a failed connection).
pub(super) fn error_of_status(status: u16) -> Option<AwsError> {
    AwsError::ALL
        .into_iter()
        .find(|error| error.is_answered() && error.status() == status)
}

/// `call`'s service answering `error`, as `point` injected it.
pub(super) fn answer(call: &Call, error: AwsError, point: &str) -> HttpResponse {
    let (status, code) = code(call, error);
    response(call, status, code, point)
}

/// `call`'s service answering `status` with the error code `code`.
pub(super) fn response(call: &Call, status: u16, code: &str, point: &str) -> HttpResponse {
    let message = format!("chaos: injected at `{point}`");
    let request_id = request_id(point);
    let sender = if status < 500 { "Sender" } else { "Receiver" };
    let (content_type, body, headers): (String, String, Vec<(&str, String)>) = match &call.protocol
    {
        Protocol::AwsJson {
            content_type,
            query_compatible,
        } => {
            let body = serde_json::json!({ "__type": code, "message": message }).to_string();
            let mut headers = Vec::new();
            if *query_compatible {
                headers.push(("x-amzn-query-error", format!("{code};{sender}")));
            }
            (content_type.clone(), body, headers)
        }
        Protocol::WrappedXml => (
            "text/xml".to_string(),
            format!(
                "<ErrorResponse><Error><Type>{sender}</Type><Code>{code}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
                xml_escaped(&message)
            ),
            Vec::new(),
        ),
        Protocol::S3Xml => (
            "application/xml".to_string(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{}</Message><RequestId>{request_id}</RequestId></Error>",
                xml_escaped(&message)
            ),
            vec![
                ("x-amz-request-id", request_id.clone()),
                ("x-amz-id-2", request_id.clone()),
            ],
        ),
        Protocol::RestJson => (
            "application/json".to_string(),
            serde_json::json!({ "message": message }).to_string(),
            vec![("x-amzn-errortype", code.to_string())],
        ),
    };
    // Every status used here is valid.
    let status = StatusCode::try_from(status).unwrap_or_else(|_| unreachable_status());
    let mut response = HttpResponse::new(status, SdkBody::from(body));
    let answer = response.headers_mut();
    let _ = answer.try_insert("content-type", content_type);
    let _ = answer.try_insert("x-amzn-requestid", request_id);
    for (name, value) in headers {
        let _ = answer.try_insert(name, value);
    }
    response
}

/// 500: what a status that cannot be (never, with the statuses above) falls back to.
fn unreachable_status() -> StatusCode {
    StatusCode::try_from(500u16).expect("500 is a status code")
}

/// A request id that says where the answer came from (`err.meta().request_id()`): `chaos-`
/// and the point's name, with anything a header cannot carry replaced.
fn request_id(point: &str) -> String {
    let name: String = point
        .chars()
        .map(|c| if c.is_ascii_graphic() { c } else { '_' })
        .take(128)
        .collect();
    format!("chaos-{name}")
}

fn xml_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(service: &str, operation: &str, protocol: Protocol) -> Call {
        Call {
            service: Some(service.to_string()),
            operation: Some(operation.to_string()),
            region: None,
            protocol,
        }
    }

    fn json() -> Protocol {
        Protocol::AwsJson {
            content_type: "application/x-amz-json-1.0".to_string(),
            query_compatible: false,
        }
    }

    fn body(response: &HttpResponse) -> &str {
        std::str::from_utf8(response.body().bytes().unwrap()).unwrap()
    }

    #[test]
    fn each_service_throttles_in_its_own_words() {
        let put = answer(
            &call("dynamodb", "PutItem", json()),
            AwsError::Throttling,
            "p",
        );
        assert_eq!(put.status().as_u16(), 400);
        assert!(body(&put).contains("\"__type\":\"ProvisionedThroughputExceededException\""));
        let create = answer(
            &call("dynamodb", "CreateTable", json()),
            AwsError::Throttling,
            "p",
        );
        assert!(body(&create).contains("ThrottlingException"));
        let s3 = answer(
            &call("s3", "PutObject", Protocol::S3Xml),
            AwsError::Throttling,
            "p",
        );
        assert_eq!(s3.status().as_u16(), 503);
        assert!(body(&s3).contains("<Code>SlowDown</Code>"));
        let sqs = Protocol::AwsJson {
            content_type: "application/x-amz-json-1.0".to_string(),
            query_compatible: true,
        };
        let sqs = answer(
            &call("sqs", "SendMessage", sqs),
            AwsError::AccessDenied,
            "p",
        );
        assert_eq!(
            sqs.headers().get("x-amzn-query-error"),
            Some("AccessDenied;Sender")
        );
        let sns = answer(
            &call("sns", "Publish", Protocol::WrappedXml),
            AwsError::AccessDenied,
            "p",
        );
        assert_eq!(sns.status().as_u16(), 403);
        assert!(body(&sns).contains("<Code>AuthorizationError</Code>"));
        let lambda = answer(
            &call("lambda", "Invoke", Protocol::RestJson),
            AwsError::ServiceUnavailable,
            "p",
        );
        assert_eq!(
            lambda.headers().get("x-amzn-errortype"),
            Some("ServiceUnavailable")
        );
    }

    #[test]
    fn the_message_and_request_id_are_escaped() {
        let r = answer(
            &call("sns", "Publish", Protocol::WrappedXml),
            AwsError::Throttling,
            "a<b>\n",
        );
        assert!(body(&r).contains("a&lt;b&gt;"), "{}", body(&r));
        assert_eq!(r.headers().get("x-amzn-requestid"), Some("chaos-a<b>_"));
    }
}
