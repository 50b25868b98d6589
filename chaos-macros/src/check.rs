//! Validation: the spec rules (shared with the runtime, in `chaos_core::spec`) applied to the
//! parsed arguments, and the rules about the function the attribute is on. Runs whatever the
//! `enabled` feature says, so that a mistake fails the build even when chaos is compiled out.

use chaos_core::spec::{self, FaultSpec, Key};
use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::visit::Visit;
use syn::{Expr, FnArg, Ident, ItemFn, LitStr, Pat, Path, ReturnType, Type};

use crate::args::Args;
use crate::errors::Errors;

/// Everything the expansion needs, once every rule holds.
pub struct Checked {
    pub spec: FaultSpec,
    pub name: Option<LitStr>,
    pub krate: Path,
    /// The key that declared a `status` or `error` outcome: the generated conversion is spanned
    /// at it, so an unsupported return type is reported on the attribute.
    pub outcome_span: Span,
    /// For `timeout`: the argument the invocation deadline is read from.
    pub deadline: Option<Ident>,
    /// `value = <expression>`: what a faulted call returns instead of the body's result.
    pub value: Option<Expr>,
}

/// Applies every rule, recording each broken one in `errors`.
pub fn check(
    args: Args,
    attr_tokens: &TokenStream,
    func: &ItemFn,
    errors: &mut Errors,
) -> Option<Checked> {
    if let Some(constness) = &func.sig.constness {
        errors.push(syn::Error::new_spanned(
            constness,
            "`#[chaos]` cannot be used on a `const fn`: faults happen at run time, and a `const fn` may run at compile time",
        ));
    }
    if let Some(name) = &args.name {
        if let Err(e) = spec::validate_name(&name.value()) {
            errors.push(syn::Error::new_spanned(name, e.message()));
        }
    }
    let spec = validated_spec(&args, attr_tokens, errors);
    // Checked on what was written, valid or not, so that this error comes with the others.
    let after = args.spec.when.as_deref() == Some("after");
    // `when = "after"` replaces the body's result too.
    let replaces_return = Key::all()
        .iter()
        .copied()
        .filter(|key| key.names_return_type() || (*key == Key::When && after))
        .filter(|key| args.key_spans.contains_key(key))
        // One error per function: `when` only when no `status`/`error` already said it.
        .take(1);
    for key in replaces_return {
        if let Some(hidden) = opaque_return(&func.sig.output) {
            errors.push(syn::Error::new_spanned(
                hidden,
                spec::opaque_return(key).message(),
            ));
        }
    }
    if let Some(tokens) = args.tokens.get(&Key::DenyHosts) {
        let function = func.sig.ident.to_string();
        errors.push(syn::Error::new_spanned(
            tokens,
            spec::deny_hosts_on_function(&function).message(),
        ));
    }
    for key in [
        Key::AwsError,
        Key::AwsService,
        Key::AwsOperations,
        Key::AwsRegion,
    ] {
        if let Some(tokens) = args.tokens.get(&key) {
            let function = func.sig.ident.to_string();
            errors.push(syn::Error::new_spanned(
                tokens,
                spec::aws_on_function(key, &function).message(),
            ));
        }
    }
    if let Some(tokens) = args.tokens.get(&Key::StripCors) {
        let function = func.sig.ident.to_string();
        errors.push(syn::Error::new_spanned(
            tokens,
            spec::strip_cors_on_function(&function).message(),
        ));
    }
    let deadline = match (&args.timeout_arg, args.tokens.get(&Key::Timeout)) {
        (Some(named), _) => named_argument(func, named, errors),
        (None, Some(tokens)) => deadline_argument(func, tokens, errors),
        (None, None) => None,
    };
    let spec = spec?;
    let outcome_span = spec
        .return_key()
        .and_then(|key| args.key_spans.get(&key).copied())
        .unwrap_or_else(Span::call_site);
    Some(Checked {
        spec,
        name: args.name,
        krate: args.krate.unwrap_or_else(|| syn::parse_quote!(::chaos)),
        outcome_span,
        deadline,
        value: args.value,
    })
}

/// The types a `timeout` reads the invocation deadline from, by the last segment of their path,
/// in order of preference: lambda_runtime's `LambdaEvent<T>` and `Context`, and lambda_http's
/// `Request` (whose extensions hold the `Context`). Whether the type really has a deadline is
/// checked by the `InvocationDeadline` bound in the expansion, so a type of the user's own with
/// one of these names works if it implements the trait.
const DEADLINE_TYPES: [&str; 3] = ["LambdaEvent", "Context", "Request"];

/// `timeout = name`: the argument called `name`, which must exist.
fn named_argument(func: &ItemFn, named: &Ident, errors: &mut Errors) -> Option<Ident> {
    let found = func.sig.inputs.iter().any(|input| match input {
        FnArg::Typed(arg) => matches!(&*arg.pat, Pat::Ident(binding) if binding.ident == *named),
        FnArg::Receiver(_) => false,
    });
    if found {
        Some(named.clone())
    } else {
        errors.push(syn::Error::new_spanned(
            named,
            format!(
                "`timeout = {named}` names no argument of `{}`: name the argument that holds the invocation deadline",
                func.sig.ident
            ),
        ));
        None
    }
}

/// The argument of the most preferred deadline type; an error on `timeout` when there is none,
/// or on the argument when it is a pattern the expansion cannot refer to.
fn deadline_argument(func: &ItemFn, timeout: &TokenStream, errors: &mut Errors) -> Option<Ident> {
    // By type, in the order of `DEADLINE_TYPES`, so that a `Request` of the user's own next to
    // a `Context` does not hide it.
    let rank = |input: &FnArg| match input {
        FnArg::Typed(arg) => {
            let mut ty = &*arg.ty;
            while let Type::Reference(r) = ty {
                ty = &r.elem;
            }
            let Type::Path(path) = ty else { return None };
            let last = path.path.segments.last()?.ident.to_string();
            DEADLINE_TYPES.iter().position(|t| *t == last)
        }
        FnArg::Receiver(_) => None,
    };
    let found = func
        .sig
        .inputs
        .iter()
        .filter_map(|input| Some((rank(input)?, input)))
        .min_by_key(|(rank, _)| *rank)
        .and_then(|(_, input)| match input {
            FnArg::Typed(arg) => Some(arg),
            FnArg::Receiver(_) => None,
        });
    let Some(arg) = found else {
        errors.push(syn::Error::new_spanned(
            timeout,
            format!(
                "`timeout` hangs until the invocation deadline, which `{}` cannot read: it takes no lambda_runtime `LambdaEvent<T>` or `Context`, or lambda_http `Request`; write `timeout_ms = N` for a fixed hang of N ms",
                func.sig.ident
            ),
        ));
        return None;
    };
    match &*arg.pat {
        Pat::Ident(binding) => Some(binding.ident.clone()),
        other => {
            errors.push(syn::Error::new_spanned(
                other,
                "`timeout` reads the invocation deadline from this argument: bind it to a name (as in `event: LambdaEvent<T>`) and destructure it in the body",
            ));
            None
        }
    }
}

/// The spec rules applied to what was written, each broken one reported on its key.
fn validated_spec(
    args: &Args,
    attr_tokens: &TokenStream,
    errors: &mut Errors,
) -> Option<FaultSpec> {
    match spec::validate(&args.spec) {
        Ok(spec) => Some(spec),
        Err(problems) => {
            // Without a key, a problem is about the spec as a whole; after a key that could not
            // be read it would only be an echo of that key's error.
            let problems = problems
                .into_iter()
                .filter(|p| p.key().is_some() || !args.incomplete);
            for problem in problems {
                let tokens = problem
                    .key()
                    .and_then(|key| args.tokens.get(&key).cloned())
                    .unwrap_or_else(|| whole_attribute(attr_tokens));
                errors.push(syn::Error::new_spanned(tokens, problem.message()));
            }
            None
        }
    }
}

/// The rules for `chaos::point!`: the spec rules, a name (there is no function to take it from),
/// no `timeout` (a layer has no invocation deadline) and no `value` (nor a return value).
pub fn check_point(args: Args, tokens: &TokenStream, errors: &mut Errors) -> Option<Checked> {
    match &args.name {
        Some(name) => {
            if let Err(e) = spec::validate_name(&name.value()) {
                errors.push(syn::Error::new_spanned(name, e.message()));
            }
        }
        None => errors.push(syn::Error::new_spanned(
            whole_attribute(tokens),
            "`chaos::point!` needs `name = \"...\"`: a layer's point has no function to take its name from, and configuration finds it by name",
        )),
    }
    if let Some(timeout) = args.tokens.get(&Key::Timeout) {
        errors.push(syn::Error::new_spanned(
            timeout,
            "`timeout` hangs until the invocation deadline of a Lambda handler's argument, and a layer's point has none: write `timeout_ms = N` for a fixed hang of N ms",
        ));
    }
    if let Some(value) = args.tokens.get(&Key::Value) {
        let subject = args
            .name
            .as_ref()
            .map_or_else(|| "this point".to_string(), LitStr::value);
        errors.push(syn::Error::new_spanned(
            value,
            spec::value_on_layer(&subject).message(),
        ));
    }
    let spec = validated_spec(&args, tokens, errors)?;
    Some(Checked {
        spec,
        name: args.name,
        krate: args.krate.unwrap_or_else(|| syn::parse_quote!(::chaos)),
        outcome_span: Span::call_site(),
        deadline: None,
        value: None,
    })
}

/// The tokens an error about the attribute as a whole underlines: all of its arguments, or the
/// attribute itself when it has none.
fn whole_attribute(attr_tokens: &TokenStream) -> TokenStream {
    if attr_tokens.is_empty() {
        let span = Span::call_site();
        quote::quote_spanned!(span=> chaos)
    } else {
        quote!(#attr_tokens)
    }
}

/// The first `impl Trait` in the return type, if any.
fn opaque_return(output: &ReturnType) -> Option<&syn::TypeImplTrait> {
    struct Find<'a>(Option<&'a syn::TypeImplTrait>);
    impl<'a> Visit<'a> for Find<'a> {
        fn visit_type_impl_trait(&mut self, node: &'a syn::TypeImplTrait) {
            self.0.get_or_insert(node);
        }
    }
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let mut find = Find(None);
    find.visit_type(ty);
    find.0
}
