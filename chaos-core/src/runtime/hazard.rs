//! How a `rate` decides a call: by hazard, against a budget each thread spends.
//!
//! A call at `rate = p` fires with probability `p`, independently of every other call. Drawing a
//! uniform number per call and comparing it with `p` does that, but the draw (a thread-local
//! generator's step: an add, a 128-bit multiply, two xors, and a check that the generator was
//! seeded) is most of what an armed call costs. Instead each thread holds a budget `B` drawn
//! from the exponential distribution (mean 1), and a call at rate `p` spends its hazard
//! `h = -ln(1 - p)`:
//!
//! ```text
//! B >= h   not faulted; B becomes B - h           (a thread-local load, subtract, store)
//! B <  h   faulted; B is drawn again
//! ```
//!
//! `P(B < h) = 1 - e^-h = p`, and the exponential distribution is memoryless: knowing that
//! `B >= h`, `B - h` is again exponential with mean 1, so the next call, of this point or any
//! other on the thread, sees a fresh budget. Every call therefore fires with its own point's
//! probability, independently of the calls before it, as with a draw per call; only a call that
//! fires (and a thread's first) draws, with `fastrand`. This is the exponential clock behind
//! sampling allocators' "bytes until the next sample", with one clock per thread shared by every
//! point.
//!
//! Hazards and budgets are fixed point, [`ONE`] per unit, so a hazard fits the 49 bits a
//! point's word has for it; a budget is at most `-ln(2^-53)` (about 36.7) units, so the largest
//! hazard, [`ALWAYS`] (64 units, `rate = 1.0`), exceeds every budget. A unit is 2^-43 (about
//! 1.1e-13 of probability); a rate below half of it has a hazard of 0 and never fires.
//!
//! A seeded point decides with the same hazard from its own stream instead: one uniform draw
//! `U` per call, faulted when `-ln(U) < h`, which has the same probability, and repeats run to
//! run.

use std::cell::Cell;

use super::rng;

/// One unit of hazard (and of budget), in fixed point.
const ONE: f64 = (1u64 << 43) as f64;

/// The hazard of `rate = 1.0`: above every budget, so it always fires. The largest hazard, and
/// the largest value of the 49 bits a point's word holds it in.
pub(crate) const ALWAYS: u64 = (1 << 49) - 1;

/// Not a hazard: no budget holds it, and [`overdrawn`] (so [`spend`]) answers "fires" for it
/// without touching the budget, so that a word holding a hazard can also say "decide another
/// way" (a withdrawn shortcut, `snapshot::WITHDRAWN`) and its reader tells the two apart only on
/// the path where the budget ran out.
pub(crate) const ELSEWHERE: u64 = u64::MAX;

thread_local! {
    /// What is left of the thread's budget, in units of [`ONE`]; 0 until its first draw.
    static BUDGET: Cell<u64> = const { Cell::new(0) };
    /// Whether the thread's budget was ever drawn.
    static DRAWN: Cell<bool> = const { Cell::new(false) };
}

/// The hazard of a probability in `[0, 1]`: `-ln(1 - rate)` in fixed point, [`ALWAYS`] for
/// `1.0`, 0 for `0.0` (and for rates too small to resolve).
pub(crate) fn of_rate(rate: f64) -> u64 {
    // `ln_1p` keeps small rates exact; 1.0 gives infinity, which the cast saturates.
    let hazard = (-(-rate).ln_1p() * ONE).round();
    if hazard.is_nan() {
        return 0;
    }
    (hazard as u64).min(ALWAYS)
}

/// One call at `hazard` on this thread: whether it fires. (The points' shortcuts use its two
/// halves, [`spend_within`] inlined and [`overdrawn`] where the budget ran out.)
#[inline(always)]
pub(crate) fn spend(hazard: u64) -> bool {
    !spend_within(hazard) && overdrawn(hazard)
}

/// The inlined half of [`spend`]: `hazard` taken from the budget when the budget holds it
/// (`true`: the call does not fire); `false`, the budget untouched, when it does not, and
/// [`overdrawn`] decides. Split so that a caller can put all of the second half out of line.
///
/// Inlined into every point's hot path: a thread-local load, a compare, a store. (Both
/// thread-locals are const-initialised without drop glue, so reaching them checks nothing.)
#[inline(always)]
pub(crate) fn spend_within(hazard: u64) -> bool {
    let left = BUDGET.get();
    if left >= hazard {
        BUDGET.set(left - hazard);
        true
    } else {
        false
    }
}

/// The budget did not hold `hazard` ([`spend_within`] said so): whether the call fires.
#[inline(always)]
pub(crate) fn overdrawn(hazard: u64) -> bool {
    // Tested only here, where the budget ran out: the hot path pays nothing for it, and a caller
    // that tests for it again (see `snapshot::WITHDRAWN`) gets the two tests folded.
    hazard == ELSEWHERE || exhausted(hazard)
}

/// The budget is smaller than `hazard`: the call fires and the thread draws a new budget; or the
/// thread never drew one, and the call spends the one it draws now.
#[cold]
#[inline(never)]
fn exhausted(hazard: u64) -> bool {
    if !DRAWN.replace(true) {
        let left = budget_from(rng::unit());
        if left >= hazard {
            BUDGET.set(left - hazard);
            return false;
        }
    }
    BUDGET.set(budget_from(rng::unit()));
    true
}

/// A budget from a uniform draw in `(0, 1]`: `-ln(u)`, exponentially distributed with mean 1.
fn budget_from(u: f64) -> u64 {
    (-u.ln() * ONE) as u64
}

/// A seeded call at `hazard`: whether it fires, by `bits`, the next value of the point's stream.
pub(crate) fn fires_by(hazard: u64, bits: u64) -> bool {
    budget_from(rng::unit_from(bits)) < hazard
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicU64;

    use super::*;

    /// Fires per call of `calls` calls at `hazard` on a thread of its own (a fresh budget).
    fn fired(hazard: u64, calls: u32) -> f64 {
        std::thread::spawn(move || (0..calls).filter(|_| spend(hazard)).count())
            .join()
            .unwrap() as f64
            / f64::from(calls)
    }

    #[test]
    fn hazards_are_fixed_point_and_saturate() {
        assert_eq!(of_rate(0.0), 0);
        assert_eq!(of_rate(1.0), ALWAYS);
        assert_eq!(of_rate(1.0 - 1e-18), ALWAYS, "1 - p rounds to 0");
        assert_eq!(of_rate(1e-15), 0, "below the resolution");
        // -ln(1 - 0.5) = ln 2.
        assert_eq!(of_rate(0.5), (std::f64::consts::LN_2 * ONE).round() as u64);
        // The largest budget, from the smallest draw (2^-53), is below ALWAYS.
        assert!(budget_from(rng::unit_from(0)) < ALWAYS);
    }

    #[test]
    fn a_rate_fires_at_its_probability() {
        // 400 000 calls: the standard error of a frequency near 0.25 is about 0.0007.
        for rate in [0.25, 0.01, 0.9] {
            let seen = fired(of_rate(rate), 400_000);
            assert!(
                (seen - rate).abs() < 0.005 + rate * 0.03,
                "rate {rate}: {seen}"
            );
        }
        assert_eq!(fired(ALWAYS, 10_000), 1.0);
        assert_eq!(fired(0, 10_000), 0.0);
    }

    #[test]
    fn elsewhere_answers_fires_and_leaves_the_budget_alone() {
        std::thread::spawn(|| {
            spend(of_rate(0.5));
            let left = BUDGET.get();
            assert!(DRAWN.get(), "the first call drew a budget");
            assert!((0..100).all(|_| spend(ELSEWHERE)));
            assert_eq!(BUDGET.get(), left);
        })
        .join()
        .unwrap();
    }

    #[test]
    fn calls_are_independent_of_the_calls_before_them() {
        // Consecutive fires at 0.3 happen at 0.3 * 0.3, and after a fire as after a miss: a
        // budget spent in steps, or drawn again too early or too late, would skew the pairs.
        let pairs = std::thread::spawn(|| {
            let hazard = of_rate(0.3);
            let draws: Vec<bool> = (0..400_001).map(|_| spend(hazard)).collect();
            let after_fire = draws.windows(2).filter(|w| w[0]).count() as f64;
            let both = draws.windows(2).filter(|w| w[0] && w[1]).count() as f64;
            both / after_fire
        })
        .join()
        .unwrap();
        assert!((pairs - 0.3).abs() < 0.01, "fired after a fire: {pairs}");
    }

    #[test]
    fn points_sharing_a_thread_each_fire_at_their_own_rate() {
        let (low, high) = std::thread::spawn(|| {
            let (low, high) = (of_rate(0.02), of_rate(0.6));
            let mut fired = (0u32, 0u32);
            for _ in 0..200_000 {
                fired.0 += u32::from(spend(low));
                fired.1 += u32::from(spend(high));
            }
            (
                f64::from(fired.0) / 200_000.0,
                f64::from(fired.1) / 200_000.0,
            )
        })
        .join()
        .unwrap();
        assert!((low - 0.02).abs() < 0.003, "0.02 beside 0.6: {low}");
        assert!((high - 0.6).abs() < 0.01, "0.6 beside 0.02: {high}");
    }

    #[test]
    fn seeded_draws_fire_at_the_same_probability() {
        let hazard = of_rate(0.25);
        let stream = AtomicU64::new(rng::stream_start(7, "hazard::tests"));
        let fired = (0..400_000)
            .filter(|_| fires_by(hazard, rng::stream_next(&stream)))
            .count() as f64
            / 400_000.0;
        assert!((fired - 0.25).abs() < 0.005, "{fired}");
        assert!(fires_by(ALWAYS, u64::MAX) && fires_by(ALWAYS, 0));
        assert!(!fires_by(0, u64::MAX) && !fires_by(0, 0));
    }
}
