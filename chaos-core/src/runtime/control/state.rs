//! The process-wide state of the configuration, its layers, and the one way to change it:
//! [`commit`] (start if needed, lock, check, change, publish, free what is no longer in force).
//!
//! The layers, folded by [`State::fold`]: the environment's switches (pinned for the life of the
//! process), the loaded configuration (from code, a file or a remote source), the switch of
//! `set_enabled`, and the overrides of `override_point`. Turning chaos off wins from any layer,
//! and so does a dry run: an operator who asks for less never gets more.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use super::registry;
use crate::config::{Config, PointConfig};
use crate::runtime::data::disk;
use crate::runtime::effective::{Effective, Globals};
use crate::runtime::snapshot::{self, Snapshot};

static STATE: Mutex<Option<State>> = Mutex::new(None);

/// The loaded configuration.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Base {
    /// None: the attributes as they are.
    Attributes,
    Loaded(Config),
    /// The last load failed: injection is off until a valid configuration arrives.
    Rejected,
    /// A remote source is followed and has not given a valid document yet: injection is off.
    Pending,
}

/// What the environment pins for the life of the process: `CHAOS_ENABLED`, `CHAOS_DRY_RUN`,
/// `CHAOS_SEED`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Pinned {
    pub(crate) enabled: Option<bool>,
    pub(crate) dry_run: Option<bool>,
    pub(crate) seed: Option<u64>,
}

#[derive(Debug)]
pub(crate) struct State {
    pub(crate) pinned: Pinned,
    pub(crate) base: Base,
    /// `set_enabled`.
    pub(crate) switch: Option<bool>,
    pub(crate) overrides: Vec<(u64, String, PointConfig)>,
    pub(crate) next_override: u64,
    /// Counts loads: a seeded point restarts its stream when this changes, so that loading the
    /// same seed again repeats the same decisions.
    pub(crate) loads: u64,
    /// The last valid document of the followed remote source, if any and if no invalid answer
    /// came after it: what `reset` goes back to, and what an unreachable source keeps in force.
    pub(crate) remote: Option<Config>,
}

impl State {
    pub(crate) fn new(pinned: Pinned, base: Base) -> State {
        State {
            pinned,
            base,
            switch: None,
            overrides: Vec::new(),
            next_override: 0,
            loads: 0,
            remote: None,
        }
    }

    /// Loads `base` in place of the loaded configuration (a new load: seeded streams restart).
    pub(crate) fn load(&mut self, base: Base) {
        self.base = base;
        self.loads += 1;
    }

    /// Folds the layers into the snapshot of `epoch`. The environment's seed wins over a loaded
    /// one; an override turns its point on unless it says otherwise (it is there to make the
    /// point do something).
    pub(crate) fn fold(&self, epoch: u64) -> Snapshot {
        let loaded = match &self.base {
            Base::Loaded(config) => Some(config),
            _ => None,
        };
        let killed = self.pinned.enabled == Some(false)
            || self.switch == Some(false)
            || loaded.and_then(|c| c.enabled) == Some(false)
            || matches!(self.base, Base::Rejected | Base::Pending);
        let dry_run =
            self.pinned.dry_run == Some(true) || loaded.and_then(|c| c.dry_run) == Some(true);
        let mut points: HashMap<String, PointConfig> = loaded
            .map(|c| c.points.clone().into_iter().collect())
            .unwrap_or_default();
        for (_, name, over) in &self.overrides {
            let entry = points.entry(name.clone()).or_default();
            entry.spec = entry.spec.overlay(&over.spec);
            entry.enabled = Some(over.enabled.unwrap_or(true));
        }
        let globals = Globals {
            killed,
            dry_run,
            seed: self.pinned.seed.or(loaded.and_then(|c| c.seed)),
        };
        Snapshot {
            epoch,
            globals,
            loads: self.loads,
            quiet: quiet(&points, globals),
            points,
        }
    }
}

/// Whether no compiled point has anything to do under `points` and `globals`: none injects and
/// none has a `max_concurrency` (whose calls are counted even while off). (A cold start needs a
/// point's first call, which the state word waits for on its own: see `snapshot::State::quiet`.)
/// Then, once every point has had its first call, every call returns after one load.
fn quiet(points: &HashMap<String, PointConfig>, globals: Globals) -> bool {
    registry::POINTS.iter().all(|point| {
        let effective = Effective::of(point.spec(), points.get(point.name()), globals);
        !effective.active && effective.max_concurrency == 0
    })
}

fn lock() -> MutexGuard<'static, Option<State>> {
    // A panic while holding the lock leaves the state consistent (every change is a few
    // assignments of values built beforehand), so a poisoned lock is still usable.
    STATE
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the first state and publishes it, unless another thread did first; returns the
/// snapshot in force and whether this call installed it.
pub(crate) fn initialise(state: impl FnOnce() -> State) -> (Arc<Snapshot>, bool) {
    let mut guard = lock();
    if let Some(snapshot) = snapshot::published() {
        return (snapshot, false);
    }
    let state = state();
    snapshot::points_registered(
        registry::POINTS
            .iter()
            .map(|&point| point.registration())
            .collect(),
    );
    let snapshot = snapshot::publish(|epoch| state.fold(epoch));
    *guard = Some(state);
    (snapshot, true)
}

/// The one way to change the configuration: starts the runtime if needed, then, under the lock
/// and only if `still_wanted` holds there (a replaced source's thread no longer does), runs
/// `change`, publishes the new snapshot, and frees the disk fills it no longer has in force.
/// `None` when `still_wanted` did not hold.
pub(crate) fn commit_if<R>(
    still_wanted: impl FnOnce() -> bool,
    change: impl FnOnce(&mut State) -> R,
) -> Option<R> {
    let _ = snapshot::load();
    let mut guard = lock();
    let state = guard.as_mut().filter(|_| still_wanted())?;
    let result = change(state);
    snapshot::publish(|epoch| state.fold(epoch));
    drop(guard);
    // A fill no longer in force is freed now, not at the point's next call.
    disk::reconcile();
    Some(result)
}

/// [`commit_if`] for a change that is always wanted.
pub(crate) fn commit<R>(change: impl FnOnce(&mut State) -> R) -> R {
    // The state exists once the runtime started, which `commit_if` makes sure of first.
    commit_if(|| true, change).expect("the runtime's state exists once it started")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> Config {
        Config::from_json(json).unwrap()
    }

    #[test]
    fn off_wins_from_every_layer() {
        let on = State::new(Pinned::default(), Base::Attributes);
        assert!(!on.fold(1).globals.killed);
        let mut cases = Vec::new();
        let mut pinned = State::new(Pinned::default(), Base::Attributes);
        pinned.pinned.enabled = Some(false);
        cases.push(pinned);
        let mut switched = State::new(Pinned::default(), Base::Attributes);
        switched.switch = Some(false);
        cases.push(switched);
        cases.push(State::new(
            Pinned::default(),
            Base::Loaded(config(r#"{"enabled": false}"#)),
        ));
        cases.push(State::new(Pinned::default(), Base::Rejected));
        cases.push(State::new(Pinned::default(), Base::Pending));
        for state in cases {
            assert!(state.fold(1).globals.killed, "{state:?}");
        }
        // `set_enabled(true)` does not override the environment's off.
        let mut both = State::new(
            Pinned {
                enabled: Some(false),
                ..Pinned::default()
            },
            Base::Attributes,
        );
        both.switch = Some(true);
        assert!(both.fold(1).globals.killed);
    }

    #[test]
    fn the_environment_pins_its_seed_and_its_dry_run() {
        let loaded = Base::Loaded(config(r#"{"seed": 7, "dry_run": false}"#));
        let state = State::new(
            Pinned {
                seed: Some(42),
                dry_run: Some(true),
                ..Pinned::default()
            },
            loaded.clone(),
        );
        let folded = state.fold(3);
        assert_eq!((folded.epoch, folded.globals.seed), (3, Some(42)));
        assert!(folded.globals.dry_run);
        let unpinned = State::new(Pinned::default(), loaded).fold(1);
        assert_eq!(unpinned.globals.seed, Some(7));
        assert!(!unpinned.globals.dry_run);
    }

    #[test]
    fn overrides_lay_on_the_loaded_configuration_in_order_and_turn_points_on() {
        let mut state = State::new(
            Pinned::default(),
            Base::Loaded(config(
                r#"{"points": {"a": {"enabled": false, "rate": 0.5, "status": 503}}}"#,
            )),
        );
        state
            .overrides
            .push((0, "a".into(), PointConfig::new().rate(0.25)));
        state
            .overrides
            .push((1, "b".into(), PointConfig::new().latency_ms(10)));
        let folded = state.fold(1);
        let a = &folded.points["a"];
        assert_eq!(a.enabled, Some(true));
        assert_eq!(
            (a.spec.rate, a.spec.status),
            (Some(0.25), Some(503)),
            "the override's trigger, the loaded fault"
        );
        assert_eq!(
            folded.points["b"].spec.latency_ms,
            PointConfig::new().latency_ms(10).spec.latency_ms
        );
        assert_eq!(
            State::new(Pinned::default(), Base::Attributes)
                .fold(1)
                .points
                .len(),
            0
        );
    }
}
