//! The published snapshot: every layer of the configuration folded into one immutable value,
//! with an epoch that moves on every change. The control plane publishes; the data plane reads
//! one word, the [`State`], and reads the snapshot only when that word moved.
//!
//! The first reader of a process finds nothing published and starts the runtime through the one
//! hook, [`super::start`], which reads the environment and publishes the first snapshot.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use super::effective::{Effective, Globals};
use crate::config::PointConfig;
use crate::spec::FaultSpec;

/// The state word: the epoch (bumped on every publication; 0 until the first) and two flags.
static STATE: AtomicU64 = AtomicU64::new(0);
/// What the state word is made of, changed only under this lock.
static SWITCHES: Mutex<Switches> = Mutex::new(Switches {
    epoch: 0,
    quiet: false,
    killed: false,
    scopes: 0,
    cold: Vec::new(),
    shortcuts: Vec::new(),
});
static SNAPSHOT: RwLock<Option<Arc<Snapshot>>> = RwLock::new(None);

/// Nothing to do anywhere: every call of every point returns at once.
const QUIET: u64 = 1;
/// A task scope runs somewhere: calls look up their task's scope.
const SCOPED: u64 = 1 << 1;
const FLAGS: u64 = QUIET | SCOPED;

/// The one word every call reads first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct State(u64);

impl State {
    /// Nothing to do anywhere: the configuration in force has no point active and none with a
    /// `max_concurrency` (whose calls in flight must be counted even while off); every registered
    /// point has had its first call (which must be seen: it is the cold start, or, while off, it
    /// makes the point warm, so that a cold start configured later does not take a later call for
    /// the first); and no scope runs that could switch a point on (unless chaos is switched off
    /// for the whole process, which wins over scopes).
    #[inline(always)]
    pub(crate) fn quiet(self) -> bool {
        self.0 & QUIET != 0
    }

    /// A task scope runs somewhere.
    #[inline(always)]
    pub(crate) fn scoped(self) -> bool {
        self.0 & SCOPED != 0
    }

    /// The whole word: a point's stamp (see [`stamp`](Self::stamp)) equals it exactly when the
    /// point's words are current and neither flag is set, so the hot path compares once.
    #[inline(always)]
    pub(crate) fn raw(self) -> u64 {
        self.0
    }

    /// The stamp a point gives the words it builds for this epoch: the word without its flags.
    #[inline(always)]
    pub(crate) fn stamp(self) -> u64 {
        self.0 & !FLAGS
    }

    /// The configuration epoch.
    pub(crate) fn epoch(self) -> u64 {
        self.0 >> 2
    }
}

#[derive(Debug, Clone)]
struct Switches {
    epoch: u64,
    /// The snapshot in force has nothing to do (see [`State::quiet`]).
    quiet: bool,
    /// The snapshot in force switches chaos off for the whole process.
    killed: bool,
    /// Scopes running.
    scopes: usize,
    /// The registered points (their addresses, sorted) whose first call has not happened: such a
    /// call must reach its point, which notes it (a cold start given later must not treat a
    /// later call as the first).
    cold: Vec<usize>,
    /// The shortcuts of the registered points, withdrawn whenever the state word moves on.
    shortcuts: Vec<&'static Shortcut>,
}

impl Switches {
    fn word(&self) -> u64 {
        let quiet = self.quiet && self.cold.is_empty() && (self.killed || self.scopes == 0);
        self.epoch << 2 | if quiet { QUIET } else { 0 } | if self.scopes > 0 { SCOPED } else { 0 }
    }

    /// Publishes the state word. Sequentially consistent, as is [`Shortcut::offer`]'s read of it:
    /// see there.
    fn store(&self) {
        STATE.store(self.word(), Ordering::SeqCst);
    }

    /// Withdraws every registered point's shortcut, after the state word moved on to a new epoch
    /// or to a running scope.
    fn withdraw_shortcuts(&self) {
        for shortcut in &self.shortcuts {
            shortcut.withdraw();
        }
    }
}

/// What a shortcut holds while withdrawn: every flag of a point's word is set, so a call that
/// reads it takes the path that reads the state word.
pub(crate) const WITHDRAWN: u64 = u64::MAX;

/// A point's shortcut: the point's word, which its calls read instead of the state word and the
/// point's stamp, while that word is current, no scope runs and the point is registered;
/// [`WITHDRAWN`] otherwise. Switched off, a call is then one load of the point's own `static`
/// (in the caller's crate, so not through the GOT) and a branch.
///
/// Every publication and every scope that starts moves the state word and then withdraws the
/// shortcut of every registered point; a point offers one only after finding the state word where
/// its word was built. An unregistered point (one a unit test builds) is never withdrawn, so it
/// never takes one.
#[derive(Debug)]
pub(crate) struct Shortcut {
    word: AtomicU64,
    registered: AtomicBool,
}

impl Shortcut {
    pub(crate) const fn new() -> Shortcut {
        Shortcut {
            word: AtomicU64::new(WITHDRAWN),
            registered: AtomicBool::new(false),
        }
    }

    /// The word a call may decide with, or [`WITHDRAWN`].
    #[inline(always)]
    pub(crate) fn word(&self) -> u64 {
        self.word.load(Ordering::Acquire)
    }

    /// Offers `word`, built for `stamp` (see [`State::stamp`]), to the point's calls: taken back at
    /// once when the state word is no longer at `stamp` or a scope runs.
    ///
    /// The store of `word`, the read of the state word here, and a publication's store of the
    /// state word and then of [`WITHDRAWN`] are all sequentially consistent: if the read still
    /// finds `stamp`, the publication that moves it comes later in that one order, and so does
    /// its withdrawal, which therefore overwrites `word`. A point can never keep a shortcut of
    /// an earlier state.
    pub(crate) fn offer(&self, word: u64, stamp: u64) {
        if !self.registered.load(Ordering::Relaxed) {
            return;
        }
        self.word.store(word, Ordering::SeqCst);
        if STATE.load(Ordering::SeqCst) & !QUIET != stamp {
            self.withdraw();
        }
    }

    fn withdraw(&self) {
        self.word.store(WITHDRAWN, Ordering::SeqCst);
    }
}

fn switches() -> std::sync::MutexGuard<'static, Switches> {
    // A few integers, each assignment whole: usable after a panic elsewhere.
    SWITCHES.lock().unwrap_or_else(|p| p.into_inner())
}

/// The state word in force.
#[inline(always)]
pub(crate) fn state() -> State {
    State(STATE.load(Ordering::Acquire))
}

/// The registered points (the addresses of their `static`s, and their shortcuts), none of which
/// has had its first call yet: set once, by the control plane, before the first snapshot is
/// published.
pub(crate) fn points_registered(points: Vec<(usize, &'static Shortcut)>) {
    let (mut addresses, shortcuts): (Vec<usize>, Vec<&'static Shortcut>) =
        points.into_iter().unzip();
    addresses.sort_unstable();
    for shortcut in &shortcuts {
        shortcut.registered.store(true, Ordering::Relaxed);
    }
    let mut switches = switches();
    switches.cold = addresses;
    switches.shortcuts = shortcuts;
}

/// The point at `address` had its first call. (A point that is not registered, such as one a
/// unit test builds, is not waited for and changes nothing.)
pub(crate) fn point_warmed(address: usize) {
    let mut switches = switches();
    if let Ok(at) = switches.cold.binary_search(&address) {
        switches.cold.remove(at);
        switches.store();
    }
}

/// A task scope starts running.
pub(crate) fn scope_entered() {
    let mut switches = switches();
    switches.scopes += 1;
    switches.store();
    switches.withdraw_shortcuts();
}

/// A task scope stopped running.
pub(crate) fn scope_left() {
    let mut switches = switches();
    switches.scopes -= 1;
    switches.store();
}

/// What the points read.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    pub(crate) epoch: u64,
    pub(crate) globals: Globals,
    /// Counts loads: a seeded point restarts its stream when this changes.
    pub(crate) loads: u64,
    pub(crate) points: HashMap<String, PointConfig>,
    /// No point of the process has anything to do (see [`State::quiet`]); the control plane,
    /// which knows the points, works it out.
    pub(crate) quiet: bool,
}

impl Snapshot {
    /// The stamp of this snapshot's epoch: what [`State::stamp`] is while it is in force.
    pub(crate) fn stamp(&self) -> u64 {
        self.epoch << 2
    }

    /// The effective spec of the point `name`, declared `declared`.
    pub(crate) fn effective_for(&self, name: &str, declared: &FaultSpec) -> Effective {
        Effective::of(declared, self.points.get(name), self.globals)
    }
}

/// The snapshot in force, starting the runtime first if nothing was published yet.
pub(crate) fn load() -> Arc<Snapshot> {
    published().unwrap_or_else(super::start)
}

/// The snapshot in force, if any was published.
pub(crate) fn published() -> Option<Arc<Snapshot>> {
    SNAPSHOT
        .read()
        .unwrap_or_else(|p| p.into_inner())
        .as_ref()
        .map(Arc::clone)
}

/// Publishes the snapshot `build` makes for the next epoch. Callers serialise (the control
/// plane's lock), so epochs only move forward.
pub(crate) fn publish(build: impl FnOnce(u64) -> Snapshot) -> Arc<Snapshot> {
    let mut slot = SNAPSHOT.write().unwrap_or_else(|p| p.into_inner());
    // Built outside the switches' lock (scopes and first calls take it): only a publication
    // moves the epoch, and publications are serialised by the snapshot's lock held here.
    let epoch = switches().epoch + 1;
    let snapshot = Arc::new(build(epoch));
    *slot = Some(Arc::clone(&snapshot));
    let mut switches = switches();
    // Published after the snapshot, so a point that sees the new epoch reads the new snapshot.
    switches.epoch = epoch;
    switches.quiet = snapshot.quiet;
    switches.killed = snapshot.globals.killed;
    switches.store();
    switches.withdraw_shortcuts();
    snapshot
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_is_quiet_only_when_nothing_anywhere_needs_a_call_to_reach_its_point() {
        let quiet = Switches {
            epoch: 5,
            quiet: true,
            killed: false,
            scopes: 0,
            cold: Vec::new(),
            shortcuts: Vec::new(),
        };
        let word = State(quiet.word());
        assert!(word.quiet() && !word.scoped());
        assert_eq!((word.epoch(), word.stamp()), (5, 5 << 2));
        let not = |switches: Switches| !State(switches.word()).quiet();
        assert!(not(Switches {
            quiet: false,
            ..quiet.clone()
        }));
        assert!(
            not(Switches {
                cold: vec![0x1000],
                ..quiet.clone()
            }),
            "a first call to see"
        );
        let scoped = Switches {
            scopes: 1,
            ..quiet.clone()
        };
        assert!(not(scoped.clone()), "a scope may switch a point on");
        assert!(State(scoped.word()).scoped());
        let killed = Switches {
            killed: true,
            ..scoped.clone()
        };
        assert!(
            State(killed.word()).quiet(),
            "the kill switch wins over scopes"
        );
        assert_ne!(
            State(killed.word()).raw(),
            killed.epoch << 2,
            "a point's stamp never matches a word with a flag"
        );
    }
}
