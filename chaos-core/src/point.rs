//! An injection point: its static data, and the decision made at the start of every call.

use std::borrow::Cow;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::control;
use crate::disk;
use crate::effective::{Effective, Firing};
use crate::events;
use crate::fault::Fault;
use crate::rng;
use crate::scope;
use crate::spec::{FaultSpec, Latency, Outcome};
use crate::stats::{Counters, PointStats};

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
    /// The attribute declared `status` or `error`, so the function's return type was checked to
    /// carry a fault and a run-time configuration may give it either.
    carries_outcome: bool,
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
    /// Calls in flight, counted only while a `max_concurrency` is in force.
    in_flight: AtomicU64,
    /// The `disk_fill_mb` this point's fill was made (or failed) for; 0 while it holds none.
    disk_settled_mb: AtomicU64,
    /// The configuration epoch at which a fill this point asked for was found not in force
    /// process-wide (as when a scope's spec differs): later calls of that epoch skip the lock.
    disk_refused_epoch: AtomicU64,
    counters: Counters,
}

impl Point {
    /// A point named `name` injecting `spec`. Built by the expansion of `#[chaos]`.
    #[doc(hidden)]
    pub const fn new(name: &'static str, spec: FaultSpec, carries_outcome: bool) -> Point {
        Point::with_kind(name, spec, carries_outcome, false)
    }

    /// A point for a `ChaosLayer`, named `name`, injecting `spec`. Built by `chaos::point!`.
    #[doc(hidden)]
    pub const fn layer(name: &'static str, spec: FaultSpec) -> Point {
        // A layer answers a fault with a response or an error, whichever its service takes.
        Point::with_kind(name, spec, true, true)
    }

    const fn with_kind(
        name: &'static str,
        spec: FaultSpec,
        carries_outcome: bool,
        layer: bool,
    ) -> Point {
        Point {
            name,
            spec,
            carries_outcome,
            layer,
            current: AtomicPtr::new(std::ptr::null_mut()),
            epoch: AtomicU64::new(u64::MAX),
            calls: AtomicU64::new(0),
            stream: AtomicU64::new(0),
            stream_load: AtomicU64::new(u64::MAX),
            warmed: AtomicBool::new(false),
            in_flight: AtomicU64::new(0),
            disk_settled_mb: AtomicU64::new(0),
            disk_refused_epoch: AtomicU64::new(u64::MAX),
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

    /// Whether the function's return type can carry a `status` or `error` fault (its attribute
    /// declared one), so that run-time configuration may give it either.
    pub const fn carries_outcome(&self) -> bool {
        self.carries_outcome
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

    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    pub(crate) fn disk_settled_mb(&self) -> u64 {
        self.disk_settled_mb.load(Ordering::Acquire)
    }

    pub(crate) fn set_disk_settled_mb(&self, mb: u64) {
        self.disk_settled_mb.store(mb, Ordering::Release);
    }

    pub(crate) fn disk_refused_epoch(&self) -> u64 {
        self.disk_refused_epoch.load(Ordering::Acquire)
    }

    pub(crate) fn set_disk_refused_epoch(&self, epoch: u64) {
        self.disk_refused_epoch.store(epoch, Ordering::Release);
    }

    /// Whether a request to `host` is one this point's `deny_hosts` faults: `None` when the
    /// outcome in force (for the current task) is not `deny_hosts`, so every request is decided
    /// as usual. Read before deciding, so that requests to other hosts neither count towards
    /// `one_in` nor appear in the stats.
    #[doc(hidden)]
    pub fn denies(&'static self, host: Option<&str>) -> Option<bool> {
        let check = |outcome: Option<&Outcome>| match outcome {
            Some(Outcome::Unreachable(hosts)) => Some(host.is_some_and(|h| hosts.matches(h))),
            _ => None,
        };
        let global = self.current();
        if scope::any_active() && !global.killed {
            if let Some(in_scope) = scope::with_outcome_in_scope(self, check) {
                return in_scope;
            }
        }
        check(global.outcome.as_ref())
    }

    /// Admits the call under `max_concurrency`, or throttles it. Only points that can return a
    /// fault call this (their expansion holds the permit until the body is done); without a limit
    /// in force it is a flag check and a permit that does nothing.
    #[doc(hidden)]
    #[inline(always)]
    pub fn permit(&'static self) -> Result<Permit, Fault> {
        if scope::any_active() {
            return self.permit_scoped();
        }
        let effective = self.current();
        if effective.max_concurrency == 0 || !effective.active {
            return Ok(Permit(None));
        }
        self.admit(effective.max_concurrency, effective.dry_run)
    }

    /// [`permit`](Self::permit) while a scope runs somewhere: the current task's scope decides
    /// the limit for the points it names; the process-wide kill switch and dry run still apply.
    #[cold]
    #[inline(never)]
    fn permit_scoped(&'static self) -> Result<Permit, Fault> {
        let global = self.current();
        if global.killed {
            return Ok(Permit(None));
        }
        let (active, limit, dry_run) = scope::limits_in_scope(self).unwrap_or((
            global.active,
            global.max_concurrency,
            global.dry_run,
        ));
        if !active || limit == 0 {
            return Ok(Permit(None));
        }
        self.admit(limit, dry_run || global.dry_run)
    }

    #[cold]
    #[inline(never)]
    fn admit(&'static self, limit: u64, dry_run: bool) -> Result<Permit, Fault> {
        // Taken only if there is room, so that contention never throttles below the limit.
        let taken = self
            .in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < limit).then_some(n + 1)
            });
        if taken.is_ok() {
            return Ok(Permit(Some(self)));
        }
        self.counters.record_throttled(dry_run);
        events::throttled(self.name, limit, dry_run);
        if dry_run {
            return Ok(Permit(None));
        }
        Err(Fault::new(
            self.name,
            crate::fault::FaultKind::Throttled { limit },
        ))
    }

    /// Decides whether this call is faulted, and if so, with what.
    ///
    /// Kept small enough to inline into the annotated function: the path of a call that is not
    /// faulted is an epoch compare, one pointer load, a flag, a draw and a compare; everything
    /// else (refresh, scopes, seeded draws, the fault itself) sits behind cold calls.
    #[doc(hidden)]
    #[inline(always)]
    pub fn decide(&'static self) -> Option<Injection> {
        // A task-scoped configuration is looked up only while one exists somewhere.
        if scope::any_active() {
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
    fn decide_scoped(&'static self) -> Option<Injection> {
        let global = self.current();
        // The process-wide kill switch wins over a scope, and its dry run applies inside too.
        let scoped = if global.killed {
            None
        } else {
            scope::decide_in_scope(self, global.dry_run)
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
    pub(crate) fn decide_with(
        &'static self,
        effective: &Effective,
        dry_run: bool,
    ) -> Option<Injection> {
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
        let epoch = control::epoch();
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
        let _ = control::snapshot();
        let _serial = REFRESH.lock().unwrap_or_else(|p| p.into_inner());
        let snapshot = control::snapshot();
        if self.epoch.load(Ordering::Acquire) == snapshot.epoch {
            // SAFETY: as in `current`: stored before the epoch that matched.
            return unsafe { &*self.current.load(Ordering::Acquire) };
        }
        let effective = snapshot.effective_for(self).interned();
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
    fn fault(&'static self, effective: &Effective, dry_run: bool) -> Option<Injection> {
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
            disk::ensure(self, effective.disk_fill_mb);
        }
        Some(Injection {
            point: self.name,
            latency,
            outcome: effective.outcome.clone(),
            after: effective.after,
            cold_start: Duration::ZERO,
            deadline: None,
        })
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
        decided: Option<Injection>,
    ) -> Option<Injection> {
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
        Some(match decided {
            Some(mut injection) => {
                injection.cold_start = extra;
                injection
            }
            None => Injection {
                point: self.name,
                latency: Duration::ZERO,
                cold_start: extra,
                outcome: None,
                after: false,
                deadline: None,
            },
        })
    }
}

/// Holds a place under `max_concurrency` until the call ends (dropped with the function's
/// frame, so also on an early return, a panic or a cancelled future).
#[derive(Debug)]
#[must_use]
pub struct Permit(Option<&'static Point>);

impl Permit {
    /// A permit that holds no place (no limit in force).
    #[cfg_attr(not(feature = "tower"), allow(dead_code))]
    pub(crate) const fn none() -> Permit {
        Permit(None)
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if let Some(point) = self.0 {
            point.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

/// What one faulted call gets: a delay, then possibly an outcome in place of the body.
#[derive(Debug)]
pub struct Injection {
    point: &'static str,
    /// The fault's own delay.
    latency: Duration,
    /// A cold start's delay: always before the body, even for a `when = "after"` fault.
    cold_start: Duration,
    outcome: Option<Outcome>,
    after: bool,
    /// For a `when = "after"` timeout: the deadline read before the body ran.
    deadline: Option<SystemTime>,
}

impl Injection {
    /// The delay to wait before the outcome or the body (a cold start's included); zero for none.
    pub fn latency(&self) -> Duration {
        self.latency + self.cold_start
    }

    /// A cold start's delay, which comes before the body even when the outcome comes after it.
    #[doc(hidden)]
    pub fn cold_start(&self) -> Duration {
        self.cold_start
    }

    /// The injection once its cold start has been waited (before a `when = "after"` body).
    #[doc(hidden)]
    pub fn without_cold_start(mut self) -> Injection {
        self.cold_start = Duration::ZERO;
        self
    }

    /// Whether the outcome comes after the body (`when = "after"`) rather than instead of it:
    /// only an injection with an outcome does (the spec rules require one).
    pub fn after(&self) -> bool {
        self.after && self.outcome.is_some()
    }

    /// The fault of a `when = "after"` injection (which has an outcome: see
    /// [`after`](Self::after)).
    #[doc(hidden)]
    pub fn into_fault_after(self) -> Fault {
        let point = self.point;
        self.into_fault().unwrap_or_else(|| {
            Fault::new(
                point,
                crate::fault::FaultKind::Error(Cow::Borrowed("injected after the body")),
            )
        })
    }

    /// A `timeout` fault resolved against the invocation's deadline: the call hangs until
    /// `deadline` less the buffer (at once when it is past or unknown), or for its latency if that
    /// is longer, then times out. Other injections are returned as they are.
    #[doc(hidden)]
    pub fn until_deadline(mut self, deadline: Option<SystemTime>) -> Injection {
        if let Some(Outcome::Deadline { buffer_ms }) = self.outcome {
            let until = deadline.map(|d| d.duration_since(SystemTime::now()));
            if !matches!(until, Some(Ok(_))) {
                events::deadline_unusable(self.point, deadline);
            }
            let remaining = until.and_then(Result::ok).map_or(Duration::ZERO, |r| {
                r.saturating_sub(Duration::from_millis(buffer_ms))
            });
            // A cold start is waited first: the hang ends at the deadline all the same.
            self.latency = self.latency.max(remaining.saturating_sub(self.cold_start));
            let after_ms = u64::try_from(self.latency().as_millis()).unwrap_or(u64::MAX);
            self.outcome = Some(Outcome::Timeout(after_ms));
        }
        self
    }

    /// Keeps `deadline` for [`resolve_kept_deadline`](Self::resolve_kept_deadline): a
    /// `when = "after"` point reads it before its body runs (and may move the argument it comes
    /// from), and waits for it after.
    #[doc(hidden)]
    pub fn keep_deadline(mut self, deadline: Option<SystemTime>) -> Injection {
        self.deadline = deadline;
        self
    }

    /// [`until_deadline`](Self::until_deadline) with the deadline kept before the body.
    #[doc(hidden)]
    pub fn resolve_kept_deadline(self) -> Injection {
        let deadline = self.deadline;
        self.until_deadline(deadline)
    }

    /// The fault for a request to `host` that a `deny_hosts` point faulted.
    #[doc(hidden)]
    pub fn into_fault_for_host(self, host: Option<&str>) -> Option<Fault> {
        let point = self.point;
        match self.outcome {
            // Checked again against the patterns decided with: the configuration may have
            // changed since the layer looked, and another host must never be failed.
            Some(Outcome::Unreachable(hosts)) => {
                let host = host.filter(|h| hosts.matches(h))?;
                Some(Fault::new(
                    point,
                    crate::fault::FaultKind::Unreachable {
                        host: Cow::Owned(host.to_string()),
                    },
                ))
            }
            _ => self.into_fault(),
        }
    }

    /// The fault that replaces the body, if any.
    pub fn into_fault(self) -> Option<Fault> {
        let point = self.point;
        self.outcome.map(|o| Fault::new(point, o.into()))
    }
}
