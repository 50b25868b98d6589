//! The attribute's syntax: `key = literal` pairs (and `value = <expression>`), read into a
//! [`SpecInput`] with the tokens of each key kept for error messages. Only the shape of the
//! values is checked here (which kind of literal); the rules about the values live in
//! `chaos_core::spec`, shared with the runtime.

use std::collections::HashMap;

use chaos_core::spec::{Key, LatencyInput, SpecInput};
use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote};
use syn::ext::IdentExt;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{
    Expr, ExprLit, ExprRange, ExprUnary, Ident, Lit, LitStr, Path, RangeLimits, Token, UnOp,
};

use crate::errors::Errors;

/// Every key the attribute accepts, as listed in errors: the spec's keys, and `crate`.
fn valid_keys() -> impl Iterator<Item = &'static str> {
    Key::all().iter().copied().map(Key::as_str).chain(["crate"])
}

/// The parsed attribute: the spec as written, plus what is not part of the spec.
pub struct Args {
    /// The values of the fault spec, unvalidated.
    pub spec: SpecInput,
    /// `name = "..."` and its literal.
    pub name: Option<LitStr>,
    /// `crate = path`: where the `chaos` crate is.
    pub krate: Option<Path>,
    /// The `key = value` tokens of each spec key present, so that an error can underline them.
    pub tokens: HashMap<Key, TokenStream>,
    /// The key ident of each spec key present (the span a key-specific expansion points at).
    pub key_spans: HashMap<Key, Span>,
    /// A key that may have declared a fault (a fault key, or an unknown key that may be a
    /// misspelt one) could not be read, so "no fault at all" would only echo that error.
    pub incomplete: bool,
    /// `timeout = arg`: the argument the deadline is read from, named rather than found.
    pub timeout_arg: Option<Ident>,
    /// `value = <expression>`: what a faulted call returns, as written (the compiler checks its
    /// type against the function's return type, in the expansion).
    pub value: Option<Expr>,
}

/// One `key = value` pair (or a bare flag: `timeout`, `strip_cors`), before its key is
/// interpreted.
struct Entry {
    key: Ident,
    value: Option<Expr>,
}

/// The keys written without a value: each switches a behaviour on, and has nothing to tune.
const FLAGS: [Key; 2] = [Key::Timeout, Key::StripCors];

impl Parse for Entry {
    fn parse(input: ParseStream) -> syn::Result<Entry> {
        // `parse_any` so that the keyword `crate` is accepted as a key.
        let key = Ident::parse_any(input)?;
        if !input.peek(Token![=]) {
            if FLAGS.iter().any(|flag| key == flag.as_str()) {
                return Ok(Entry { key, value: None });
            }
            if key == "value" {
                return Err(syn::Error::new(
                    key.span(),
                    "`value` needs the value a faulted call returns, an expression of the function's return type, as in `value = String::from(\"no-such-table\")`",
                ));
            }
            return Err(syn::Error::new(
                key.span(),
                format!("`{key}` needs a value, as in `{key} = ...`"),
            ));
        }
        input.parse::<Token![=]>()?;
        let value = input.parse()?;
        Ok(Entry {
            key,
            value: Some(value),
        })
    }
}

impl Args {
    /// Reads the attribute's arguments, recording every problem in `errors`.
    pub fn parse(tokens: TokenStream, errors: &mut Errors) -> Args {
        let mut args = Args {
            spec: SpecInput::default(),
            name: None,
            krate: None,
            tokens: HashMap::new(),
            key_spans: HashMap::new(),
            incomplete: false,
            timeout_arg: None,
            value: None,
        };
        let parser = Punctuated::<Entry, Token![,]>::parse_terminated;
        let entries = match syn::parse::Parser::parse2(parser, tokens) {
            Ok(entries) => entries,
            Err(e) => {
                errors.push(e);
                args.incomplete = true;
                return args;
            }
        };
        let mut seen: HashMap<String, Ident> = HashMap::new();
        for entry in entries {
            let key_name = entry.key.unraw().to_string();
            if let Some(first) = seen.get(&key_name) {
                let mut e = syn::Error::new(
                    entry.key.span(),
                    format!("duplicate key `{key_name}`: each key may be given once"),
                );
                e.combine(syn::Error::new(
                    first.span(),
                    format!("`{key_name}` is first given here"),
                ));
                errors.push(e);
                continue;
            }
            seen.insert(key_name.clone(), entry.key.clone());
            let before = errors.count();
            args.set(&key_name, entry, errors);
            let may_declare_fault = match Key::from_name(&key_name) {
                Some(key) => key.declares_fault(),
                None => key_name != "crate",
            };
            args.incomplete |= may_declare_fault && errors.count() > before;
        }
        args
    }

    fn set(&mut self, key_name: &str, entry: Entry, errors: &mut Errors) {
        let Entry { key, value } = entry;
        let Some(value) = value else {
            // A flag: `Entry::parse` lets no other key through without a value.
            let flag = if key_name == Key::StripCors.as_str() {
                self.spec.strip_cors = Some(true);
                Key::StripCors
            } else {
                self.spec.timeout = Some(true);
                Key::Timeout
            };
            self.tokens.insert(flag, quote!(#key));
            self.key_spans.insert(flag, key.span());
            return;
        };
        if key_name == "value" {
            // Any expression: the compiler checks it against the return type, in the expansion,
            // where it is kept as written so that an error points at it.
            self.spec.value = Some(true);
            self.tokens.insert(Key::Value, quote!(#key = #value));
            self.key_spans.insert(Key::Value, key.span());
            self.value = Some(value);
            return;
        }
        // A value passed through a `macro_rules!` fragment (`$v:expr`) arrives wrapped in an
        // invisible group; read what is inside.
        let value = peel(value);
        if key_name == "crate" {
            match crate_path(&value) {
                Some(path) => self.krate = Some(path),
                None => errors.push(syn::Error::new_spanned(
                    &value,
                    "`crate` expects a path to the `chaos` crate, such as `crate = ::my_reexports::chaos`",
                )),
            }
            return;
        }
        let Some(spec_key) = Key::from_name(key_name) else {
            errors.push(syn::Error::new(key.span(), unknown_key_message(key_name)));
            return;
        };
        let tokens = quote!(#key = #value);
        let result = match spec_key {
            Key::LatencyMs => latency(&value).map(|v| self.spec.latency_ms = Some(v)),
            Key::ColdStartMs => integer(&value).map(|v| self.spec.cold_start_ms = Some(v)),
            Key::When => string(&value).map(|v| self.spec.when = Some(v.value())),
            Key::MaxConcurrency => integer(&value).map(|v| self.spec.max_concurrency = Some(v)),
            Key::TimeoutMs => integer(&value).map(|v| self.spec.timeout_ms = Some(v)),
            Key::Status => integer(&value).map(|v| self.spec.status = Some(v)),
            Key::OneIn => integer(&value).map(|v| self.spec.one_in = Some(v)),
            Key::Rate => float(&value).map(|v| self.spec.rate = Some(v)),
            Key::Error => string(&value).map(|v| self.spec.error = Some(v.value())),
            Key::Panic => string(&value).map(|v| self.spec.panic = Some(v.value())),
            Key::Name => string(&value).map(|v| self.name = Some(v.clone())),
            Key::TimeoutBufferMs => integer(&value).map(|v| self.spec.timeout_buffer_ms = Some(v)),
            Key::DiskFillMb => integer(&value).map(|v| self.spec.disk_fill_mb = Some(v)),
            Key::DenyHosts => strings(&value).map(|v| self.spec.deny_hosts = Some(v)),
            Key::AwsError => string(&value).map(|v| self.spec.aws_error = Some(v.value())),
            Key::AwsService => string(&value).map(|v| self.spec.aws_service = Some(v.value())),
            Key::AwsRegion => string(&value).map(|v| self.spec.aws_region = Some(v.value())),
            Key::AwsOperations => strings(&value).map(|v| self.spec.aws_operations = Some(v)),
            Key::Timeout => match &value {
                // `timeout = context`: the argument to read the deadline from.
                Expr::Path(path) if path.qself.is_none() && path.path.get_ident().is_some() => {
                    self.timeout_arg = path.path.get_ident().cloned();
                    self.spec.timeout = Some(true);
                    Ok(())
                }
                _ => {
                    errors.push(syn::Error::new_spanned(
                        tokens,
                        "`timeout` takes no value, or the name of the argument holding the deadline: write `timeout` alone to hang until the invocation deadline (less `timeout_buffer_ms`), `timeout = context` to read it from the argument `context`, or `timeout_ms = N` for a fixed hang of N ms",
                    ));
                    return;
                }
            },
            Key::StripCors => {
                errors.push(syn::Error::new_spanned(
                    tokens,
                    "`strip_cors` takes no value: write `strip_cors` alone to take the CORS headers off the answers of faulted requests, or leave it out",
                ));
                return;
            }
            // A key of a newer chaos-core (the two are released together, so only a mismatched
            // pair gets here).
            _ => {
                errors.push(syn::Error::new(
                    key.span(),
                    format!("`{spec_key}` is not supported by this version of chaos-macros; use chaos-core and chaos-macros of the same version"),
                ));
                return;
            }
        };
        match result {
            Ok(()) => {
                self.tokens.insert(spec_key, tokens);
                self.key_spans.insert(spec_key, key.span());
            }
            Err(found) => errors.push(syn::Error::new_spanned(
                tokens,
                format!("`{spec_key}` expects {}, found {found}", spec_key.expects()),
            )),
        }
    }
}

/// "unknown key", the closest valid key if one is close, and the list of valid keys.
fn unknown_key_message(key: &str) -> String {
    chaos_core::spec::unknown_key(key, &valid_keys().collect::<Vec<_>>())
}

/// Describes a value of the wrong kind, for "expects X, found Y".
fn describe(value: &Expr) -> String {
    match value {
        Expr::Lit(ExprLit { lit, .. }) => match lit {
            Lit::Str(_) => "a string".into(),
            Lit::Int(i) => format!("the integer `{i}`"),
            Lit::Float(f) => format!("the float `{f}`"),
            Lit::Bool(b) => format!("`{}`", b.value),
            _ => "a literal of another kind".into(),
        },
        Expr::Range(_) => "a range".into(),
        Expr::Array(_) => "an array".into(),
        _ => format!(
            "`{}`; `#[chaos]` reads its values at compile time, so write a literal",
            value.to_token_stream()
        ),
    }
}

/// The expression inside any invisible groups and parentheses.
fn peel(mut value: Expr) -> Expr {
    loop {
        value = match value {
            Expr::Group(g) => *g.expr,
            Expr::Paren(p) => *p.expr,
            other => return other,
        };
    }
}

/// `-x` as `(true, x)`, anything else as `(false, it)`: a negative number is a unary minus
/// applied to a literal, and is read so that its range error can quote it.
fn strip_minus(value: &Expr) -> (bool, &Expr) {
    match value {
        Expr::Unary(ExprUnary {
            op: UnOp::Neg(_),
            expr,
            ..
        }) => (true, expr),
        other => (false, other),
    }
}

/// An integer literal, possibly negated. Too large for `i128` is reported as such.
fn integer(value: &Expr) -> Result<i128, String> {
    let (negative, lit) = strip_minus(value);
    match lit {
        Expr::Lit(ExprLit {
            lit: Lit::Int(int), ..
        }) => {
            no_suffix(int.suffix(), &int.to_string())?;
            let sign = if negative { "-" } else { "" };
            int.base10_parse::<i128>()
                .map(|v| if negative { -v } else { v })
                .map_err(|_| format!("`{sign}{int}`, which is out of range for any setting"))
        }
        _ => Err(describe(value)),
    }
}

/// The spec's numbers are untyped; a suffix (`503u8`, `0.5f32`) would suggest a type that
/// nothing checks, so it is refused rather than ignored.
fn no_suffix(suffix: &str, literal: &str) -> Result<(), String> {
    if suffix.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "`{literal}` with the type suffix `{suffix}`; write the number without it"
        ))
    }
}

/// A float or integer literal, possibly negated (`rate = 1` reads as `1.0`).
fn float(value: &Expr) -> Result<f64, String> {
    let (negative, lit) = strip_minus(value);
    let parsed = match lit {
        Expr::Lit(ExprLit {
            lit: Lit::Float(f), ..
        }) => {
            no_suffix(f.suffix(), &f.to_string())?;
            f.base10_parse::<f64>().ok()
        }
        Expr::Lit(ExprLit {
            lit: Lit::Int(i), ..
        }) => {
            no_suffix(i.suffix(), &i.to_string())?;
            i.base10_parse::<f64>().ok()
        }
        _ => None,
    };
    parsed
        .map(|v| if negative { -v } else { v })
        .ok_or_else(|| describe(value))
}

fn string(value: &Expr) -> Result<&LitStr, String> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Ok(s),
        _ => Err(describe(value)),
    }
}

/// `["a.example.com", "*.internal"]`: an array of string literals.
fn strings(value: &Expr) -> Result<Vec<String>, String> {
    match value {
        Expr::Array(array) => array
            .elems
            .iter()
            .map(|e| string(e).map(LitStr::value))
            .collect(),
        _ => Err(describe(value)),
    }
}

/// `300`, `100..=500`, `100..500` or `lognormal(median, p99)`.
fn latency(value: &Expr) -> Result<LatencyInput, String> {
    match value {
        Expr::Range(ExprRange {
            start, limits, end, ..
        }) => {
            let (Some(start), Some(end)) = (start, end) else {
                return Err("a range without both bounds".into());
            };
            Ok(LatencyInput::Range {
                start: integer(start)?,
                end: integer(end)?,
                inclusive: matches!(limits, RangeLimits::Closed(_)),
            })
        }
        Expr::Call(call) if is_lognormal(&call.func) => {
            match call.args.iter().collect::<Vec<_>>()[..] {
                [median, p99] => Ok(LatencyInput::LogNormal {
                    median: integer(median)?,
                    p99: integer(p99)?,
                }),
                _ => Err("`lognormal` with other than two arguments (a median and a p99)".into()),
            }
        }
        other => integer(other).map(LatencyInput::Fixed),
    }
}

fn is_lognormal(func: &Expr) -> bool {
    matches!(func, Expr::Path(p) if p.path.is_ident("lognormal"))
}

/// `crate = path` or, as tokio also accepts, `crate = "path"`.
fn crate_path(value: &Expr) -> Option<Path> {
    match value {
        Expr::Path(p) if p.qself.is_none() => Some(p.path.clone()),
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => s.parse().ok(),
        _ => None,
    }
}
