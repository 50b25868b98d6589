//! The random draws behind `rate` and latency ranges: a per-thread wyrand generator (`fastrand`),
//! so a draw is a thread-local read and write with no lock and no memory shared between threads.

/// A uniform 32-bit draw.
#[inline]
pub(crate) fn next_u32() -> u32 {
    fastrand::u32(..)
}

/// A uniform draw from `min..=max` milliseconds.
pub(crate) fn uniform_ms(min: u64, max: u64) -> u64 {
    fastrand::u64(min..=max)
}
