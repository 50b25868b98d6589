//! The fault spec and its rules: the bottom layer, importing nothing else of the crate.
//!
//! One set of rules, one wording of errors: the `#[chaos]` attribute runs [`validate`] (and the
//! point rules of [`PointShape`]) at compile time on the literals it parsed, and a run-time
//! configuration runs them on the values it reads, so both report a bad value in the same words.
//! Inputs are deliberately wide (`i128`, `f64`) so that a value out of range is reported with the
//! number the user wrote instead of failing earlier as an overflow.
//!
//! ```text
//! key        the keys, their names and what each expects
//! input      a spec as written (SpecInput) and overlay, how overrides are laid on it
//! model      the validated spec (FaultSpec, Latency, Outcome, Trigger)
//! validate   the value rules: input -> model, every broken rule at once
//! rules      the rules that depend on the point (return type, layer or function, run time)
//! hosts      deny_hosts patterns
//! aws        the AWS SDK keys: aws_error's kinds, and which calls (service, operation, region)
//! describe   the one description of a spec in words (Display)
//! suggest    "did you mean" hints and the unknown-key message
//! shown      how a piece of input is shown in a message: escaped, and cut when long
//! error      SpecError
//! ```

mod aws;
mod describe;
mod error;
mod hosts;
mod input;
mod key;
mod model;
mod rules;
mod shown;
mod suggest;
mod validate;

pub use aws::{AwsError, AwsTarget, WELL_KNOWN_SERVICES};
pub use error::SpecError;
pub use hosts::HostPatterns;
pub use input::{LatencyInput, SpecInput};
pub use key::Key;
pub use model::{FaultSpec, Latency, Outcome, Trigger};
// For the expansion only (through `__private`): not among what `chaos::spec` re-exports.
#[doc(hidden)]
pub use aws::aws_target;
#[doc(hidden)]
pub use hosts::host_patterns;
#[doc(hidden)]
pub use model::fault_spec;
pub use rules::{
    PointShape, aws_on_function, deny_hosts_on_function, opaque_return, strip_cors_on_function,
    value_not_declared, value_on_layer,
};
#[cfg(all(test, feature = "runtime"))]
pub(crate) use shown::SHOWN_CHARS;
#[cfg(feature = "runtime")]
pub(crate) use shown::cut;
pub(crate) use shown::{escaped, quoted, shown};
pub use suggest::{closest, unknown_key};
pub use validate::{
    DEFAULT_TIMEOUT_BUFFER_MS, MAX_DISK_FILL_MB, STATUS_RANGE, validate, validate_name,
};
