//! The validated spec as a constant expression, built from `chaos_core::spec`'s model.

use chaos_core::spec::{AwsError, FaultSpec, Latency, Outcome, Trigger};
use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::check::Checked;

/// The validated spec as a constant expression.
pub fn spec_tokens(checked: &Checked, spec: &FaultSpec) -> TokenStream {
    let krate = &checked.krate;
    let p = quote!(#krate::__private);
    let latency = match spec.latency() {
        Some(Latency::Uniform { min_ms, max_ms }) => {
            let (min, max) = (Literal::u64_suffixed(min_ms), Literal::u64_suffixed(max_ms));
            quote!(::core::option::Option::Some(#p::Latency::Uniform { min_ms: #min, max_ms: #max }))
        }
        Some(Latency::LogNormal { median_ms, p99_ms }) => {
            let (median, p99) = (
                Literal::u64_suffixed(median_ms),
                Literal::u64_suffixed(p99_ms),
            );
            quote!(::core::option::Option::Some(#p::Latency::LogNormal { median_ms: #median, p99_ms: #p99 }))
        }
        None => quote!(::core::option::Option::None),
        Some(_) => unsupported("latency"),
    };
    let optional = |value: Option<u64>| match value {
        Some(n) => {
            let n = Literal::u64_suffixed(n);
            quote!(::core::option::Option::Some(#n))
        }
        None => quote!(::core::option::Option::None),
    };
    let cold_start = optional(spec.cold_start_ms());
    let outcome = match spec.outcome() {
        Some(Outcome::Status(code)) => {
            let code = Literal::u16_suffixed(*code);
            quote!(::core::option::Option::Some(#p::Outcome::Status(#code)))
        }
        Some(Outcome::Error(m)) => {
            let m = m.as_ref();
            quote!(::core::option::Option::Some(#p::Outcome::Error(#p::Cow::Borrowed(#m))))
        }
        Some(Outcome::Timeout(ms)) => {
            let ms = Literal::u64_suffixed(*ms);
            quote!(::core::option::Option::Some(#p::Outcome::Timeout(#ms)))
        }
        Some(Outcome::Panic(m)) => {
            let m = m.as_ref();
            quote!(::core::option::Option::Some(#p::Outcome::Panic(#p::Cow::Borrowed(#m))))
        }
        Some(Outcome::Value) => quote!(::core::option::Option::Some(#p::Outcome::Value)),
        Some(Outcome::Deadline { buffer_ms }) => {
            let buffer_ms = Literal::u64_suffixed(*buffer_ms);
            quote!(::core::option::Option::Some(#p::Outcome::Deadline { buffer_ms: #buffer_ms }))
        }
        Some(Outcome::Unreachable(hosts)) => {
            let hosts = hosts.iter();
            quote!(::core::option::Option::Some(#p::Outcome::Unreachable(
                #p::host_patterns(&[#(#hosts),*])
            )))
        }
        Some(Outcome::Aws(error)) => match aws_error_variant(*error) {
            Some(variant) => {
                quote!(::core::option::Option::Some(#p::Outcome::Aws(#p::AwsError::#variant)))
            }
            None => unsupported("aws_error"),
        },
        None => quote!(::core::option::Option::None),
        Some(_) => unsupported("outcome"),
    };
    let trigger = match spec.trigger() {
        Trigger::Rate(rate) => {
            let rate = Literal::f64_suffixed(rate);
            quote!(#p::Trigger::Rate(#rate))
        }
        Trigger::OneIn(n) => {
            let n = Literal::u64_suffixed(n);
            quote!(#p::Trigger::OneIn(#n))
        }
        _ => unsupported("trigger"),
    };
    let after = spec.after();
    let max_concurrency = optional(spec.max_concurrency());
    let disk_fill_mb = optional(spec.disk_fill_mb());
    let text = |value: Option<&str>| match value {
        Some(text) => quote!(::core::option::Option::Some(#text)),
        None => quote!(::core::option::Option::None),
    };
    let aws = spec.aws();
    let service = text(aws.service());
    let region = text(aws.region());
    let operations = match aws.operations() {
        Some(ops) => quote!(::core::option::Option::Some(&[#(#p::Cow::Borrowed(#ops)),*])),
        None => quote!(::core::option::Option::None),
    };
    let aws = quote!(#p::aws_target(#service, #operations, #region));
    // Only `chaos::point!` gets here with it set: `check` refuses it on a function.
    let strip_cors = spec.strip_cors();
    quote!(#p::fault_spec(#latency, #outcome, #trigger, #cold_start, #after, #max_concurrency, #disk_fill_mb, #aws, #strip_cors))
}

/// The variant's name of an `aws_error` kind (`None` for a kind of a newer chaos-core).
fn aws_error_variant(error: AwsError) -> Option<proc_macro2::Ident> {
    let name = match error {
        AwsError::Throttling => "Throttling",
        AwsError::AccessDenied => "AccessDenied",
        AwsError::InternalError => "InternalError",
        AwsError::ServiceUnavailable => "ServiceUnavailable",
        AwsError::ConnectionRefused => "ConnectionRefused",
        AwsError::Timeout => "Timeout",
        _ => return None,
    };
    Some(proc_macro2::Ident::new(
        name,
        proc_macro2::Span::call_site(),
    ))
}

/// A part of the spec this version of the macro cannot write: chaos-core and chaos-macros are
/// released together (`=` requirements), so only a mismatched pair of them gets here.
fn unsupported(part: &str) -> TokenStream {
    let message = format!(
        "this {part} of the spec is newer than chaos-macros; use chaos-core and chaos-macros of the same version"
    );
    quote!(::core::compile_error!(#message))
}
