//! The generated code (feature `enabled`).
//!
//! The attribute keeps the function as it is, signature and all, and puts a prelude in front of
//! the body, which moves into a block of its own so that its items (`use x::*`, `mod core`) cannot
//! reach the prelude:
//!
//! ```text
//! #[chaos(status = 503, rate = 0.1)]            async fn handler(req: Req) -> Result<R, E> {
//! async fn handler(req: Req) -> Result<R, E> {      static __CHAOS_POINT: Point = Point::new("app::handler", spec);
//!     body                               ==>        if let Some(injection) = __CHAOS_POINT.decide() {
//! }                                                     delay_async(injection.latency()).await;
//!                                                       if let Some(fault) = injection.into_fault() {
//!                                                           return /* fault as Result<R, E> */;
//!                                                       }
//!                                                   }
//!                                                   { body }
//!                                               }
//! ```
//!
//! A plain `fn` gets `delay_blocking` instead. A method that `#[async_trait]` already turned into
//! `fn m(..) -> Pin<Box<dyn Future<Output = R> + ..>> { Box::pin(async move { body }) }` gets the
//! prelude inside that `async move` block, with `R` as the return type.

use chaos_core::spec::{FaultSpec, Latency, Outcome, Trigger};
use proc_macro2::{Literal, Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::{Block, Expr, ItemFn, Stmt, Type};

use crate::check::Checked;

/// The instrumented function.
pub fn expand(checked: &Checked, mut func: ItemFn) -> TokenStream {
    let name = point_name(checked, &func);
    match async_trait_body(&mut func) {
        Some((block, output)) => {
            let (prelude, tail) = prelude(checked, &name, true, &output);
            let after = checked.spec.after().then_some((true, &output, tail));
            wrap(block, prelude, after, &checked.krate);
        }
        None => {
            let is_async = func.sig.asyncness.is_some();
            let output = return_type(&func.sig.output);
            let (prelude, tail) = prelude(checked, &name, is_async, &output);
            let after = checked.spec.after().then_some((is_async, &output, tail));
            wrap(&mut func.block, prelude, after, &checked.krate);
        }
    }
    quote!(#func)
}

/// Replaces `{ body }` with `{ prelude { body } }`, or, for a point declared `when = "after"`
/// (`after` is then `Some((is_async, return type, tail))`), with `{ prelude; let value =
/// body-as-a-closure-or-async-block; tail; value }`: the body runs to completion, `return` and
/// `?` inside it included, before the tail waits the injected delay and the fault replaces its
/// result.
fn wrap(
    block: &mut Block,
    prelude: TokenStream,
    after: Option<(bool, &Type, TokenStream)>,
    krate: &syn::Path,
) {
    let mut body = std::mem::replace(block, syn::parse_quote!({}));
    // The body keeps its statements and their spans, but its braces become the expansion's: in
    // the user's own spans, `{ 7 }` as the tail of the new block reads as unnecessary braces
    // (`unused_braces`), which the user did not write.
    // Located where they were, so that an error about the block still points at the user's code.
    body.brace_token =
        syn::token::Brace(Span::call_site().located_at(body.brace_token.span.join()));
    let Some((is_async, output, tail)) = after else {
        *block = syn::parse_quote!({
            #prelude
            #body
        });
        return;
    };
    // The fake return pins the block's type for `?` inside the body, as tracing-attributes does.
    let pinned = quote! {
        #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::let_unit_value)]
        if false {
            let __chaos_fake_return: #output = loop {};
            return __chaos_fake_return;
        }
    };
    let run_body = if is_async {
        quote!(async move { #pinned #body }.await)
    } else {
        // Called through an `FnOnce` bound, so that the body may move out of or return borrows
        // of what it captured (`&mut self` returning `&mut self.field`), as the function could.
        quote!(#krate::__private::call_once(move || -> #output { #body }))
    };
    *block = syn::parse_quote!({
        #prelude
        let __chaos_value: #output = #run_body;
        if let ::core::option::Option::Some(__chaos_injection) = __chaos_after {
            #tail
        }
        __chaos_value
    });
}

/// The point's name as a `&'static str` expression: `name = "..."`, or the function's path. When
/// several `#[chaos]` are stacked, the one nearest the function takes the plain path and each one
/// above it a `#2`, `#3`... suffix (attributes expand from the outside in, so an attribute sees the
/// ones below it still on the function).
fn point_name(checked: &Checked, func: &ItemFn) -> TokenStream {
    if let Some(name) = &checked.name {
        return quote!(#name);
    }
    let below = func
        .attrs
        .iter()
        .filter(|a| a.path().segments.last().is_some_and(|s| s.ident == "chaos"))
        .count();
    let suffix = if below == 0 {
        String::new()
    } else {
        format!("#{}", below + 1)
    };
    let ident = func.sig.ident.to_string();
    let ident = ident.strip_prefix("r#").unwrap_or(&ident);
    let tail = format!("::{ident}{suffix}");
    quote!(::core::concat!(::core::module_path!(), #tail))
}

/// The code before the body, and, for a `when = "after"` point, the code after it: the delay,
/// then the fault in place of `__chaos_value` (for a `timeout`, the wait until the deadline is
/// measured after the body, from the deadline read before it).
fn prelude(
    checked: &Checked,
    name: &TokenStream,
    is_async: bool,
    output: &Type,
) -> (TokenStream, TokenStream) {
    let krate = &checked.krate;
    let spec = spec_tokens(checked, &checked.spec);
    // The delay is emitted even where the attribute declares no latency, so that run-time
    // configuration can add latency to any point; it costs an async point's future the size of a
    // tokio `Sleep`, and nothing on the path that is not faulted.
    let wait = |duration: TokenStream| {
        if is_async {
            quote!(#krate::__private::delay_async(#duration).await;)
        } else {
            quote!(#krate::__private::delay_blocking(#duration);)
        }
    };
    let delay = wait(quote!(__chaos_injection.latency()));
    let cold_start = wait(quote!(__chaos_injection.cold_start()));
    // A `timeout` resolves against the invocation deadline, read from the argument that has it,
    // before the wait. After the body the argument may be gone: an "after" injection keeps the
    // deadline it read before.
    let read_deadline = checked.deadline.as_ref().map(|arg| {
        // Located at the argument, so that a type with no deadline is reported on it.
        let span = Span::call_site().located_at(arg.span());
        quote_spanned!(span=> #krate::__private::deadline_of(&#arg))
    });
    let (delay_before, keep, delay_after) = match &read_deadline {
        Some(read) => (
            quote! {
                let __chaos_injection = __chaos_injection.until_deadline(#read);
                #delay
            },
            quote!(__chaos_injection.without_cold_start().keep_deadline(#read)),
            quote! {
                let __chaos_injection = __chaos_injection.resolve_kept_deadline();
                #delay
            },
        ),
        None => (
            delay.clone(),
            quote!(__chaos_injection.without_cold_start()),
            delay,
        ),
    };
    let carries_outcome = matches!(
        checked.spec.outcome(),
        Some(
            Outcome::Status(_) | Outcome::Error(_) | Outcome::Timeout(_) | Outcome::Deadline { .. }
        )
    ) || checked.spec.max_concurrency().is_some();
    let fault_return = match checked.spec.outcome() {
        // Without a declared `status`, `error` or `max_concurrency`, a run-time configuration
        // can still make the point panic, so the panic path is there for every point.
        None | Some(Outcome::Panic(_)) if !carries_outcome => {
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
    };
    let point = format_ident!("__CHAOS_POINT");
    let linkme = quote!(#krate::__private::linkme);
    let register = quote! {
        static #point: #krate::__private::Point =
            #krate::__private::Point::new(#name, #spec, #carries_outcome);
        // Registered at link time, so `chaos::points()` lists the point before its first call.
        #[#linkme::distributed_slice(#krate::__private::POINTS)]
        #[linkme(crate = #linkme)]
        static __CHAOS_POINT_ENTRY: &#krate::__private::Point = &#point;
    };
    // A point that can return a fault holds a permit under `max_concurrency` (possibly given at
    // run time) until its frame ends; a throttled call returns its fault at once.
    let permit = if carries_outcome {
        quote! {
            let __chaos_permit = match #point.permit() {
                ::core::result::Result::Ok(__chaos_permit) => __chaos_permit,
                ::core::result::Result::Err(__chaos_fault) => #fault_return,
            };
        }
    } else {
        quote!()
    };
    let register = quote!(#register #permit);
    let prelude = if checked.spec.after() {
        // The injection is kept for after the body when it says so; a run-time configuration
        // may make it a "before" fault again, handled here as for any point.
        quote! {
            #register
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
            if let ::core::option::Option::Some(__chaos_injection) = #point.decide() {
                #delay_before
                if let ::core::option::Option::Some(__chaos_fault) = __chaos_injection.into_fault() {
                    #fault_return
                }
            }
        }
    };
    // The body's value is dropped before the wait, so that the future does not hold it across
    // the `.await` (a `!Send` value would make it `!Send`); an "after" injection always has an
    // outcome to return instead.
    let tail = quote! {
        ::core::mem::drop(__chaos_value);
        #delay_after
        let __chaos_fault = __chaos_injection.into_fault_after();
        #fault_return
    };
    (prelude, tail)
}

/// `chaos::point!`: a block that declares the point's `static`, registers it, and evaluates to
/// its handle.
pub fn expand_point(checked: &Checked) -> TokenStream {
    let krate = &checked.krate;
    let name = &checked.name;
    let spec = spec_tokens(checked, &checked.spec);
    let linkme = quote!(#krate::__private::linkme);
    quote! {{
        static __CHAOS_POINT: #krate::__private::Point = #krate::__private::Point::layer(#name, #spec);
        #[#linkme::distributed_slice(#krate::__private::POINTS)]
        #[linkme(crate = #linkme)]
        static __CHAOS_POINT_ENTRY: &#krate::__private::Point = &__CHAOS_POINT;
        #krate::__private::LayerPoint::__new(&__CHAOS_POINT)
    }}
}

/// The validated spec as a constant expression.
fn spec_tokens(checked: &Checked, spec: &FaultSpec) -> TokenStream {
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
        Some(Outcome::Deadline { buffer_ms }) => {
            let buffer_ms = Literal::u64_suffixed(*buffer_ms);
            quote!(::core::option::Option::Some(#p::Outcome::Deadline { buffer_ms: #buffer_ms }))
        }
        Some(Outcome::Unreachable(hosts)) => {
            let hosts = hosts.iter();
            quote!(::core::option::Option::Some(#p::Outcome::Unreachable(
                #p::HostPatterns::from_static(&[#(#hosts),*])
            )))
        }
        None => quote!(::core::option::Option::None),
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
    };
    let after = spec.after();
    let max_concurrency = optional(spec.max_concurrency());
    let disk_fill_mb = optional(spec.disk_fill_mb());
    quote!(#p::FaultSpec::from_parts(#latency, #outcome, #trigger, #cold_start, #after, #max_concurrency, #disk_fill_mb))
}

/// For a method `#[async_trait]` has rewritten, the `async move` block that holds the body, and
/// the future's `Output` type. `None` for any other function.
fn async_trait_body(func: &mut ItemFn) -> Option<(&mut Block, Type)> {
    // async-trait always adds the `'async_trait` lifetime; a hand-written function of the same
    // shape does not have it and stays a plain `fn` (delayed when called, as documented).
    let from_async_trait = func
        .sig
        .generics
        .lifetimes()
        .any(|l| l.lifetime.ident == "async_trait");
    if func.sig.asyncness.is_some() || !from_async_trait {
        return None;
    }
    let output = future_output(&func.sig.output)?;
    let Some(Stmt::Expr(Expr::Call(call), None)) = func.block.stmts.last_mut() else {
        return None;
    };
    let Expr::Path(callee) = &*call.func else {
        return None;
    };
    let segments: Vec<String> = callee
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    if !segments.ends_with(&["Box".to_string(), "pin".to_string()]) || call.args.len() != 1 {
        return None;
    }
    match call.args.first_mut()? {
        Expr::Async(async_block) if async_block.capture.is_some() => {
            Some((&mut async_block.block, output))
        }
        _ => None,
    }
}

/// `R` in a return type `Pin<Box<dyn Future<Output = R> + ...>>`.
fn future_output(output: &syn::ReturnType) -> Option<Type> {
    let syn::ReturnType::Type(_, ty) = output else {
        return None;
    };
    let pin = last_segment(ty)?;
    if pin.ident != "Pin" {
        return None;
    }
    let boxed = only_type_arg(&pin.arguments)?;
    let boxed = last_segment(boxed)?;
    if boxed.ident != "Box" {
        return None;
    }
    let Type::TraitObject(object) = only_type_arg(&boxed.arguments)? else {
        return None;
    };
    object.bounds.iter().find_map(|bound| {
        let syn::TypeParamBound::Trait(t) = bound else {
            return None;
        };
        let future = t.path.segments.last()?;
        if future.ident != "Future" {
            return None;
        }
        let syn::PathArguments::AngleBracketed(args) = &future.arguments else {
            return None;
        };
        args.args.iter().find_map(|arg| match arg {
            syn::GenericArgument::AssocType(assoc) if assoc.ident == "Output" => {
                Some(assoc.ty.clone())
            }
            _ => None,
        })
    })
}

fn last_segment(ty: &Type) -> Option<&syn::PathSegment> {
    match ty {
        Type::Path(p) if p.qself.is_none() => p.path.segments.last(),
        _ => None,
    }
}

fn only_type_arg(args: &syn::PathArguments) -> Option<&Type> {
    let syn::PathArguments::AngleBracketed(args) = args else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(ty) => Some(ty),
        _ => None,
    }
}

/// The declared return type, `()` when there is none.
pub fn return_type(output: &syn::ReturnType) -> Type {
    match output {
        syn::ReturnType::Default => syn::parse_quote!(()),
        syn::ReturnType::Type(_, ty) => (**ty).clone(),
    }
}
