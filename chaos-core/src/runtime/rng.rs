//! The random draws behind `rate` (a thread's budget, see `hazard`) and latency ranges: a
//! per-thread wyrand generator (`fastrand`), so a draw is a thread-local read and write with no
//! lock and no memory shared between threads; and, when a seed is configured, a per-point
//! SplitMix64 stream derived from the seed and the point's name, so that each point's decisions
//! repeat run to run and adding a point does not reshuffle the others.

use std::sync::atomic::{AtomicU64, Ordering};

/// A uniform draw from `min..=max` milliseconds.
pub(crate) fn uniform_ms(min: u64, max: u64) -> u64 {
    fastrand::u64(min..=max)
}

const GOLDEN_GAMMA: u64 = 0x9e37_79b9_7f4a_7c15;

fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The first state of a point's stream: the seed mixed with a hash of the name (FNV-1a, fixed
/// across runs and platforms, unlike `std`'s randomly keyed hasher).
pub(crate) fn stream_start(seed: u64, name: &str) -> u64 {
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    mix(seed ^ mix(hash))
}

/// The next value of a stream.
pub(crate) fn stream_next(state: &AtomicU64) -> u64 {
    let previous = state.fetch_add(GOLDEN_GAMMA, Ordering::Relaxed);
    mix(previous.wrapping_add(GOLDEN_GAMMA))
}

/// The z-score of the 99th percentile of the standard normal distribution.
const Z_P99: f64 = 2.326_347_874_040_841;

/// A log-normal delay in microseconds with this median and 99th percentile, from two uniform
/// draws in `(0, 1]` (Box-Muller). Capped at a hundred times the p99, so that one draw from the
/// far tail cannot stall a call for hours.
pub(crate) fn lognormal_us(median_ms: u64, p99_ms: u64, u1: f64, u2: f64) -> u64 {
    let mu = (median_ms as f64).ln();
    let sigma = ((p99_ms as f64).ln() - mu) / Z_P99;
    let z = (-2.0 * u1.max(f64::MIN_POSITIVE).ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    let ms = (mu + sigma * z).exp().min(p99_ms as f64 * 100.0);
    (ms * 1000.0) as u64
}

/// A uniform draw in `(0, 1]`.
pub(crate) fn unit() -> f64 {
    1.0 - fastrand::f64()
}

/// A uniform draw in `(0, 1]` from a 64-bit value.
pub(crate) fn unit_from(bits: u64) -> f64 {
    ((bits >> 11) as f64 + 1.0) / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lognormal_draws_have_the_requested_median_and_p99() {
        let mut draws: Vec<u64> = (0..200_000)
            .map(|_| lognormal_us(100, 800, unit(), unit()))
            .collect();
        draws.sort_unstable();
        let at = |q: f64| draws[((draws.len() - 1) as f64 * q) as usize] as f64 / 1000.0;
        // 200 000 draws pin the median within about 1% and the p99 within about 3%.
        assert!((at(0.5) - 100.0).abs() < 3.0, "median {}", at(0.5));
        assert!((at(0.99) - 800.0).abs() < 40.0, "p99 {}", at(0.99));
        assert!(draws.iter().all(|&us| us <= 80_000_000));
    }
}
