//! The published snapshot: every layer of the configuration folded into one immutable value,
//! with an epoch that moves on every change. The control plane publishes; the data plane reads
//! one word, a point's [`Shortcut`] (or, when it is withdrawn, the [`State`]), and reads the
//! snapshot only when the state word moved.
//!
//! The first reader of a process finds nothing published and starts the runtime through the one
//! hook, [`super::start`], which reads the environment and publishes the first snapshot.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, TryLockError};

use super::effective::{Effective, Globals};
use super::hazard;
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
    /// The shortcuts of the registered points, withdrawn whenever a publication or a scope
    /// that starts moves the state word (a scope ending or a first call moves it too, but leaves
    /// every shortcut true).
    shortcuts: Vec<&'static Shortcut>,
}

impl Switches {
    fn word(&self) -> u64 {
        let quiet = self.quiet && self.cold.is_empty() && (self.killed || self.scopes == 0);
        self.epoch << 2 | if quiet { QUIET } else { 0 } | if self.scopes > 0 { SCOPED } else { 0 }
    }

    fn store(&self) {
        STATE.store(self.word(), Ordering::Release);
    }

    /// Withdraws every registered point's shortcut, after the state word moved on to a new epoch
    /// or to a running scope.
    fn withdraw_shortcuts(&self) {
        for shortcut in &self.shortcuts {
            shortcut.withdraw();
        }
    }
}

/// What a shortcut holds while withdrawn: not a hazard ([`hazard::ELSEWHERE`]), so a call that
/// spends it is told it fired, and then takes the path that reads the state word.
pub(crate) const WITHDRAWN: u64 = hazard::ELSEWHERE;

/// A point's shortcut: what its calls decide by instead of the state word, the point's stamp and
/// word (the hazard a call spends, 0 when the point is off: see `hot::shortcut_of`), while
/// that word is current, no scope runs and the point is registered; [`WITHDRAWN`] otherwise.
/// Switched off, a call is then one load of the point's own `static` (in the caller's crate, so
/// not through the GOT) and a branch.
///
/// Every publication and every scope that starts moves the state word and then withdraws the
/// shortcut of every registered point, under the switches' lock; a point offers one under that
/// lock too, and only when the state word is still where its word was built. So a shortcut in
/// place is always of the state in force. An unregistered point (one a unit test builds) is
/// never withdrawn, so it never takes one.
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

    /// What a call may decide by, or [`WITHDRAWN`].
    #[inline(always)]
    pub(crate) fn word(&self) -> u64 {
        self.word.load(Ordering::Acquire)
    }

    /// Whether the point is registered, so that its shortcut is withdrawn with every publication:
    /// only then is it worth offering one.
    pub(crate) fn takes_offers(&self) -> bool {
        self.registered.load(Ordering::Relaxed)
    }

    /// Offers `word` (what a call decides by, from the point's word built for `stamp`: see
    /// [`State::stamp`]) to the point's calls, if the state word is still at `stamp` and no scope
    /// runs. Under the switches' lock, which a publication and a starting scope hold while they
    /// move the state word and withdraw the shortcuts: the state word cannot move between the
    /// check and the store, and a later move withdraws the shortcut. When another thread holds
    /// the lock the offer is not made; a later call makes it. Called about once per point and
    /// change.
    pub(crate) fn offer(&self, word: u64, stamp: u64) {
        if !self.takes_offers() {
            return;
        }
        let _switches = match SWITCHES.try_lock() {
            Ok(switches) => switches,
            // A few integers, each assignment whole: usable after a panic elsewhere.
            Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(TryLockError::WouldBlock) => return,
        };
        if STATE.load(Ordering::Acquire) & !QUIET == stamp {
            self.word.store(word, Ordering::Release);
        }
    }

    fn withdraw(&self) {
        self.word.store(WITHDRAWN, Ordering::Release);
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
    fn a_shortcut_is_taken_only_by_a_registered_point_for_the_state_in_force() {
        let shortcut = Shortcut::new();
        let in_force = || STATE.load(Ordering::Acquire) & !(QUIET | SCOPED);
        shortcut.offer(0x10, in_force());
        assert_eq!(
            shortcut.word(),
            WITHDRAWN,
            "not registered: never withdrawn, never taken"
        );
        shortcut.registered.store(true, Ordering::Relaxed);
        // No state word has its quiet flag's bit in the stamp: a stamp the word is never at.
        shortcut.offer(0x10, 1);
        assert_eq!(
            shortcut.word(),
            WITHDRAWN,
            "a stamp the state word is not at"
        );
        // Other unit tests may publish, hold the lock or run a scope meanwhile: offer until one
        // is taken for the state in force (for at most five seconds).
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let taken = loop {
            shortcut.offer(0x10, in_force());
            if shortcut.word() == 0x10 || std::time::Instant::now() > deadline {
                break shortcut.word() == 0x10;
            }
            std::thread::sleep(std::time::Duration::from_millis(1));
        };
        assert!(
            taken,
            "a registered point's offer for the state in force is taken"
        );
        shortcut.withdraw();
        assert_eq!(shortcut.word(), WITHDRAWN);
    }

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
