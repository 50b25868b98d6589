//! The rules that depend on the point a spec belongs to, not on its values alone: which keys
//! replace the function's return value (so its type must carry a fault), and which keys a
//! run-time configuration may lay over a compiled point. The attribute asks them at compile time,
//! the configuration at run time, so both say the same thing in the same words.

use super::error::SpecError;
use super::input::SpecInput;
use super::key::Key;
use super::model::{FaultSpec, Outcome};

impl Key {
    /// Whether a fault of this key replaces the function's return value (a status, an error, a
    /// timeout, a throttled call's 429), so that the return type must be able to carry it.
    ///
    /// ```
    /// use chaos_core::spec::Key;
    ///
    /// assert!(Key::Status.replaces_return_value());
    /// assert!(!Key::LatencyMs.replaces_return_value());
    /// ```
    pub const fn replaces_return_value(self) -> bool {
        matches!(
            self,
            Key::Status | Key::Error | Key::TimeoutMs | Key::Timeout | Key::MaxConcurrency
        )
    }

    /// Whether the expansion of this key must name the function's return type: the keys that
    /// replace the return value with a fault, and `value`, whose expression is checked against
    /// that type (it needs no fault in it, so it is not [`replaces_return_value`]).
    ///
    /// [`replaces_return_value`]: Key::replaces_return_value
    ///
    /// ```
    /// use chaos_core::spec::Key;
    ///
    /// assert!(Key::Value.names_return_type());
    /// assert!(!Key::Value.replaces_return_value());
    /// assert!(!Key::Panic.names_return_type());
    /// ```
    pub const fn names_return_type(self) -> bool {
        self.replaces_return_value() || matches!(self, Key::Value)
    }
}

impl FaultSpec {
    /// The key whose fault the function's return type must carry, if any: the outcome's, when it
    /// replaces the return value, or else `max_concurrency` (a throttled call answers 429).
    ///
    /// ```
    /// use chaos_core::spec::{validate, Key, SpecInput};
    ///
    /// let mut input = SpecInput::default();
    /// input.status = Some(503);
    /// assert_eq!(validate(&input).unwrap().return_key(), Some(Key::Status));
    /// let mut input = SpecInput::default();
    /// input.panic = Some("boom".into());
    /// let spec = validate(&input).unwrap();
    /// assert_eq!(spec.return_key(), None);
    /// ```
    pub fn return_key(&self) -> Option<Key> {
        self.outcome()
            .map(Outcome::key)
            .filter(|key| key.replaces_return_value())
            .or_else(|| self.max_concurrency().map(|_| Key::MaxConcurrency))
    }

    /// Whether the function's return type was checked to carry a fault, so that a run-time
    /// configuration may give the point a `status`, `error` or `timeout_ms` (`max_concurrency`
    /// only where [`holds_place`](Self::holds_place), `timeout` only where declared).
    pub fn carries_outcome(&self) -> bool {
        self.return_key().is_some()
    }

    /// Whether a function's call holds a place under `max_concurrency` from its start to its
    /// end: only where its attribute declares `max_concurrency`, so that the futures of the
    /// others carry nothing with drop glue through their body (which would cost a copy of every
    /// return value), and a configuration can give a limit only to such a point.
    ///
    /// ```
    /// use chaos_core::spec::{validate, SpecInput};
    ///
    /// let mut input = SpecInput::default();
    /// input.status = Some(503);
    /// assert!(!validate(&input).unwrap().holds_place());
    /// input.max_concurrency = Some(10);
    /// assert!(validate(&input).unwrap().holds_place());
    /// ```
    pub fn holds_place(&self) -> bool {
        self.max_concurrency().is_some()
    }
}

/// `deny_hosts` on a function (`subject` names it): it fails requests by their host, and only a
/// layer's point sees requests.
pub fn deny_hosts_on_function(subject: &str) -> SpecError {
    SpecError::new(
        Key::DenyHosts,
        format!(
            "`deny_hosts` cannot be given to `{subject}`: it is a function, which sees no request host; declare a point with `chaos::point!(name = \"...\", deny_hosts = [...])` and put it in a `ChaosLayer` around the client"
        ),
    )
}

/// An AWS key (`key`) on a function (`subject` names it): only an SDK client's calls have a
/// service, an operation and a region, and only its answers an AWS error.
pub fn aws_on_function(key: Key, subject: &str) -> SpecError {
    SpecError::new(
        key,
        format!(
            "`{key}` cannot be given to `{subject}`: it is a function, not an AWS SDK call; declare a point with `chaos::point!(name = \"...\", aws_error = \"throttling\", ...)` and give it to `chaos::aws_sdk::http_client` (feature `aws-sdk`)"
        ),
    )
}

/// `strip_cors` on a function (`subject` names it): it takes the CORS headers off a response on
/// its way out of a `ChaosLayer`, and a function's return value has no headers chaos can see.
pub fn strip_cors_on_function(subject: &str) -> SpecError {
    SpecError::new(
        Key::StripCors,
        format!(
            "`strip_cors` cannot be given to `{subject}`: it is a function, whose answer chaos sees no headers of; declare a point with `chaos::point!(name = \"...\", strip_cors)` and put it in a `ChaosLayer` around the routes (outside their CORS layer)"
        ),
    )
}

/// `value` on a layer's point (`subject` names it): a layer has no return value to replace.
pub fn value_on_layer(subject: &str) -> SpecError {
    SpecError::new(
        Key::Value,
        format!(
            "`value` cannot be given to `{subject}`: it is a layer's point, which has no return value to replace; put `#[chaos(value = ...)]` on the function whose answer should be wrong"
        ),
    )
}

/// `value` given at run time to a function (`subject` names it) whose attribute declares none:
/// there is no expression to return.
pub fn value_not_declared(subject: &str) -> SpecError {
    SpecError::new(
        Key::Value,
        format!(
            "`value` cannot be given to `{subject}` at run time: its attribute declares no `value = ...`, and what a `value` fault returns is a Rust expression in the attribute, type-checked against the function's return type when it is compiled; a configuration can only switch a declared `value` on and off and change its rate"
        ),
    )
}

/// `max_concurrency` given at run time to a function (`subject` names it) whose attribute
/// declares none: its calls hold no place in flight to count.
pub fn max_concurrency_not_declared(subject: &str) -> SpecError {
    SpecError::new(
        Key::MaxConcurrency,
        format!(
            "`max_concurrency` cannot be given to `{subject}` at run time: its attribute declares none, and only a function whose attribute declares `max_concurrency` holds a place in flight from its start to its end (what makes the limit exact; the others carry nothing through their body); add `max_concurrency = N` to the attribute, and a configuration can then change N"
        ),
    )
}

/// `key` replaces the return value of a function whose type hides it (`impl Trait`).
pub fn opaque_return(key: Key) -> SpecError {
    SpecError::new(
        key,
        format!(
            "`{key}` replaces the function's return value, so `#[chaos]` must be able to name its type, and `impl Trait` hides it: return a concrete type, or inject `latency_ms` or `panic` only"
        ),
    )
}

/// What a compiled point is, as far as the keys it may be given at run time are concerned.
#[derive(Debug, Clone, Copy)]
pub struct PointShape<'a> {
    /// The point's name, for the messages.
    pub name: &'a str,
    /// The spec its attribute (or `chaos::point!`) declared.
    pub declared: &'a FaultSpec,
    /// Declared by `chaos::point!` for a `ChaosLayer` rather than by `#[chaos]` on a function.
    pub layer: bool,
}

impl PointShape<'_> {
    /// Every key of the override `over` that this point cannot take, with why. The values
    /// themselves are [`validate`](super::validate)'s to check, on the overlaid spec.
    ///
    /// ```
    /// use chaos_core::spec::{validate, Key, PointShape, SpecInput};
    ///
    /// let mut input = SpecInput::default();
    /// input.latency_ms = Some(chaos_core::spec::LatencyInput::Fixed(10));
    /// let declared = validate(&input).unwrap();
    /// let shape = PointShape { name: "app::f", declared: &declared, layer: false };
    /// let mut over = SpecInput::default();
    /// over.status = Some(503);
    /// let refused = shape.refused(&over);
    /// assert_eq!(refused[0].key(), Some(Key::Status));
    /// ```
    pub fn refused(&self, over: &SpecInput) -> Vec<SpecError> {
        let name = self.name;
        let mut refused = Vec::new();
        // A layer answers a fault with a response or an error, whichever its service takes.
        if !(self.layer || self.declared.carries_outcome()) {
            // `timeout` and `max_concurrency` have stricter rules of their own below (the
            // attribute must say `timeout`, or declare `max_concurrency`).
            let carrying = Key::ALL.into_iter().filter(|key| {
                key.replaces_return_value() && !matches!(key, Key::Timeout | Key::MaxConcurrency)
            });
            for key in carrying.filter(|key| over.names(*key)) {
                refused.push(SpecError::new(
                    key,
                    format!("`{key}` cannot be given to `{name}`: its attribute declares no `status`, `error`, `timeout_ms`, `timeout` or `max_concurrency`, so its return type was never checked to carry a fault (add one to the attribute, with `rate = 0.0` if it should not fire by default)"),
                ));
            }
        }
        if over.names(Key::MaxConcurrency) && !self.layer && !self.declared.holds_place() {
            refused.push(max_concurrency_not_declared(name));
        }
        let merged = self.declared.to_input().overlay(over);
        // A layer can always wait for the inner service's answer before replacing it.
        if merged.when.as_deref() == Some("after") && !self.declared.after() && !self.layer {
            refused.push(SpecError::new(
                Key::When,
                format!("`when = \"after\"` cannot be given to `{name}` at run time: only a point whose attribute says `when = \"after\"` runs its body before the outcome"),
            ));
        }
        if over.timeout == Some(true)
            && !matches!(self.declared.outcome(), Some(Outcome::Deadline { .. }))
        {
            refused.push(SpecError::new(
                Key::Timeout,
                format!("`timeout` cannot be given to `{name}` at run time: only a point whose attribute says `timeout` reads an invocation deadline; use `timeout_ms` for a fixed hang"),
            ));
        }
        if over.deny_hosts.is_some() && !self.layer {
            refused.push(deny_hosts_on_function(name));
        }
        if !self.layer {
            let aws = [
                Key::AwsError,
                Key::AwsService,
                Key::AwsOperations,
                Key::AwsRegion,
            ];
            for key in aws.into_iter().filter(|key| over.names(*key)) {
                refused.push(aws_on_function(key, name));
            }
        }
        if over.strip_cors.is_some() && !self.layer {
            refused.push(strip_cors_on_function(name));
        }
        if over.value == Some(true) && self.declared.outcome() != Some(&Outcome::Value) {
            refused.push(if self.layer {
                value_on_layer(name)
            } else {
                value_not_declared(name)
            });
        }
        refused
    }
}
