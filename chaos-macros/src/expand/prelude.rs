//! The code the attribute puts around the body, built from named parts:
//!
//! ```text
//! register   the point's `static`, registered at link time
//! permit     a place under `max_concurrency`, for points that can return a fault
//! decide     the decision; for a faulted call: the wait, then the fault returned
//! tail       after a `when = "after"` body: the wait, then the fault in place of its value
//! ```

use chaos_core::spec::Outcome;
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::Type;

use super::spec_tokens::spec_tokens;
use crate::check::Checked;

/// What the attribute adds to one function.
pub struct Prelude {
    /// Before the body: registration, permit, decision, and a fault returned instead of the body.
    pub before: TokenStream,
    /// After the body of a `when = "after"` point (which keeps `__chaos_after`): the wait, then
    /// the fault in place of `__chaos_value`. Empty for other points.
    pub tail: TokenStream,
}

/// The function the prelude is for, as far as the generated code depends on it.
pub struct Target<'a> {
    /// The point's name, as a `&'static str` expression.
    pub name: &'a TokenStream,
    /// Waits with `.await` rather than by blocking the thread.
    pub is_async: bool,
    /// The type the function (or its async block) returns.
    pub output: &'a Type,
}

impl Prelude {
    pub fn new(checked: &Checked, target: &Target<'_>) -> Prelude {
        let waits = Waits::new(checked, target.is_async);
        let fault_return = fault_return(checked, target.output);
        let register = register(checked, target.name);
        let permit = permit(checked, &fault_return);
        let (delay_before, delay_after, keep) = (&waits.before, &waits.after, &waits.keep);
        let cold_start = &waits.cold_start;
        let point = point_ident();
        let before = if checked.spec.after() {
            // The injection is kept for after the body when it says so; a run-time configuration
            // may make it a "before" fault again, handled here as for any point.
            quote! {
                #register
                #permit
                let __chaos_after = match #point.decide() {
                    ::core::option::Option::Some(__chaos_injection) => {
                        if __chaos_injection.after() {
                            // A cold start belongs before the body; the fault's delay after it.
                            #cold_start
                            ::core::option::Option::Some(#keep)
                        } else {
                            #delay_before
                            if let ::core::option::Option::Some(__chaos_fault) = __chaos_injection.into_fault() {
                                #fault_return
                            }
                            ::core::option::Option::None
                        }
                    }
                    ::core::option::Option::None => ::core::option::Option::None,
                };
            }
        } else {
            quote! {
                #register
                #permit
                if let ::core::option::Option::Some(__chaos_injection) = #point.decide() {
                    #delay_before
                    if let ::core::option::Option::Some(__chaos_fault) = __chaos_injection.into_fault() {
                        #fault_return
                    }
                }
            }
        };
        // The body's value is dropped before the wait, so that the future does not hold it
        // across the `.await` (a `!Send` value would make it `!Send`); an "after" injection
        // always has an outcome to return instead.
        let tail = if checked.spec.after() {
            quote! {
                ::core::mem::drop(__chaos_value);
                #delay_after
                let __chaos_fault = __chaos_injection.into_fault_after();
                #fault_return
            }
        } else {
            TokenStream::new()
        };
        Prelude { before, tail }
    }
}

fn point_ident() -> syn::Ident {
    format_ident!("__CHAOS_POINT")
}

/// The waits of a faulted call. The delay is emitted even where the attribute declares no
/// latency, so that run-time configuration can add latency to any point; it costs an async
/// point's future the size of a tokio `Sleep`, and nothing on the path that is not faulted.
struct Waits {
    /// Before the body (or before the outcome that replaces it), a `timeout` resolved first.
    before: TokenStream,
    /// After a `when = "after"` body, a `timeout` resolved against the deadline kept before it.
    after: TokenStream,
    /// A cold start's wait, which always comes before the body.
    cold_start: TokenStream,
    /// The injection kept for after the body: without its cold start, with the deadline read.
    keep: TokenStream,
}

impl Waits {
    fn new(checked: &Checked, is_async: bool) -> Waits {
        let krate = &checked.krate;
        let wait = |duration: TokenStream| {
            if is_async {
                quote!(#krate::__private::delay_async(#duration).await;)
            } else {
                quote!(#krate::__private::delay_blocking(#duration);)
            }
        };
        let delay = wait(quote!(__chaos_injection.latency()));
        let cold_start = wait(quote!(__chaos_injection.cold_start()));
        // A `timeout` resolves against the invocation deadline, read from the argument that has
        // it, before the wait. After the body the argument may be gone: an "after" injection
        // keeps the deadline it read before.
        let Some(arg) = &checked.deadline else {
            return Waits {
                before: delay.clone(),
                after: delay,
                cold_start,
                keep: quote!(__chaos_injection.without_cold_start()),
            };
        };
        // Located at the argument, so that a type with no deadline is reported on it.
        let span = Span::call_site().located_at(arg.span());
        let read = quote_spanned!(span=> #krate::__private::deadline_of(&#arg));
        Waits {
            before: quote! {
                let __chaos_injection = __chaos_injection.until_deadline(#read);
                #delay
            },
            after: quote! {
                let __chaos_injection = __chaos_injection.resolve_kept_deadline();
                #delay
            },
            cold_start,
            keep: quote!(__chaos_injection.without_cold_start().keep_deadline(#read)),
        }
    }
}

/// `return` of `__chaos_fault` as the function's return type, or a panic where the point's
/// return type was not checked to carry a fault.
fn fault_return(checked: &Checked, output: &Type) -> TokenStream {
    let krate = &checked.krate;
    match checked.spec.outcome() {
        // Without a declared outcome that replaces the return value, a run-time configuration
        // can still make the point panic, so the panic path is there for every point.
        None | Some(Outcome::Panic(_)) if !checked.spec.carries_outcome() => {
            quote!(#krate::__private::raise(__chaos_fault))
        }
        outcome => {
            // Located at the `status`/`error` key, and a method per key: a return type that
            // cannot carry the fault is reported on the attribute, with that key's diagnostic.
            // Resolved at the call site like the rest of the prelude, so that `__chaos_fault`
            // is found even when the key came through a `macro_rules!` with its own hygiene.
            let span = Span::call_site().located_at(checked.outcome_span);
            let method = match outcome {
                Some(Outcome::Error(_)) => format_ident!("__chaos_error", span = span),
                _ => format_ident!("__chaos_status", span = span),
            };
            let convert = quote_spanned! {span=>
                (&&&#krate::__private::dispatch::Slot::<#output>::new()).#method(__chaos_fault)
            };
            quote! {{
                #[allow(unused_imports)]
                use #krate::__private::dispatch::{ViaResultErr as _, ViaResultOk as _, ViaValue as _};
                return #convert;
            }}
        }
    }
}

/// The point's `static`, registered at link time so that `chaos::points()` lists the point
/// before its first call.
fn register(checked: &Checked, name: &TokenStream) -> TokenStream {
    let krate = &checked.krate;
    let spec = spec_tokens(checked, &checked.spec);
    let point = point_ident();
    let linkme = quote!(#krate::__private::linkme);
    quote! {
        static #point: #krate::__private::Point =
            #krate::__private::Point::new(#name, #spec, #krate::__private::Site::new(
                ::core::file!(), ::core::line!(), ::core::column!(),
            ));
        #[#linkme::distributed_slice(#krate::__private::POINTS)]
        #[linkme(crate = #linkme)]
        static __CHAOS_POINT_ENTRY: &#krate::__private::Point = &#point;
    }
}

/// A point that can return a fault holds a permit under `max_concurrency` (possibly given at run
/// time) until its frame ends; a throttled call returns its fault at once.
fn permit(checked: &Checked, fault_return: &TokenStream) -> TokenStream {
    if !checked.spec.carries_outcome() {
        return TokenStream::new();
    }
    let point = point_ident();
    quote! {
        let __chaos_permit = match #point.permit() {
            ::core::result::Result::Ok(__chaos_permit) => __chaos_permit,
            ::core::result::Result::Err(__chaos_fault) => #fault_return,
        };
    }
}
