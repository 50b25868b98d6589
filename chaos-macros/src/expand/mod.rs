//! The generated code, when the `enabled` feature asks for it.
//!
//! The attribute keeps the function as it is, signature and all, and puts a prelude in front of
//! the body, which moves into a block of its own so that its items (`use x::*`, `mod core`) cannot
//! reach the prelude:
//!
//! ```text
//! #[chaos(max_concurrency = 8)]                 async fn handler(req: Req) -> Result<R, E> {
//! async fn handler(req: Req) -> Result<R, E> {      static __CHAOS_POINT: Point = Point::new("app::handler", spec, site);
//!     body                               ==>        let held = 'decided: {
//! }                                                     match {
//!                                                           let settle = match __CHAOS_POINT.enter() {
//!                                                               Ok(held) => break 'decided held,
//!                                                               Err(faulted) => settle(faulted, |fault| /* fault as Result<R, E> */),
//!                                                           };
//!                                                           settle
//!                                                       }.await {
//!                                                           Settled::Proceed(held) => held,
//!                                                           Settled::Return(value) => return value,
//!                                                       }
//!                                                   };
//!                                                   { body }
//!                                               }
//! ```
//!
//! `enter` is one decision (a place under `max_concurrency`, and the injection): `Ok` with the
//! call's place (a `Permit`, holding one while a limit is in force), nothing allocated, for a
//! call that is not faulted, which skips the `.await`; `Err` with one pointer for a faulted or
//! throttled call. Everything a faulted call does is `settle`, one future polled out of line:
//! the wait, then the place to go on with, or the fault converted to the return type by the
//! closure it is given (which captures nothing), so that the function's own poll stays small
//! enough for its callers to inline. What the body keeps is that `Permit`, dropped inline. A
//! point that declares no `max_concurrency` checks its shortcut inline instead (`passes`: a call
//! with nothing to do skips the `.await` too) and otherwise awaits `decide_then_settle`, whose
//! first poll decides the call out of line (a `one_in` or `timeout` point calls `decide` first,
//! then `settle` for a faulted call); it keeps nothing through the body (the labeled block is a
//! statement of type `()`). A `value` point converts the fault in the function instead (its
//! expression may read the arguments). A `when = "after"` point awaits `wait_before` and keeps
//! what it decided for after its body (a point with a limit there calls `enter_kept`, and keeps
//! its place in that box). A plain `fn` blocks in `wait_before_blocking`. A method that
//! `#[async_trait]` already turned into
//! `fn m(..) -> Pin<Box<dyn Future<Output = R> + ..>> { Box::pin(async move { body }) }` gets the
//! prelude inside that `async move` block, with `R` as the return type.

mod async_trait;
mod prelude;
mod spec_tokens;

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::{Block, ItemFn, Type};

use crate::check::Checked;
use async_trait::async_trait_body;
use prelude::{Prelude, Target};
use spec_tokens::spec_tokens;

/// The instrumented function.
pub fn expand(checked: &Checked, mut func: ItemFn) -> TokenStream {
    let name = point_name(checked, &func);
    let is_async = func.sig.asyncness.is_some();
    let declared = return_type(&func.sig.output);
    if !is_async && returns_future(&func.sig.output) {
        instrument_future(checked, &mut func.block, &name);
        return quote!(#func);
    }
    match async_trait_body(&mut func) {
        Some((block, output)) => {
            let target = Target {
                name: &name,
                is_async: true,
                output: &output,
            };
            instrument(checked, block, &target);
        }
        None => {
            let target = Target {
                name: &name,
                is_async,
                output: &declared,
            };
            instrument(checked, &mut func.block, &target);
        }
    }
    quote!(#func)
}

/// Whether a plain `fn` returns `impl Future<Output = ..> (+ ...)`: such a function gets its
/// waits inside the future it returns.
fn returns_future(output: &syn::ReturnType) -> bool {
    let syn::ReturnType::Type(_, ty) = output else {
        return false;
    };
    let Type::ImplTrait(bounds) = &**ty else {
        return false;
    };
    bounds.bounds.iter().any(|bound| match bound {
        syn::TypeParamBound::Trait(t) => t.path.segments.last().is_some_and(|segment| {
            segment.ident == "Future"
                && matches!(&segment.arguments, syn::PathArguments::AngleBracketed(args)
                    if args.args.iter().any(|arg| matches!(arg,
                        syn::GenericArgument::AssocType(assoc) if assoc.ident == "Output")))
        }),
        _ => false,
    })
}

/// A plain `fn` returning `impl Future<Output = T>`: the body builds its future when the function
/// is called, as written; the prelude runs in the future returned, at its first poll, as in an
/// `async fn`, so a delay waits without blocking the executor. (Such a function cannot be given
/// an outcome that replaces its value, so no place under `max_concurrency` is held.)
fn instrument_future(checked: &Checked, block: &mut Block, name: &TokenStream) {
    let register = prelude::register(checked, name);
    let krate = &checked.krate;
    let mut body = std::mem::replace(block, syn::parse_quote!({}));
    body.brace_token =
        syn::token::Brace(Span::call_site().located_at(body.brace_token.span.join()));
    // Called through an `FnOnce` bound, so that `return` in the body returns its future, and the
    // body may move what it captured, as the function could.
    // A named future rather than an `async` block: it is `Unpin` (and `Send`, `Sync`) exactly
    // when the body's future is, as the unannotated function's callers may rely on.
    *block = syn::parse_quote!({
        #register
        let __chaos_future = #krate::__private::call_once(move || #body);
        #krate::__private::Instrumented::new(|| &__CHAOS_POINT, __chaos_future)
    });
}

/// Puts the prelude (and, for a `when = "after"` point, the tail) around `block`.
fn instrument(checked: &Checked, block: &mut Block, target: &Target<'_>) {
    let prelude = Prelude::new(checked, target);
    let after = checked.spec.after().then_some(target);
    wrap(block, prelude, after, &checked.krate);
}

/// Replaces `{ body }` with `{ prelude { body } }`, or, for a point declared `when = "after"`
/// (`after` is then the function), with `{ prelude; let value = body-as-a-closure-or-async-block;
/// tail; value }`: the body runs to completion, `return` and `?` inside it included, before the
/// tail waits the injected delay and the fault replaces its result.
fn wrap(block: &mut Block, prelude: Prelude, after: Option<&Target<'_>>, krate: &syn::Path) {
    let mut body = std::mem::replace(block, syn::parse_quote!({}));
    // The body keeps its statements and their spans, but its braces become the expansion's: in
    // the user's own spans, `{ 7 }` as the tail of the new block reads as unnecessary braces
    // (`unused_braces`), which the user did not write.
    // Located where they were, so that an error about the block still points at the user's code.
    body.brace_token =
        syn::token::Brace(Span::call_site().located_at(body.brace_token.span.join()));
    let Prelude { before, tail } = prelude;
    let Some(target) = after else {
        *block = syn::parse_quote!({
            #before
            #body
        });
        return;
    };
    let output = target.output;
    // The fake return pins the block's type for `?` inside the body, as tracing-attributes does.
    let pinned = quote! {
        #[allow(unreachable_code, clippy::diverging_sub_expression, clippy::let_unit_value)]
        if false {
            let __chaos_fake_return: #output = loop {};
            return __chaos_fake_return;
        }
    };
    let run_body = if target.is_async {
        quote!(async move { #pinned #body }.await)
    } else {
        // Called through an `FnOnce` bound, so that the body may move out of or return borrows
        // of what it captured (`&mut self` returning `&mut self.field`), as the function could.
        quote!(#krate::__private::call_once(move || -> #output { #body }))
    };
    *block = syn::parse_quote!({
        #before
        let __chaos_value: #output = #run_body;
        #tail
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

/// `chaos::point!`: a block that declares the point's `static`, registers it, and evaluates to
/// its handle.
pub fn expand_point(checked: &Checked) -> TokenStream {
    let krate = &checked.krate;
    let name = &checked.name;
    let spec = spec_tokens(checked, &checked.spec);
    let linkme = quote!(#krate::__private::linkme);
    quote! {{
        static __CHAOS_POINT: #krate::__private::Point = #krate::__private::Point::layer(
            #name, #spec, #krate::__private::Site::new(::core::file!(), ::core::line!(), ::core::column!()),
        );
        #[#linkme::distributed_slice(#krate::__private::POINTS)]
        #[linkme(crate = #linkme)]
        static __CHAOS_POINT_ENTRY: &#krate::__private::Point = &__CHAOS_POINT;
        #krate::__private::LayerPoint::__new(&__CHAOS_POINT)
    }}
}

/// The declared return type, `()` when there is none.
pub fn return_type(output: &syn::ReturnType) -> Type {
    match output {
        syn::ReturnType::Default => syn::parse_quote!(()),
        syn::ReturnType::Type(_, ty) => (**ty).clone(),
    }
}
