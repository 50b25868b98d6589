//! [`FaultReturn`]: how a fault becomes a function's return value.

use super::Fault;

/// A return type that can stand in for a function's result when `#[chaos]` injects a `status` or
/// `error` fault.
///
/// The attribute picks, for the declared return type `R`:
/// 1. `Result<T, E>` with `T: FaultReturn` and `E: From<Fault>`: a status fault becomes
///    `Ok(T::from_fault(fault))` (an HTTP response carrying the status), any other fault
///    `Err(E::from(fault))`;
/// 2. `Result<T, E>` with `E: From<Fault>`: `Err(E::from(fault))`;
/// 3. `R: FaultReturn`: `R::from_fault(fault)`.
///
/// Anything else is a compile error on the attribute's key. Implement this trait for a response type
/// of your own to let `status` faults produce it:
///
/// ```
/// use chaos_core::{Fault, FaultReturn};
///
/// struct Reply {
///     code: u16,
///     body: String,
/// }
///
/// impl FaultReturn for Reply {
///     fn from_fault(fault: Fault) -> Reply {
///         // An `error` fault on a response type reads as an internal error.
///         Reply { code: fault.status().unwrap_or(500), body: fault.to_string() }
///     }
/// }
///
/// let reply = Reply::from_fault(Fault::new("api::get", chaos_core::FaultKind::Status(503)));
/// assert_eq!(reply.code, 503);
/// ```
#[diagnostic::on_unimplemented(
    message = "`#[chaos]` cannot return a `status` or `error` fault as `{Self}`",
    label = "this fault must become a `{Self}`",
    note = "return `Result<T, E>` with `E: From<chaos::Fault>` (such as `Box<dyn Error + Send + Sync>` or `anyhow::Error`), `http::Response<B>` or `http::StatusCode` (feature `http`), or implement `chaos::FaultReturn` for `{Self}`",
    note = "`latency_ms` and `panic` faults work with any return type"
)]
pub trait FaultReturn: Sized {
    /// The value returned in place of the body's result.
    fn from_fault(fault: Fault) -> Self;
}
