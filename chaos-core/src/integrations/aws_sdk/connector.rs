//! The connector in front of the SDK's own: one decision per attempt, and the faulted attempt's
//! answer (synthetic response, connection failure, timeout) without the inner connector.

use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;

use super::OPERATION_HEADER;
use super::call::Call;
use super::wire;
use crate::fault::dispatch::panic_if_panic;
use crate::fault::{Fault, FaultKind};
use crate::runtime::data::delay::Delay;
use crate::runtime::data::{Permit, Point};
use crate::spec::AwsError;

/// `inner` with `points` in front of it, for connections made with `settings`.
pub(super) fn wrap(
    inner: SharedHttpConnector,
    points: &[&'static Point],
    settings: &HttpConnectorSettings,
) -> SharedHttpConnector {
    SharedHttpConnector::new(ChaosConnector {
        inner,
        points: points.to_vec(),
        read_timeout: settings.read_timeout(),
    })
}

#[derive(Debug)]
struct ChaosConnector {
    inner: SharedHttpConnector,
    points: Vec<&'static Point>,
    /// How long the client waits for an answer: what an `aws_error = "timeout"` without
    /// `latency_ms` waits before it times out.
    read_timeout: Option<Duration>,
}

impl HttpConnector for ChaosConnector {
    fn call(&self, mut request: HttpRequest) -> HttpConnectorFuture {
        if self.points.is_empty() {
            // The interceptor's header goes no further, points or not.
            request.headers_mut().remove(OPERATION_HEADER);
            return self.inner.call(request);
        }
        let call = Call::of(&mut request);
        let host = host_of(request.uri()).map(str::to_string);
        // What the points that let the attempt through add to it: their places under
        // `max_concurrency`, held until its answer is in, and their delays.
        let mut held = Vec::new();
        let mut latency = Duration::ZERO;
        for &point in &self.points {
            let (service, operation) = (call.service.as_deref(), call.operation.as_deref());
            if !point.aws_selects(service, operation, call.region.as_deref())
                || point.denies(host.as_deref()) == Some(false)
            {
                continue;
            }
            let permit = match point.permit() {
                Ok(permit) => permit,
                // The service's own throttling, as when its capacity is exhausted.
                Err(_) => {
                    let answer = wire::answer(&call, AwsError::Throttling, point.name());
                    return HttpConnectorFuture::ready(Ok(answer));
                }
            };
            if permit.holds() {
                held.push(permit);
            }
            let Some(faulted) = point.decide() else {
                continue;
            };
            latency += faulted.latency();
            let after = faulted.after();
            // A point with an outcome answers the attempt; one with a delay only (or a
            // `deny_hosts` for another host) lets the next points decide too, as stacked
            // attributes do.
            if let Some(fault) = faulted.into_fault_for_host(host.as_deref()) {
                let answer = Answer {
                    call,
                    fault,
                    point: point.name(),
                    latency,
                };
                return self.answer(request, answer, after, held);
            }
        }
        if held.is_empty() && latency.is_zero() {
            return self.inner.call(request);
        }
        // Called once the delay is over: a connector may start sending as soon as it is called.
        let inner = self.inner.clone();
        // The first point's name for a delay's messages (a runtime without a timer).
        let name = self.points[0].name();
        HttpConnectorFuture::new(async move {
            Delay::new(name, latency).await;
            let answer = inner.call(request).await;
            drop(held);
            answer
        })
    }
}

/// The fault that answers an attempt, and what comes with it.
struct Answer {
    call: Call,
    fault: Fault,
    point: &'static str,
    /// Every delay the points added to the attempt.
    latency: Duration,
}

impl ChaosConnector {
    /// The attempt answered by `answer.fault` after the delays, in place of the inner
    /// connector's answer, or, `when = "after"`, once the inner connector has answered: the
    /// request reached the service, and its answer is lost on the way back.
    fn answer(
        &self,
        request: HttpRequest,
        answer: Answer,
        after: bool,
        held: Vec<Permit>,
    ) -> HttpConnectorFuture {
        let Answer {
            call,
            fault,
            point,
            mut latency,
        } = answer;
        // A timeout with no delay of its own waits as long as the client would.
        if matches!(fault.kind(), FaultKind::Aws(AwsError::Timeout)) && latency.is_zero() {
            latency = self.read_timeout.unwrap_or(Duration::ZERO);
        }
        let inner = after.then(|| self.inner.call(request));
        HttpConnectorFuture::new(async move {
            if let Some(inner) = inner {
                // The work is done; its answer is dropped.
                drop(inner.await);
            }
            Delay::new(point, latency).await;
            drop(held);
            settle(&call, fault, point)
        })
    }
}

/// The answer a fault gives the SDK: a response in the service's wire format, or the connector
/// error a failed connection or a timeout is.
fn settle(call: &Call, fault: Fault, point: &str) -> Result<HttpResponse, ConnectorError> {
    panic_if_panic(&fault);
    let error = match fault.kind() {
        FaultKind::Aws(error) => Some(*error),
        FaultKind::Status(status) => wire::error_of_status(*status),
        FaultKind::Throttled { .. } => Some(AwsError::Throttling),
        FaultKind::Unreachable { .. } => Some(AwsError::ConnectionRefused),
        FaultKind::Timeout { .. } => Some(AwsError::Timeout),
        _ => None,
    };
    match (error, fault.kind()) {
        (Some(AwsError::ConnectionRefused), _) => Err(ConnectorError::io(Box::new(fault))),
        (Some(AwsError::Timeout), _) => Err(ConnectorError::timeout(Box::new(fault))),
        (Some(error), _) => Ok(wire::answer(call, error, point)),
        // A status of no AWS meaning of its own: that status, which the SDK classifies by itself
        // (5xx retried).
        (None, FaultKind::Status(status)) => {
            Ok(wire::response(call, *status, "ChaosInjectedStatus", point))
        }
        // `error = "..."`: the client failed, not the service (not retried).
        (None, _) => Err(ConnectorError::other(Box::new(fault), None)),
    }
}

/// The host of `uri` (`http://127.0.0.1:5000/` gives `127.0.0.1`), for `deny_hosts`.
fn host_of(uri: &str) -> Option<&str> {
    let rest = uri.split_once("://").map_or(uri, |(_, rest)| rest);
    let authority = rest.split(['/', '?']).next()?;
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match authority.rfind(':') {
        Some(colon) if !authority[colon..].contains(']') => &authority[..colon],
        _ => authority,
    };
    (!host.is_empty()).then_some(host)
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_of_uris() {
        assert_eq!(host_of("http://127.0.0.1:5000/"), Some("127.0.0.1"));
        assert_eq!(
            host_of("https://dynamodb.eu-west-1.amazonaws.com"),
            Some("dynamodb.eu-west-1.amazonaws.com")
        );
        assert_eq!(host_of("https://[::1]:443/x?y"), Some("[::1]"));
        assert_eq!(
            host_of("https://bucket.s3.amazonaws.com/key"),
            Some("bucket.s3.amazonaws.com")
        );
    }
}
