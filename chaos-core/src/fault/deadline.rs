//! Where a `timeout` fault finds the invocation's deadline.

use std::time::SystemTime;

/// A value that knows when the current invocation must be done: what `#[chaos(timeout)]` reads
/// from the handler's argument.
///
/// With the `lambda` feature it is implemented for lambda_runtime's `LambdaEvent<T>` and
/// `Context`, and for `http::Request<B>` as lambda_http hands it over (the `Context` is in its
/// extensions). Implement it for a context type of your own to give it a deadline.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use chaos_core::InvocationDeadline;
///
/// struct Job { must_finish_by: SystemTime }
///
/// impl InvocationDeadline for Job {
///     fn invocation_deadline(&self) -> Option<SystemTime> {
///         Some(self.must_finish_by)
///     }
/// }
///
/// let job = Job { must_finish_by: SystemTime::now() + Duration::from_secs(3) };
/// assert!(job.invocation_deadline().is_some());
/// ```
#[diagnostic::on_unimplemented(
    message = "`#[chaos(timeout)]` cannot read an invocation deadline from `{Self}`",
    label = "`timeout` reads the deadline from this argument",
    note = "it reads lambda_runtime's `LambdaEvent<T>` and `Context`, and lambda_http's `Request`, with the `lambda` feature of `chaos` turned on",
    note = "for a fixed hang, write `timeout_ms = N`; or implement `chaos::InvocationDeadline` for `{Self}`"
)]
pub trait InvocationDeadline {
    /// When the invocation must be done; `None` when it is not known.
    fn invocation_deadline(&self) -> Option<SystemTime>;
}

impl<T: InvocationDeadline + ?Sized> InvocationDeadline for &T {
    fn invocation_deadline(&self) -> Option<SystemTime> {
        (**self).invocation_deadline()
    }
}

impl<T: InvocationDeadline + ?Sized> InvocationDeadline for &mut T {
    fn invocation_deadline(&self) -> Option<SystemTime> {
        (**self).invocation_deadline()
    }
}

/// The deadline of the argument a `timeout` point reads. Used by the expansion of `#[chaos]`.
#[doc(hidden)]
#[inline]
pub fn deadline_of<T: InvocationDeadline + ?Sized>(source: &T) -> Option<SystemTime> {
    source.invocation_deadline()
}
