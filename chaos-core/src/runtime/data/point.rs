//! An injection point: its static data, and the decision made at the start of every call.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::faulted::Faulted;
use super::hot::{self, Hot};
use super::injection::Injection;
use super::permit::Permit;
use super::{disk, scoped};
use crate::PointStats;
use crate::fault::{Fault, FaultKind};
use crate::runtime::effective::{Effective, Firing};
use crate::runtime::snapshot::{self, State, WITHDRAWN};
use crate::runtime::stats::Counters;
use crate::runtime::{events, hazard, rng};
use crate::spec::{FaultSpec, Latency, Outcome};

/// One `#[chaos]` attribute: a `static` inside the function it annotates, registered at link
/// time so that [`points`](crate::points) lists it.
///
/// The hot path reads the point's shortcut, a copy of its own word (see `data/hot.rs`), or when
/// that is withdrawn, the process-wide state word and the point's word, rebuilt only when the
/// configuration's epoch moves. The shared writes of a call that is not faulted are the
/// `one_in` counter, a seeded point's stream, and the offer of the shortcut by the first call
/// after a change.
#[derive(Debug)]
pub struct Point {
    name: &'static str,
    spec: FaultSpec,
    /// Where the attribute or `point!` is, so that two points of one name can both be shown.
    site: Site,
    /// Declared by `chaos::point!` for a `ChaosLayer`: it sees requests (so `deny_hosts` applies)
    /// and has no function body.
    layer: bool,
    /// What a call reads to decide, and the effective spec behind it.
    hot: Hot,
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
            hot: Hot::new(),
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

    /// Whether the point can be given a `status`, `error` or `timeout_ms` at run time: a layer's
    /// point always (it answers a fault with a response or an error, whichever its service
    /// takes), a function's when its attribute declared one of them, `timeout` or
    /// `max_concurrency`, which proved that its return type can carry the fault. (A function is
    /// given `max_concurrency` only if its attribute declares one: see `FaultSpec::holds_place`.)
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

    /// What the control plane keeps of a registered point: its address (to wait for its first
    /// call) and its shortcut (to withdraw on every publication).
    pub(crate) fn registration(&'static self) -> (usize, &'static snapshot::Shortcut) {
        (self.address(), self.hot.shortcut_to_register())
    }

    /// What the current task's scope says of this point, read by `in_scope` from the scope's
    /// entry for it (`None`: the scope leaves it off), when a scope decides it: a scope runs for
    /// this task and the process is not switched off. Otherwise `Err` with the point's
    /// process-wide word. (Inlined, as the code it replaced was written in each caller.)
    #[inline(always)]
    fn scope_or_word<T>(
        &'static self,
        state: State,
        in_scope: impl FnOnce(Option<&Effective>) -> T,
    ) -> Result<T, u64> {
        let (word, _) = self.word_now(state);
        if state.scoped() && word & hot::KILLED == 0 {
            if let Some(answer) = scoped::with(self.address(), in_scope) {
                return Ok(answer);
            }
        }
        Err(word)
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
        let state = snapshot::state();
        if state.quiet() {
            // Nothing is decided anywhere: every request passes, whatever its host.
            return None;
        }
        let in_scope = |effective: Option<&Effective>| {
            check(effective.and_then(|e| e.outcome.as_ref().filter(|_| e.active)))
        };
        let word = match self.scope_or_word(state, in_scope) {
            Ok(in_scope) => return in_scope,
            Err(word) => word,
        };
        if word & hot::DENIES == 0 {
            return None;
        }
        if word & hot::DECLARED_HOSTS != 0 {
            return check(self.spec.outcome());
        }
        self.hot
            .read(|effective| check(effective.outcome.as_ref()))?
    }

    /// Whether an AWS SDK call to `service`'s `operation` in `region` is one of this point's
    /// (`aws_service`, `aws_operations`, `aws_region` in force for the current task). Read before
    /// deciding, as [`denies`](Self::denies) is, so that other calls neither count towards
    /// `one_in` nor appear in the stats. An SDK call is milliseconds long: the spec is read
    /// through its guard.
    #[cfg(feature = "aws-sdk")]
    pub(crate) fn aws_selects(
        &'static self,
        service: Option<&str>,
        operation: Option<&str>,
        region: Option<&str>,
    ) -> bool {
        let matches = |target: &crate::spec::AwsTarget| target.matches(service, operation, region);
        let state = snapshot::state();
        if state.quiet() {
            // Nothing is decided anywhere: no call is the point's business.
            return false;
        }
        let in_scope = |effective: Option<&Effective>| effective.is_some_and(|e| matches(&e.aws));
        if let Ok(in_scope) = self.scope_or_word(state, in_scope) {
            return in_scope;
        }
        self.hot
            .read(|effective| matches(&effective.aws))
            .unwrap_or_else(|| matches(self.spec.aws()))
    }

    /// Admits the call under `max_concurrency`, or throttles it: what a `ChaosLayer` calls before
    /// [`decide`](Self::decide) (it holds the permit until the inner service's future is done;
    /// an annotated function gets both from [`enter`](Self::enter)). Without a limit in force it
    /// is a flag check and a permit that does nothing.
    #[inline(always)]
    pub fn permit(&'static self) -> Result<Permit, Fault> {
        let state = snapshot::state();
        if state.quiet() {
            return Ok(Permit::default());
        }
        if state.scoped() {
            return self.permit_scoped();
        }
        let (word, _) = self.word_now(state);
        if word & hot::LIMITED == 0 {
            return Ok(Permit::default());
        }
        self.admit_global(word)
    }

    /// The place of a call under the process-wide `max_concurrency` of `word`. Counted even
    /// while chaos is switched off (never throttled then), so that when it is switched on again
    /// the calls already in flight count towards the limit.
    #[inline(never)]
    fn admit_global(&'static self, word: u64) -> Result<Permit, Fault> {
        if word & hot::ACTIVE == 0 {
            return Ok(self.count_inactive());
        }
        match self.hot.limit() {
            // The limit was lifted by a change racing with this call.
            0 => Ok(Permit::default()),
            limit => self.admit(limit, word & hot::DRY_RUN != 0, true),
        }
    }

    /// The place of a call that nothing decides (chaos switched off, or the point), under the
    /// process-wide limit of its word: counted, never throttled. Inline, for
    /// [`enter`](Self::enter)'s path and [`admit_global`](Self::admit_global)'s.
    #[inline(always)]
    fn count_inactive(&'static self) -> Permit {
        match self.hot.limit() {
            // The limit was lifted by a change racing with this call.
            0 => Permit::default(),
            _ => Permit::count(&self.in_flight),
        }
    }

    /// [`permit`](Self::permit) while a scope runs somewhere: the current task's scope decides
    /// the limit for the points it names; the process-wide kill switch and dry run still apply.
    #[cold]
    #[inline(never)]
    fn permit_scoped(&'static self) -> Result<Permit, Fault> {
        let (word, _) = self.word_now(snapshot::state());
        let global_dry_run = word & hot::DRY_RUN != 0;
        let global_limit = if word & hot::LIMITED == 0 {
            0
        } else {
            self.hot.limit()
        };
        let global = (word & hot::ACTIVE != 0, global_limit, global_dry_run);
        let limits = |e: &Effective| (e.active, e.max_concurrency, e.dry_run);
        let (active, limit, dry_run) = if word & hot::KILLED != 0 {
            // Switched off for the whole process: counted against the process-wide limit only.
            (false, global_limit, global_dry_run)
        } else {
            scoped::with(self.address(), |effective| {
                effective.map_or((false, 0, false), limits)
            })
            .unwrap_or(global)
        };
        if limit == 0 {
            return Ok(Permit::default());
        }
        self.admit(limit, dry_run || global_dry_run, active)
    }

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

    /// The one decision of a call to a point that declares `max_concurrency`: its place under
    /// `max_concurrency` and its injection. `Ok` with its place (a permit that holds one while a
    /// limit is in force, and nothing otherwise) for a call that is not faulted, which allocates
    /// nothing; `Err` for a faulted or throttled call, with its place (if any) in the same
    /// allocation as its injection, kept while it waits.
    ///
    /// Such a point never takes the shortcut (its limit is in force whether chaos is switched on
    /// or off, since the limit counts the calls admitted while it is off, and a configuration
    /// cannot lift a declared limit; see `hot::shortcut_of`): every call reads the state word and
    /// the point's word ([`enter_stated`](Self::enter_stated)).
    #[inline(always)]
    pub fn enter(&'static self) -> Result<Permit, Faulted> {
        self.enter_stated()
    }

    /// [`enter`](Self::enter) for a `when = "after"` point, which keeps what it entered with
    /// across its body in one box: `None` for a call with neither a fault nor a place to keep.
    pub fn enter_kept(&'static self) -> Option<Faulted> {
        match self.enter() {
            Ok(permit) if permit.holds() => Some(Faulted::holding(self.name, None, permit)),
            Ok(_) => None,
            Err(entered) => Some(entered),
        }
    }

    /// [`enter`](Self::enter) by the state word: while nothing is to be done anywhere (chaos
    /// switched off or every point off, no limit in force, and every point has had its first
    /// call), the state word says so; otherwise the state word is compared with the point's
    /// stamp and the point's word decides. Offers the shortcut first when it may be taken (a
    /// point whose limit is in force is offered "withdrawn"). Out of line, not cold: it is every
    /// call's path for a point that declares a limit.
    #[inline(never)]
    fn enter_stated(&'static self) -> Result<Permit, Faulted> {
        let state = snapshot::state();
        self.offer_shortcut(state);
        if state.quiet() {
            return Ok(Permit::none());
        }
        match self.hot.word_for(state.raw()) {
            // A usual word has no limit in force: the call holds no place.
            Some(word) if word & hot::UNUSUAL == 0 => {
                self.decide_usual(word).map_or(Ok(Permit::none()), Err)
            }
            Some(word) => self.enter_with(word, state.raw()),
            None => self.enter_slow(state),
        }
    }

    /// Offers the point's word as its shortcut, built first if the configuration moved, unless a
    /// scope runs (whose task may say otherwise for this point) or the point is not registered.
    fn offer_shortcut(&'static self, state: State) {
        if state.scoped() || !self.hot.takes_shortcut() {
            return;
        }
        let (word, stamp) = self.word_now(state);
        self.hot.offer_shortcut(word, stamp);
    }

    /// The first half of [`decide`](Self::decide), inlined, with the rest out of line in one
    /// call (`decide`, [`passes`](Self::passes), and `Instrumented`): 0 when the call has
    /// nothing to do, because the shortcut says so or because the thread's budget held its
    /// hazard (spent here); otherwise the shortcut, whose hazard the budget did not hold, for
    /// [`decide_overdrawn`](Self::decide_overdrawn).
    #[inline(always)]
    pub(crate) fn spend_shortcut(&'static self) -> u64 {
        let shortcut = self.hot.shortcut();
        if shortcut == 0 || hazard::spend_within(shortcut) {
            0
        } else {
            shortcut
        }
    }

    /// The rest of [`decide`](Self::decide) once [`spend_shortcut`](Self::spend_shortcut)
    /// gave `shortcut` (not 0): the thread's budget did not hold its hazard, or the shortcut is
    /// withdrawn. A withdrawn shortcut is not a hazard: no budget holds it, and
    /// `hazard::overdrawn` says it fired without touching the budget, so the call goes to the
    /// path without a shortcut ([`decide_stated`](Self::decide_stated)). So an armed call tests
    /// for "withdrawn" only where the budget ran out.
    ///
    /// One call out of line for all of it, for the callers that decide in the function's own
    /// poll (`Instrumented`, an async `one_in` or `timeout` point, a plain `fn`): what that poll
    /// contains is what its callers weigh before inlining it (`settle`). Other async functions
    /// come here from `settle`'s first poll, already out of line.
    #[cold]
    #[inline(never)]
    pub(crate) fn decide_overdrawn(&'static self, shortcut: u64) -> Option<Faulted> {
        if !hazard::overdrawn(shortcut) {
            // The thread's first call drew its budget, which held the hazard.
            return None;
        }
        if shortcut == WITHDRAWN {
            // A point that never takes a shortcut (`max_concurrency`, `one_in`, a seed) is
            // withdrawn for good and comes here on every call: its own path, inlined here.
            return self.decide_stated_here();
        }
        self.fire_by_shortcut(shortcut)
    }

    /// A call on the shortcut `shortcut` fired. A shortcut may have been read just before a
    /// change withdrew it, so the state word is read again: if the point's word for it gives the
    /// same shortcut (armed, usual, the same hazard), the effective spec in force injects (its
    /// own `active` says last); if not, the call is decided again without the shortcut
    /// ([`decide_stated`](Self::decide_stated)), under the state in force. So no call that
    /// starts after a change returns fires by the configuration it replaced.
    #[cold]
    #[inline(never)]
    fn fire_by_shortcut(&'static self, shortcut: u64) -> Option<Faulted> {
        match self.hot.word_for(snapshot::state().raw()) {
            Some(current) if hot::shortcut_of(current) == Some(shortcut) => self.fault_global(),
            _ => self.decide_stated(),
        }
    }

    /// [`enter`](Self::enter) when a scope runs or the configuration changed since the point's
    /// words were built.
    #[cold]
    #[inline(never)]
    fn enter_slow(&'static self, state: State) -> Result<Permit, Faulted> {
        if state.scoped() {
            return self.enter_scoped();
        }
        let (word, stamp) = self.word_now(state);
        self.enter_with(word, stamp)
    }

    /// [`enter`](Self::enter) with the process-wide `word`, built for `stamp`: every call's path
    /// for a point whose limit is in force.
    fn enter_with(&'static self, word: u64, stamp: u64) -> Result<Permit, Faulted> {
        if word & (hot::ACTIVE | hot::UNWARMED) == 0 {
            // Switched off (or the point is), past its first call: nothing is decided and
            // nothing throttled, and a limit in force only counts the call. A point that declares
            // a limit comes here on every call while chaos is off, so it takes neither the
            // admission nor the decision out of line (78 instructions a call, counted).
            return Ok(if word & hot::LIMITED == 0 {
                Permit::default()
            } else {
                self.count_inactive()
            });
        }
        let permit = if word & hot::LIMITED == 0 {
            Ok(Permit::default())
        } else {
            self.admit_global(word)
        };
        self.hold(permit, || self.decide_with_word(word, stamp))
    }

    /// [`enter`](Self::enter) while a scope runs somewhere.
    #[cold]
    #[inline(never)]
    fn enter_scoped(&'static self) -> Result<Permit, Faulted> {
        self.hold(self.permit_scoped(), || self.decide_scoped())
    }

    /// [`enter`](Self::enter)'s answer from its place under `max_concurrency` and, if it was
    /// admitted, its decision: the place alone, with nothing allocated, when it is not faulted.
    fn hold(
        &'static self,
        permit: Result<Permit, Fault>,
        decide: impl FnOnce() -> Option<Faulted>,
    ) -> Result<Permit, Faulted> {
        let permit = match permit {
            Ok(permit) => permit,
            Err(throttled) => return Err(Faulted::refused(self.name, throttled)),
        };
        match decide() {
            None => Ok(permit),
            decided => Err(Faulted::holding(self.name, decided, permit)),
        }
    }

    /// Decides whether this call is faulted, and if so, with what: [`enter`](Self::enter) for a
    /// point that declares no `max_concurrency` (so holds no place under it).
    #[inline(always)]
    pub fn decide(&'static self) -> Option<Faulted> {
        match self.spend_shortcut() {
            0 => None,
            overdrawn => self.decide_overdrawn(overdrawn),
        }
    }

    /// Whether this call has nothing decided by its shortcut alone: `decide` would give `None`
    /// without going out of line (the hazard spent, if the thread's budget held it). When not,
    /// nothing was spent, and [`decide`](Self::decide) decides the call in full: an async
    /// function's `settle` calls it in its first poll, out of line, so that the function's own
    /// poll holds this check and not the call (`decide_then_settle`).
    #[inline(always)]
    pub fn passes(&'static self) -> bool {
        self.spend_shortcut() == 0
    }

    /// [`decide`](Self::decide) without a shortcut, as [`enter_stated`](Self::enter_stated).
    #[cold]
    #[inline(never)]
    fn decide_stated(&'static self) -> Option<Faulted> {
        self.decide_stated_here()
    }

    /// [`decide_stated`](Self::decide_stated)'s body, inlined also into
    /// [`decide_overdrawn`](Self::decide_overdrawn), where a point withdrawn for good (a
    /// `one_in`, a seed) comes on every call: one call out of the function, not two.
    #[inline(always)]
    fn decide_stated_here(&'static self) -> Option<Faulted> {
        let state = snapshot::state();
        self.offer_shortcut(state);
        if state.quiet() {
            return None;
        }
        match self.hot.word_for(state.raw()) {
            Some(word) if word & hot::UNUSUAL == 0 => self.decide_usual(word),
            Some(word) => self.decide_with_word(word, state.raw()),
            None => self.decide_slow(state),
        }
    }

    #[cold]
    #[inline(never)]
    fn decide_slow(&'static self, state: State) -> Option<Faulted> {
        if state.scoped() {
            return self.decide_scoped();
        }
        let (word, stamp) = self.word_now(state);
        self.decide_with_word(word, stamp)
    }

    /// The decision of a point whose word has no unusual flag: its rate's hazard spent from the
    /// thread's budget.
    #[inline(always)]
    fn decide_usual(&'static self, word: u64) -> Option<Faulted> {
        if word & hot::ACTIVE != 0 && hazard::spend(hot::hazard(word)) {
            self.fault_global()
        } else {
            None
        }
    }

    /// The decision under the process-wide `word` (built for `stamp`), whatever its flags.
    #[cold]
    #[inline(never)]
    fn decide_with_word(&'static self, word: u64, stamp: u64) -> Option<Faulted> {
        let fires = word & hot::ACTIVE != 0
            && if word & hot::EVERY != 0 {
                self.fires_every(word, stamp)
            } else {
                self.fires_at(hot::hazard(word), word & hot::SEEDED != 0)
            };
        let decided = if fires { self.fault_global() } else { None };
        if word & hot::UNWARMED != 0 {
            return self.first_call_global(decided);
        }
        decided
    }

    /// `one_in` under the process-wide configuration.
    fn fires_every(&self, word: u64, stamp: u64) -> bool {
        // Call number `previous + 1` is faulted when it is a multiple of N.
        let call = self.calls.fetch_add(1, Ordering::Relaxed).wrapping_add(1);
        match self.hot.divisor_for(stamp, word) {
            Some(divisor) => divisor.divides(call),
            // Rebuilt while being read: the spec in force now says.
            None => self
                .hot
                .effective()
                .is_some_and(|e| matches!(e.firing, Firing::Every(d) if d.divides(call))),
        }
    }

    #[cold]
    #[inline(never)]
    fn decide_scoped(&'static self) -> Option<Faulted> {
        let (word, stamp) = self.word_now(snapshot::state());
        // The process-wide kill switch wins over a scope, and its dry run applies inside too.
        let scoped = if word & hot::KILLED != 0 {
            None
        } else {
            let dry_run = word & hot::DRY_RUN != 0;
            scoped::with(self.address(), |effective| {
                effective.and_then(|e| self.decide_with(e, dry_run))
            })
        };
        match scoped {
            // A cold start belongs to the process: the global configuration's, on top of
            // whatever the scope decided.
            Some(decided) if word & hot::UNWARMED != 0 => self.first_call_global(decided),
            Some(decided) => decided,
            None => self.decide_with_word(word, stamp),
        }
    }

    /// Decides with `effective` (a scope's); `dry_run` forces a dry run on top of what it says.
    fn decide_with(&'static self, effective: &Effective, dry_run: bool) -> Option<Faulted> {
        if effective.active && self.fires(effective) {
            self.fault(effective, dry_run || effective.dry_run)
        } else {
            None
        }
    }

    fn fires(&self, effective: &Effective) -> bool {
        match effective.firing {
            Firing::Hazard(hazard) => self.fires_at(hazard, effective.seed.is_some()),
            Firing::Every(divisor) => {
                let previous = self.calls.fetch_add(1, Ordering::Relaxed);
                divisor.divides(previous.wrapping_add(1))
            }
        }
    }

    /// The point's process-wide word and the stamp it was built for, built first if the
    /// configuration moved since (whether or not a scope runs).
    #[inline]
    fn word_now(&'static self, state: State) -> (u64, u64) {
        match self.hot.word_for(state.stamp()) {
            Some(word) => (word, state.stamp()),
            None => self.refresh(),
        }
    }

    /// Rebuilds the point's words after the configuration changed, and frees the effective spec
    /// they replace. Serialised by one lock, so that of two racing refreshes the later one always
    /// builds from the newer snapshot (snapshots only move forward) and a point can never keep
    /// an older configuration under a newer epoch.
    #[cold]
    #[inline(never)]
    fn refresh(&'static self) -> (u64, u64) {
        static REFRESH: Mutex<()> = Mutex::new(());
        // Initialised (and announced) before taking the lock.
        let _ = snapshot::load();
        let _serial = REFRESH.lock().unwrap_or_else(|p| p.into_inner());
        let snapshot = snapshot::load();
        let stamp = snapshot.stamp();
        if let Some(word) = self.hot.word_for(stamp) {
            return (word, stamp);
        }
        let effective = snapshot.effective_for(self.name, &self.spec);
        if let Some(seed) = effective.seed {
            // Every load of a configuration restarts the streams, so loading the same seed again
            // repeats the same decisions.
            if self.stream_load.swap(snapshot.loads, Ordering::Relaxed) != snapshot.loads {
                self.stream
                    .store(rng::stream_start(seed, self.name), Ordering::Relaxed);
            }
        }
        let word = self.hot.publish(
            stamp,
            effective,
            &self.spec,
            self.warmed.load(Ordering::Relaxed),
        );
        (word, stamp)
    }

    /// A faulted call under the process-wide configuration: what it injects is in the effective
    /// spec the point's words were built from (or a newer one, if the configuration changed
    /// since the call's word was read: then that one says, and may say nothing).
    #[cold]
    #[inline(never)]
    fn fault_global(&'static self) -> Option<Faulted> {
        self.hot
            .read(|effective| {
                if effective.active {
                    self.fault(effective, effective.dry_run)
                } else {
                    None
                }
            })
            .flatten()
    }

    /// [`first_call`](Self::first_call) under the process-wide configuration.
    #[cold]
    #[inline(never)]
    fn first_call_global(&'static self, decided: Option<Faulted>) -> Option<Faulted> {
        match self.hot.effective() {
            Some(effective) => self.first_call(&effective, decided),
            // Never: a call has read the point's word, so its spec is there.
            None => decided,
        }
    }

    /// Whether a call at `rate`'s `hazard` fires: by the point's seeded stream, or by the
    /// thread's budget.
    fn fires_at(&self, hazard: u64, seeded: bool) -> bool {
        if seeded {
            self.fires_seeded(hazard)
        } else {
            hazard::spend(hazard)
        }
    }

    #[cold]
    #[inline(never)]
    fn fires_seeded(&self, hazard: u64) -> bool {
        hazard::fires_by(hazard, self.next_seeded())
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
        let fill_only = effective.outcome.is_none() && latency.is_zero() && !effective.strip_cors;
        if !(fill_only && effective.disk_fill_mb > 0) {
            let outcome = effective.outcome.as_ref();
            let strip_cors = effective.strip_cors;
            self.counters.record(outcome, strip_cors, dry_run);
            events::injected(self.name, outcome, strip_cors, latency_ms, dry_run);
        }
        if dry_run {
            return None;
        }
        if effective.disk_fill_mb > 0 {
            disk::ensure(self.disk_holder(), effective.disk_fill_mb);
        }
        // Boxed here, on the faulted path: a call that is not faulted allocates nothing (`decide`
        // returns a null pointer, `enter` its place alone).
        Some(Faulted::new(
            Injection::new(
                self.name,
                latency,
                effective.outcome.clone(),
                effective.after,
            )
            .with_strip_cors(effective.strip_cors),
        ))
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
    /// of whatever the call's decision gave. Later calls find the point's word without `UNWARMED`.
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
        // Also when not the first: a build that raced with the first call set the flag again.
        self.hot.warmed();
        if first {
            snapshot::point_warmed(self.address());
        }
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
