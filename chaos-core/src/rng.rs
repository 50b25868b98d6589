//! The random draws behind `rate` and latency ranges: a per-thread wyrand generator (`fastrand`),
//! so a draw is a thread-local read and write with no lock and no memory shared between threads;
//! and, when a seed is configured, a per-point SplitMix64 stream derived from the seed and the
//! point's name, so that each point's decisions repeat run to run and adding a point does not
//! reshuffle the others.

use std::sync::atomic::{AtomicU64, Ordering};

/// A uniform 32-bit draw.
#[inline]
pub(crate) fn next_u32() -> u32 {
    fastrand::u32(..)
}

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
