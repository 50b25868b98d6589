//! Twin functions, one annotated with `#[chaos]` and one not, for `tests/compiled_out.rs`: built
//! in release without the `enabled` feature, each pair (plain functions, a `value` fault, an
//! `async fn` and its poll function, a method) must compile to the same machine code, and the binary must hold no
//! symbol of the chaos crates.
//!
//! ```sh
//! cargo run --release --example compiled_out
//! ```

use std::future::Future;
use std::pin::Pin;

use chaos::chaos;

type Error = Box<dyn std::error::Error + Send + Sync>;

// `no_mangle` gives each twin a symbol the test can find. The poll functions of the `async fn`
// pair refer to panic messages and their locations, whose addresses differ: the test compares the
// code up to the addresses the linker filled in.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn twin_plain_result(x: u64) -> Result<u64, Error> {
    if x == 0 {
        return Ok(1);
    }
    Ok(x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17) ^ x)
}

#[unsafe(no_mangle)]
#[inline(never)]
#[chaos(status = 503, rate = 0.5, latency_ms = 10..=20)]
pub fn twin_chaos_result(x: u64) -> Result<u64, Error> {
    if x == 0 {
        return Ok(1);
    }
    Ok(x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(17) ^ x)
}

#[unsafe(no_mangle)]
#[inline(never)]
pub fn twin_plain_sum(values: &[u32]) -> u64 {
    values.iter().map(|&v| u64::from(v) * 3).sum()
}

#[unsafe(no_mangle)]
#[inline(never)]
#[chaos(latency_ms = 300, one_in = 10)]
pub fn twin_chaos_sum(values: &[u32]) -> u64 {
    values.iter().map(|&v| u64::from(v) * 3).sum()
}

// A `value` pair: the attribute's expression is not emitted at all when compiled out.
#[unsafe(no_mangle)]
#[inline(never)]
pub fn twin_plain_value(x: u64) -> u64 {
    x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29)
}

#[unsafe(no_mangle)]
#[inline(never)]
#[chaos(value = u64::MAX, rate = 0.5)]
pub fn twin_chaos_value(x: u64) -> u64 {
    x.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(29)
}

// An `async fn` pair: the function builds the future, and its poll function (a closure in the
// symbol table, `compiled_out::twin_plain_async::{{closure}}`) runs the body.
#[unsafe(no_mangle)]
#[inline(never)]
pub async fn twin_plain_async(x: u64) -> Result<u64, Error> {
    let mixed = x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    std::future::ready(()).await;
    Ok(mixed.rotate_left(17) ^ x)
}

#[unsafe(no_mangle)]
#[inline(never)]
#[chaos(error = "unavailable", rate = 0.5, latency_ms = 10..=20)]
pub async fn twin_chaos_async(x: u64) -> Result<u64, Error> {
    let mixed = x.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    std::future::ready(()).await;
    Ok(mixed.rotate_left(17) ^ x)
}

/// A method pair, on `&self`.
pub struct Scale {
    factor: u64,
}

impl Scale {
    #[unsafe(no_mangle)]
    #[inline(never)]
    pub fn twin_plain_method(&self, x: u64) -> Result<u64, Error> {
        if x == 0 {
            return Ok(self.factor);
        }
        Ok(x.wrapping_mul(self.factor).rotate_left(5))
    }

    #[unsafe(no_mangle)]
    #[inline(never)]
    #[chaos(status = 503, one_in = 4)]
    pub fn twin_chaos_method(&self, x: u64) -> Result<u64, Error> {
        if x == 0 {
            return Ok(self.factor);
        }
        Ok(x.wrapping_mul(self.factor).rotate_left(5))
    }
}

/// Runs a future through `dyn Future`, so that its poll function stays a function of its own for
/// the test to find (inlined into a caller it would have no symbol).
fn run(
    runtime: &tokio::runtime::Runtime,
    future: Pin<Box<dyn Future<Output = Result<u64, Error>>>>,
) -> Option<u64> {
    runtime.block_on(future).ok()
}

fn main() {
    let input: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let seed = input.first().copied().map_or(42, u64::from);
    let plain = (
        twin_plain_result(seed).ok(),
        twin_plain_sum(&input),
        twin_plain_value(seed),
    );
    let annotated = (
        twin_chaos_result(seed).ok(),
        twin_chaos_sum(&input),
        twin_chaos_value(seed),
    );
    println!("plain: {plain:?}\nannotated: {annotated:?}");
    // With chaos compiled in, the annotated `async fn`'s latency needs tokio's timer.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .unwrap();
    let scale = Scale { factor: seed | 1 };
    let plain = (
        run(&runtime, Box::pin(twin_plain_async(seed))),
        scale.twin_plain_method(seed).ok(),
    );
    let annotated = (
        run(&runtime, Box::pin(twin_chaos_async(seed))),
        scale.twin_chaos_method(seed).ok(),
    );
    println!("plain: {plain:?}\nannotated: {annotated:?}");
}
