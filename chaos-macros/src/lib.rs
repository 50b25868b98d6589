//! The `#[chaos]` attribute. Use it through the `chaos` crate, which re-exports it and documents
//! it; this crate only turns the attribute into code.

use proc_macro::TokenStream;

mod args;
mod check;
mod errors;
mod expand;

/// See `chaos::chaos`.
#[proc_macro_attribute]
pub fn chaos(attr: TokenStream, item: TokenStream) -> TokenStream {
    let attr = proc_macro2::TokenStream::from(attr);
    let item = proc_macro2::TokenStream::from(item);
    let mut errors = errors::Errors::new();
    let args = args::Args::parse(attr.clone(), &mut errors);
    let func = match syn::parse2::<syn::ItemFn>(item.clone()) {
        Ok(func) => Some(func),
        Err(not_a_fn) => {
            errors.push(syn::Error::new(
                not_a_fn.span(),
                "`#[chaos]` goes on a function with a body (a free function, or a method in an `impl` or `trait` block)",
            ));
            None
        }
    };
    let checked = func
        .as_ref()
        .and_then(|f| check::check(args, &attr, f, &mut errors));
    // On any error, the function is still emitted unchanged, so its callers and the IDE see it
    // and the user reads the attribute's errors rather than a cascade of missing-item errors.
    if let Some(error) = errors.into_error() {
        let error = error.to_compile_error();
        return quote::quote!(#error #item).into();
    }
    // The expansion is built in both states and chosen here, the one place the feature is read.
    match (checked, func) {
        (Some(checked), Some(func)) if cfg!(feature = "enabled") => {
            expand::expand(&checked, func).into()
        }
        // Compiled out: the function exactly as written, token for token.
        _ => item.into(),
    }
}

/// See `chaos::point!`.
#[proc_macro]
pub fn point(input: TokenStream) -> TokenStream {
    let input = proc_macro2::TokenStream::from(input);
    let mut errors = errors::Errors::new();
    let args = args::Args::parse(input.clone(), &mut errors);
    let checked = check::check_point(args, &input, &mut errors);
    let krate = checked
        .as_ref()
        .map_or_else(|| syn::parse_quote!(::chaos), |c| c.krate.clone());
    // An expression of the right type in every case, so that an error in the arguments is the
    // only error the user reads.
    let compiled_out: syn::Path = syn::parse_quote!(#krate::__private::LayerPoint::__compiled_out);
    if let Some(error) = errors.into_error() {
        let error = error.to_compile_error();
        return quote::quote!({ #error #compiled_out() }).into();
    }
    match checked {
        Some(checked) if cfg!(feature = "enabled") => expand::expand_point(&checked).into(),
        _ => quote::quote!(#compiled_out()).into(),
    }
}
