//! Methods `#[async_trait]` has already rewritten into `fn m(..) -> Pin<Box<dyn Future<Output = R>
//! + ..>> { Box::pin(async move { body }) }`: the prelude goes inside that `async move` block,
//! with `R` as the return type.

use syn::{Block, Expr, ItemFn, Stmt, Type};

/// For a method `#[async_trait]` has rewritten, the `async move` block that holds the body, and
/// the future's `Output` type. `None` for any other function.
pub fn async_trait_body(func: &mut ItemFn) -> Option<(&mut Block, Type)> {
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
