//! The AWS SDK keys: `aws_error` (what a faulted SDK call gets) and the selection of calls
//! (`aws_service`, `aws_operations`, `aws_region`), their model and their value rules.

use std::borrow::Cow;

use super::error::SpecError;
use super::key::Key;
use super::suggest::closest;

/// What a faulted AWS SDK call gets instead of the service's answer (`aws_error = "..."`). The SDK
/// sees each as it would see the real thing, and retries it (or not) as it would.
///
/// ```
/// use chaos_core::spec::AwsError;
///
/// assert_eq!(AwsError::from_name("throttling"), Some(AwsError::Throttling));
/// assert_eq!(AwsError::Throttling.as_str(), "throttling");
/// assert_eq!(AwsError::from_name("throttled"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AwsError {
    /// The service's own throttling error (DynamoDB `ProvisionedThroughputExceededException`,
    /// S3 `SlowDown`, SQS `RequestThrottled`, otherwise `ThrottlingException`): retried with
    /// backoff.
    Throttling,
    /// `AccessDeniedException` (S3, SQS: `AccessDenied`; SNS: `AuthorizationError`), as after a
    /// policy change: not retried.
    AccessDenied,
    /// 500 `InternalServerError` (S3, SNS: `InternalError`): retried.
    InternalError,
    /// 503 `ServiceUnavailable`: retried.
    ServiceUnavailable,
    /// The connection fails (the SDK's `DispatchFailure`, an I/O error): a downstream service
    /// removed, a region down. Retried.
    ConnectionRefused,
    /// No answer: after the point's `latency_ms`, or else the client's read timeout, or else at
    /// once, the attempt fails as timed out (the SDK's `DispatchFailure`, a timeout). Retried.
    Timeout,
}

impl AwsError {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [AwsError; 6] = [
        AwsError::Throttling,
        AwsError::AccessDenied,
        AwsError::InternalError,
        AwsError::ServiceUnavailable,
        AwsError::ConnectionRefused,
        AwsError::Timeout,
    ];

    /// The kind as it is written.
    pub const fn as_str(self) -> &'static str {
        match self {
            AwsError::Throttling => "throttling",
            AwsError::AccessDenied => "access_denied",
            AwsError::InternalError => "internal_error",
            AwsError::ServiceUnavailable => "service_unavailable",
            AwsError::ConnectionRefused => "connection_refused",
            AwsError::Timeout => "timeout",
        }
    }

    /// The HTTP status that stands for this error where an answer is a status and nothing more
    /// (a `ChaosLayer`'s answer, a `status` given to an SDK point): 429, 403, 500, 503, and the
    /// gateway's 502 and 504 for a connection that fails or times out.
    ///
    /// ```
    /// use chaos_core::spec::AwsError;
    ///
    /// assert_eq!(AwsError::Throttling.status(), 429);
    /// ```
    pub const fn status(self) -> u16 {
        match self {
            AwsError::Throttling => 429,
            AwsError::AccessDenied => 403,
            AwsError::InternalError => 500,
            AwsError::ServiceUnavailable => 503,
            AwsError::ConnectionRefused => 502,
            AwsError::Timeout => 504,
        }
    }

    /// Whether the service answers this error (rather than the connection failing).
    pub const fn is_answered(self) -> bool {
        !matches!(self, AwsError::ConnectionRefused | AwsError::Timeout)
    }

    /// The kind written as `name`, if there is one.
    pub fn from_name(name: &str) -> Option<AwsError> {
        AwsError::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// The kind named by `name`, or an error that lists the kinds (and the closest one).
    pub(crate) fn parse(name: &str) -> Result<AwsError, SpecError> {
        AwsError::from_name(name).ok_or_else(|| {
            let kinds = AwsError::ALL.iter().map(|e| e.as_str());
            let hint = hint(name, kinds);
            SpecError::new(
                Key::AwsError,
                format!(
                    "`aws_error` expects {}, found {}{hint}",
                    Key::AwsError.expects(),
                    super::quoted(name)
                ),
            )
        })
    }
}

/// Which AWS SDK calls a point faults: by the service's signing name, the operation and the
/// region; a part left out matches every call.
///
/// ```
/// use chaos_core::spec::{validate, SpecInput};
///
/// let mut input = SpecInput::default();
/// input.aws_error = Some("throttling".into());
/// input.aws_service = Some("dynamodb".into());
/// input.aws_operations = Some(vec!["PutItem".into()]);
/// let spec = validate(&input).unwrap();
/// assert!(spec.aws().matches(Some("dynamodb"), Some("PutItem"), Some("us-east-1")));
/// assert!(!spec.aws().matches(Some("dynamodb"), Some("GetItem"), Some("us-east-1")));
/// assert!(!spec.aws().matches(Some("s3"), Some("PutItem"), None));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AwsTarget {
    service: Option<Cow<'static, str>>,
    operations: Option<Cow<'static, [Cow<'static, str>]>>,
    region: Option<Cow<'static, str>>,
}

/// A target whose parts passed validation: what the expansion of `chaos::point!` builds (through
/// `__private`) in a constant.
pub const fn aws_target(
    service: Option<&'static str>,
    operations: Option<&'static [Cow<'static, str>]>,
    region: Option<&'static str>,
) -> AwsTarget {
    AwsTarget {
        service: match service {
            Some(s) => Some(Cow::Borrowed(s)),
            None => None,
        },
        operations: match operations {
            Some(o) => Some(Cow::Borrowed(o)),
            None => None,
        },
        region: match region {
            Some(r) => Some(Cow::Borrowed(r)),
            None => None,
        },
    }
}

impl AwsTarget {
    /// The service's signing name (`dynamodb`, `s3`), if the point names one.
    pub fn service(&self) -> Option<&str> {
        self.service.as_deref()
    }

    /// The operations (`PutItem`), if the point names them.
    pub fn operations(&self) -> Option<impl Iterator<Item = &str>> {
        self.operations
            .as_deref()
            .map(|ops| ops.iter().map(|op| op.as_ref()))
    }

    /// The region (`eu-west-1`), if the point names one.
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// Whether the point names any part at all.
    pub fn is_any(&self) -> bool {
        self.service.is_some() || self.operations.is_some() || self.region.is_some()
    }

    /// Whether a call to `service`'s `operation` in `region` is one of the point's. A part the
    /// point names must be known and equal (an operation the client could not tell is not
    /// matched by a point that names operations); a part it leaves out matches anything.
    pub fn matches(
        &self,
        service: Option<&str>,
        operation: Option<&str>,
        region: Option<&str>,
    ) -> bool {
        let service_ok = self.service().is_none_or(|s| service == Some(s));
        let region_ok = self.region().is_none_or(|r| region == Some(r));
        let operation_ok = self
            .operations()
            .is_none_or(|mut ops| operation.is_some_and(|op| ops.any(|o| o == op)));
        service_ok && operation_ok && region_ok
    }

    /// The target from the keys as written; every broken rule goes to `errors`.
    pub(crate) fn parse(
        service: Option<&str>,
        operations: Option<&[String]>,
        region: Option<&str>,
        errors: &mut Vec<SpecError>,
    ) -> AwsTarget {
        let mut keep =
            |result: Result<Cow<'static, str>, SpecError>| result.map_err(|e| errors.push(e)).ok();
        let service = service.and_then(|s| keep(check_service(s)));
        let region = region.and_then(|r| keep(check_region(r)));
        let operations = operations.and_then(|ops| {
            if ops.is_empty() {
                keep(Err(SpecError::new(
                    Key::AwsOperations,
                    "`aws_operations` needs at least one operation, such as \"PutItem\"; leave it out to match every operation",
                )));
                return None;
            }
            let checked: Vec<_> = ops.iter().filter_map(|op| keep(check_operation(op))).collect();
            (checked.len() == ops.len()).then_some(Cow::Owned(checked))
        });
        AwsTarget {
            service,
            operations,
            region,
        }
    }
}

/// Services whose signing names are checked for near misses: the ones serverless code calls
/// most. A name that is none of them but close to one (`dynamo`, `lamda`) is refused with the
/// right one; any other well-formed signing name is accepted, since the SDK has hundreds and
/// chaos does not embed their models.
pub const WELL_KNOWN_SERVICES: &[&str] = &[
    "dynamodb",
    "lambda",
    "kinesis",
    "firehose",
    "states",
    "events",
    "scheduler",
    "secretsmanager",
    "appconfig",
    "cloudformation",
    "cognito-idp",
    "cognito-identity",
    "execute-api",
    "apigateway",
    "bedrock",
    "sagemaker",
    "monitoring",
    "elasticache",
    "rds-data",
    "redshift-data",
    "timestream",
    "textract",
    "rekognition",
    "comprehend",
    "translate",
    "cloudfront",
    "route53",
    "elasticloadbalancing",
];

/// A signing name: lowercase letters, digits and dashes (`dynamodb`, `s3`, `cognito-idp`).
fn check_service(service: &str) -> Result<Cow<'static, str>, SpecError> {
    let well_formed = !service.is_empty()
        && service.len() <= 64
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    // `aws_sdk_dynamodb` and `aws-sdk-dynamodb` (the crate) are `dynamodb`.
    let lower = service.to_ascii_lowercase().replace(['_', ' '], "-");
    let lower = lower.strip_prefix("aws-sdk-").unwrap_or(&lower).to_string();
    // The crate's name (`aws-sdk-dynamodb`) is not the service's.
    if !well_formed || service.starts_with("aws-sdk-") {
        let hint = if lower
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !lower.is_empty()
        {
            format!("; did you mean {}?", super::quoted(&lower))
        } else {
            String::new()
        };
        return Err(SpecError::new(
            Key::AwsService,
            format!(
                "`aws_service` must be the service's signing name in lowercase, such as \"dynamodb\", \"s3\" or \"sqs\", found {}{hint}",
                super::quoted(service)
            ),
        ));
    }
    if service.len() >= 5 && !WELL_KNOWN_SERVICES.contains(&service) {
        // By edits, not by a shared prefix: `kinesisvideo` and `elasticfilesystem` are services
        // of their own, `dynamo` and `lamda` are typos.
        let close = WELL_KNOWN_SERVICES
            .iter()
            .find(|known| strsim::damerau_levenshtein(service, known) <= 2);
        if let Some(close) = close {
            return Err(SpecError::new(
                Key::AwsService,
                format!(
                    "unknown service {} in `aws_service`; did you mean \"{close}\"? (the signing name, as in the SDK's requests)",
                    super::quoted(service)
                ),
            ));
        }
    }
    Ok(Cow::Owned(service.to_string()))
}

/// An operation as the service names it: PascalCase (`PutItem`), not the SDK's method name.
fn check_operation(operation: &str) -> Result<Cow<'static, str>, SpecError> {
    let mut chars = operation.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_alphanumeric())
        && operation.len() <= 128;
    if well_formed {
        return Ok(Cow::Owned(operation.to_string()));
    }
    // `put_item` (the SDK's method) is the operation `PutItem`.
    let pascal: String = operation
        .split('_')
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut cs = part.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect();
    let hint = if !pascal.is_empty() && pascal.chars().all(|c| c.is_ascii_alphanumeric()) {
        format!("; did you mean \"{pascal}\"?")
    } else {
        String::new()
    };
    Err(SpecError::new(
        Key::AwsOperations,
        format!(
            "`aws_operations` names operations as the service does, in PascalCase, such as \"PutItem\" (the SDK's `put_item`), found {}{hint}",
            super::quoted(operation)
        ),
    ))
}

/// A region code: `us-east-1`, `eu-central-2`, `us-gov-west-1`, `cn-north-1`.
fn check_region(region: &str) -> Result<Cow<'static, str>, SpecError> {
    let parts: Vec<&str> = region.split('-').collect();
    let well_formed = parts.len() >= 3
        && parts[0].len() == 2
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|n| (1..=2).contains(&n.len()) && n.bytes().all(|b| b.is_ascii_digit()));
    if well_formed {
        return Ok(Cow::Owned(region.to_string()));
    }
    let lower = region.to_ascii_lowercase();
    let hint = if lower != region && check_region(&lower).is_ok() {
        format!("; did you mean \"{lower}\"?")
    } else {
        String::new()
    };
    Err(SpecError::new(
        Key::AwsRegion,
        format!(
            "`aws_region` must be a region code such as \"us-east-1\" or \"eu-west-1\", found {}{hint}",
            super::quoted(region)
        ),
    ))
}

/// "; did you mean `x`?" for the closest of `candidates`, or nothing.
fn hint<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, candidates)
        .first()
        .map(|c| format!("; did you mean \"{c}\"?"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(service: Option<&str>, ops: Option<&[&str]>, region: Option<&str>) -> Vec<String> {
        let ops: Option<Vec<String>> = ops.map(|o| o.iter().map(|s| s.to_string()).collect());
        let mut errors = Vec::new();
        AwsTarget::parse(service, ops.as_deref(), region, &mut errors);
        errors
            .into_iter()
            .map(|e| e.message().to_string())
            .collect()
    }

    #[test]
    fn well_formed_parts_pass() {
        assert!(target(Some("dynamodb"), Some(&["PutItem"]), Some("us-east-1")).is_empty());
        assert!(target(Some("cognito-idp"), None, Some("us-gov-west-1")).is_empty());
        // Services chaos does not list, far from every listed one by edits.
        for service in [
            "iot",
            "kinesisvideo",
            "elasticfilesystem",
            "sagemaker-geospatial",
        ] {
            assert!(
                target(Some(service), None, Some("cn-north-1")).is_empty(),
                "{service}"
            );
        }
    }

    #[test]
    fn near_misses_and_shapes_are_refused_with_the_right_spelling() {
        let e = target(Some("DynamoDB"), None, None);
        assert!(e[0].contains("did you mean \"dynamodb\""), "{e:?}");
        let e = target(Some("dynamo"), None, None);
        assert!(e[0].contains("did you mean \"dynamodb\""), "{e:?}");
        for crate_name in ["aws-sdk-dynamodb", "aws_sdk_dynamodb"] {
            let e = target(Some(crate_name), None, None);
            assert!(e[0].contains("did you mean \"dynamodb\""), "{e:?}");
        }
        let e = target(None, Some(&["put_item"]), None);
        assert!(e[0].contains("did you mean \"PutItem\""), "{e:?}");
        let e = target(None, Some(&[]), None);
        assert!(e[0].contains("at least one operation"), "{e:?}");
        let e = target(None, None, Some("US-EAST-1"));
        assert!(e[0].contains("did you mean \"us-east-1\""), "{e:?}");
        let e = target(None, None, Some("us-east"));
        assert!(e[0].contains("region code"), "{e:?}");
    }

    #[test]
    fn the_key_names_every_kind() {
        for kind in AwsError::ALL {
            let quoted = format!("\"{}\"", kind.as_str());
            assert!(Key::AwsError.expects().contains(&quoted), "{quoted}");
        }
    }

    #[test]
    fn kinds_are_a_closed_set() {
        let e = AwsError::parse("throttle").unwrap_err();
        assert!(e.message().contains("did you mean \"throttling\""), "{e}");
        for kind in AwsError::ALL {
            assert_eq!(AwsError::parse(kind.as_str()), Ok(kind));
        }
    }

    #[test]
    fn a_named_operation_is_not_matched_by_an_unknown_one() {
        let mut errors = Vec::new();
        let t = AwsTarget::parse(None, Some(&["PutItem".to_string()]), None, &mut errors);
        assert!(t.matches(Some("dynamodb"), Some("PutItem"), None));
        assert!(!t.matches(Some("dynamodb"), None, None));
        assert!(AwsTarget::default().matches(None, None, None));
    }
}
