//! [`Fault`]: the error an injected fault produces.
//!
//! This layer turns what the spec says into what the caller sees: the [`Fault`] value, the
//! return types that can carry one ([`FaultReturn`], and the autoref dispatch in `dispatch` that
//! picks the conversion for a function's return type), and where a `timeout` reads the
//! invocation's deadline ([`InvocationDeadline`]). It imports only `spec`.

use std::borrow::Cow;
use std::fmt;

use crate::spec::{AwsError, Outcome};

mod deadline;
pub mod dispatch;
mod fault_return;

pub use deadline::{InvocationDeadline, deadline_of};
pub use fault_return::FaultReturn;

/// What kind of fault was injected.
///
/// ```
/// use chaos_core::{Fault, FaultKind};
///
/// let fault = Fault::new("api::get", FaultKind::Error("store unavailable".into()));
/// match fault.kind() {
///     FaultKind::Status(code) => println!("answered {code}"),
///     FaultKind::Error(message) => assert_eq!(message, "store unavailable"),
///     other => println!("{other:?}"),
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// An HTTP status code (`status = 503`).
    Status(u16),
    /// An error with a message (`error = "..."`).
    Error(Cow<'static, str>),
    /// A panic with a message (`panic = "..."`).
    Panic(Cow<'static, str>),
    /// The call hung until it timed out (`timeout_ms`): answered as HTTP 504.
    Timeout {
        /// How long the call hung.
        after_ms: u64,
    },
    /// More calls in flight than `max_concurrency` allows: answered as HTTP 429.
    Throttled {
        /// The limit that was exceeded.
        limit: u64,
    },
    /// The attribute's `value` expression was returned in place of the body's result (never seen
    /// by the function's caller, which gets that value).
    Value,
    /// A request to a host on the point's `deny_hosts` list, failed as if the host were
    /// unreachable: answered as HTTP 502.
    Unreachable {
        /// The host the request was for.
        host: Cow<'static, str>,
    },
    /// An AWS error (`aws_error`): what an SDK client's faulted call gets in the service's own
    /// wire format; anywhere else (a `ChaosLayer`'s answer), the nearest HTTP status.
    Aws(AwsError),
}

impl From<Outcome> for FaultKind {
    fn from(outcome: Outcome) -> FaultKind {
        match outcome {
            Outcome::Status(code) => FaultKind::Status(code),
            Outcome::Error(message) => FaultKind::Error(message),
            Outcome::Panic(message) => FaultKind::Panic(message),
            Outcome::Value => FaultKind::Value,
            Outcome::Timeout(after_ms) => FaultKind::Timeout { after_ms },
            // Resolved against the invocation's deadline before it becomes a fault; without
            // one, the call times out at once.
            Outcome::Deadline { .. } => FaultKind::Timeout { after_ms: 0 },
            // Resolved against the request's host before it becomes a fault.
            Outcome::Unreachable(_) => FaultKind::Unreachable {
                host: Cow::Borrowed(""),
            },
            Outcome::Aws(error) => FaultKind::Aws(error),
        }
    }
}

/// The error an injected fault produces: which injection point, and what was injected.
///
/// A function annotated with `#[chaos(error = "...")]` or `#[chaos(status = ...)]` that returns
/// `Result<T, E>` gets `Err(E::from(fault))`, so any `E: From<Fault>` works: `Box<dyn Error + Send
/// + Sync>`, `anyhow::Error`, or an error enum of your own. Matching on a `Fault` (for example with
/// `downcast_ref`) tells an injected failure from a real one.
///
/// ```
/// use chaos_core::{Fault, FaultKind};
///
/// let fault = Fault::new("shop::orders::create", FaultKind::Status(503));
/// assert_eq!(fault.point(), "shop::orders::create");
/// assert_eq!(fault.status(), Some(503));
/// assert_eq!(fault.to_string(), "chaos: injected status 503 at `shop::orders::create`");
///
/// let boxed: Box<dyn std::error::Error + Send + Sync> = fault.into();
/// assert!(boxed.downcast_ref::<Fault>().is_some());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    point: &'static str,
    kind: FaultKind,
}

impl Fault {
    /// A fault of `kind` injected at the point named `point`.
    pub const fn new(point: &'static str, kind: FaultKind) -> Fault {
        Fault { point, kind }
    }

    /// The name of the injection point that produced this fault.
    pub const fn point(&self) -> &'static str {
        self.point
    }

    /// What was injected.
    pub const fn kind(&self) -> &FaultKind {
        &self.kind
    }

    /// The injected status code, for a status fault (429 for a throttled call, 504 for a timeout,
    /// 502 for an unreachable host).
    pub const fn status(&self) -> Option<u16> {
        match self.kind {
            FaultKind::Status(code) => Some(code),
            FaultKind::Throttled { .. } => Some(429),
            FaultKind::Timeout { .. } => Some(504),
            FaultKind::Unreachable { .. } => Some(502),
            FaultKind::Aws(error) => Some(error.status()),
            _ => None,
        }
    }

    /// The injected message, for an error or panic fault.
    pub fn message(&self) -> Option<&str> {
        match &self.kind {
            FaultKind::Error(message) | FaultKind::Panic(message) => Some(message),
            FaultKind::Status(_)
            | FaultKind::Throttled { .. }
            | FaultKind::Timeout { .. }
            | FaultKind::Value
            | FaultKind::Unreachable { .. }
            | FaultKind::Aws(_) => None,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let point = self.point;
        match &self.kind {
            FaultKind::Status(code) => write!(f, "chaos: injected status {code} at `{point}`"),
            FaultKind::Error(message) => write!(f, "chaos: injected error at `{point}`: {message}"),
            FaultKind::Panic(message) => write!(f, "chaos: injected panic at `{point}`: {message}"),
            FaultKind::Timeout { after_ms } => write!(
                f,
                "chaos: injected timeout at `{point}` after {after_ms} ms (status 504)"
            ),
            FaultKind::Throttled { limit } => write!(
                f,
                "chaos: throttled at `{point}`: more than {limit} calls in flight (status 429)"
            ),
            FaultKind::Value => write!(
                f,
                "chaos: injected the attribute's value at `{point}` in place of the body's result"
            ),
            FaultKind::Unreachable { host } => write!(
                f,
                "chaos: host `{host}` made unreachable at `{point}` (deny_hosts, status 502)"
            ),
            FaultKind::Aws(error) => write!(
                f,
                "chaos: injected AWS error `{}` at `{point}`",
                error.as_str()
            ),
        }
    }
}

impl std::error::Error for Fault {}
