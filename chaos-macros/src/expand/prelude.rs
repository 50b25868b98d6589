//! The code the attribute puts around the body, built from named parts:
//!
//! ```text
//! register   the point's `static`, registered at link time
//! decide     one decision (`enter`: the place under `max_concurrency` and the injection, for
//!            points that declare `max_concurrency`, `enter_kept` for those among them declared
//!            `when = "after"`; `decide` for the others), the wait before the body, then the
//!            fault returned or what the call keeps until it ends (in an async function that
//!            is not `when = "after"`, the wait and what follows it are `settle`, out of line,
//!            and so is `decide` where the point's shortcut, checked inline, does not pass the
//!            call: `decide_then_settle`)
//! tail       after a `when = "after"` body: the wait, then the fault in place of its value
//! ```
//!
//! Where a fault is returned, a point declared `value = <expr>` first checks for the `value`
//! fault and returns `<expr>`, bound to the return type so that rustc checks it there:
//!
//! ```text
//! if is_value(&__chaos_fault) { let __chaos_replacement: R = <expr>; return __chaos_replacement; }
//! /* the fault as R, as for any point (a panic where R was never checked to carry one) */
//! ```
//!
//! Other points expand exactly as they did before `value` existed.

use chaos_core::spec::{Outcome, Trigger};
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
        let krate = &checked.krate;
        let fault_return = fault_return(checked, target.output);
        let register = register(checked, target.name);
        let point = point_ident();
        // The decision, with the invocation deadline read (before the body, which may move the
        // argument) when the point has a `timeout`.
        // One decision: a point that declares `max_concurrency` also takes its place under it
        // (or is throttled) in it. Unless it keeps something for after its body, it `enter`s:
        // `Ok` with its place alone, nothing allocated, when the call is not faulted, `Err` with
        // what a faulted or throttled call waits. The others decide an `Option<Faulted>` (a
        // `when = "after"` point with a limit keeps its place in the box it keeps for after the
        // body, `enter_kept`).
        let enters = checked.spec.holds_place() && !checked.spec.after();
        let (decide, on_faulted) = if enters {
            (quote!(#point.enter()), quote!(map_err))
        } else if checked.spec.holds_place() {
            (quote!(#point.enter_kept()), quote!(map))
        } else {
            (quote!(#point.decide()), quote!(map))
        };
        let decided = match &checked.deadline {
            None => decide,
            Some(arg) => {
                // Located at the argument, so that a type with no deadline is reported on it.
                let span = Span::call_site().located_at(arg.span());
                let read = quote_spanned!(span=> #krate::__private::deadline_of(&#arg));
                quote!(#decide.#on_faulted(|__chaos_injection| __chaos_injection.with_deadline(#read)))
            }
        };
        // The wait before the body of a `when = "after"` point or a plain function. An async
        // function awaits one future that owns the decision (one pointer, null when the call
        // has nothing decided and, for `enter_kept`, no place to keep), so that nothing else of
        // the fault lives in the function's own future; a plain function blocks its thread. A
        // call with nothing decided does not reach the `.await` at all: through it, it stored
        // the null pointer in the future and read it back (5 or 6 instructions of the poll,
        // counted in the `async_task_` rows).
        let wait_before = if target.is_async {
            quote!(let __chaos_decided = match #decided {
                ::core::option::Option::None => ::core::option::Option::None,
                __chaos_some => #krate::__private::wait_before(__chaos_some).await,
            };)
        } else {
            quote!(let __chaos_decided = #decided.map(#krate::__private::Faulted::wait_before_blocking);)
        };
        // What the call keeps until it ends (its place under `max_concurrency`: a `Permit`, or
        // for a `when = "after"` point the box that also keeps its injection), or the fault
        // returned instead of the body.
        let proceed_with = |method: TokenStream| {
            quote! {
                match __chaos_injection.#method() {
                    ::core::result::Result::Ok(__chaos_held) => __chaos_held,
                    ::core::result::Result::Err(__chaos_fault) => #fault_return,
                }
            }
        };
        let before = if target.is_async && !checked.spec.after() {
            // An async function's faulted path is one future polled out of line (`settle`): the
            // wait, then the place to go on with or the fault as the return type, so that the
            // function's own poll stays small enough for its callers to inline.
            let (convert, settled) = settle(checked, target.output, enters);
            let start = quote!(#krate::__private::settle(__chaos_faulted, #convert));
            let (held, decision) = if enters {
                (
                    quote!(let __chaos_held =),
                    quote!(match #decided {
                        ::core::result::Result::Ok(__chaos_held) => break '__chaos_decided __chaos_held,
                        ::core::result::Result::Err(__chaos_faulted) => #start,
                    }),
                )
            } else if decides_first(checked) {
                // A point that holds no place under `max_concurrency` keeps nothing across the
                // body, so that nothing with drop glue is alive at its end (which would cost
                // every call a copy of the return value, built in a temporary and moved past the
                // drop; `benches/async_path.rs`): the block is a statement, of type `()`.
                (
                    TokenStream::new(),
                    quote!(match #decided {
                        ::core::option::Option::None => break '__chaos_decided,
                        ::core::option::Option::Some(__chaos_faulted) => #start,
                    }),
                )
            } else {
                // The others check their shortcut here, and decide in full in `settle`'s first
                // poll, out of line: the function's poll holds one call for the whole faulted
                // path, the decision included. (Of type `()` too, as above.)
                (
                    TokenStream::new(),
                    quote!(if #point.passes() {
                        break '__chaos_decided
                    } else {
                        #krate::__private::decide_then_settle(|| #point.decide(), #convert)
                    }),
                )
            };
            // The future is built in the decision's own statement: the decision's temporaries
            // end with it, before the `.await` (held across it, they would take slots of their
            // own in the function's future), and the box is never bound on its own (which kept
            // a drop flag for it). The block around that statement hands the future to the
            // `.await` as a value, not as a local that the `.await` moves (which kept a drop
            // flag for the future, and a landing pad that reads it).
            quote! {
                #register
                #held '__chaos_decided: {
                    match {
                        let __chaos_settle = #decision;
                        __chaos_settle
                    }.await {
                        #settled
                    }
                };
            }
        } else if enters {
            // A plain function: the wait of a call that entered faulted (or throttled) blocks its
            // thread.
            let proceed = proceed_with(quote!(proceed));
            quote! {
                #register
                let __chaos_held = match #decided {
                    ::core::result::Result::Ok(__chaos_held) => __chaos_held,
                    ::core::result::Result::Err(__chaos_faulted) => {
                        let __chaos_injection = __chaos_faulted.wait_before_blocking();
                        #proceed
                    }
                };
            }
        } else if checked.spec.after() {
            let proceed = proceed_with(quote!(proceed_after));
            // The injection is kept for after the body when it says so (its cold start already
            // waited, its deadline read); a run-time configuration may make it a "before" fault
            // again, handled here as for any point.
            quote! {
                #register
                let __chaos_after = {
                    #wait_before
                    match __chaos_decided {
                        ::core::option::Option::Some(__chaos_injection) if __chaos_injection.kept_for_after() => {
                            ::core::option::Option::Some(__chaos_injection)
                        }
                        ::core::option::Option::Some(__chaos_injection) => #proceed,
                        ::core::option::Option::None => ::core::option::Option::None,
                    }
                };
            }
        } else {
            // A plain function whose point holds no place under `max_concurrency`: it keeps
            // nothing across the body.
            let proceed = proceed_with(quote!(proceed));
            quote! {
                #register
                let _ = {
                    #wait_before
                    match __chaos_decided {
                        ::core::option::Option::Some(__chaos_injection) => #proceed,
                        ::core::option::Option::None => #krate::__private::Permit::none(),
                    }
                };
            }
        };
        // The body's value is dropped before the wait, so that the future does not hold it
        // across the `.await` (a `!Send` value would make it `!Send`). What was kept moves whole
        // into the wait: the function's future holds one pointer.
        let tail = if checked.spec.after() {
            let fault = if target.is_async {
                quote!(#krate::__private::fault_after(__chaos_after).await)
            } else {
                quote!(#krate::__private::Faulted::fault_after_blocking(__chaos_after))
            };
            quote! {
                if __chaos_after.as_ref().is_some_and(#krate::__private::Faulted::kept_for_after) {
                    ::core::mem::drop(__chaos_value);
                    let __chaos_fault = #fault;
                    #fault_return
                }
            }
        } else {
            TokenStream::new()
        };
        Prelude { before, tail }
    }
}

/// The faulted path of an async function, in two parts: the conversion given to `settle` (or
/// `decide_then_settle`), and the arms that match the answer of that future once awaited: the
/// call's place to go on with, or the fault to `return`. The future converts the fault out of
/// line, by the conversion, a closure that captures nothing: to the return type by the
/// `status`/`error` dispatch where the point's return type was checked to carry a fault (a
/// throttled call's 429 and a `timeout` go the same way), or by a panic where it was not. A
/// `value` point's closure gives the fault back, and the function converts it (its expression
/// may read the arguments).
///
/// What the call keeps through its body is its `Permit` where it `enters`, and `()` otherwise
/// (it holds no place, and has no permit to drop).
fn settle(checked: &Checked, output: &Type, enters: bool) -> (TokenStream, TokenStream) {
    let krate = &checked.krate;
    let (convert, on_return) = match (&checked.value, conversion(checked, output)) {
        (None, Some(convert)) => (
            quote!(|__chaos_fault| #convert),
            quote!(return __chaos_returned),
        ),
        // Only a panic: in the closure too, whose type is then whatever the function returns.
        (None, None) => (
            quote!(|__chaos_fault| #krate::__private::raise(__chaos_fault)),
            quote!(return __chaos_returned),
        ),
        _ => {
            let fault_return = fault_return(checked, output);
            (
                quote!(|__chaos_fault| __chaos_fault),
                quote!({
                    let __chaos_fault = __chaos_returned;
                    #fault_return
                }),
            )
        }
    };
    let kept = if enters {
        quote!(__chaos_held)
    } else {
        quote!(())
    };
    let settled = quote! {
        #krate::__private::Settled::Proceed(#kept) => #kept,
        #krate::__private::Settled::Return(__chaos_returned) => #on_return,
    };
    (convert, settled)
}

/// Whether an async function's point decides before it builds `settle`, rather than in its first
/// poll (`decide_then_settle`):
/// - a point with a `timeout` reads its deadline from an argument: deciding in the future, the
///   decision would be a closure that borrows the argument, no longer one that captures nothing
///   (a larger future, and one that is `Send` only if the argument is `Sync`);
/// - a `one_in` point never takes the shortcut, so each of its calls would build `settle` and
///   poll it, to decide there (about 30 instructions more a call than the decision alone).
fn decides_first(checked: &Checked) -> bool {
    checked.deadline.is_some() || matches!(checked.spec.trigger(), Trigger::OneIn(_))
}

fn point_ident() -> syn::Ident {
    format_ident!("__CHAOS_POINT")
}

/// `return` of `__chaos_fault` as the function's return type, or a panic where the point's
/// return type was not checked to carry a fault; for a point declared `value = ...`, first the
/// return of that expression when the fault is the `value` one.
fn fault_return(checked: &Checked, output: &Type) -> TokenStream {
    let fault = fault_conversion(checked, output);
    let Some(value) = &checked.value else {
        return fault;
    };
    let krate = &checked.krate;
    // The expression keeps its own tokens and spans, and the binding names the return type, so
    // that an expression of another type is the compiler's error on the expression.
    let replacement = staged_return(krate, &quote!(__chaos_replacement));
    quote! {{
        if #krate::__private::dispatch::is_value(&__chaos_fault) {
            #[allow(clippy::let_unit_value)]
            let __chaos_replacement: #output = #value;
            #replacement
        }
        #fault
    }}
}

/// `return` of `__chaos_fault` converted to the function's return type, or a panic where the
/// point's return type was not checked to carry a fault.
fn fault_conversion(checked: &Checked, output: &Type) -> TokenStream {
    match conversion(checked, output) {
        Some(convert) => {
            let converted = staged_return(&checked.krate, &convert);
            quote!({ #converted })
        }
        None => {
            let krate = &checked.krate;
            quote!(#krate::__private::raise(__chaos_fault))
        }
    }
}

/// `__chaos_fault` converted to the function's return type, or `None` where the point's return
/// type was not checked to carry a fault.
fn conversion(checked: &Checked, output: &Type) -> Option<TokenStream> {
    let krate = &checked.krate;
    match checked.spec.outcome() {
        // Without a declared outcome that replaces the return value, a run-time configuration
        // can still make the point panic, so the panic path is there for every point (and for a
        // `value` point, whose return type need not carry a fault, every other fault panics).
        None | Some(Outcome::Panic(_) | Outcome::Value) if !checked.spec.carries_outcome() => None,
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
            Some(quote! {{
                #[allow(unused_imports)]
                use #krate::__private::dispatch::{ViaResultErr as _, ViaResultOk as _, ViaValue as _};
                #convert
            }})
        }
    }
}

/// `return` of `value` through a local of its own (`dispatch::stage`), so that the function's
/// return place is only ever moved into: a call writing into it directly would keep an `async
/// fn`'s return value in memory, copied once more on every call.
fn staged_return(krate: &syn::Path, value: &TokenStream) -> TokenStream {
    quote! {
        let mut __chaos_returned = ::core::option::Option::None;
        #krate::__private::dispatch::stage(#value, &mut __chaos_returned);
        match __chaos_returned {
            ::core::option::Option::Some(__chaos_returned) => return __chaos_returned,
            ::core::option::Option::None => ::core::unreachable!(),
        }
    }
}

/// The point's `static`, registered at link time so that `chaos::points()` lists the point
/// before its first call.
pub fn register(checked: &Checked, name: &TokenStream) -> TokenStream {
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
