//! Twin functions, one annotated with `#[chaos]` and one not, for `tests/compiled_out.rs`: built
//! in release without the `enabled` feature, each pair must compile to the same machine code, and
//! the binary must hold no symbol of the chaos crates.
//!
//! ```sh
//! cargo run --release --example compiled_out
//! ```

use chaos::chaos;

type Error = Box<dyn std::error::Error + Send + Sync>;

// `no_mangle` gives each twin a symbol the test can find; the bodies call nothing, so their bytes
// do not depend on where the linker put them.
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

fn main() {
    let input: Vec<u32> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let seed = input.first().copied().map_or(42, u64::from);
    let plain = (twin_plain_result(seed).ok(), twin_plain_sum(&input));
    let annotated = (twin_chaos_result(seed).ok(), twin_chaos_sum(&input));
    println!("plain: {plain:?}\nannotated: {annotated:?}");
}
