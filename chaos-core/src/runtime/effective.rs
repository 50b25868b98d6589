//! What a point does right now: its declared spec with the run-time configuration applied,
//! prepared for the hot path. Immutable once built, so a call reads one consistent version.

use super::divisor::Divisor;
use super::hazard;
use crate::config::PointConfig;
use crate::spec::{self, AwsTarget, FaultSpec, Latency, Outcome, Trigger};

/// Which calls fire, in the form the hot path compares against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Firing {
    /// A `rate`, as its hazard (see `hazard`): a call fires with probability `rate`.
    Hazard(u64),
    /// Call number N fires when N is a multiple of the divisor.
    Every(Divisor),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Effective {
    /// Injecting at all: false when switched off, globally or for this point.
    pub(crate) active: bool,
    /// Switched off for the whole process: task-scoped configurations do not apply either.
    pub(crate) killed: bool,
    /// Decide, count and log, but inject nothing.
    pub(crate) dry_run: bool,
    /// Draw from the point's own seeded stream instead of the thread's generator.
    pub(crate) seed: Option<u64>,
    pub(crate) firing: Firing,
    pub(crate) latency: Option<Latency>,
    pub(crate) outcome: Option<Outcome>,
    /// Extra delay on the point's first call in the process; 0 for none.
    pub(crate) cold_start_ms: u64,
    /// The outcome replaces the body's result after the body ran.
    pub(crate) after: bool,
    /// Calls beyond this many in flight are throttled; 0 for no limit.
    pub(crate) max_concurrency: u64,
    /// MiB of the temp directory to hold while in force; 0 for none.
    pub(crate) disk_fill_mb: u64,
    /// Which AWS SDK calls the point faults, given to an SDK client.
    pub(crate) aws: AwsTarget,
    /// A layer's faulted request gets the inner answer without its CORS headers.
    pub(crate) strip_cors: bool,
}

/// What holds for every point of one configuration: the process-wide switches, or a scope's.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Globals {
    /// Switched off for the whole process.
    pub(crate) killed: bool,
    pub(crate) dry_run: bool,
    pub(crate) seed: Option<u64>,
}

/// The spec a point injects under the override `over`: whether the point is on, and what it
/// injects. The override was validated when it was loaded; should it fail now, the point stays off
/// rather than inject something nobody asked for.
pub(crate) fn resolve(declared: &FaultSpec, over: Option<&PointConfig>) -> (bool, FaultSpec) {
    let enabled = over.and_then(|o| o.enabled) != Some(false);
    let spec = match over {
        Some(o) if o.spec != spec::SpecInput::default() => {
            spec::validate(&declared.to_input().overlay(&o.spec)).ok()
        }
        _ => Some(declared.clone()),
    };
    let on = enabled && spec.is_some();
    (on, spec.unwrap_or_else(|| declared.clone()))
}

impl Effective {
    /// The effective spec of a point declared `declared`, under the override `over` and the
    /// switches `globals`.
    pub(crate) fn of(
        declared: &FaultSpec,
        over: Option<&PointConfig>,
        globals: Globals,
    ) -> Effective {
        let (on, spec) = resolve(declared, over);
        Effective::new(
            &spec,
            on && !globals.killed,
            globals.killed,
            globals.dry_run,
            globals.seed,
        )
    }

    fn new(
        spec: &FaultSpec,
        active: bool,
        killed: bool,
        dry_run: bool,
        seed: Option<u64>,
    ) -> Effective {
        let firing = match spec.trigger() {
            Trigger::Rate(rate) => Firing::Hazard(hazard::of_rate(rate)),
            Trigger::OneIn(n) => Firing::Every(Divisor::new(n)),
        };
        Effective {
            active,
            killed,
            dry_run,
            seed,
            firing,
            latency: spec.latency(),
            outcome: spec.outcome().cloned(),
            cold_start_ms: spec.cold_start_ms().unwrap_or(0),
            after: spec.after(),
            max_concurrency: spec.max_concurrency().unwrap_or(0),
            disk_fill_mb: spec.disk_fill_mb().unwrap_or(0),
            aws: spec.aws().clone(),
            strip_cors: spec.strip_cors(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::SpecInput;

    fn declared() -> FaultSpec {
        spec::validate(&SpecInput {
            status: Some(503),
            rate: Some(0.5),
            ..SpecInput::default()
        })
        .unwrap()
    }

    #[test]
    fn without_an_override_the_point_injects_what_it_declared() {
        let (on, spec) = resolve(&declared(), None);
        assert!(on);
        assert_eq!(spec, declared());
    }

    #[test]
    fn an_override_lays_its_groups_on_the_declared_spec() {
        let over = PointConfig::new().rate(1.0);
        let (on, spec) = resolve(&declared(), Some(&over));
        assert!(on);
        assert_eq!(spec.trigger(), Trigger::Rate(1.0));
        assert_eq!(spec.outcome(), Some(&Outcome::Status(503)), "fault kept");
    }

    #[test]
    fn an_override_that_turns_the_point_off_or_no_longer_validates_leaves_it_off() {
        let off = PointConfig::new().enabled(false);
        assert!(!resolve(&declared(), Some(&off)).0);
        // Two outcomes at once: invalid, so the point stays off with its declared spec.
        let mut invalid = PointConfig::new().status(500);
        invalid.spec.error = Some("also".into());
        let (on, spec) = resolve(&declared(), Some(&invalid));
        assert!(!on);
        assert_eq!(spec, declared());
    }

    #[test]
    fn the_process_kill_switch_makes_every_point_inactive() {
        let killed = Globals {
            killed: true,
            dry_run: true,
            seed: Some(7),
        };
        let effective = Effective::of(&declared(), None, killed);
        assert!(!effective.active && effective.killed);
        assert!(effective.dry_run);
        assert_eq!(effective.seed, Some(7));
        assert!(Effective::of(&declared(), None, Globals::default()).active);
    }

    #[test]
    fn rates_become_hazards_and_one_in_a_divisor() {
        let effective = Effective::of(&declared(), None, Globals::default());
        assert_eq!(effective.firing, Firing::Hazard(hazard::of_rate(0.5)));
        let every = PointConfig::new().one_in(4);
        let effective = Effective::of(&declared(), Some(&every), Globals::default());
        assert!(matches!(effective.firing, Firing::Every(d) if d.divides(8) && !d.divides(6)));
    }
}
