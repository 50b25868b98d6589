//! Which call an attempt is, read from the signed request: the service and the region from the
//! SigV4 credential scope, the operation from the request (`x-amz-target`, `Action=`) or from
//! [`ChaosInterceptor`](super::ChaosInterceptor)'s header, and the protocol its answer must be
//! written in.

use aws_smithy_runtime_api::client::orchestrator::HttpRequest;

use super::OPERATION_HEADER;

/// How the service writes its errors: what a synthetic answer must look like for the SDK's
/// parser to read the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Protocol {
    /// awsJson 1.0 / 1.1 (DynamoDB, Kinesis, SQS...): `__type` in a JSON body, answered with the
    /// request's own content type. `query_compatible`: SQS, whose SDK reads the code from the
    /// `x-amzn-query-error` header.
    AwsJson {
        content_type: String,
        query_compatible: bool,
    },
    /// awsQuery (SNS, STS...) and restXml as Route 53 and CloudFront write it:
    /// `<ErrorResponse><Error><Code>`.
    WrappedXml,
    /// restXml as S3 writes it: `<Error><Code>`.
    S3Xml,
    /// restJson and anything else: the `x-amzn-errortype` header.
    RestJson,
}

/// One attempt, as far as selection and the answer need to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Call {
    /// The signing name: `dynamodb`, `s3`.
    pub(super) service: Option<String>,
    /// `PutItem`.
    pub(super) operation: Option<String>,
    /// `us-east-1`.
    pub(super) region: Option<String>,
    pub(super) protocol: Protocol,
}

impl Call {
    /// The call `request` makes (the operation header, if any, is taken out of it).
    pub(super) fn of(request: &mut HttpRequest) -> Call {
        let tagged = request.headers_mut().remove(OPERATION_HEADER);
        let headers = request.headers();
        let (service, region) = signing_scope(headers.get("authorization"))
            .map(|(service, region)| {
                let region = region.or_else(|| single_region(headers.get("x-amz-region-set")));
                (Some(service), region)
            })
            .unwrap_or((None, None));
        // Unsigned calls: the SDK's id in the user agent (`api/dynamodb/1.136.0`).
        let service = service.or_else(|| sdk_id(headers.get("x-amz-user-agent")));
        let content_type = headers.get("content-type").unwrap_or_default();
        let target = headers.get("x-amz-target");
        // By the service first: an S3 object may well be a form (`PutObject` of a form body).
        let protocol = match service.as_deref() {
            Some("s3" | "s3-express") => Protocol::S3Xml,
            Some("route53" | "cloudfront") => Protocol::WrappedXml,
            _ if content_type.starts_with("application/x-amz-json-") => Protocol::AwsJson {
                content_type: content_type.to_string(),
                query_compatible: target.is_some_and(|t| t.starts_with("AmazonSQS.")),
            },
            // Query services send forms; REST services that could (S3) are told apart above.
            _ if content_type.starts_with("application/x-www-form-urlencoded") => {
                Protocol::WrappedXml
            }
            _ => Protocol::RestJson,
        };
        let query = protocol == Protocol::WrappedXml;
        let operation = tagged
            .or_else(|| {
                target
                    .and_then(|t| t.rsplit('.').next())
                    .map(str::to_string)
            })
            .or_else(|| {
                query
                    .then(|| request.body().bytes().and_then(query_action))
                    .flatten()
            })
            .filter(|op| !op.is_empty());
        Call {
            service,
            operation,
            region,
            protocol,
        }
    }
}

/// `(service, region)` of `Credential=<key>/<date>/<region>/<service>/aws4_request` (SigV4), or
/// `(service, None)` of `Credential=<key>/<date>/<service>/aws4_request` (SigV4a).
fn signing_scope(authorization: Option<&str>) -> Option<(String, Option<String>)> {
    let scope = authorization?.split("Credential=").nth(1)?;
    let scope = scope.split([',', ' ']).next()?;
    let parts: Vec<&str> = scope.split('/').collect();
    match parts.as_slice() {
        [_, _, region, service, "aws4_request"] => {
            Some((service.to_string(), Some(region.to_string())))
        }
        [_, _, service, "aws4_request"] => Some((service.to_string(), None)),
        _ => None,
    }
}

/// The region of a SigV4a request signed for exactly one.
fn single_region(region_set: Option<&str>) -> Option<String> {
    let set = region_set?;
    (!set.contains(',') && !set.contains('*')).then(|| set.trim().to_string())
}

/// `dynamodb` of `... api/dynamodb/1.136.0 ...`.
fn sdk_id(user_agent: Option<&str>) -> Option<String> {
    user_agent?
        .split(' ')
        .find_map(|part| part.strip_prefix("api/"))
        .and_then(|api| api.split('/').next())
        .map(str::to_string)
}

/// `Publish` of `Action=Publish&Version=2010-03-31&...`.
fn query_action(body: &[u8]) -> Option<String> {
    let body = std::str::from_utf8(body).ok()?;
    body.split('&')
        .find_map(|pair| pair.strip_prefix("Action="))
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_smithy_types::body::SdkBody;

    fn request(headers: &[(&'static str, &'static str)], body: &'static str) -> HttpRequest {
        let mut request = HttpRequest::new(SdkBody::from(body));
        for (name, value) in headers {
            request.headers_mut().insert(*name, *value);
        }
        request
    }

    const DYNAMODB_AUTH: &str = "AWS4-HMAC-SHA256 Credential=test/20261201/eu-west-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00";

    #[test]
    fn a_json_call_names_its_service_region_and_operation() {
        let mut r = request(
            &[
                ("authorization", DYNAMODB_AUTH),
                ("content-type", "application/x-amz-json-1.0"),
                ("x-amz-target", "DynamoDB_20120810.PutItem"),
            ],
            "{}",
        );
        let call = Call::of(&mut r);
        assert_eq!(call.service.as_deref(), Some("dynamodb"));
        assert_eq!(call.region.as_deref(), Some("eu-west-1"));
        assert_eq!(call.operation.as_deref(), Some("PutItem"));
        assert!(matches!(
            call.protocol,
            Protocol::AwsJson {
                query_compatible: false,
                ..
            }
        ));
    }

    #[test]
    fn a_query_call_names_its_action_and_sqs_is_query_compatible() {
        let mut r = request(
            &[
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=k/20261201/us-east-1/sns/aws4_request",
                ),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "Action=Publish&Version=2010-03-31",
        );
        let call = Call::of(&mut r);
        assert_eq!(
            (call.service.as_deref(), call.operation.as_deref()),
            (Some("sns"), Some("Publish"))
        );
        assert_eq!(call.protocol, Protocol::WrappedXml);
        let mut r = request(
            &[
                ("content-type", "application/x-amz-json-1.0"),
                ("x-amz-target", "AmazonSQS.SendMessage"),
            ],
            "{}",
        );
        assert!(matches!(
            Call::of(&mut r).protocol,
            Protocol::AwsJson {
                query_compatible: true,
                ..
            }
        ));
    }

    #[test]
    fn an_s3_object_that_is_a_form_is_still_s3() {
        let mut r = request(
            &[
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=k/20261201/us-east-1/s3/aws4_request",
                ),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
            "Action=DeleteEverything",
        );
        let call = Call::of(&mut r);
        assert_eq!(call.protocol, Protocol::S3Xml);
        assert_eq!(call.operation, None);
        let mut r = request(
            &[(
                "authorization",
                "AWS4-HMAC-SHA256 Credential=k/20261201/us-east-1/route53/aws4_request",
            )],
            "",
        );
        assert_eq!(Call::of(&mut r).protocol, Protocol::WrappedXml);
    }

    #[test]
    fn the_interceptors_tag_names_a_rest_operation_and_is_taken_out() {
        let mut r = request(
            &[
                (
                    "authorization",
                    "AWS4-HMAC-SHA256 Credential=k/20261201/us-east-1/s3/aws4_request",
                ),
                (OPERATION_HEADER, "PutObject"),
            ],
            "",
        );
        let call = Call::of(&mut r);
        assert_eq!(call.operation.as_deref(), Some("PutObject"));
        assert_eq!(call.protocol, Protocol::S3Xml);
        assert_eq!(r.headers().get(OPERATION_HEADER), None);
    }

    #[test]
    fn sigv4a_and_unsigned_calls() {
        let mut r = request(
            &[
                (
                    "authorization",
                    "AWS4-ECDSA-P256-SHA256 Credential=k/20261201/s3/aws4_request",
                ),
                ("x-amz-region-set", "eu-central-1"),
            ],
            "",
        );
        let call = Call::of(&mut r);
        assert_eq!(
            (call.service.as_deref(), call.region.as_deref()),
            (Some("s3"), Some("eu-central-1"))
        );
        let mut r = request(
            &[(
                "x-amz-user-agent",
                "aws-sdk-rust/1.7.0 api/sts/1.2.0 os/linux",
            )],
            "",
        );
        let call = Call::of(&mut r);
        assert_eq!((call.service.as_deref(), call.region), (Some("sts"), None));
        assert_eq!(call.operation, None);
    }
}
