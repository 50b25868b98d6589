//! The value rules of a spec: [`validate`] checks every key and the combinations of keys.

use std::borrow::Cow;

use super::aws::{AwsError, AwsTarget};
use super::error::SpecError;
use super::hosts::HostPatterns;
use super::input::{LatencyInput, SpecInput};
use super::key::Key;
use super::model::{FaultSpec, Latency, Outcome, Trigger, fault_spec};

/// The valid HTTP status codes for `status`.
pub const STATUS_RANGE: std::ops::RangeInclusive<i128> = 100..=599;

/// Checks every rule and returns the spec, or every broken rule at once.
///
/// ```
/// use chaos_core::spec::{validate, Key, SpecInput};
///
/// let mut input = SpecInput::default();
/// (input.status, input.rate) = (Some(503), Some(0.1));
/// assert!(validate(&input).is_ok());
///
/// input.status = Some(600);
/// let errors = validate(&input).unwrap_err();
/// assert_eq!(errors[0].key(), Some(Key::Status));
/// assert_eq!(errors[0].message(), "`status` must be an HTTP status code in 100..=599, found 600");
/// ```
pub fn validate(input: &SpecInput) -> Result<FaultSpec, Vec<SpecError>> {
    let mut errors = Vec::new();
    let latency = input
        .latency_ms
        .and_then(|l| record(&mut errors, validate_latency(l)));
    let cold_start_ms = input
        .cold_start_ms
        .and_then(|ms| record(&mut errors, milliseconds(Key::ColdStartMs, ms)));
    let outcome = validate_outcome(input, &mut errors);
    let trigger = validate_trigger(input, &mut errors);
    let after = match input.when.as_deref() {
        None | Some("before") => false,
        Some("after") => {
            if !input.names_outcome() {
                errors.push(SpecError::new(
                    Key::When,
                    "`when = \"after\"` replaces the body's result once it has run, so it needs an outcome: `status`, `error`, `panic`, `value`, `timeout_ms` or `timeout` (or `deny_hosts` or `aws_error`, on a layer's point)",
                ));
            }
            true
        }
        Some(other) => {
            errors.push(SpecError::new(
                Key::When,
                format!(
                    "`when` must be \"before\" or \"after\", found {}",
                    super::quoted(other)
                ),
            ));
            false
        }
    };
    let max_concurrency = input.max_concurrency.and_then(|n| {
        bounded(&mut errors, Key::MaxConcurrency, n, 1..=MAX_U64, || {
            format!("`max_concurrency` must be an integer >= 1 (the calls allowed in flight at once), found {n}")
        })
    });
    let disk_fill_mb = input.disk_fill_mb.and_then(|mb| {
        bounded(&mut errors, Key::DiskFillMb, mb, 1..=MAX_DISK_FILL_MB, || {
            format!("`disk_fill_mb` must be a number of MiB from 1 to {MAX_DISK_FILL_MB}, found {mb}")
        })
    });
    if input.strip_cors == Some(false) {
        errors.push(SpecError::new(
            Key::StripCors,
            "`strip_cors` is either `true` or left out; to stop stripping, name another fault or set `enabled` to false",
        ));
    }
    if !Key::ALL
        .into_iter()
        .any(|key| key.declares_fault() && input.names(key))
    {
        errors.push(SpecError::whole(
            "no fault to inject: give at least one of `latency_ms`, `cold_start_ms`, `max_concurrency`, `disk_fill_mb`, `status`, `error`, `panic`, `value`, `timeout_ms`, `timeout`, `deny_hosts`, `strip_cors` or `aws_error`",
        ));
    }
    let aws = AwsTarget::parse(
        input.aws_service.as_deref(),
        input.aws_operations.as_deref(),
        input.aws_region.as_deref(),
        &mut errors,
    );
    if errors.is_empty() {
        Ok(fault_spec(
            latency,
            outcome,
            trigger.unwrap_or(Trigger::Rate(1.0)),
            cold_start_ms,
            after,
            max_concurrency,
            disk_fill_mb,
            aws,
            input.strip_cors == Some(true),
        ))
    } else {
        Err(errors)
    }
}

/// The largest `disk_fill_mb`: 1 TiB. A larger fill is a typo, and the fill is capped by the free
/// space anyway.
pub const MAX_DISK_FILL_MB: i128 = 1 << 20;

/// How long before the deadline a `timeout` fault gives up, unless `timeout_buffer_ms` says: time
/// for the handler to send its timeout answer before the platform ends the invocation.
pub const DEFAULT_TIMEOUT_BUFFER_MS: u64 = 100;

/// Checks a point name (from `name = "..."` or a configuration).
pub fn validate_name(name: &str) -> Result<(), SpecError> {
    if name.trim().is_empty() {
        Err(SpecError::new(
            Key::Name,
            "`name` must not be empty: it identifies the injection point in configuration and logs",
        ))
    } else {
        Ok(())
    }
}

/// The largest value of an integer key.
const MAX_U64: i128 = u64::MAX as i128;

/// `value` if it lies in `range` (a subrange of `u64`'s), else `why()` recorded as an error on
/// `key`.
fn bounded(
    errors: &mut Vec<SpecError>,
    key: Key,
    value: i128,
    range: std::ops::RangeInclusive<i128>,
    why: impl FnOnce() -> String,
) -> Option<u64> {
    if range.contains(&value) {
        u64::try_from(value).ok()
    } else {
        errors.push(SpecError::new(key, why()));
        None
    }
}

fn record<T>(errors: &mut Vec<SpecError>, result: Result<T, SpecError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

const MAX_LATENCY_MS: i128 = u64::MAX as i128;

/// A number of milliseconds for `key`: from 0 to `u64::MAX`.
fn milliseconds(key: Key, v: i128) -> Result<u64, SpecError> {
    if (0..=MAX_LATENCY_MS).contains(&v) {
        Ok(v as u64)
    } else if v < 0 {
        Err(SpecError::new(
            key,
            format!("`{key}` must be a non-negative number of milliseconds, found {v}"),
        ))
    } else {
        Err(SpecError::new(
            key,
            format!("`{key}` must be at most {MAX_LATENCY_MS} milliseconds, found {v}"),
        ))
    }
}

fn validate_latency(input: LatencyInput) -> Result<Latency, SpecError> {
    let bound = |v: i128| milliseconds(Key::LatencyMs, v);
    match input {
        LatencyInput::Fixed(ms) => bound(ms).map(|ms| Latency::new(ms, ms)),
        LatencyInput::Range {
            start,
            end,
            inclusive,
        } => {
            let (lo, hi) = (bound(start)?, bound(end)?);
            let op = if inclusive { "..=" } else { ".." };
            if lo > hi {
                return Err(SpecError::new(
                    Key::LatencyMs,
                    format!(
                        "`latency_ms` range {start}{op}{end} is inverted: write the smaller bound first, as in {end}{op}{start}"
                    ),
                ));
            }
            if inclusive {
                Ok(Latency::new(lo, hi))
            } else if lo == hi {
                Err(SpecError::new(
                    Key::LatencyMs,
                    format!(
                        "`latency_ms` range {start}..{end} is empty: an exclusive range needs its end above its start; write {start}..={end} or just {start}"
                    ),
                ))
            } else {
                Ok(Latency::new(lo, hi - 1))
            }
        }
        LatencyInput::LogNormal { median, p99 } => {
            let (median_ms, p99_ms) = (bound(median)?, bound(p99)?);
            if median_ms == 0 || p99_ms <= median_ms {
                return Err(SpecError::new(
                    Key::LatencyMs,
                    format!(
                        "`latency_ms` lognormal({median}, {p99}) needs a median above 0 and a p99 above the median, as in lognormal(100, 800)"
                    ),
                ));
            }
            Ok(Latency::LogNormal { median_ms, p99_ms })
        }
    }
}

fn validate_outcome(input: &SpecInput, errors: &mut Vec<SpecError>) -> Option<Outcome> {
    let mut declared: Vec<Outcome> = Vec::new();
    if let Some(status) = input.status {
        if STATUS_RANGE.contains(&status) {
            declared.push(Outcome::Status(status as u16));
        } else {
            errors.push(SpecError::new(
                Key::Status,
                format!("`status` must be an HTTP status code in 100..=599, found {status}"),
            ));
        }
    }
    if let Some(message) = &input.error {
        declared.push(Outcome::Error(Cow::Owned(message.clone())));
    }
    if let Some(message) = &input.panic {
        declared.push(Outcome::Panic(Cow::Owned(message.clone())));
    }
    match input.value {
        Some(true) => declared.push(Outcome::Value),
        Some(false) => errors.push(SpecError::new(
            Key::Value,
            "`value` is either `true` or left out: what it returns is the attribute's expression, fixed at compile time; to stop it, set `enabled` to false or `rate` to 0.0, or name another fault",
        )),
        None => {}
    }
    if let Some(ms) = input.timeout_ms {
        let timeout = bounded(errors, Key::TimeoutMs, ms, 1..=MAX_LATENCY_MS, || {
            format!(
                "`timeout_ms` must be a number of milliseconds from 1 to {MAX_LATENCY_MS}, found {ms}"
            )
        });
        declared.extend(timeout.map(Outcome::Timeout));
    }
    let buffer_ms = input
        .timeout_buffer_ms
        .and_then(|ms| record(errors, milliseconds(Key::TimeoutBufferMs, ms)));
    match input.timeout {
        Some(true) => declared.push(Outcome::Deadline {
            buffer_ms: buffer_ms.unwrap_or(DEFAULT_TIMEOUT_BUFFER_MS),
        }),
        Some(false) => errors.push(SpecError::new(
            Key::Timeout,
            "`timeout` is either `true` or left out; to stop the timeout, name another fault or set `enabled` to false",
        )),
        None => {
            if input.timeout_buffer_ms.is_some() {
                errors.push(SpecError::new(
                    Key::TimeoutBufferMs,
                    "`timeout_buffer_ms` says how long before the deadline `timeout` gives up, so it needs `timeout`",
                ));
            }
        }
    }
    if let Some(patterns) = &input.deny_hosts {
        if let Some(hosts) = record(errors, HostPatterns::parse(patterns)) {
            declared.push(Outcome::Unreachable(hosts));
        }
    }
    if let Some(name) = &input.aws_error {
        declared.extend(record(errors, AwsError::parse(name)).map(Outcome::Aws));
    }
    // Presence, not validity, decides a conflict: `status = 600, error = "x"` is two mistakes.
    let present: Vec<Key> = Key::ALL
        .into_iter()
        .filter(|key| key.is_outcome() && input.names(*key))
        .collect();
    if let [first, rest @ ..] = present.as_slice() {
        for extra in rest {
            errors.push(SpecError::new(
                *extra,
                format!("`{extra}` cannot be combined with `{first}`: a faulted call has one outcome, so keep one of `status`, `error`, `panic`, `value`, `timeout_ms`, `timeout`, `deny_hosts` and `aws_error`"),
            ));
        }
    }
    if present.len() == 1 {
        declared.pop()
    } else {
        None
    }
}

fn validate_trigger(input: &SpecInput, errors: &mut Vec<SpecError>) -> Option<Trigger> {
    let rate = input.rate.and_then(|rate| {
        if (0.0..=1.0).contains(&rate) {
            Some(Trigger::Rate(rate))
        } else {
            errors.push(SpecError::new(
                Key::Rate,
                format!("`rate` must be a probability between 0.0 and 1.0, found {rate:?}"),
            ));
            None
        }
    });
    let one_in = input.one_in.and_then(|n| {
        bounded(errors, Key::OneIn, n, 1..=MAX_U64, || {
            format!("`one_in` must be an integer >= 1 (`one_in = 1` faults every call), found {n}")
        })
        .map(Trigger::OneIn)
    });
    if input.rate.is_some() && input.one_in.is_some() {
        errors.push(SpecError::new(
            Key::OneIn,
            "`one_in` cannot be combined with `rate`: `rate` faults calls at random, `one_in` faults every Nth call; keep one",
        ));
        return None;
    }
    rate.or(one_in)
}
