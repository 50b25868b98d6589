//! An injection point: its static data, and the decision made at the start of every call.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::time::Duration;

use super::faulted::Faulted;
use super::injection::Injection;
use super::permit::Permit;
use super::{disk, scoped};
use crate::PointStats;
use crate::fault::{Fault, FaultKind};
use crate::runtime::effective::{Effective, Firing};
use crate::runtime::stats::Counters;
use crate::runtime::{events, rng, snapshot};
use crate::spec::{FaultSpec, Latency, Outcome};

/// One `#[chaos]` attribute: a `static` inside the function it annotates, registered at link
/// time so that [`points`](crate::points) lists it.
///
/// The hot path reads the point's current effective spec through one pointer, refreshed only when
/// the configuration's epoch moves; the only shared write of a call that is not faulted is the
/// `one_in` counter (and a seeded point's stream).
#[derive(Debug)]
pub struct Point {
    name: &'static str,
    spec: FaultSpec,
    /// Where the attribute or `point!` is, so that two points of one name can both be shown.
    site: Site,
    /// Declared by `chaos::point!` for a `ChaosLayer`: it sees requests (so `deny_hosts` applies)
    /// and has no function body.
    layer: bool,
    /// The effective spec the hot path reads; null until the first call.
    current: AtomicPtr<Effective>,
    /// The configuration epoch `current` was built for; `u64::MAX` before the first call.
    epoch: AtomicU64,
    /// Calls seen so far, for `one_in`.
    calls: AtomicU64,
    /// The state of this point's seeded stream (SplitMix64), when a seed is configured.
    stream: AtomicU64,
    /// The configuration load whose seed `stream` was started from (`u64::MAX`: none yet).
    stream_load: AtomicU64,
    /// The point's first call (with a `cold_start_ms`) has happened.
    warmed: AtomicBool,
    /// Calls in flight, counted while a `max_concurrency` is in force (chaos switched on or off).
    in_flight: AtomicU64,
    /// Where this point's disk fill stands, so that a faulted call finds it settled in one load.
    disk: disk::Slot,
    counters: Counters,
}

/// Where a point is declared in the source: `file!()`, `line!()`, `column!()` of its attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Site {
    file: &'static str,
    line: u32,
    column: u32,
}

impl Site {
    /// The site of a point, from the expansion's `file!()`, `line!()` and `column!()`.
    pub const fn new(file: &'static str, line: u32, column: u32) -> Site {
        Site { file, line, column }
    }

    pub(crate) const fn file(&self) -> &'static str {
        self.file
    }

    pub(crate) const fn line(&self) -> u32 {
        self.line
    }
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

impl Point {
    /// A point named `name` injecting `spec`, declared at `site`. Built by the expansion of
    /// `#[chaos]`.
    pub const fn new(name: &'static str, spec: FaultSpec, site: Site) -> Point {
        Point::with_kind(name, spec, site, false)
    }

    /// A point for a `ChaosLayer`, named `name`, injecting `spec`, declared at `site`. Built by
    /// `chaos::point!`.
    pub const fn layer(name: &'static str, spec: FaultSpec, site: Site) -> Point {
        Point::with_kind(name, spec, site, true)
    }

    const fn with_kind(name: &'static str, spec: FaultSpec, site: Site, layer: bool) -> Point {
        Point {
            name,
            spec,
            site,
            layer,
            current: AtomicPtr::new(std::ptr::null_mut()),
            epoch: AtomicU64::new(u64::MAX),
            calls: AtomicU64::new(0),
            stream: AtomicU64::new(0),
            stream_load: AtomicU64::new(u64::MAX),
            warmed: AtomicBool::new(false),
            in_flight: AtomicU64::new(0),
            disk: disk::Slot::new(),
            counters: Counters::new(),
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

    /// Where the point is declared.
    pub const fn site(&self) -> Site {
        self.site
    }

    /// Whether the point can be given a `status`, `error`, `timeout_ms`, `timeout` or
    /// `max_concurrency` at run time: a layer's point always (it answers a fault with a response
    /// or an error, whichever its service takes), a function's when its attribute declared one of
    /// them, which proved that its return type can carry the fault.
    pub fn carries_outcome(&self) -> bool {
        self.layer || self.spec.carries_outcome()
    }

    /// Whether the point was declared with `chaos::point!` for a `ChaosLayer` (so it sees
    /// requests, and `deny_hosts` can be given to it) rather than by `#[chaos]` on a function.
    pub const fn is_layer(&self) -> bool {
        self.layer
    }

    /// This point's fault counters.
    pub fn stats(&self) -> PointStats {
        self.counters.snapshot(self.name)
    }

    /// What the disk module needs to know of this point to make and free its fill.
    fn disk_holder(&'static self) -> disk::Holder {
        disk::Holder {
            name: self.name,
            declared: &self.spec,
            slot: &self.disk,
            counters: &self.counters,
        }
    }

    /// The address of the point's `static`: what a scope's table is keyed by.
    fn address(&'static self) -> usize {
        std::ptr::from_ref(self) as usize
    }

    /// Whether a request to `host` is one this point's `deny_hosts` faults: `None` when the
    /// outcome in force (for the current task) is not `deny_hosts`, so every request is decided
    /// as usual. Read before deciding, so that requests to other hosts neither count towards
    /// `one_in` nor appear in the stats.
    pub fn denies(&'static self, host: Option<&str>) -> Option<bool> {
        let check = |outcome: Option<&Outcome>| match outcome {
            Some(Outcome::Unreachable(hosts)) => Some(host.is_some_and(|h| hosts.matches(h))),
            _ => None,
        };
        let global = self.current();
        if scoped::any_active() && !global.killed {
            let in_scope = scoped::with(self.address(), |effective| {
                check(effective.and_then(|e| e.outcome.as_ref().filter(|_| e.active)))
            });
            if let Some(in_scope) = in_scope {
                return in_scope;
            }
        }
        check(global.outcome.as_ref())
    }

    /// Admits the call under `max_concurrency`, or throttles it. Only points that can return a
    /// fault call this (their expansion holds the permit until the body is done); without a limit
    /// in force it is a flag check and a permit that does nothing.
    #[inline(always)]
    pub fn permit(&'static self) -> Result<Permit, Fault> {
        if scoped::any_active() {
            return self.permit_scoped();
        }
        let effective = self.current();
        if effective.max_concurrency == 0 {
            return Ok(Permit::default());
        }
        // Counted even while chaos is switched off (never throttled then), so that when it is
        // switched on again the calls already in flight count towards the limit.
        self.admit(
            effective.max_concurrency,
            effective.dry_run,
            effective.active,
        )
    }

    /// [`permit`](Self::permit) while a scope runs somewhere: the current task's scope decides
    /// the limit for the points it names; the process-wide kill switch and dry run still apply.
    #[cold]
    #[inline(never)]
    fn permit_scoped(&'static self) -> Result<Permit, Fault> {
        let global = self.current();
        let limits = |e: &Effective| (e.active, e.max_concurrency, e.dry_run);
        let (active, limit, dry_run) = if global.killed {
            // Switched off for the whole process: counted against the process-wide limit only.
            (false, global.max_concurrency, global.dry_run)
        } else {
            scoped::with(self.address(), |effective| {
                effective.map_or((false, 0, false), limits)
            })
            .unwrap_or_else(|| limits(global))
        };
        if limit == 0 {
            return Ok(Permit::default());
        }
        self.admit(limit, dry_run || global.dry_run, active)
    }

    #[cold]
    #[inline(never)]
    fn admit(&'static self, limit: u64, dry_run: bool, active: bool) -> Result<Permit, Fault> {
        if !active {
            // Switched off: never throttled, but counted.
            return Ok(Permit::count(&self.in_flight));
        }
        if let Some(permit) = Permit::take(&self.in_flight, limit) {
            return Ok(permit);
        }
        self.counters.record_throttled(dry_run);
        events::throttled(self.name, limit, dry_run);
        if dry_run {
            // Admitted, and counted like any call in flight, so that the limit sees it once the
            // dry run ends.
            return Ok(Permit::count(&self.in_flight));
        }
        Err(Fault::new(self.name, FaultKind::Throttled { limit }))
    }

    /// The one decision of a call to a point that can return a fault: its place under
    /// `max_concurrency` and its injection, in one pointer. `None` (null) for a call that is
    /// neither faulted nor holding a place; otherwise one allocation holds both (a faulted call,
    /// or a call admitted while a limit is in force), and a throttled call's fault.
    ///
    /// One lookup of the effective spec serves both; the path of a call with nothing to do is
    /// a scope check, an epoch compare, one pointer load and a few flags (a draw when armed).
    #[inline(always)]
    pub fn enter(&'static self) -> Option<Faulted> {
        if scoped::any_active() {
            return self.enter_scoped();
        }
        let effective = self.current();
        let permit = if effective.max_concurrency == 0 {
            Permit::default()
        } else {
            let limit = effective.max_concurrency;
            match self.admit(limit, effective.dry_run, effective.active) {
                Ok(permit) => permit,
                Err(throttled) => return Some(Faulted::refused(self.name, throttled)),
            }
        };
        let decided = if self.warmed.load(Ordering::Relaxed) {
            self.decide_with(effective, false)
        } else {
            let decided = self.decide_with(effective, false);
            self.first_call(effective, decided)
        };
        if decided.is_none() && !permit.holds() {
            return None;
        }
        Some(Faulted::holding(self.name, decided, permit))
    }

    /// [`enter`](Self::enter) while a scope runs somewhere.
    #[cold]
    #[inline(never)]
    fn enter_scoped(&'static self) -> Option<Faulted> {
        let permit = match self.permit_scoped() {
            Ok(permit) => permit,
            Err(throttled) => return Some(Faulted::refused(self.name, throttled)),
        };
        let decided = self.decide_scoped();
        if decided.is_none() && !permit.holds() {
            return None;
        }
        Some(Faulted::holding(self.name, decided, permit))
    }

    /// Decides whether this call is faulted, and if so, with what.
    ///
    /// Kept small enough to inline into the annotated function: the path of a call that is not
    /// faulted is an epoch compare, one pointer load, a flag, a draw and a compare; everything
    /// else (refresh, scopes, seeded draws, the fault itself) sits behind cold calls.
    #[inline(always)]
    pub fn decide(&'static self) -> Option<Faulted> {
        // A task-scoped configuration is looked up only while one exists somewhere.
        if scoped::any_active() {
            return self.decide_scoped();
        }
        let effective = self.current();
        if !self.warmed.load(Ordering::Relaxed) {
            let decided = self.decide_with(effective, false);
            return self.first_call(effective, decided);
        }
        self.decide_with(effective, false)
    }

    #[cold]
    #[inline(never)]
    fn decide_scoped(&'static self) -> Option<Faulted> {
        let global = self.current();
        // The process-wide kill switch wins over a scope, and its dry run applies inside too.
        let scoped = if global.killed {
            None
        } else {
            scoped::with(self.address(), |effective| {
                effective.and_then(|e| self.decide_with(e, global.dry_run))
            })
        };
        let decided = scoped.unwrap_or_else(|| self.decide_with(global, false));
        if !self.warmed.load(Ordering::Relaxed) {
            // A cold start belongs to the process: the global configuration's, on top of
            // whatever the scope decided.
            return self.first_call(global, decided);
        }
        decided
    }

    /// Decides with `effective`; `dry_run` forces a dry run on top of what it says.
    #[inline(always)]
    fn decide_with(&'static self, effective: &Effective, dry_run: bool) -> Option<Faulted> {
        if effective.active && self.fires(effective) {
            self.fault(effective, dry_run || effective.dry_run)
        } else {
            None
        }
    }

    #[inline(always)]
    fn fires(&self, effective: &Effective) -> bool {
        match effective.firing {
            Firing::Below(threshold) => {
                let draw = if effective.seed.is_none() {
                    rng::next_u32()
                } else {
                    self.seeded_u32()
                };
                u64::from(draw) < threshold
            }
            Firing::Every(divisor) => {
                // Call number `previous + 1` is faulted when it is a multiple of N.
                let previous = self.calls.fetch_add(1, Ordering::Relaxed);
                divisor.divides(previous.wrapping_add(1))
            }
        }
    }

    /// The effective spec for the current configuration epoch.
    #[inline(always)]
    fn current(&'static self) -> &'static Effective {
        let epoch = snapshot::epoch();
        if self.epoch.load(Ordering::Acquire) == epoch {
            let current = self.current.load(Ordering::Acquire);
            // SAFETY: `refresh` stores a pointer to an interned `&'static Effective` (never
            // freed) before it stores the epoch that this load matched, with release ordering.
            return unsafe { &*current };
        }
        self.refresh()
    }

    /// Rebuilds the cached effective spec after the configuration changed. Serialised by one
    /// lock, so that of two racing refreshes the later one always publishes the newer snapshot
    /// (snapshots only move forward) and a point can never keep an older configuration under a
    /// newer epoch.
    #[cold]
    #[inline(never)]
    fn refresh(&'static self) -> &'static Effective {
        static REFRESH: Mutex<()> = Mutex::new(());
        // Initialised (and announced) before taking the lock.
        let _ = snapshot::load();
        let _serial = REFRESH.lock().unwrap_or_else(|p| p.into_inner());
        let snapshot = snapshot::load();
        if self.epoch.load(Ordering::Acquire) == snapshot.epoch {
            // SAFETY: as in `current`: stored before the epoch that matched.
            return unsafe { &*self.current.load(Ordering::Acquire) };
        }
        let effective = snapshot.effective_for(self.name, &self.spec).interned();
        if let Some(seed) = effective.seed {
            // Every load of a configuration restarts the streams, so loading the same seed again
            // repeats the same decisions.
            if self.stream_load.swap(snapshot.loads, Ordering::Relaxed) != snapshot.loads {
                self.stream
                    .store(rng::stream_start(seed, self.name), Ordering::Relaxed);
            }
        }
        self.current
            .store(std::ptr::from_ref(effective).cast_mut(), Ordering::Release);
        self.epoch.store(snapshot.epoch, Ordering::Release);
        effective
    }

    #[cold]
    #[inline(never)]
    fn seeded_u32(&self) -> u32 {
        (self.next_seeded() >> 32) as u32
    }

    fn next_seeded(&self) -> u64 {
        rng::stream_next(&self.stream)
    }

    #[cold]
    #[inline(never)]
    fn fault(&'static self, effective: &Effective, dry_run: bool) -> Option<Faulted> {
        let mut latency = effective
            .latency
            .map_or(Duration::ZERO, |l| self.draw_latency(l, effective));
        // A timeout hangs first: its fault comes after the wait, as the caller sees it.
        if let Some(Outcome::Timeout(after_ms)) = effective.outcome {
            latency += Duration::from_millis(after_ms);
        }
        let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
        // A call whose only fault is the disk fill is counted as that fill, once.
        let fill_only = effective.outcome.is_none() && latency.is_zero();
        if !(fill_only && effective.disk_fill_mb > 0) {
            self.counters.record(effective.outcome.as_ref(), dry_run);
            events::injected(self.name, effective.outcome.as_ref(), latency_ms, dry_run);
        }
        if dry_run {
            return None;
        }
        if effective.disk_fill_mb > 0 {
            disk::ensure(self.disk_holder(), effective.disk_fill_mb);
        }
        // Boxed here, on the faulted path: a call that is not faulted allocates nothing and
        // returns one null pointer.
        Some(Faulted::new(Injection::new(
            self.name,
            latency,
            effective.outcome.clone(),
            effective.after,
        )))
    }

    fn draw_latency(&self, latency: Latency, effective: &Effective) -> Duration {
        let seeded = effective.seed.is_some();
        match latency {
            Latency::Uniform { min_ms, max_ms } if min_ms == max_ms => {
                Duration::from_millis(min_ms)
            }
            Latency::Uniform { min_ms, max_ms } if seeded => {
                let span = max_ms - min_ms;
                Duration::from_millis(min_ms + self.next_seeded() % span.saturating_add(1))
            }
            Latency::Uniform { min_ms, max_ms } => {
                Duration::from_millis(rng::uniform_ms(min_ms, max_ms))
            }
            Latency::LogNormal { median_ms, p99_ms } => {
                let (u1, u2) = if seeded {
                    (
                        rng::unit_from(self.next_seeded()),
                        rng::unit_from(self.next_seeded()),
                    )
                } else {
                    (rng::unit(), rng::unit())
                };
                Duration::from_micros(rng::lognormal_us(median_ms, p99_ms, u1, u2))
            }
        }
    }

    /// The point's first call in the process: with a `cold_start_ms` in force, its delay on top
    /// of whatever the call's decision gave. Later calls find `warmed` set and pay one load.
    #[cold]
    #[inline(never)]
    fn first_call(
        &'static self,
        effective: &Effective,
        decided: Option<Faulted>,
    ) -> Option<Faulted> {
        // The first call of the process is the cold start, whether or not one is configured or
        // chaos is on at that moment: a point given a cold start later is warm already.
        let first = !self.warmed.swap(true, Ordering::Relaxed);
        if !first || !effective.active || effective.cold_start_ms == 0 {
            return decided;
        }
        let extra = Duration::from_millis(effective.cold_start_ms);
        events::cold_start(self.name, effective.cold_start_ms, effective.dry_run);
        self.counters.record_cold_start(effective.dry_run);
        if effective.dry_run {
            return decided;
        }
        let faulted = decided.unwrap_or_else(|| Faulted::new(Injection::none(self.name)));
        Some(faulted.with_cold_start(extra))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::effective::Globals;
    use crate::spec::{SpecInput, Trigger, validate};

    /// A point of its own, never registered: its decisions touch no process-wide state.
    fn point(input: SpecInput) -> &'static Point {
        let spec = validate(&input).unwrap();
        Box::leak(Box::new(Point::new(
            "unit::point",
            spec,
            Site::new(file!(), line!(), column!()),
        )))
    }

    fn effective(point: &Point, globals: Globals) -> Effective {
        Effective::of(point.spec(), None, globals)
    }

    fn status(trigger: Trigger) -> SpecInput {
        let (rate, one_in) = match trigger {
            Trigger::Rate(rate) => (Some(rate), None),
            Trigger::OneIn(n) => (None, Some(i128::from(n))),
        };
        SpecInput {
            status: Some(503),
            rate,
            one_in,
            ..SpecInput::default()
        }
    }

    #[test]
    fn rate_zero_never_fires_and_rate_one_always_does_with_the_declared_outcome() {
        let never = point(status(Trigger::Rate(0.0)));
        let e = effective(never, Globals::default());
        assert!((0..1000).all(|_| never.decide_with(&e, false).is_none()));
        let always = point(status(Trigger::Rate(1.0)));
        let e = effective(always, Globals::default());
        for _ in 0..1000 {
            let fault = always.decide_with(&e, false).and_then(Faulted::into_fault);
            assert_eq!(fault.and_then(|f| f.status()), Some(503));
        }
        assert_eq!(always.stats().status, 1000);
    }

    #[test]
    fn one_in_fires_on_every_nth_call_exactly() {
        let p = point(status(Trigger::OneIn(3)));
        let e = effective(p, Globals::default());
        let fired: Vec<bool> = (0..9).map(|_| p.decide_with(&e, false).is_some()).collect();
        assert_eq!(
            fired,
            [false, false, true, false, false, true, false, false, true]
        );
    }

    #[test]
    fn a_dry_run_counts_the_fault_and_injects_nothing_and_an_inactive_point_does_neither() {
        let p = point(status(Trigger::Rate(1.0)));
        let dry = effective(
            p,
            Globals {
                dry_run: true,
                ..Globals::default()
            },
        );
        assert!(p.decide_with(&dry, false).is_none());
        let live = effective(p, Globals::default());
        assert!(
            p.decide_with(&live, true).is_none(),
            "dry run asked by a scope"
        );
        assert_eq!(p.stats().dry_run, 2);
        let killed = effective(
            p,
            Globals {
                killed: true,
                ..Globals::default()
            },
        );
        assert!(p.decide_with(&killed, false).is_none());
        assert_eq!(p.stats().dry_run + p.stats().status, 2, "nothing counted");
    }

    #[test]
    fn a_seeded_stream_repeats_its_decisions() {
        let draws = |seed: u64| {
            let p = point(status(Trigger::Rate(0.5)));
            p.stream
                .store(rng::stream_start(seed, p.name), Ordering::Relaxed);
            let e = effective(
                p,
                Globals {
                    seed: Some(seed),
                    ..Globals::default()
                },
            );
            (0..64)
                .map(|_| p.decide_with(&e, false).is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(draws(42), draws(42));
        assert_ne!(draws(42), draws(43));
    }
}
