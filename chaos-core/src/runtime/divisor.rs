//! `one_in`'s divisibility test without a division.

/// A divisor prepared for the exact divisibility test of Granlund and Montgomery (Hacker's
/// Delight, 10-17): for `n = 2^k * d` with `d` odd, `x` is a multiple of `n` exactly when
/// `(x * d⁻¹ mod 2^64).rotate_right(k) <= u64::MAX / n`. One multiply, one rotate, one compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Divisor {
    inverse: u64,
    shift: u32,
    limit: u64,
}

impl Divisor {
    pub(crate) const fn new(n: u64) -> Divisor {
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

    /// The divisor as three words (inverse, shift, bound), for a point to keep in atomics.
    pub(crate) const fn parts(self) -> (u64, u32, u64) {
        (self.inverse, self.shift, self.limit)
    }

    /// The divisor [`parts`](Self::parts) gave.
    #[inline]
    pub(crate) const fn from_parts(inverse: u64, shift: u32, limit: u64) -> Divisor {
        Divisor {
            inverse,
            shift,
            limit,
        }
    }

    #[inline]
    pub(crate) fn divides(self, x: u64) -> bool {
        x.wrapping_mul(self.inverse).rotate_right(self.shift) <= self.limit
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
