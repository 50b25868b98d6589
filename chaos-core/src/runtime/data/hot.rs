//! What a call needs of its point's effective spec to decide, copied into the point's own atomic
//! words when the configuration changes. A call that is not faulted reads one word (the
//! shortcut, what the main word says a call does while that word is current: see
//! `snapshot::Shortcut` and [`shortcut_of`]; otherwise the state word, the point's stamp and its
//! main word) and frees nothing. It writes nothing shared, except that the first call after a
//! change offers the point's shortcut again, and `one_in` counts; an armed call spends from its
//! thread's budget (`runtime::hazard`). The effective spec itself (outcome, latency, hosts) is
//! one `Arc` per point behind `arc-swap`, which does the reclaiming: replaced when the
//! configuration moves on, and freed once no faulted call reads it. Memory stays bounded however
//! many configurations a process loads.
//!
//! The words are published like a sequence lock: the stamp (the epoch they were built for) is
//! invalidated first and set last, so a reader that finds the stamp matching before and after its
//! reads has read one configuration's words (the divisor of `one_in`). A reader of the main word
//! alone checks the stamp once, before: the word is whole, of this configuration or a later one.
//! So a call racing a change may decide with one configuration's rate and inject the next one's
//! outcome (never a point switched off or a process killed: the spec's own `active` says last).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering, fence};

use arc_swap::ArcSwapOption;

use super::super::divisor::Divisor;
use crate::runtime::effective::{Effective, Firing};
use crate::runtime::snapshot::Shortcut;
use crate::spec::{FaultSpec, Outcome};

/// Injecting at all (a point switched off, or every point, has this clear).
pub(crate) const ACTIVE: u64 = 1;
/// Decide, count and log, but inject nothing.
pub(crate) const DRY_RUN: u64 = 1 << 1;
/// Draw from the point's seeded stream.
pub(crate) const SEEDED: u64 = 1 << 2;
/// `one_in`: the divisor is in the words beside this one.
pub(crate) const EVERY: u64 = 1 << 3;
/// A `max_concurrency` is in force: the limit is in the word beside this one.
pub(crate) const LIMITED: u64 = 1 << 4;
/// The point's first call has not happened yet (cold start).
pub(crate) const UNWARMED: u64 = 1 << 5;
/// The outcome is `deny_hosts`: a layer checks the request's host first.
pub(crate) const DENIES: u64 = 1 << 6;
/// Switched off for the whole process: task scopes do not apply either.
pub(crate) const KILLED: u64 = 1 << 7;
/// The `deny_hosts` in force are the ones the point declared: a layer reads them from the
/// point's `static` spec, with no synchronisation at all.
pub(crate) const DECLARED_HOSTS: u64 = 1 << 14;
/// Any flag that takes a call off the shortest path.
pub(crate) const UNUSUAL: u64 = SEEDED | EVERY | LIMITED | UNWARMED;
/// Where a `rate`'s hazard starts: the 49 bits above the flags (see `runtime::hazard`).
const HAZARD_SHIFT: u32 = 15;
/// Where the divisor's shift starts: 6 bits (8 to 13).
const DIVISOR_SHIFT_AT: u32 = 8;

/// A point's words.
#[derive(Debug)]
pub(crate) struct Hot {
    /// The state word (see `snapshot::State`) these words were built for; `u64::MAX` while they
    /// are being written, and before the point's first call.
    stamp: AtomicU64,
    /// Flags, the divisor's shift and the hazard of a `rate`.
    word: AtomicU64,
    /// `max_concurrency`, when [`LIMITED`].
    limit: AtomicU64,
    /// The divisor of `one_in`, when [`EVERY`].
    inverse: AtomicU64,
    bound: AtomicU64,
    /// The whole effective spec, for a faulted call, a cold start, a host check: read without a
    /// lock or a shared write (`arc-swap`), freed once replaced and no longer read.
    effective: ArcSwapOption<Effective>,
    /// The word again, for calls that need not read the state word (see [`Shortcut`]).
    shortcut: Shortcut,
}

impl Hot {
    pub(crate) const fn new() -> Hot {
        Hot {
            stamp: AtomicU64::new(u64::MAX),
            word: AtomicU64::new(0),
            limit: AtomicU64::new(0),
            inverse: AtomicU64::new(0),
            bound: AtomicU64::new(0),
            effective: ArcSwapOption::const_empty(),
            shortcut: Shortcut::new(),
        }
    }

    /// What a call decides by without reading the state word (the hazard it spends, 0 when the
    /// point is off), or [`WITHDRAWN`](crate::runtime::snapshot::WITHDRAWN), above every hazard.
    #[inline(always)]
    pub(crate) fn shortcut(&self) -> u64 {
        self.shortcut.word()
    }

    /// Whether the point may take a shortcut at all (it is registered).
    pub(crate) fn takes_shortcut(&self) -> bool {
        self.shortcut.takes_offers()
    }

    /// Offers the shortcut of `word`, built for `stamp`, if it has one (see [`shortcut_of`]).
    pub(crate) fn offer_shortcut(&self, word: u64, stamp: u64) {
        if let Some(shortcut) = shortcut_of(word) {
            self.shortcut.offer(shortcut, stamp);
        }
    }

    /// The shortcut, for the control plane to withdraw on every publication.
    pub(crate) fn shortcut_to_register(&'static self) -> &'static Shortcut {
        &self.shortcut
    }

    /// The word, if it was built for the state `stamp`.
    #[inline(always)]
    pub(crate) fn word_for(&self, stamp: u64) -> Option<u64> {
        if self.stamp.load(Ordering::Acquire) == stamp {
            Some(self.word.load(Ordering::Acquire))
        } else {
            None
        }
    }

    /// The `max_concurrency` in force (0: none; read across a change, it may be either
    /// configuration's).
    pub(crate) fn limit(&self) -> u64 {
        self.limit.load(Ordering::Acquire)
    }

    /// The divisor of `one_in` built for `stamp` and the word read with it, or `None` when the
    /// words changed while being read.
    pub(crate) fn divisor_for(&self, stamp: u64, word: u64) -> Option<Divisor> {
        let inverse = self.inverse.load(Ordering::Relaxed);
        let bound = self.bound.load(Ordering::Relaxed);
        fence(Ordering::Acquire);
        let shift = ((word >> DIVISOR_SHIFT_AT) & 63) as u32;
        (self.stamp.load(Ordering::Relaxed) == stamp)
            .then(|| Divisor::from_parts(inverse, shift, bound))
    }

    /// The effective spec the words were built from (it may be a newer one than a call's word,
    /// when the configuration changed in between; `None` before the first build).
    pub(crate) fn effective(&self) -> Option<Arc<Effective>> {
        self.effective.load_full()
    }

    /// `read` applied to the effective spec (see [`effective`](Self::effective)), without
    /// taking a reference count: for what every request of a layer reads.
    pub(crate) fn read<T>(&self, read: impl FnOnce(&Effective) -> T) -> Option<T> {
        self.effective.load().as_deref().map(read)
    }

    /// Builds the words from `effective` for the state `stamp`, and frees the effective spec
    /// they replace. Callers serialise (one lock for every point).
    pub(crate) fn publish(
        &self,
        stamp: u64,
        effective: Effective,
        declared: &FaultSpec,
        warmed: bool,
    ) -> u64 {
        let word = encode(&effective, declared, warmed);
        self.stamp.store(u64::MAX, Ordering::Relaxed);
        fence(Ordering::Release);
        self.limit
            .store(effective.max_concurrency, Ordering::Relaxed);
        if let Firing::Every(divisor) = effective.firing {
            let (inverse, _, bound) = divisor.parts();
            self.inverse.store(inverse, Ordering::Relaxed);
            self.bound.store(bound, Ordering::Relaxed);
        }
        self.word.store(word, Ordering::Relaxed);
        self.effective.store(Some(Arc::new(effective)));
        self.stamp.store(stamp, Ordering::Release);
        word
    }

    /// Clears [`UNWARMED`] once the first call happened. A build racing with this may set it
    /// again; the next call then finds the point warm and clears it once more.
    pub(crate) fn warmed(&self) {
        self.word.fetch_and(!UNWARMED, Ordering::Relaxed);
    }
}

/// The hazard a call spends (see `runtime::hazard`).
#[inline(always)]
pub(crate) fn hazard(word: u64) -> u64 {
    word >> HAZARD_SHIFT
}

/// What a call may decide by alone, when its point's word is `word`: the hazard it spends, if
/// the word has no unusual flag; 0 if the point is off and neither limited nor waiting for its
/// first call (then how it would fire, `one_in` or seeded, does not matter). A point whose
/// hazard is 0 never fires, armed or not, so 0 says "nothing to do" either way.
#[inline]
pub(crate) fn shortcut_of(word: u64) -> Option<u64> {
    if word & (ACTIVE | LIMITED | UNWARMED) == 0 {
        Some(0)
    } else if word & UNUSUAL == 0 {
        Some(hazard(word))
    } else {
        None
    }
}

fn encode(effective: &Effective, declared: &FaultSpec, warmed: bool) -> u64 {
    let flag = |on: bool, flag: u64| if on { flag } else { 0 };
    let (hazard, shift) = match effective.firing {
        Firing::Hazard(hazard) => (hazard, 0),
        Firing::Every(divisor) => (0, u64::from(divisor.parts().1)),
    };
    flag(effective.active, ACTIVE)
        | flag(effective.dry_run, DRY_RUN)
        | flag(effective.seed.is_some(), SEEDED)
        | flag(matches!(effective.firing, Firing::Every(_)), EVERY)
        | flag(effective.max_concurrency > 0, LIMITED)
        | flag(!warmed, UNWARMED)
        | flag(
            matches!(effective.outcome, Some(Outcome::Unreachable(_))),
            DENIES,
        )
        | flag(effective.killed, KILLED)
        | flag(
            matches!(effective.outcome, Some(Outcome::Unreachable(_)))
                && effective.outcome.as_ref() == declared.outcome(),
            DECLARED_HOSTS,
        )
        | shift << DIVISOR_SHIFT_AT
        | hazard << HAZARD_SHIFT
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::effective::Globals;
    use crate::spec::{SpecInput, validate};

    fn declared() -> FaultSpec {
        validate(&SpecInput {
            status: Some(503),
            ..SpecInput::default()
        })
        .unwrap()
    }

    fn effective(input: SpecInput, globals: Globals) -> Effective {
        Effective::of(&validate(&input).unwrap(), None, globals)
    }

    #[test]
    fn a_word_holds_every_flag_and_a_whole_hazard() {
        let always = effective(
            SpecInput {
                status: Some(503),
                rate: Some(1.0),
                max_concurrency: Some(3),
                ..SpecInput::default()
            },
            Globals {
                dry_run: true,
                seed: Some(1),
                ..Globals::default()
            },
        );
        let word = encode(&always, &declared(), false);
        assert_eq!(
            hazard(word),
            crate::runtime::hazard::ALWAYS,
            "rate = 1.0 always fires"
        );
        for flag in [ACTIVE, DRY_RUN, SEEDED, LIMITED, UNWARMED] {
            assert_ne!(word & flag, 0, "{flag:#b}");
        }
        for flag in [EVERY, DENIES, KILLED] {
            assert_eq!(word & flag, 0, "{flag:#b}");
        }
        let killed = effective(
            SpecInput {
                status: Some(503),
                ..SpecInput::default()
            },
            Globals {
                killed: true,
                ..Globals::default()
            },
        );
        let word = encode(&killed, &declared(), true);
        assert_eq!(word & (ACTIVE | UNWARMED), 0);
        assert_ne!(word & KILLED, 0);
    }

    #[test]
    fn a_shortcut_is_the_hazard_of_a_usual_word_and_none_for_an_unusual_one() {
        let spec = |rate, extra: SpecInput| SpecInput {
            status: Some(503),
            rate: Some(rate),
            ..extra
        };
        let word = |input: SpecInput, globals: Globals, warmed: bool| {
            encode(&effective(input, globals), &declared(), warmed)
        };
        let quarter = crate::runtime::hazard::of_rate(0.25);
        let usual = word(spec(0.25, SpecInput::default()), Globals::default(), true);
        assert_eq!(shortcut_of(usual), Some(quarter));
        let dry_run = Globals {
            dry_run: true,
            ..Globals::default()
        };
        // The dry run is the effective spec's to say when the call fires.
        assert_eq!(
            shortcut_of(word(spec(0.25, SpecInput::default()), dry_run, true)),
            Some(quarter)
        );
        assert_eq!(
            shortcut_of(word(
                spec(1e-15, SpecInput::default()),
                Globals::default(),
                true
            )),
            Some(0),
            "a rate that can never fire"
        );
        let seeded = Globals {
            seed: Some(3),
            ..Globals::default()
        };
        let limited = SpecInput {
            max_concurrency: Some(2),
            ..SpecInput::default()
        };
        let every = SpecInput {
            status: Some(503),
            one_in: Some(3),
            ..SpecInput::default()
        };
        let unusual = [
            word(spec(0.25, SpecInput::default()), seeded, true),
            word(spec(0.25, limited.clone()), Globals::default(), true),
            word(every, Globals::default(), true),
            word(spec(0.25, SpecInput::default()), Globals::default(), false),
        ];
        for word in unusual {
            assert_eq!(shortcut_of(word), None, "{word:#x}");
        }
        let killed = Globals {
            killed: true,
            ..Globals::default()
        };
        // Off: how it would fire does not matter, but a limit still counts and a cold start
        // still waits.
        assert_eq!(
            shortcut_of(word(spec(0.25, SpecInput::default()), killed, true)),
            Some(0)
        );
        let killed_seeded = Globals {
            seed: Some(3),
            ..killed
        };
        assert_eq!(
            shortcut_of(word(spec(0.25, SpecInput::default()), killed_seeded, true)),
            Some(0)
        );
        assert_eq!(shortcut_of(word(spec(0.25, limited), killed, true)), None);
        assert_eq!(
            shortcut_of(word(spec(0.25, SpecInput::default()), killed, false)),
            None
        );
    }

    #[test]
    fn the_words_are_read_for_their_stamp_only_and_the_replaced_spec_is_freed() {
        let hot = Hot::new();
        assert_eq!(hot.word_for(4), None, "nothing built yet");
        let every = |n| {
            effective(
                SpecInput {
                    status: Some(503),
                    one_in: Some(n),
                    ..SpecInput::default()
                },
                Globals::default(),
            )
        };
        hot.publish(4, every(12), &declared(), true);
        let word = hot.word_for(4).unwrap();
        assert_eq!(hot.word_for(8), None, "another state");
        let divisor = hot.divisor_for(4, word).unwrap();
        assert!((1..=48).all(|x| divisor.divides(x) == (x % 12 == 0)));
        let first = hot.effective().unwrap();
        hot.publish(8, every(5), &declared(), true);
        assert_eq!(
            Arc::strong_count(&first),
            1,
            "only this test holds the old spec"
        );
        assert_eq!(hot.divisor_for(4, word), None, "built for a newer state");
    }
}
