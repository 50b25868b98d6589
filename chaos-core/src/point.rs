//! An injection point: its static data, and the decision made at the start of every call.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::fault::Fault;
use crate::rng;
use crate::spec::{FaultSpec, Outcome, Trigger};

/// One `#[chaos]` attribute, compiled into a `static` inside the function it annotates.
///
/// The hot path, [`Point::decide`], reads only this point's immutable data and the calling
/// thread's random generator; only `one_in` points touch a shared counter.
#[derive(Debug)]
pub struct Point {
    name: &'static str,
    spec: FaultSpec,
    /// `rate` scaled to the 32-bit draw: a call is faulted when `draw < threshold`.
    threshold: u64,
    /// Calls seen so far, for `one_in` only.
    calls: AtomicU64,
    /// `one_in`'s N, prepared for a division-free test (a 64-bit `%` costs more than the rest
    /// of the decision).
    every: Divisor,
}

/// A divisor prepared for the exact divisibility test of Granlund and Montgomery (Hacker's
/// Delight, 10-17): for `n = 2^k * d` with `d` odd, `x` is a multiple of `n` exactly when
/// `(x * d⁻¹ mod 2^64).rotate_right(k) <= u64::MAX / n`. One multiply, one rotate, one compare.
#[derive(Debug, Clone, Copy)]
struct Divisor {
    inverse: u64,
    shift: u32,
    limit: u64,
}

impl Divisor {
    const fn new(n: u64) -> Divisor {
        let n = if n == 0 { 1 } else { n };
        let shift = n.trailing_zeros();
        let odd = n >> shift;
        // Newton's iteration for the inverse of `odd` modulo 2^64: `odd` is its own inverse
        // modulo 8 (3 bits), and each step doubles the correct bits: 6, 12, 24, 48, 96.
        let mut inverse = odd;
        let mut step = 0;
        while step < 5 {
            inverse = inverse.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(inverse)));
            step += 1;
        }
        Divisor {
            inverse,
            shift,
            limit: u64::MAX / n,
        }
    }

    #[inline]
    fn divides(self, x: u64) -> bool {
        x.wrapping_mul(self.inverse).rotate_right(self.shift) <= self.limit
    }
}

/// Scales a probability in `[0, 1]` to the bound a 32-bit draw is compared with. `1.0` gives
/// 2^32, above every draw, so it always fires; `0.0` gives 0 and never does. Resolution: 2^-32.
const fn rate_threshold(rate: f64) -> u64 {
    (rate * 4_294_967_296.0) as u64
}

impl Point {
    /// A point named `name` injecting `spec`. Built by the expansion of `#[chaos]`.
    pub const fn new(name: &'static str, spec: FaultSpec) -> Point {
        let (threshold, every) = match spec.trigger() {
            Trigger::Rate(rate) => (rate_threshold(rate), Divisor::new(1)),
            Trigger::OneIn(n) => (0, Divisor::new(n)),
        };
        Point {
            name,
            spec,
            threshold,
            calls: AtomicU64::new(0),
            every,
        }
    }

    /// The point's name.
    pub const fn name(&self) -> &'static str {
        self.name
    }

    /// The fault spec the attribute declared.
    pub const fn spec(&self) -> &FaultSpec {
        &self.spec
    }

    /// Decides whether this call is faulted, and if so, with what.
    #[inline]
    pub fn decide(&self) -> Option<Injection> {
        let fires = match self.spec.trigger() {
            Trigger::Rate(_) => u64::from(rng::next_u32()) < self.threshold,
            // Call number `previous + 1` is faulted when it is a multiple of N.
            Trigger::OneIn(_) => {
                let previous = self.calls.fetch_add(1, Ordering::Relaxed);
                self.every.divides(previous.wrapping_add(1))
            }
        };
        if fires { Some(self.injection()) } else { None }
    }

    #[cold]
    #[inline(never)]
    fn injection(&self) -> Injection {
        let latency_ms = self
            .spec
            .latency()
            .map_or(0, |l| rng::uniform_ms(l.min_ms(), l.max_ms()));
        Injection {
            point: self.name,
            latency: Duration::from_millis(latency_ms),
            outcome: self.spec.outcome().cloned(),
        }
    }
}

/// What one faulted call gets: a delay, then possibly an outcome in place of the body.
#[derive(Debug)]
pub struct Injection {
    point: &'static str,
    latency: Duration,
    outcome: Option<Outcome>,
}

impl Injection {
    /// The delay to wait before the outcome or the body; zero for none.
    pub fn latency(&self) -> Duration {
        self.latency
    }

    /// The fault that replaces the body, if any.
    pub fn into_fault(self) -> Option<Fault> {
        let point = self.point;
        self.outcome.map(|o| Fault::new(point, o.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::Divisor;

    #[test]
    fn divisibility_test_agrees_with_the_remainder() {
        let mut xs: Vec<u64> = (0..2_000).collect();
        xs.extend((0..2_000).map(|i| u64::MAX - i));
        xs.extend((0..20_000).map(|_| fastrand::u64(..)));
        let mut ns: Vec<u64> = (1..=300).collect();
        ns.extend([
            1 << 20,
            3 << 40,
            1 << 63,
            u64::MAX,
            u64::MAX - 1,
            1_000_000_007,
        ]);
        ns.extend((0..200).map(|_| fastrand::u64(1..)));
        for &n in &ns {
            let divisor = Divisor::new(n);
            for &x in &xs {
                assert_eq!(divisor.divides(x), x % n == 0, "{x} % {n}");
            }
            // Multiples of `n` below 2^64, which random values rarely hit for large `n`.
            for k in [1, 2, 3, u64::MAX / n]
                .into_iter()
                .filter(|&k| k <= u64::MAX / n)
            {
                assert!(divisor.divides(n * k), "{n} * {k}");
                assert_eq!(divisor.divides(n * k - 1), n == 1, "{n} * {k} - 1");
            }
        }
    }
}
